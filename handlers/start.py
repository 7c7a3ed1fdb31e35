"""/start, /help and the main menu."""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.policy import Policy
from handlers.callbacks import MenuAction
from handlers.keyboards import main_menu


def greeting(policy: Policy) -> str:
    return _(
        "Hello! I am the privacy desk of <b>{operator}</b>.\n\n"
        "I can tell you what {operator} keeps about you and for how long, take your request "
        "for a copy of your data, its deletion or correction, and keep you informed until it is done."
    ).format(operator=html.quote(policy.operator.name))


def help_text(policy: Policy) -> str:
    lines = [
        _("<b>What I can do</b>"),
        _("/start: the main menu"),
        _("/language: choose English or Russian"),
        _("/ask: ask a question about your data"),
        _("/policy: browse the privacy policy by topic"),
        _("/request: make a request about your data"),
        _("/voice: report that your voice was cloned"),
        _("/status: your requests and their state"),
        _("/mydata and /forget: what this bot holds about you, and deleting it"),
        _("/help: this message"),
        "",
        _("You can also just type a question, for example: how long do you keep my voice?"),
    ]
    if policy.contacts.privacy:
        lines += ["", _("Privacy team: {email}").format(email=html.quote(policy.contacts.privacy))]
    return "\n".join(lines)


def build_router() -> Router:
    router = Router(name="start")

    @router.message(CommandStart())
    async def on_start(message: Message, policy: Policy) -> None:
        await message.answer(greeting(policy), reply_markup=main_menu())

    @router.message(Command("help"))
    async def on_help(message: Message, policy: Policy) -> None:
        await message.answer(help_text(policy), reply_markup=main_menu())

    @router.callback_query(MenuAction.filter(F.action == "ask"))
    async def on_menu_ask(query: CallbackQuery) -> None:
        await query.answer()
        await query.message.answer(
            _("Type your question in your own words, for example: do you sell my data?")
        )

    # "Make a request", "My requests" and "Talk to a person" are handled by handlers.requests.

    return router
