"""`privacy-desk deadline` through the real entry point (`bot.cli.main`)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
VELLUTO = ROOT / "policies" / "velluto.yaml"
HAS_POLICY = importlib.util.find_spec("bot.policy") is not None and VELLUTO.exists()


def run_json(capsys, *args: str) -> dict:
    assert main(["deadline", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_text_output_uk_bank_holidays(capsys):
    assert main(["deadline", "--received", "2024-11-25T10:00:00Z", "--regime", "uk_gdpr", "--kind", "access"]) == 0
    out = capsys.readouterr().out
    assert "Due: 2024-12-27" in out
    assert "Extension notice due: 2024-12-25" in out
    assert "Christmas Day" in out and "Boxing Day" in out


def test_json_fields_uk(capsys):
    data = run_json(capsys, "--received", "2027-01-31T12:00:00+00:00", "--regime", "uk_gdpr", "--kind", "access")
    assert data["due"] == "2027-03-01"
    assert data["extension_notice_due"] == "2027-02-28"
    assert data["ack_due"] is None
    assert data["extended_due"] == "2027-04-30"
    assert data["binding"] == "uk_gdpr" and data["zone"] == "Europe/London"
    assert data["due_end_utc"].startswith("2027-03-01T23:59:59")
    assert "UK GDPR" in data["explanation"]


def test_json_ccpa_ack_and_extension(capsys):
    data = run_json(capsys, "--received", "2027-01-31T12:00:00-08:00", "--regime", "ccpa", "--kind", "erasure",
                    "--extended", "--paused-days", "5")
    assert (data["due"], data["ack_due"], data["extension_notice_due"]) == ("2027-05-01", "2027-02-12", "2027-03-17")


def test_json_several_regimes_give_the_effective_deadline(capsys):
    data = run_json(capsys, "--received", "2027-03-03T12:00:00Z", "--regime", "eu_gdpr,ccpa,kz", "--kind", "erasure")
    assert data["due"] == "2027-03-04" and data["binding"] == "kz"
    assert set(data["per_regime"]) == {"eu_gdpr", "ccpa", "kz"}
    assert data["per_regime"]["ccpa"]["due"] == "2027-04-17"


def test_clock_start_and_pause(capsys):
    data = run_json(capsys, "--received", "2027-01-10T12:00:00Z", "--regime", "uk_gdpr", "--kind", "access",
                    "--clock-start", "2027-01-31T12:00:00Z", "--paused-days", "1")
    assert data["due"] == "2027-03-01"


def test_russian_output(capsys):
    assert main(["deadline", "--received", "2027-01-31T12:00:00Z", "--regime", "uk_gdpr", "--kind", "access",
                 "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    assert "Срок: 2027-03-01" in out and "воскресенье" in out


@pytest.mark.parametrize(("args", "needle"), [
    (["--received", "2027-01-31T12:00:00Z", "--regime", "gdpr", "--kind", "access"], "unknown regime gdpr"),
    (["--received", "2027-01-31T12:00:00Z", "--regime", "uk_gdpr,vn", "--kind", "access"], "unknown regime vn"),
    (["--received", "2027-01-31T12:00:00Z", "--regime", "uk_gdpr", "--kind", "delete"], "unknown kind delete"),
    (["--received", "31/01/2027", "--regime", "uk_gdpr", "--kind", "access"], "not an ISO 8601"),
    (["--received", "2027-02-30T10:00:00Z", "--regime", "uk_gdpr", "--kind", "access"], "not an ISO 8601"),
    (["--received", "2027-01-31T12:00:00", "--regime", "uk_gdpr", "--kind", "access"], "time-zone offset"),
    (["--received", "2027-01-31T12:00:00Z", "--regime", "uk_gdpr", "--kind", "access", "--clock-start", "soon"],
     "--clock-start"),
    (["--received", "2027-01-31T12:00:00Z", "--regime", "uk_gdpr", "--kind", "access", "--paused-days", "-3"],
     "--paused-days"),
    (["--received", "2027-01-31T12:00:00Z", "--regime", "ccpa", "--kind", "restriction"], "no deadline"),
    (["--received", "2027-01-31T12:00:00Z", "--regime", "eu_gdpr", "--kind", "access", "--zone", "Mars/Base"],
     "unknown time zone"),
])
def test_bad_input_one_line_and_nonzero_exit(capsys, args, needle):
    code = main(["deadline", *args])
    captured = capsys.readouterr()
    assert code != 0
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in captured.err


@pytest.mark.skipif(not HAS_POLICY, reason="bot.policy or policies/velluto.yaml not available")
def test_policy_regime_from_file(capsys):
    data = run_json(capsys, "--received", "2027-02-01T10:00:00Z", "--regime", "uk_gdpr,policy", "--kind", "access",
                    "--policy", str(VELLUTO))
    assert data["due"] == "2027-03-01" and data["binding"] == "uk_gdpr"
    assert data["per_regime"]["policy"]["due"] == "2027-03-03"
    assert data["warnings"] and "2027-03-03" in data["warnings"][0]


@pytest.mark.skipif(not HAS_POLICY, reason="bot.policy or policies/velluto.yaml not available")
def test_policy_regime_from_environment(capsys, monkeypatch):
    monkeypatch.setenv("POLICY_FILE", str(VELLUTO))
    data = run_json(capsys, "--received", "2024-11-25T10:00:00Z", "--regime", "uk_gdpr,policy", "--kind", "access")
    assert data["due"] == "2024-12-25" and data["binding"] == "policy"


@pytest.mark.skipif(not HAS_POLICY, reason="bot.policy not available")
def test_policy_file_missing_is_one_line(capsys, tmp_path):
    code = main(["deadline", "--received", "2027-02-01T10:00:00Z", "--regime", "policy", "--kind", "access",
                 "--policy", str(tmp_path / "none.yaml")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1 and "policy file" in err[0]


def _policy_without_promise() -> Path | None:
    if not HAS_POLICY:
        return None
    from bot.policy import PolicyError, load_policy, promise_from_policy

    for path in sorted((ROOT / "policies").glob("*.yaml")):
        try:
            if promise_from_policy(load_policy(path)) is None:
                return path
        except PolicyError:
            continue
    return None


NO_PROMISE = _policy_without_promise()


@pytest.mark.skipif(NO_PROMISE is None, reason="no policy file without response times")
def test_policy_without_response_times(capsys):
    data = run_json(capsys, "--received", "2027-02-01T10:00:00Z", "--regime", "uk_gdpr,policy", "--kind", "access",
                    "--policy", str(NO_PROMISE))
    assert data["binding"] == "uk_gdpr" and "policy" not in data["per_regime"]
    code = main(["deadline", "--received", "2027-02-01T10:00:00Z", "--regime", "policy", "--kind", "access",
                 "--policy", str(NO_PROMISE)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1 and "promises no response times" in err[0]
