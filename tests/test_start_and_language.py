"""/start, /help, /language and the bad inputs of a private chat, through the bot."""

from __future__ import annotations

import pytest
from teremok import MockMessageText, MockUser
from teremok.builders import MockMessagePhoto

from tests.botkit import Person, make_bot

pytestmark = pytest.mark.db

MENU_EN = ["Ask a question", "Make a request", "My requests", "Talk to a person"]
MENU_RU = ["Задать вопрос", "Подать запрос", "Мои запросы", "Связаться с человеком"]


async def test_start_greets_names_the_operator_and_shows_the_menu(settings, session_factory, velluto):
    person = Person(make_bot(settings, session_factory, velluto))
    await person.says("/start")
    (reply,) = person.replies()
    assert "Velluto" in reply
    assert person.button_texts() == MENU_EN


async def test_russian_telegram_client_gets_russian(settings, session_factory, velluto):
    person = Person(make_bot(settings, session_factory, velluto), language_code="ru")
    await person.says("/start")
    assert "Здравствуйте" in person.replies()[0]
    assert person.button_texts() == MENU_RU


async def test_language_choice_is_remembered_across_a_restart(settings, session_factory, velluto):
    person = Person(make_bot(settings, session_factory, velluto), language_code="en")
    await person.says("/language")
    assert person.button_texts() == ["✓ English", "Русский"]
    await person.presses("Русский")
    assert "по-русски" in person.replies()[0]

    restarted = Person(make_bot(settings, session_factory, velluto), language_code="en")
    await restarted.says("/start")
    assert "Здравствуйте" in restarted.replies()[0]
    await restarted.says("/language")
    await restarted.presses("English")
    await restarted.says("/help")
    assert "What I can do" in restarted.replies()[0]


async def test_help_lists_commands_and_the_privacy_contact(settings, session_factory, velluto):
    person = Person(make_bot(settings, session_factory, velluto))
    await person.says("/help")
    (reply,) = person.replies()
    assert "/language" in reply and "privacy@velluto.io" in reply


async def test_unknown_command_gets_an_answer_and_the_menu(settings, session_factory, velluto):
    person = Person(make_bot(settings, session_factory, velluto))
    result = await person.says("/frobnicate")
    assert result.handled
    assert "don't know that command" in person.replies()[0]
    assert person.button_texts() == MENU_EN


async def test_photo_where_text_is_expected_is_answered(settings, session_factory, velluto):
    bot = make_bot(settings, session_factory, velluto)
    user = MockUser(user_id=100001, language_code="en")
    await bot.dispatch(MockMessagePhoto(user=user))
    (reply,) = [m.text for m in bot.last.requests.send_message]
    assert "only read text" in reply


async def test_forged_language_button_changes_nothing(settings, session_factory, velluto):
    person = Person(make_bot(settings, session_factory, velluto))
    await person.press_data("lang:xx")
    (answer,) = person.bot.last.requests.answer_callback_query
    assert answer.show_alert and "no longer valid" in answer.text
    await person.says("/start")
    assert "Hello" in person.replies()[0]


async def test_unknown_callback_data_is_answered(settings, session_factory, velluto):
    person = Person(make_bot(settings, session_factory, velluto))
    await person.press_data("ra:999:delete-everything")
    (answer,) = person.bot.last.requests.answer_callback_query
    assert "no longer valid" in answer.text


async def test_html_in_user_text_is_never_interpreted(settings, session_factory, velluto):
    bot = make_bot(settings, session_factory, velluto)
    user = MockUser(user_id=100001, language_code="en")
    result = await bot.dispatch(MockMessageText("<b>hi</b> & " + "x" * 4090, user=user))
    assert result.handled
    for sent in result.requests.send_message:
        assert "<b>hi</b>" not in sent.text
