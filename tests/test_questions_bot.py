"""Questions through the bot: answers from the policy data, with the right buttons."""

from __future__ import annotations

import pytest

from tests.botkit import Person, make_bot

pytestmark = pytest.mark.db


@pytest.fixture
def person(settings, session_factory, velluto):
    return Person(make_bot(settings, session_factory, velluto))


@pytest.fixture
def russian(settings, session_factory, velluto):
    return Person(make_bot(settings, session_factory, velluto), user_id=100002, language_code="ru")


async def test_voice_model_retention_in_english(person):
    await person.says("how long do you keep my voice model")
    (reply,) = person.replies()
    assert "3 years" in reply and "§6" in reply
    assert "The whole section" in person.button_texts()


async def test_voice_model_retention_in_russian(russian):
    await russian.says("сколько вы храните мою голосовую модель")
    (reply,) = russian.replies()
    assert "3 лет" in reply or "3 года" in reply or "трёх лет" in reply
    assert "§6" in reply


@pytest.mark.parametrize(
    ("question", "must"),
    [
        ("how long do you keep billing records", ["7 years"]),
        ("how long are logs kept", ["12 months", "30 days"]),
    ],
)
async def test_retention_figures(person, question, must):
    await person.says(question)
    reply = " ".join(person.replies())
    for figure in must:
        assert figure in reply


async def test_retention_figures_in_russian(russian):
    await russian.says("сколько хранятся мои платежи?")
    assert "7 лет" in " ".join(russian.replies())
    await russian.says("как долго хранятся логи")
    reply = " ".join(russian.replies())
    assert "12 месяцев" in reply and "30 дней" in reply


async def test_disguised_request_offers_the_request(person):
    await person.says("pls delete my account and everything you have on me")
    assert "Make this request" in person.button_texts()
    await person.presses("Make this request")
    assert "deletion of your data" in person.replies()[0]  # the request form starts at once


async def test_out_of_scope_is_honest_and_offers_a_person(person):
    await person.says("what's the weather in Paris tomorrow")
    (reply,) = person.replies()
    assert "does not" in reply
    assert person.button_texts() == ["Talk to a person"]


async def test_topic_menu_shows_a_whole_section(person):
    await person.says("/policy")
    assert "How long data is kept" in person.button_texts()
    await person.presses("How long data is kept")
    reply = person.replies()[0]
    assert "7 years" in reply and "3 years" in reply and "12 months" in reply


async def test_forged_topic_is_refused(person):
    await person.press_data("pt:no_such_topic")
    (answer,) = person.bot.last.requests.answer_callback_query
    assert answer.show_alert and "no longer valid" in answer.text
    assert person.bot.last.requests.send_message == []


async def test_long_question_is_answered_within_limits(person):
    await person.says(("how long do you keep my voice? " * 200)[:4096])
    for sent in person.bot.last.requests.send_message:
        assert len(sent.text) <= 4096
