# ruff: noqa: F811 - pytest fixtures imported from tests.test_intake_kit are used as parameters
"""Every request kind through the bot, in English and Russian: happy path, wrong input, Back and
Cancel at each step, Edit from the summary, a restart in the middle of a form."""

from __future__ import annotations

import pytest
from babel.dates import format_date

from bot.i18n import gettext_for
from bot.intake.form import MENU_KINDS, MENU_LABELS, SUMMARY, StepType
from bot.kinds import RequestKind
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

CALIFORNIA = {RequestKind.OPT_OUT_SALE, RequestKind.LIMIT_SENSITIVE}
LINKED_IDS = (100001, 100002, 100005, 100007, 100009, 100011, 100014, 100017, 100020)  # demo data


def answers_for(kind: RequestKind) -> dict[str, str]:
    return {"jurisdiction": "california"} if kind in CALIFORNIA else {}


async def open_form(person: Person, filler: Filler, kind: RequestKind) -> None:
    await person.says("/request")
    await person.presses(filler.t(MENU_LABELS[kind]))


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("kind", MENU_KINDS, ids=str)
async def test_every_kind_happy_path(make_intake_bot, session_factory, velluto, kind, lang):
    person = Person(make_intake_bot(), user_id=LINKED, language_code=lang)
    filler = Filler(person, kind, lang, velluto, linked=True)
    await open_form(person, filler, kind)
    answers = answers_for(kind)
    while filler.step.id != SUMMARY:
        assert last_text(person) == filler.prompt(), filler.step.id
        await filler.answer(answers.get(filler.step.id))
    summary = all_texts(person)
    assert filler.t("<b>Please check your request before it is sent.</b>") in summary
    await person.presses(filler.t("Confirm and send"))

    (request,) = await requests_of(session_factory, LINKED)
    assert request.kind == kind
    reply = last_text(person)
    assert request.reference in reply
    assert format_date(request.due_date, format="long", locale=lang) in reply
    if kind is RequestKind.VOICE_TAKEDOWN:
        assert request.priority and request.state == "awaiting_verification"
        assert request.requester_type == "voice_owner"
    elif kind in CALIFORNIA or kind is RequestKind.OTHER:
        assert request.state == "open" and request.verification_method == "not_required"
    else:
        assert request.state == "open" and request.verification_method == "telegram_id"
    if lang == "ru":
        assert "Мы получили ваш запрос" in reply and "/status" in reply
    else:
        assert "We have received your request" in reply and "/status" in reply


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("kind", MENU_KINDS, ids=str)
async def test_wrong_input_and_back_at_every_step(make_intake_bot, session_factory, velluto, kind, lang):
    tr = gettext_for(lang)
    person = Person(make_intake_bot(), user_id=LINKED, language_code=lang)
    filler = Filler(person, kind, lang, velluto, linked=True)
    await open_form(person, filler, kind)
    answers = answers_for(kind)
    while filler.step.id != SUMMARY:
        step, prompt = filler.step, filler.prompt()
        if step.type in (StepType.TEXT, StepType.OPTIONAL_TEXT, StepType.OPTIONAL_EMAIL):
            await person.sends(sticker_from(person))
            assert person.replies()[0] == tr("Please type your answer as text: I cannot use stickers, photos or files here.")
        elif step.type in (StepType.MEDIA, StepType.OPTIONAL_MEDIA):
            await person.says("here is my file")
            assert person.replies()[0] in (
                tr("Please send a voice message or an audio file."), tr("Please send a photo or a document.")
            )
        else:
            await person.says("the first one")
            assert person.replies()[0] == tr("Please use the buttons below.")
        assert last_text(person) == prompt, f"{step.id}: the step is kept after wrong input"
        if filler.form.history:
            await person.presses(tr("Back"))
            from bot.intake import form as forms

            forms.back(filler.form)
            assert last_text(person) == filler.prompt(), f"Back from {step.id}"
            await filler.answer(answers.get(filler.step.id))
            assert last_text(person) == prompt
        await filler.answer(answers.get(step.id))
    assert await requests_of(session_factory, LINKED) == []
    # Back from the summary, then Edit one answer and come back to the summary
    await person.presses(tr("Back"))
    from bot.intake import form as forms

    forms.back(filler.form)
    assert last_text(person) == filler.prompt()
    await filler.answer(answers.get(filler.step.id))
    assert tr("<b>Please check your request before it is sent.</b>") in all_texts(person)
    await person.presses(tr("Edit"))
    editable = person.button_texts()
    assert editable[-1] == tr("Back to the summary")
    await person.presses(tr("Back to the summary"))
    assert tr("<b>Please check your request before it is sent.</b>") in all_texts(person)
    await person.presses(tr("Confirm and send"))
    assert len(await requests_of(session_factory, LINKED)) == 1


@pytest.mark.parametrize("kind", MENU_KINDS, ids=str)
async def test_cancel_at_every_step(make_intake_bot, session_factory, velluto, kind):
    bot = make_intake_bot()
    steps = offline_step_count(kind, velluto)
    assert steps <= len(LINKED_IDS)
    for stop, user_id in zip(range(steps), LINKED_IDS, strict=False):
        person = Person(bot, user_id=user_id)  # a new person each time: where they live is not known yet
        filler = Filler(person, kind, "en", velluto, linked=True)
        await open_form(person, filler, kind)
        for _ in range(stop):
            await filler.answer()
        await person.presses("Cancel")
        assert person.replies() == ["Cancelled. Nothing was sent."], f"cancel at step {stop}"
        assert await bot.get_state(user_id=user_id) is None
        assert await requests_of(session_factory, user_id) == []


def offline_step_count(kind: RequestKind, velluto) -> int:
    """How many steps (the summary included) the form asks, from the form definition alone."""
    from bot.intake import form as forms

    filler = Filler(None, kind, "en", velluto, linked=True)
    count = 1
    while filler.step.id != SUMMARY:
        step = filler.step
        forms.answer(filler.form, step.id, step.options[0].value if step.options else "x")
        count += 1
    return count


async def test_cancel_in_russian_and_at_the_kind_menu(make_intake_bot, velluto):
    person = Person(make_intake_bot(), user_id=LINKED, language_code="ru")
    await person.says("/request")
    await person.presses("Отмена")
    assert person.replies() == ["Отменено. Ничего не отправлено."]
    filler = Filler(person, RequestKind.ACCESS, "ru", velluto, linked=True)
    await open_form(person, filler, RequestKind.ACCESS)
    await filler.answer()
    await person.says("какой-то текст")
    assert person.replies()[0] == "Пожалуйста, воспользуйтесь кнопками ниже."
    await person.presses("Назад")
    assert last_text(person) == "Чьих данных касается запрос?"
    await person.presses("Отмена")
    assert person.replies() == ["Отменено. Ничего не отправлено."]


@pytest.mark.parametrize("lang", ["en", "ru"])
async def test_restart_in_the_middle_of_a_form(make_intake_bot, session_factory, velluto, lang):
    first = Person(make_intake_bot(), user_id=LINKED, language_code=lang)
    filler = Filler(first, RequestKind.RECTIFICATION, lang, velluto, linked=True)
    await open_form(first, filler, RequestKind.RECTIFICATION)
    await filler.answer()  # relation
    await filler.answer()  # jurisdiction
    await filler.answer("the email on my account is old")  # wrong
    # a new process: new dispatcher, same database
    second = Person(make_intake_bot(), user_id=LINKED, language_code=lang)
    filler.person = second
    assert filler.step.id == "correct"
    await second.says("new@example.com")
    forms_step = filler.step
    from bot.intake import form as forms

    forms.answer(filler.form, forms_step.id, "new@example.com")
    assert filler.step.id == SUMMARY
    summary = all_texts(second)
    assert "the email on my account is old" in summary and "new@example.com" in summary
    await second.presses(filler.t("Confirm and send"))
    (request,) = await requests_of(session_factory, LINKED)
    assert request.kind == "rectification"


async def test_menu_and_answer_buttons_start_the_flows(make_intake_bot, velluto):
    person = Person(make_intake_bot(), user_id=LINKED)
    await person.says("/start")
    await person.presses("Make a request")
    assert person.replies() == ["What would you like to ask for?"]
    await person.says("/start")
    await person.presses("Talk to a person")
    assert person.replies()[-1] in (
        "Where do you live? This decides which law sets our deadline.",
        "Write your message to the privacy team.",
    )
    await person.says("/cancel")
    await person.says("pls delete my account and everything you have on me")
    await person.presses("Make this request")
    assert person.replies() == ["Request: deletion of your data. Your Telegram account is linked to a Velluto "
                                "account, so if this is about your own data you are verified at once: no code "
                                "needed.", "Whose data is this request about?"]  # fmt: skip
    await person.presses("Back")  # from the first step: back to the list of requests
    assert person.replies() == ["What would you like to ask for?"]
    assert await person.bot.get_state(user_id=LINKED) is None
    await person.says("/voice")
    assert "Back" in person.button_texts() and "Cancel" in person.button_texts()
    await person.says("/cancel")
    await person.says("/start")
    await person.presses("My requests")
    assert person.replies() == ["You have no requests yet. /request makes one."]


@pytest.mark.redis
async def test_restart_in_the_middle_of_a_form_on_redis(
    make_intake_bot, settings, session_factory, velluto, redis_url
):
    import secrets

    from bot.app import build_fsm_storage

    redis_settings = settings.model_copy(update={"redis_url": redis_url})
    user_id = 700000 + secrets.randbelow(100000)  # Redis outlives the test database
    storage = build_fsm_storage(redis_settings, session_factory)
    first = Person(make_intake_bot(storage=storage), user_id=user_id)
    filler = Filler(first, RequestKind.OTHER, "en", velluto, linked=False)
    await open_form(first, filler, RequestKind.OTHER)
    await filler.answer()  # where they live
    await storage.close()

    storage = build_fsm_storage(redis_settings, session_factory)
    try:
        second = Person(make_intake_bot(storage=storage), user_id=user_id)
        filler.person = second
        await filler.fill({"question": "Do you keep my IP address?"})
        await second.presses("Confirm and send")
        (request,) = await requests_of(session_factory, user_id)
        assert request.kind == "other"
    finally:
        await storage.close()


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "someone cloned my voice without my consent"), ("ru", "кто-то клонировал мой голос")],
)
async def test_my_voice_was_cloned_in_words_leads_to_the_voice_flow(make_intake_bot, velluto, lang, text):
    person = Person(make_intake_bot(), user_id=LINKED, language_code=lang)
    filler = Filler(person, RequestKind.VOICE_TAKEDOWN, lang, velluto, linked=True)
    await person.says(text)
    await person.presses(filler.t("Make this request"))
    assert last_text(person) == filler.prompt()
    assert filler.step.id == "voice_consent"


@pytest.mark.parametrize("kind", MENU_KINDS, ids=str)
async def test_every_form_continues_after_a_restart(make_intake_bot, session_factory, velluto, kind):
    first = Person(make_intake_bot(), user_id=LINKED)
    filler = Filler(first, kind, "en", velluto, linked=True)
    await open_form(first, filler, kind)
    answers = answers_for(kind)
    await filler.answer(answers.get(filler.step.id))
    step_before = filler.step.id
    # a new process: new dispatcher, same database; the person's next message reaches the new one
    second = Person(make_intake_bot(), user_id=LINKED)
    filler.person = second
    await second.sends(sticker_from(second))  # shows the current step again, with its buttons
    if filler.step.id == SUMMARY:
        assert "Please check your request" in last_text(second), "the form is at the summary after the restart"
    else:
        assert last_text(second) == filler.prompt(), f"the form is at {step_before} after the restart"
    while filler.step.id != SUMMARY:
        await filler.answer(answers.get(filler.step.id))
    await second.presses("Confirm and send")
    (request,) = await requests_of(session_factory, LINKED)
    assert request.kind == kind.value
