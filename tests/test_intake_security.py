# ruff: noqa: F811 - pytest fixtures imported from tests.test_intake_kit are used as parameters
"""Nothing leaks and nothing changes: another person's reference or id, forged callback data, a replayed
update, an over-long message, a sticker where text is expected, HTML in what people type."""

from __future__ import annotations

import pytest
from aiogram.types import Update
from sqlalchemy import func, select
from teremok import MockCallbackQuery, MockMessageText

from bot.intake.form import MENU_LABELS
from bot.kinds import RequestKind
from storage.requests import RequestEvent
from tests.botkit import Person
from tests.test_intake_kit import (  # noqa: F401 - fixtures
    LINKED,
    Filler,
    all_texts,
    demo_directory,
    demo_paths,
    last_text,
    make_intake_bot,
    requests_of,
    sticker_from,
    velluto_index,
)

pytestmark = pytest.mark.db

OTHER = 100002  # also linked in the demo data


async def start(person: Person, velluto, kind=RequestKind.ACCESS) -> Filler:
    filler = Filler(person, kind, "en", velluto, linked=True)
    await person.says("/request")
    await person.presses(filler.t(MENU_LABELS[kind]))
    return filler


async def submitted(person: Person, velluto, kind=RequestKind.ACCESS) -> Filler:
    filler = await start(person, velluto, kind)
    await filler.fill()
    await person.presses("Confirm and send")
    return filler


async def event_count(session_factory) -> int:
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(RequestEvent)))


def alert(person: Person) -> str:
    (answer,) = person.bot.last.requests.answer_callback_query
    assert answer.show_alert
    return answer.text


async def test_another_persons_request_is_not_found(make_intake_bot, session_factory, velluto):
    bot = make_intake_bot()
    owner, intruder = Person(bot, user_id=LINKED), Person(bot, user_id=OTHER)
    await submitted(owner, velluto)
    (request,) = await requests_of(session_factory, LINKED)
    events = await event_count(session_factory)

    await intruder.says(f"/status {request.reference}")
    assert intruder.replies() == ["Request not found. /status lists your requests."]
    for action in ("show", "add", "withdraw", "withdraw_yes"):
        await intruder.press_data(f"st:{action}:{request.id}")
        assert alert(intruder) == "Request not found. /status lists your requests."
        assert intruder.bot.last.requests.send_message == []
    await intruder.says("/status")
    assert request.reference not in all_texts(intruder)
    (after,) = await requests_of(session_factory, LINKED)
    assert after.state == request.state and await event_count(session_factory) == events


@pytest.mark.parametrize(
    "data",
    [
        "st:withdraw_yes:999999",
        "st:show:-1",
        "st:explode:1",
        "rs:deadbeef:relation:self",
        "rn:confirm:deadbeef:summary",
        "rn:back:deadbeef:relation",
        "re:deadbeef:jurisdiction",
        "rk:not_a_kind",
        "qa:request:not_a_kind",
    ],
)
async def test_forged_callback_data_changes_nothing(make_intake_bot, session_factory, velluto, data):
    person = Person(make_intake_bot(), user_id=LINKED)
    filler = await start(person, velluto)
    await filler.answer()  # my own data
    state_before = await person.bot.get_data(user_id=LINKED)
    await person.press_data(data)
    assert alert(person) in (
        "This button is no longer valid.",
        "Request not found. /status lists your requests.",
    )
    assert await person.bot.get_data(user_id=LINKED) == state_before
    assert await requests_of(session_factory, LINKED) == []


async def test_a_button_of_the_current_form_with_a_wrong_value_or_step(make_intake_bot, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await start(person, velluto)
    markup, _ = person.last_keyboard()
    token = markup.inline_keyboard[0][0].callback_data.split(":")[1]
    before = await person.bot.get_data(user_id=LINKED)
    for data in (
        f"rs:{token}:relation:everyone",
        f"rs:{token}:jurisdiction:eea",
        f"rn:skip:{token}:relation",
    ):
        await person.press_data(data)
        assert alert(person) == "This button is no longer valid."
    assert await person.bot.get_data(user_id=LINKED) == before


async def test_confirm_pressed_twice_creates_one_request(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    filler = await start(person, velluto)
    await filler.fill()
    markup, _ = person.last_keyboard()
    confirm = next(b for row in markup.inline_keyboard for b in row if b.text == "Confirm and send")
    update = Update(
        update_id=990001, callback_query=MockCallbackQuery(data=confirm.callback_data, user=person.user)
    )
    await person.bot.dispatch(update)
    await person.bot.dispatch(update)  # the same update again
    (request,) = await requests_of(session_factory, LINKED)
    assert alert(person) == f"Already sent: your request is {request.reference}."
    await person.press_data(confirm.callback_data)  # and pressed once more later
    assert len(await requests_of(session_factory, LINKED)) == 1


async def test_replayed_text_answer_is_not_taken_for_the_next_step(make_intake_bot, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    filler = await start(person, velluto, RequestKind.RECTIFICATION)
    await filler.answer()
    await filler.answer()
    update = Update(
        update_id=990002, message=MockMessageText("old email", user=person.user, chat=person.chat)
    )
    await person.bot.dispatch(update)
    assert last_text(person) == "What should it be instead?"
    before = await person.bot.get_data(user_id=LINKED)
    await person.bot.dispatch(update)
    assert person.replies() == []
    assert await person.bot.get_data(user_id=LINKED) == before


async def test_replayed_withdraw_changes_nothing_the_second_time(make_intake_bot, session_factory, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await submitted(person, velluto)
    (request,) = await requests_of(session_factory, LINKED)
    update = Update(
        update_id=990003,
        callback_query=MockCallbackQuery(data=f"st:withdraw_yes:{request.id}", user=person.user),
    )
    await person.bot.dispatch(update)
    events = await event_count(session_factory)
    await person.bot.dispatch(update)
    assert alert(person) == "This request is closed; nothing was changed."
    assert await event_count(session_factory) == events


async def test_over_long_message_is_refused_and_the_step_kept(make_intake_bot, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    filler = await start(person, velluto, RequestKind.OTHER)
    await filler.answer()  # where they live
    await person.says("x" * 5000)
    assert person.replies()[0] == "This is too long: at most 4096 characters, please."
    assert last_text(person) == "Write your message to the privacy team."


async def test_a_4096_character_message_is_taken_and_every_reply_fits(
    make_intake_bot, session_factory, velluto
):
    person = Person(make_intake_bot(), user_id=LINKED)
    filler = await start(person, velluto, RequestKind.OTHER)
    await filler.answer()
    await person.says(("<a lot & more> " * 300)[:4096])
    for sent in person.bot.last.requests.send_message:
        assert len(sent.text) <= 4096
    assert "&lt;a lot &amp; more&gt;" in all_texts(person)
    await person.presses("Confirm and send")
    (request,) = await requests_of(session_factory, LINKED)
    from bot.requests.service import read_details

    assert len(read_details(request)["answers"]["question"]) == 4096


async def test_sticker_where_text_is_expected(make_intake_bot, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    filler = await start(person, velluto, RequestKind.RECTIFICATION)
    await filler.answer()
    await filler.answer()
    await person.sends(sticker_from(person))
    assert person.replies() == [
        "Please type your answer as text: I cannot use stickers, photos or files here.",
        "What is wrong or incomplete? For example: the email on my account.",
    ]


async def test_html_in_answers_is_escaped_everywhere(make_intake_bot, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    filler = await start(person, velluto, RequestKind.RECTIFICATION)
    await filler.fill({"wrong": "<script>alert(1)</script>", "correct": "a & b <i>"})
    summary = all_texts(person)
    assert "<script>" not in summary and "&lt;script&gt;" in summary and "a &amp; b &lt;i&gt;" in summary


async def test_replayed_kind_choice_keeps_the_form(make_intake_bot, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await person.says("/request")
    markup, _ = person.last_keyboard()
    data = next(b.callback_data for row in markup.inline_keyboard for b in row if b.text == "Correct my data")
    update = Update(update_id=990004, callback_query=MockCallbackQuery(data=data, user=person.user))
    await person.bot.dispatch(update)
    filler = Filler(person, RequestKind.RECTIFICATION, "en", velluto, linked=True)
    await filler.answer()  # my own data
    before = await person.bot.get_data(user_id=LINKED)
    await person.bot.dispatch(update)
    assert await person.bot.get_data(user_id=LINKED) == before
    assert last_text(person) == filler.prompt()
