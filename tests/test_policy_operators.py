"""The Vizardio, Valex AI and Velvet policy files: they load, they hold each operator's key facts, and they
say nothing their documents do not say (as far as a machine can check).

The source documents are `../shared/seeds/00{2,3,4}_*.txt`; checks that read them are skipped when the
shared folder is not next to the repository.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from bot.kinds import RequestKind
from bot.policy import Policy, load_policy
from bot.policy.answer import answer as answer_question
from bot.policy.answer import build_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_PREFIX = {"velvet": "002_", "vizardio": "003_", "valex": "004_"}
OPERATORS = tuple(SEED_PREFIX)
CYRILLIC = re.compile("[А-Яа-яЁё]")


@cache
def policy(name: str) -> Policy:
    return load_policy(ROOT / "policies" / f"{name}.yaml")


def seed_text(name: str) -> str:
    found = sorted(SEEDS.glob(f"{SEED_PREFIX[name]}*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"source document of {name} not found in {SEEDS}")
    return found[0].read_text(encoding="utf-8")


def texts(p: Policy):
    """Every (where, en, ru) text of a policy that a person can be shown."""
    for fact in p.facts:
        yield f"facts.{fact.id}.text", fact.text.en, fact.text.ru
        for key, detail in fact.details.items():
            yield f"facts.{fact.id}.details.{key}", detail.en, detail.ru
    yield "verification.text", p.verification.text.en, p.verification.text.ru
    if p.processor_case:
        yield "processor_case.who_answers", p.processor_case.who_answers.en, p.processor_case.who_answers.ru
        yield "processor_case.instruction", p.processor_case.instruction.en, p.processor_case.instruction.ru


def fact_text(p: Policy, lang: str) -> str:
    return "\n".join(f.text.get(lang) for f in p.facts)


# --- every file ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OPERATORS)
def test_file_loads_and_names_its_operator(name):
    p = policy(name)
    assert p.operator.id == name
    assert len(p.facts) >= 20


@pytest.mark.parametrize("name", OPERATORS)
def test_every_text_is_english_and_russian(name):
    for where, en, ru in texts(policy(name)):
        assert not CYRILLIC.search(en), f"{where}: English text contains Cyrillic"
        assert CYRILLIC.search(ru), f"{where}: Russian text is not in Russian"


@pytest.mark.parametrize("name", OPERATORS)
def test_every_fact_cites_a_section_of_its_document(name):
    seed = seed_text(name)
    for fact in policy(name).facts:
        assert fact.section.startswith(("§", "Introduction", "Closing")), fact.id
        for number in re.findall(r"\d+(?:\.\d+)*", fact.section):
            assert re.search(rf"(^|\s|#){re.escape(number)}\.", seed, re.M), (
                f"{fact.id}: section {number} is not in the document"
            )


@pytest.mark.parametrize("name", OPERATORS)
def test_every_number_in_a_fact_is_in_the_document(name):
    """A figure the document does not contain (a period, an age, a count) would be an invented fact."""
    seed = seed_text(name)
    for where, en, _ru in texts(policy(name)):
        for number in re.findall(r"\d+", en):
            assert number in seed, f"{where}: '{number}' does not occur in the document"


@pytest.mark.parametrize("name", OPERATORS)
def test_every_address_and_link_is_the_documents_own(name):
    seed = seed_text(name)
    p = policy(name)
    found = set()
    for _where, en, ru in texts(p):
        found |= set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", en + " " + ru))
        found |= set(re.findall(r"https?://[^\s,)»\"]+", en + " " + ru))
    found |= {v for k, v in p.contacts if k != "section" and v and ("@" in v or "://" in v)}
    for item in found:
        assert item.rstrip(".") in seed, f"{item} is not in the document"


@pytest.mark.parametrize("name", OPERATORS)
def test_no_fact_borrows_another_operators_policy(name):
    """Facts copied from Velluto (or another operator) would name it or its peculiarities."""
    foreign = {"velluto", "kazakov", "lava.top", "cryptocloud", "hwid", "voice model", "abuse@"}
    foreign |= {other for other in ("vizardio", "valex", "velvet") if other != name}
    for where, en, ru in texts(policy(name)):
        for word in foreign:
            assert word not in en.lower() and word not in ru.lower(), f"{where} mentions '{word}'"


# --- Vizardio (003) -----------------------------------------------------------------------------------


def test_vizardio_response_times():
    p = policy("vizardio")
    assert p.response_times.standard_days == 30
    en, ru = fact_text(p, "en"), fact_text(p, "ru")
    assert "within 30 calendar days of receipt of a properly formed request" in en
    assert "Under GDPR, requests are answered within one month, extendable by two further months" in en
    assert "Under CCPA, requests are answered within 45 days, extendable by another 45 days" in en
    assert "в течение 30 календарных дней" in ru
    assert "одного месяца" in ru and "ещё на два месяца" in ru
    assert "45 дней" in ru and "ещё на 45 дней" in ru
    assert {f.section for f in p.facts_for("response_times")} == {"§9.5 User Rights"}


def test_vizardio_retention_of_uploads_and_inactive_accounts():
    p = policy("vizardio")
    uploads = p.fact("retention_uploads")
    assert uploads.section.startswith("§5.3")
    assert uploads.details["period"].en == "7 calendar days"
    assert (
        "is kept for 7 calendar days for moderation and verification, then deleted automatically"
        in " ".join(uploads.text.en.split())
    )
    assert "7 календарных дней" in uploads.text.ru
    inactive = p.fact("retention_inactive_accounts")
    assert "not been accessed for 1 year are deleted automatically" in inactive.text.en
    assert "1 год" in inactive.text.ru


def test_vizardio_requests_must_come_from_the_registered_email():
    p = policy("vizardio")
    v = p.verification
    assert v.required == "always"
    assert v.methods == ["registered_email"]
    assert v.section == "§9.4 Requirements for Requests"
    assert "same email address that is registered to your account" in v.text.en
    assert (
        "same email address that is registered to your account"
        in p.fact("verification_registered_email").text.en
    )
    assert p.contacts.support == "support@vizardio.com"


def test_vizardio_states_nothing_it_does_not_say():
    p = policy("vizardio")
    absent = {"breach", "automated_decisions", "region_ru_by", "voice_owners", "dpa_processor_duties"}
    assert not absent & {f.topic for f in p.facts}
    assert p.processor_case is None
    assert "telegram" not in (fact_text(p, "en") + fact_text(p, "ru")).lower()
    assert {k.kind for k in p.request_kinds} == {
        RequestKind.ACCESS,
        RequestKind.RECTIFICATION,
        RequestKind.ERASURE,
        RequestKind.RESTRICTION,
        RequestKind.OBJECTION,
        RequestKind.PORTABILITY,
        RequestKind.WITHDRAW_CONSENT,
        RequestKind.OPT_OUT_SALE,
    }


# --- Valex AI (004) -----------------------------------------------------------------------------------


def test_valex_requests_go_through_the_support_bot_marked_personal_data():
    p = policy("valex")
    assert p.contacts.telegram == "https://t.me/supprtbots"
    assert p.verification.methods == ["support_bot_marked"]
    marking = p.fact("request_marking")
    assert marking.section == "§10 Contact Information"
    assert 'write "Personal Data" in the subject of your request' in marking.text.en
    assert "«Personal Data»" in marking.text.ru and "теме обращения" in marking.text.ru
    assert all(offer.channels == ["telegram"] for offer in p.request_kinds)


def test_valex_answers_within_30_days():
    p = policy("valex")
    assert p.response_times.standard_days == 30
    assert p.response_times.complex_days is None
    assert p.fact("response_time").text.en == "Response time is up to 30 calendar days."


def test_valex_states_nothing_it_does_not_say():
    p = policy("valex")
    absent = {
        "sale_sharing",
        "ai_training",
        "children",
        "supervisory_authority",
        "region_eea_uk_ch",
        "region_california",
        "region_ru_by",
        "automated_decisions",
        "voice_owners",
        "data_sources",
    }
    assert not absent & {f.topic for f in p.facts}
    assert not (p.regions.served or p.regions.not_served)
    # The policy gives no email address and lists no portability right.
    assert not any(v for k, v in p.contacts if k not in ("telegram", "section"))
    assert RequestKind.PORTABILITY not in {k.kind for k in p.request_kinds}


# --- Velvet (002) -------------------------------------------------------------------------------------


def test_velvet_call_recordings_are_the_clients_data():
    p = policy("velvet")
    case = p.processor_case
    assert case is not None
    assert "remain the property of the client" in case.who_answers.en
    assert "собственностью клиента" in case.who_answers.ru
    recordings = p.fact("data_call_recordings")
    assert recordings.section == "§1 Information We Collect"
    assert "on behalf of Velvet's clients" in recordings.text.en
    assert "remain the property of the client" in recordings.text.en
    assert p.fact("ownership_customer_call_data").section == "§3 Data Ownership"


def test_velvet_states_nothing_it_does_not_say():
    p = policy("velvet")
    absent = {
        "legal_basis",
        "cookies",
        "children",
        "breach",
        "response_times",
        "verification",
        "supervisory_authority",
        "automated_decisions",
        "data_sources",
        "region_california",
    }
    assert not absent & {f.topic for f in p.facts}
    # The document promises no response time: no promise in the data, and no text may state one.
    assert p.response_times is None
    for where, en, ru in texts(p):
        assert not re.search(r"\bdays?\b", en), where
        assert not re.search(r"\bдн(я|ей|и)\b", ru), where
    assert p.verification.required == "not_stated" and p.verification.methods == []


# --- answers a person gets from these files -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "question", "lang", "expected"),
    [
        ("vizardio", "how long do you keep the photos i upload", "en", r"7 calendar days"),
        ("vizardio", "сколько хранятся загруженные фото", "ru", r"7 календарных дней"),
        ("vizardio", "do you delete inactive accounts", "en", r"1 year"),
        ("valex", "how do i send a request about my personal data", "en", r"t\.me/supprtbots"),
        ("valex", "как подать запрос об удалении данных", "ru", r"t\.me/supprtbots"),
        ("velvet", "who owns the call recordings", "en", r"property of the client"),
    ],
)
def test_answers_carry_the_operators_fact(name, question, lang, expected):
    result = answer_question(question, lang, build_index(policy(name)))
    assert re.search(expected, result.text), result.text
