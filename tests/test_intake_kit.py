"""Shared fixtures and a form-filling driver for the intake tests (no tests here).

The policy index is built once per session and passed into `build_dispatcher`; the demo account
database is written once. Person 100001 is signed in with Telegram in the demo data (verified at
once); person 100500 has no linked account.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import Message, Sticker
from sqlalchemy import select
from teremok import MockBot, MockMessageDocument, MockMessageVoice

from bot.app import build_dispatcher
from bot.demo_data import create_demo_data
from bot.directory.sql import build_sql_directory
from bot.i18n import gettext_for
from bot.intake import form as forms
from bot.intake.form import STEPS, SUMMARY, Form, FormContext, StepType
from bot.intake.jurisdictions import not_served
from bot.kinds import RequestKind
from bot.policy.answer import build_index
from storage.requests import Request
from tests.botkit import Person

LINKED = 100001  # vl_0001 in the demo data, signed in with Telegram
UNLINKED = 100500
OPERATOR = "Velluto"


@pytest.fixture(scope="session")
def velluto_index(velluto):
    return build_index(velluto)


@pytest.fixture(scope="session")
def demo_paths(tmp_path_factory):
    return create_demo_data(tmp_path_factory.mktemp("demo") / "accounts.db")


@pytest.fixture
async def demo_directory(demo_paths):
    directory = build_sql_directory(demo_paths.directory_url, demo_paths.mapping)
    yield directory
    await directory.aclose()


@pytest.fixture
def make_intake_bot(settings, session_factory, velluto, velluto_index, demo_directory):
    """A fresh dispatcher on the same database each call (a second call is a restarted process)."""

    def make(email_verification: Any = None, directory: Any = None, storage: Any = None) -> MockBot:
        dispatcher = build_dispatcher(
            settings, session_factory, velluto, policy_index=velluto_index, storage=storage,
            directory=directory or demo_directory, email_verification=email_verification,
        )  # fmt: skip
        return MockBot(dispatcher)

    return make


def sticker_from(person: Person) -> Message:
    from teremok.builders import _message_ids, _now

    return Message(
        message_id=next(_message_ids), date=_now(), chat=person.chat, from_user=person.user,
        sticker=Sticker(file_id="stk", file_unique_id="u_stk", type="regular", width=512, height=512,
                        is_animated=False, is_video=False),
    )  # fmt: skip


class Filler:
    """Answers a form's steps through the bot, knowing the steps from `bot.intake.form`."""

    def __init__(
        self, person: Person, kind: RequestKind, lang: str, velluto, *, linked: bool, email: bool = False
    ):
        self.person, self.lang, self.policy = person, lang, velluto
        self.gettext = gettext_for(lang)
        self.form = Form(kind=kind, token="test")
        self.context = FormContext(
            processor_case=True, email_available=email, linked_account=linked, not_served=not_served(velluto)
        )

    def t(self, msgid: str, **params: Any) -> str:
        return self.gettext(msgid).format(operator=OPERATOR, **params)

    @property
    def step(self) -> forms.Step:
        return forms.current_step(self.form, self.context)

    def prompt(self, step: forms.Step | None = None) -> str:
        step = step or self.step
        return self.t(step.prompt, offer="") if step.id != "not_served" else ""

    async def answer(self, value: Any = None) -> None:
        """Answer the current step (the first option, a short text, a file, or Skip)."""
        step, person = self.step, self.person
        if step.type is StepType.CHOICE:
            option = step.option(value) if value else step.options[0]
            await person.presses(self.t(option.label))
            recorded: Any = option.value
        elif step.type in (StepType.TEXT, StepType.OPTIONAL_TEXT, StepType.OPTIONAL_EMAIL) and (
            value or step.type is StepType.TEXT
        ):
            recorded = value or f"answer to {step.id}"
            await person.says(recorded)
        elif step.type is StepType.MEDIA:
            if step.media == forms.AUDIO:
                await person.sends(
                    MockMessageVoice(file_id=f"voice-{step.id}", user=person.user, chat=person.chat)
                )
                recorded = {"kind": "voice"}
            else:
                await person.sends(
                    MockMessageDocument(file_id=f"doc-{step.id}", user=person.user, chat=person.chat)
                )
                recorded = {"kind": "document"}
        elif step.optional:
            await person.presses(self.t("Skip"))
            recorded = None
        else:
            raise AssertionError(f"the driver cannot answer {step.id} ({step.type})")
        forms.answer(self.form, step.id, recorded)
        if step.id == "not_served" and recorded == "erasure":
            self.form.kind = RequestKind.ERASURE

    async def fill_until(self, step_id: str, answers: dict[str, Any] | None = None) -> None:
        """Answer every step before `step_id`."""
        answers = answers or {}
        for _ in range(20):
            if self.step.id in (step_id, SUMMARY):
                return
            await self.answer(answers.get(self.step.id))
        raise AssertionError(f"the form never reached {step_id}")

    async def fill(self, answers: dict[str, Any] | None = None) -> None:
        """Answer every step up to the summary; `answers` picks values by step id."""
        answers = answers or {}
        for _ in range(20):
            if self.step.id == SUMMARY:
                return
            await self.answer(answers.get(self.step.id))
        raise AssertionError("the form never reached its summary")


async def requests_of(session_factory, telegram_user_id: int) -> list[Request]:
    from storage.models import Subject

    async with session_factory() as session:
        result = await session.scalars(
            select(Request)
            .join(Subject, Subject.id == Request.subject_id)
            .where(Subject.telegram_user_id == telegram_user_id)
        )
        return list(result)


def last_text(person: Person) -> str:
    texts = person.replies()
    assert texts, "the bot sent nothing"
    return texts[-1]


def all_texts(person: Person) -> str:
    return "\n".join(person.replies())


STEP_TYPES_WITH_TEXT = (
    StepType.TEXT,
    StepType.OPTIONAL_TEXT,
    StepType.EMAIL,
    StepType.OPTIONAL_EMAIL,
    StepType.CODE,
)
__all__ = [
    "LINKED", "UNLINKED", "Filler", "STEPS", "STEP_TYPES_WITH_TEXT", "all_texts", "demo_directory",
    "demo_paths", "last_text", "make_intake_bot", "requests_of", "sticker_from", "velluto_index",
]  # fmt: skip
