"""Requests in the private chat: intake per kind, the voice owner's report, /status, /mydata, /forget.

`build_router()` returns one router; it must be included before the questions router, so a form in
progress is never answered as a question.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kinds import RequestKind
from bot.policy import Policy
from handlers.callbacks import AnswerAction, MenuAction
from handlers.requests import intake, privacy, status


def build_router() -> Router:
    router = Router(name="requests")
    forms = intake.build_router()
    following = status.build_router()

    @router.callback_query(MenuAction.filter(F.action == "request"))
    async def on_menu_request(query: CallbackQuery, session: AsyncSession, policy: Policy) -> None:
        await query.answer()
        await forms.offer_kinds(query.message, session, query.from_user.id, policy)

    @router.callback_query(MenuAction.filter(F.action == "status"))
    async def on_menu_status(query: CallbackQuery, session: AsyncSession, i18n: I18n) -> None:
        await query.answer()
        await following.show_list(query.message, session, query.from_user.id, i18n.current_locale)

    @router.callback_query(MenuAction.filter(F.action == "human"))
    @router.callback_query(AnswerAction.filter(F.action == "human"))
    async def on_talk_to_person(
        query: CallbackQuery,
        state: FSMContext,
        session: AsyncSession,
        policy: Policy,
        i18n: I18n,
        **data: Any,
    ) -> None:
        await query.answer()
        await forms.start_form(
            query.message, query.from_user.id, RequestKind.OTHER, state, session, policy, data, i18n
        )

    @router.callback_query(AnswerAction.filter(F.action == "request"))
    async def on_answer_request(
        query: CallbackQuery, callback_data: AnswerAction, state: FSMContext, session: AsyncSession,
        policy: Policy, i18n: I18n, **data: Any,
    ) -> None:  # fmt: skip
        await forms.start_chosen_kind(query, callback_data.kind, state, session, policy, data, i18n)

    router.include_routers(forms, following, privacy.build_router())
    return router
