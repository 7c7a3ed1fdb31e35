"""Policy files: every shipped file validates, velluto.yaml covers the documents, broken files are explained."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.kinds import RequestKind
from bot.policy import TOPIC_IDS, PolicyError, load_policy, parse_policy, promise_from_policy
from bot.policy.cli import check_files

ROOT = Path(__file__).resolve().parent.parent
POLICY_FILES = sorted((ROOT / "policies").glob("*.yaml"))
BROKEN = ROOT / "tests" / "data" / "policy_broken"
VELLUTO = ROOT / "policies" / "velluto.yaml"


@pytest.fixture(scope="module")
def velluto():
    return load_policy(VELLUTO)


def test_policies_are_shipped():
    assert VELLUTO in POLICY_FILES


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_shipped_policy_passes_check(path: Path):
    out = io.StringIO()
    code = check_files([str(path)], out=out)
    assert code == 0, out.getvalue()
    assert re.fullmatch(rf"{re.escape(str(path))}: ok \(\d+ facts, \d+ topics\)\n", out.getvalue())


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_shipped_policy_topics_have_synonyms_in_both_languages(path: Path):
    policy = load_policy(path)
    for topic in policy.topics:
        assert topic.synonyms.en and topic.synonyms.ru, f"{path.name}: topic {topic.id} lacks synonyms"


def test_velluto_has_facts_for_every_topic(velluto):
    missing = [t for t in TOPIC_IDS if not velluto.facts_for(t)]
    assert missing == []


def _retention(velluto, fact_id: str):
    fact = velluto.fact(fact_id)
    assert fact is not None and fact.topic == "retention"
    return fact


def test_velluto_retention_voice_models_three_years(velluto):
    fact = _retention(velluto, "retention_voice_models")
    assert "3 years" in fact.text.en and "3 лет" in fact.text.ru
    assert "3 years" in fact.details["period"].en
    assert "dormant" in fact.text.en


def test_velluto_retention_billing_seven_years(velluto):
    fact = _retention(velluto, "retention_billing")
    assert "7 years" in fact.text.en and "7 лет" in fact.text.ru


def test_velluto_retention_logs_twelve_months_ip_thirty_days(velluto):
    fact = _retention(velluto, "retention_logs")
    for text in (fact.text.en, fact.details["period"].en):
        assert "12 months" in text and "30 days" in text
    assert "12 месяцев" in fact.text.ru and "30 дней" in fact.text.ru


def test_velluto_retention_table_is_complete(velluto):
    items = {f.details["item"].en for f in velluto.facts_for("retention")}
    for row in ("Account data", "Subscription and billing", "Backups", "Communications with support"):
        assert row in items
    assert len(velluto.facts_for("retention")) == 9  # the principle + the 8 rows of §6


def test_velluto_structured_parts(velluto):
    assert velluto.operator.legal_name == "Ilia Kazakov"
    assert velluto.contacts.privacy == "privacy@velluto.io"
    assert velluto.contacts.abuse == "abuse@velluto.io"
    assert velluto.contacts.telegram is None  # the documents name none
    times = velluto.response_times
    assert (times.standard_days, times.complex_days, times.voice_owner_days) == (30, 90, 30)
    assert times.voice_owner_from == "verification"
    assert [r.region for r in velluto.regions.not_served] == ["ru_by"]
    assert "privacy@velluto.io" in velluto.regions.not_served[0].offer.en
    assert velluto.processor_case is not None and velluto.processor_case.document == "dpa"
    assert "instructions" in velluto.processor_case.instruction.en
    offered = {k.kind for k in velluto.request_kinds}
    assert RequestKind.VOICE_TAKEDOWN in offered and RequestKind.OPT_OUT_SALE not in offered


def test_velluto_dpa_facts_cite_the_dpa(velluto):
    dpa_facts = [f for f in velluto.facts if f.topic.startswith("dpa_")]
    assert dpa_facts
    for fact in dpa_facts:
        assert fact.document == "dpa" and fact.section.startswith("DPA"), fact.id
    figures = {
        "dpa_breach_notice": "48 hours",
        "dpa_termination": "ninety (90) days",
        "dpa_audits": "once per year",
    }
    for topic, figure in figures.items():
        assert any(figure in f.text.en for f in velluto.facts_for(topic)), topic
    subprocessors = " ".join(f.text.en for f in velluto.facts_for("dpa_subprocessors"))
    assert "thirty (30) days" in subprocessors and "fifteen (15) days" in subprocessors


def test_velluto_names_payment_processors(velluto):
    text = " ".join(f.text.en for f in velluto.facts_for("payment_processors"))
    assert "Lava.top" in text and "CryptoCloud" in text


def test_promise_from_velluto(velluto):
    promise = promise_from_policy(velluto)
    assert promise.operator == "velluto"
    assert (promise.standard_days, promise.complex_days, promise.voice_owner_days) == (30, 90, 30)
    assert promise.kinds is None


# --- broken files: each gives the problem with its YAML path ------------------------------------------

BROKEN_CASES = {
    "missing_ru.yaml": ("facts[0].text.ru", "field required"),
    "unknown_topic.yaml": ("facts[0].topic", "unknown topic id 'retentoin'"),
    "undeclared_topic.yaml": ("facts[1].topic", "topic 'security' is not declared in topics"),
    "duplicate_id.yaml": ("facts[1].id", "duplicate id 'retention_logs' (first at facts[0])"),
    "bad_email.yaml": ("contacts.privacy", "'privacy(at)tiny.example' is not a valid email address"),
    "unknown_top_level_key.yaml": ("languages", "unknown field"),
    "zero_days.yaml": ("response_times.standard_days", "greater than 0"),
    "retention_without_period.yaml": ("facts[0].details.period", "field required"),
    "empty_section.yaml": ("facts[0].section", "must not be empty"),
    "unknown_request_kind.yaml": ("request_kinds[0].kind", "'voice_takedown'"),
    "untranslated_ru.yaml": ("facts[0].text.ru", "has no Russian letters"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_file_reports_path_and_message(name: str):
    path, message = BROKEN_CASES[name]
    with pytest.raises(PolicyError) as info:
        load_policy(BROKEN / name)
    problems = info.value.problems
    assert len(problems) == 1, problems
    assert problems[0][0] == path
    assert message in problems[0][1]
    assert re.search(r"\(line \d+\)$", problems[0][1])


def test_cli_prints_one_line_per_problem_and_exits_1():
    out = io.StringIO()
    path = str(BROKEN / "missing_ru.yaml")
    assert check_files([str(VELLUTO), path], out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{VELLUTO}: ok (")
    assert lines[1] == f"{path}: facts[0].text.ru: field required (line 26)"


def test_yaml_syntax_error_has_line_and_column():
    with pytest.raises(PolicyError) as info:
        load_policy(BROKEN / "bad_yaml.yaml")
    [(where, message)] = info.value.problems
    assert where == "" and message.startswith("YAML syntax error at line 13, column 2:")


def test_duplicate_yaml_key_is_an_error_not_silently_merged():
    with pytest.raises(PolicyError) as info:
        load_policy(BROKEN / "duplicate_key.yaml")
    assert info.value.problems == [
        ("", "duplicate key 'privacy' at line 10, column 3 (each key once per mapping)")
    ]


def test_every_problem_is_reported_at_once():
    text = (BROKEN / "missing_ru.yaml").read_text(encoding="utf-8")
    text = text.replace("privacy@tiny.example", "nobody").replace("standard_days: 30", "standard_days: -1")
    with pytest.raises(PolicyError) as info:
        parse_policy(text)
    paths = {p for p, _ in info.value.problems}
    assert paths == {"contacts.privacy", "response_times.standard_days", "facts[0].text.ru"}


def test_text_given_as_plain_string_is_explained():
    text = (BROKEN / "missing_ru.yaml").read_text(encoding="utf-8")
    text = text.replace("    text:\n      en: Logs are kept for 12 months.\n", "    text: Logs are kept.\n")
    with pytest.raises(PolicyError) as info:
        parse_policy(text)
    [(where, message)] = info.value.problems
    assert where == "facts[0].text" and message.startswith("expected a mapping of fields")


def test_missing_file_and_empty_file_are_one_line_each(tmp_path: Path):
    out = io.StringIO()
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert check_files([str(tmp_path / "nope.yaml"), str(empty)], out=out) == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "cannot read the file" in lines[0]
    assert "must be a YAML mapping" in lines[1]


def test_policy_check_is_reachable_from_the_main_command(capsys):
    from bot.cli import main

    assert main(["policy", "check", str(BROKEN / "bad_email.yaml")]) == 1
    assert (
        "contacts.privacy: 'privacy(at)tiny.example' is not a valid email address" in capsys.readouterr().out
    )


def test_policy_without_response_times_gives_no_promise():
    text = (ROOT / "tests" / "data" / "policy_broken" / "missing_ru.yaml").read_text(encoding="utf-8")
    text = text.replace("      # ru missing\n", "      ru: Логи хранятся 12 месяцев.\n")
    text = text.replace('response_times:\n  standard_days: 30\n  section: "§7 Rights"\n', "")
    policy = parse_policy(text)
    assert policy.response_times is None
    assert promise_from_policy(policy) is None


def test_whole_section_view_groups_facts_of_one_section(velluto):
    rows = velluto.facts_in_section(velluto.fact("retention_billing"))
    assert {f.id for f in rows} >= {"retention_voice_models", "retention_logs", "retention_backups"}
    assert all(f.section == "§6 Retention" for f in rows)
    dpa_rows = velluto.facts_in_section(velluto.fact("dpa_breach_48h"))
    assert [f.id for f in dpa_rows] == ["dpa_breach_48h"]
