"""Questions about the policy: /ask, any free text outside a form, and the /policy topic menu.

The answer comes from the policy data (`bot.policy.answer`); this module only renders it with buttons:
make the matching request, see the whole section, talk to a person.
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.policy import Policy
from bot.policy.answer import OUT_OF_SCOPE, Answer, answer
from bot.policy.answer_index import PolicyIndex
from handlers.callbacks import AnswerAction, PolicyTopic
from handlers.keyboards import main_menu
from handlers.markup import KeyboardBuilder
from handlers.texts import answer_long

TOPICS_PER_ROW = 2


def answer_keyboard(result: Answer) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    if result.kind is not None:
        builder.button(
            text=_("Make this request"), callback_data=AnswerAction(action="request", kind=result.kind.value)
        )
    if result.topic and result.route != OUT_OF_SCOPE:
        builder.button(text=_("The whole section"), callback_data=PolicyTopic(topic=result.topic))
    builder.button(text=_("Talk to a person"), callback_data=AnswerAction(action="human"))
    builder.adjust(1)
    return builder.as_markup()


def topics_keyboard(policy: Policy, lang: str) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    stated = {fact.topic for fact in policy.facts}
    for topic in policy.topics:
        if topic.id in stated:
            builder.button(text=topic.title.get(lang), callback_data=PolicyTopic(topic=topic.id))
    builder.adjust(TOPICS_PER_ROW)
    return builder.as_markup()


def topic_text(policy: Policy, topic_id: str, lang: str) -> str | None:
    topic = next((t for t in policy.topics if t.id == topic_id), None)
    facts = [fact for fact in policy.facts if fact.topic == topic_id]
    if topic is None or not facts:
        return None
    lines = [f"<b>{html.quote(topic.title.get(lang))}</b>"]
    for fact in facts:
        lines.append(f"• {html.quote(fact.text.get(lang))} <i>({html.quote(fact.section)})</i>")
    return "\n".join(lines)


def contact_text(policy: Policy) -> str:
    if policy.contacts.privacy and policy.response_times:
        return _(
            "For now, please write to the privacy team at {email}: they answer within {days} days."
        ).format(email=html.quote(policy.contacts.privacy), days=policy.response_times.standard_days)
    contacts = policy.contacts
    contact = contacts.privacy or contacts.support or contacts.general or contacts.telegram
    if contact:
        return _("For now, please write to the privacy team at {email}.").format(email=html.quote(contact))
    return _("For now, please contact the privacy team of {operator}.").format(
        operator=html.quote(policy.operator.name)
    )


def build_router() -> Router:
    router = Router(name="questions")

    @router.message(Command("ask"))
    async def on_ask(message: Message) -> None:
        await message.answer(_("Type your question in your own words, for example: do you sell my data?"))

    @router.message(Command("policy"))
    async def on_policy(message: Message, policy: Policy, i18n: I18n) -> None:
        await message.answer(
            _("What would you like to know? Choose a topic:"),
            reply_markup=topics_keyboard(policy, i18n.current_locale),
        )

    @router.message(StateFilter(None), F.text, ~F.text.startswith("/"))
    async def on_question(message: Message, policy_index: PolicyIndex, i18n: I18n) -> None:
        result = answer(message.text, i18n.current_locale, policy_index, gettext=_)
        await answer_long(message, html.quote(result.text), answer_keyboard(result))

    @router.callback_query(PolicyTopic.filter())
    async def on_topic(query: CallbackQuery, callback_data: PolicyTopic, policy: Policy, i18n: I18n) -> None:
        text = topic_text(policy, callback_data.topic, i18n.current_locale)
        if text is None:
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        await query.answer()
        await answer_long(query.message, text, main_menu())

    # "Make this request" and "Talk to a person" start the request flows in handlers.requests.

    return router
