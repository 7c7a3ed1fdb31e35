"""The answer engine's behaviour on the questions that matter most, through `answer()` and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.policy import load_policy
from bot.policy.answer import OUT_OF_SCOPE, answer, build_index
from bot.policy.answer_intents import load_intents, phrase_in
from bot.policy.text_normalize import script_lang, stems

ROOT = Path(__file__).resolve().parent.parent
VELLUTO = ROOT / "policies" / "velluto.yaml"


@pytest.fixture(scope="module")
def index():
    return build_index(load_policy(VELLUTO))


@pytest.mark.parametrize(
    ("question", "lang", "expected"),
    [
        ("how long do you keep my voice model", "en", [r"\b3 years"]),
        ("how long do you keep my voice model", "ru", [r"\b3 (года|лет)"]),
        ("сколько вы храните мою голосовую модель", None, [r"\b3 (года|лет)"]),
        ("how long do you keep billing records", "en", [r"\b7 years"]),
        ("сколько хранятся мои платежи", "ru", [r"\b7 лет"]),
        ("how long are logs kept", "en", [r"\b12 months", r"\b30 days"]),
        ("как долго хранятся логи", "ru", [r"\b12 месяцев", r"\b30 дней"]),
    ],
)
def test_retention_answers_state_the_period(index, question, lang, expected):
    result = answer(question, lang, index)
    assert result.route == "answer"
    assert result.topic == "retention"
    for pattern in expected:
        assert re.search(pattern, result.text), result.text
    assert "§6" in result.text  # the section is cited


def test_answer_is_in_the_requested_language_and_cites_the_section(index):
    ru = answer("how long do you keep my voice model", "ru", index)
    assert re.search("[а-я]", ru.text) and "Источник" in ru.text
    en = answer("how long do you keep my voice model", "en", index)
    assert "Source: §6 Retention" in en.text
    assert en.section == "§6 Retention"


@pytest.mark.parametrize(
    ("question", "route"),
    [
        ("delete my account", "request:erasure"),
        ("хочу копию своих данных", "request:access"),
        ("someone cloned my voice", "request:voice_takedown"),
        ("stop sending me emails", "request:withdraw_consent"),
        ("i want my data in json", "request:portability"),
        ("исправьте мой email", "request:rectification"),
        # written after the dev set, from a sanity check of everyday wording (now regression cases)
        ("I'd like a copy of everything you store about me", "request:access"),
        ("my voice is being used by someone else on velluto", "request:voice_takedown"),
        ("не хочу получать ваши письма", "request:withdraw_consent"),
        ("dont use my voice for anything except my own generations", "request:limit_sensitive"),
        ("я хочу удалить аккаунт", "request:erasure"),
    ],
)
def test_disguised_requests(index, question, route):
    result = answer(question, None, index)
    assert result.route == route
    assert result.kind is not None and route.endswith(result.kind.value)


@pytest.mark.parametrize(
    "question",
    [
        "how long do you keep my data after i delete my account",
        "what happens when I delete my account",
        "is my data deleted when i close my account",
        "can i get a copy of the DPA",
        "что будет с данными после удаления аккаунта",
        "is a cloned voice biometric under gdpr",  # "cloned" describes, nobody reports a clone
    ],
)
def test_a_question_about_a_request_is_answered_not_taken_as_one(index, question):
    assert answer(question, None, index).route == "answer"


@pytest.mark.parametrize("question", ["whats the weather tomorrow", "сколько стоит подписка", "hello"])
def test_out_of_scope_is_honest(index, question):
    result = answer(question, None, index)
    assert result.route == OUT_OF_SCOPE
    assert result.facts == ()
    assert "does not" in result.text or "нет" in result.text


@pytest.mark.parametrize(
    ("question", "topic", "figure"),
    [
        ("what is the retension period for voice modells", "retention", "3 years"),
        ("сколко хранятся платижи", "retention", "7 лет"),
    ],
)
def test_typos_in_longer_words_are_forgiven(index, question, topic, figure):
    result = answer(question, None, index)
    assert result.topic == topic and figure in result.text


def test_short_real_words_are_not_corrected_into_topic_words(index):
    # "told" is one letter away from "sold" and "old": it must not turn a breach question into another topic
    assert answer("how quickly will i be told about a breach", "en", index).topic in {"breach", "dpa_breach_notice"}


def test_language_detection_by_script():
    assert script_lang("есть ли у вас DPO") == "ru"
    assert script_lang("do you sell my data") == "en"


def test_phrase_matching_keeps_order_and_allows_small_gaps():
    seq = stems("please delete all of my data")
    assert phrase_in(tuple(stems("delete all my")), seq)
    assert not phrase_in(tuple(stems("my data delete")), seq)


def test_intents_file_names_only_known_request_kinds():
    intents = load_intents()
    assert {kind.value for kind, _ in intents.kinds} >= {
        "erasure", "access", "voice_takedown", "withdraw_consent", "portability",
        "rectification", "objection", "restriction", "opt_out_sale", "limit_sensitive",
    }


def test_cli_json(capsys):
    assert main(["ask", "how long do you keep my voice model", "--json", "--policy", str(VELLUTO)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["route"] == "answer" and data["topic"] == "retention"
    assert {"route", "topic", "confidence", "answer", "section"} <= set(data)


def test_cli_reads_one_question_per_line(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("delete my account\n\nсколько стоит подписка\n"))
    monkeypatch.setenv("POLICY_FILE", str(VELLUTO))
    assert main(["ask"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["route"] for line in lines] == ["request:erasure", "out_of_scope"]


def test_cli_bad_policy_is_one_line_on_stderr(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("operator: [", encoding="utf-8")
    assert main(["ask", "hi", "--policy", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("question", ["", "   ", "???", "🙂🙂", "a" * 5000, "delete " * 300, "сколько" * 50])
def test_odd_input_gets_an_answer_not_an_exception(index, question):
    result = answer(question, None, index)
    assert result.route in {"answer", "out_of_scope"} or result.route.startswith("request:")
    assert 0.0 <= result.confidence <= 1.0
    assert result.text


def test_any_text_is_answered_within_bounds(index):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=200), st.sampled_from([None, "en", "ru", "de"]))
    def check(question, lang):
        result = answer(question, lang, index)
        assert result.lang in {"en", "ru"}
        assert 0.0 <= result.confidence <= 1.0
        assert result.text
        if result.route == "answer":
            assert result.facts and result.section

    check()


# Issue 4, holdout 3 follow-up: general wording of requests, written for these tests (not the holdout's).
@pytest.mark.parametrize(
    ("question", "route"),
    [
        # wishes that leave nothing behind, "forget me"
        ("make sure you keep nothing about me once i leave", "request:erasure"),
        ("forget about me please, i'm leaving", "request:erasure"),
        ("сотрите меня из вашей базы", "request:erasure"),
        ("хочу чтобы у вас не осталось никаких данных обо мне", "request:erasure"),
        # a detail and what is wrong with it, or an imperative on it
        ("my surname is misspelled in my profile, please correct it", "request:rectification"),
        ("my phone number is outdated", "request:rectification"),
        ("фамилия указана неправильно, исправьте", "request:rectification"),
        ("поменяйте мне почту на новую", "request:rectification"),
        # negated imperatives on a use of the data
        ("stop using my recordings for training your models", "request:objection"),
        ("do not use my data for research", "request:objection"),
        ("не используйте мои записи для обучения", "request:objection"),
        # a pause while something is settled
        ("freeze my account while you look into my complaint", "request:restriction"),
        ("don't touch my data until the dispute is resolved", "request:restriction"),
        ("ничего не делайте с моими данными пока не разберётесь с жалобой", "request:restriction"),
        # taking consent back, stopping mail
        ("i no longer agree to you using my voice", "request:withdraw_consent"),
        ("я передумала, отзываю согласие на рекламу", "request:withdraw_consent"),
        ("хватит присылать мне рассылку", "request:withdraw_consent"),
        # "send me / show me what you have", also as a polite question
        ("give me everything you store about me", "request:access"),
        ("покажите мне что вы обо мне знаете", "request:access"),
        ("could you send me what you keep about me?", "request:access"),
    ],
)
def test_requests_in_everyday_wording(index, question, route):
    assert answer(question, None, index).route == route


@pytest.mark.parametrize(
    "question",
    [
        # past-tense reports followed by a question: the person asks, the request is already made
        "i deleted my account last week, why do i still get emails?",
        "я удалила аккаунт, вы храните мои записи?",
        "i withdrew my consent last month, what happens now?",
        "i unsubscribed but still get emails, how long does it take",
        # questions about correcting or using data
        "what happens if my name is wrong in my account",
        "do you use my data for analytics?",
    ],
)
def test_reports_and_questions_are_not_requests(index, question):
    assert not answer(question, None, index).route.startswith("request:")


def test_a_negated_request_verb_is_not_that_request(index):
    # "don't delete ... until" asks to keep the data for now: a restriction, not an erasure
    assert answer("please don't delete my recordings until my complaint is closed", None, index).route == (
        "request:restriction"
    )
    assert answer("не удаляйте мои записи пока идёт разбирательство", None, index).route == "request:restriction"


def test_a_cloned_voice_report_stays_a_request_even_with_a_question(index):
    assert answer("someone cloned my voice, what can you do?", None, index).route == "request:voice_takedown"


@pytest.mark.parametrize(
    "question", ["мне 15, можно зарегистрироваться?", "i'm 14, can i use velluto", "my son is 12, can he make an account"]
)
def test_an_age_written_as_a_number_is_about_children(index, question):
    assert answer(question, None, index).topic == "children"


def test_a_number_with_a_unit_is_not_an_age(index):
    assert answer("is retention 30 days?", None, index).topic == "retention"
    assert answer("how long do you keep logs, 12 months?", None, index).topic == "retention"


@pytest.mark.parametrize(
    "question", ["do you keep my data in China?", "are my recordings stored in america", "мои данные передаются в США?",
                 "is my voice sent to the US"],
)
def test_a_country_where_data_goes_is_about_transfers(index, question):
    assert answer(question, None, index).topic == "transfers"


def test_a_country_alone_is_not_about_transfers(index):
    # where the person lives is not where the data goes; "us" in lower case is a pronoun
    assert answer("i live in Germany, what are my rights", None, index).topic == "rights"
    from bot.policy.answer_concepts import concept_stems

    concepts = load_intents().concepts
    assert concept_stems(concepts, "send it to us", stems("send it to us"), "en")[0] == []
    assert concept_stems(concepts, "send it to the US", stems("send it to the US"), "en")[0] == ["abroad"]


# Indirect requests (issue 4, second round): wishes, refusals and complaints, own sentences, not the holdout's.
@pytest.mark.parametrize(
    ("question", "route"),
    [
        ("I don't want my data on your servers anymore", "request:erasure"),
        ("please don't pass my details to advertisers", "request:opt_out_sale"),
        ("не передавайте мои данные рекламным компаниям", "request:opt_out_sale"),
        ("leave me out of your analytics", "request:objection"),
        ("я не хочу чтобы вы отслеживали мои действия в приложении", "request:objection"),
        ("my voice should be used only to generate my own audio", "request:limit_sensitive"),
        ("пока идет спор, ничего не делайте с моими данными", "request:restriction"),
        ("send it over please, everything you have on me", "request:access"),
        ("someone made a clone of my voice on your site, please take it down", "request:voice_takedown"),
    ],
)
def test_indirect_requests(index, question, route):
    assert answer(question, None, index).route == route


@pytest.mark.parametrize(
    "question",
    [
        "i'd like a copy of my data as a file i can import into another app",
        "хочу получить копию своих данных, чтобы перенести их в другой сервис",
    ],
)
def test_a_copy_for_another_service_is_portability_not_access(index, question):
    assert answer(question, None, index).route == "request:portability"


@pytest.mark.parametrize(
    "question",
    [
        "someone cloned my voice, what should i do",  # asks what to do: the voice owners' answer
        "i do not want any trace of my recordings left after i delete my account, how long do you keep them",
        "do you share data with ad networks",
        "my voice is only used for my models, right",
    ],
)
def test_questions_near_indirect_requests_are_answered(index, question):
    assert answer(question, None, index).route == "answer"


@pytest.mark.parametrize(
    "question",
    [
        "there is no record of my request in my account",  # a complaint, no wish that nothing stays
        "we do not use data brokers ourselves",  # a statement, no refusal addressed to the service
        "i am not against analytics in general",
        "скиньте мне ссылку на политику",
    ],
)
def test_statements_near_indirect_requests_are_no_requests(index, question):
    assert not answer(question, None, index).route.startswith("request:")


# Out-of-scope calibration (issue 4, second round): own sentences, not the holdout's.
@pytest.mark.parametrize(
    "question",
    [
        "could you compose a song about my grandmother",  # a creative request
        "my headphones crackle when the app plays audio",  # hardware
        "напиши мне стихотворение про осень",
        "где вкусно поесть рядом с вашим офисом",  # food and travel, near the address the policy states
        "the app keeps crashing when i open settings",  # "keeps ...ing" is no retention question
        "порекомендуйте ноутбук для монтажа видео",
    ],
)
def test_off_policy_subjects_are_not_guessed(index, question):
    assert answer(question, None, index).route == OUT_OF_SCOPE


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("are passwords kept in plain text on your side", "security"),
        ("торгуете ли вы голосами клиентов", "sale_sharing"),
        ("what rights do i have as a user, legally speaking", "rights"),
    ],
)
def test_paraphrased_topics(index, question, topic):
    result = answer(question, None, index)
    assert (result.route, result.topic) == ("answer", topic)


def test_an_off_policy_word_does_not_hide_a_strongly_matched_topic(index):
    # "voiceover" is an off-policy word, but the question names the processor's instructions outright
    result = answer("we buy voiceover from you: do you act only on our instructions as our processor?", "en", index)
    assert result.route == "answer" and result.topic == "dpa_processor_duties"
