"""The form as data (no bot, no database): which steps each case asks, Back, Edit, dependent answers,
regions not served, how a request is verified, and what the request records."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.deadlines import Jurisdiction
from bot.intake import form as forms
from bot.intake.form import SUMMARY, Form, FormContext, Relation
from bot.intake.jurisdictions import JURISDICTION_CHOICES, not_served, not_served_entry, regimes
from bot.kinds import RequestKind
from bot.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
UNLINKED_EMAIL = FormContext(processor_case=True, email_available=True, not_served=frozenset({"ru_by"}))


def walk(form: Form, context: FormContext, answers: dict) -> list[str]:
    """Answer until the summary; the step ids in the order asked."""
    asked = []
    while (step := forms.current_step(form, context)).id != SUMMARY:
        asked.append(step.id)
        value = answers.get(step.id, step.options[0].value if step.options else "x")
        forms.answer(form, step.id, value)
    return asked


def test_erasure_by_an_unlinked_person_with_email_codes():
    form = Form(RequestKind.ERASURE, "t")
    asked = walk(form, UNLINKED_EMAIL, {"verify": "email", "code": "verified"})
    assert asked == ["relation", "jurisdiction", "erasure_scope", "erasure_note", "verify", "email", "code"]
    assert form.verified_by(UNLINKED_EMAIL) == "email_code"


def test_no_mailer_means_a_person_checks():
    context = FormContext(processor_case=True, email_available=False)
    form = Form(RequestKind.ACCESS, "t")
    assert "verify" not in walk(form, context, {})
    assert form.verified_by(context) is None


def test_linked_account_skips_verification():
    context = FormContext(processor_case=True, email_available=True, linked_account=True)
    form = Form(RequestKind.PORTABILITY, "t")
    assert walk(form, context, {}) == ["relation", "jurisdiction", "portability_note"]
    assert form.verified_by(context) == "telegram_id"


@pytest.mark.parametrize("kind", [RequestKind.OPT_OUT_SALE, RequestKind.LIMIT_SENSITIVE, RequestKind.OTHER])
def test_kinds_that_need_no_identity_check(kind):
    form = Form(kind, "t")
    asked = walk(form, UNLINKED_EMAIL, {})
    assert "relation" not in asked and "verify" not in asked
    assert form.verified_by(UNLINKED_EMAIL) == "not_required"


def test_changing_who_the_request_is_for_clears_the_identity_check():
    form = Form(RequestKind.ACCESS, "t")
    walk(form, UNLINKED_EMAIL, {"verify": "email", "code": "verified"})
    forms.edit(form, "relation", UNLINKED_EMAIL)
    forms.answer(form, "relation", Relation.AGENT)
    assert forms.current_step(form, UNLINKED_EMAIL).id == "authorisation"
    assert "code" not in form.answers and "verify" not in form.answers
    assert form.verified_by(UNLINKED_EMAIL) is None and form.relation == "agent"


def test_back_undoes_the_last_answer_and_skips_a_used_code():
    form = Form(RequestKind.ERASURE, "t")
    walk(form, UNLINKED_EMAIL, {"verify": "email", "code": "verified"})
    assert forms.back(form)
    assert forms.current_step(form, UNLINKED_EMAIL).id == "email"
    form = Form(RequestKind.ERASURE, "t")
    assert not forms.back(form)  # nothing to undo at the first step


def test_edit_where_one_lives_when_it_was_remembered():
    form = Form(RequestKind.ACCESS, "t", ask_jurisdiction=False)
    form.answers["jurisdiction"] = "uk"
    context = FormContext(linked_account=True)
    assert "jurisdiction" not in walk(form, context, {})
    assert "jurisdiction" in [s.id for s in forms.editable_steps(form, context)]
    assert forms.edit(form, "jurisdiction", context)
    assert forms.current_step(form, context).id == "jurisdiction"
    assert forms.back(form)  # leaving the edit keeps the old answer
    assert form.jurisdiction == "uk" and forms.current_step(form, context).id == SUMMARY
    assert forms.edit(form, "jurisdiction", context)
    forms.answer(form, "jurisdiction", "kz")
    assert form.jurisdiction == "kz" and forms.current_step(form, context).id == SUMMARY


def test_edit_refuses_what_cannot_be_edited():
    form = Form(RequestKind.ERASURE, "t")
    walk(form, UNLINKED_EMAIL, {"verify": "email", "code": "verified"})
    assert not forms.edit(form, "code", UNLINKED_EMAIL)
    assert not forms.edit(form, "voice_where", UNLINKED_EMAIL)
    assert not forms.edit(form, "nonsense", UNLINKED_EMAIL)


def test_russia_or_belarus_is_told_before_anything_else(velluto):
    context = FormContext(linked_account=True, not_served=not_served(velluto))
    form = Form(RequestKind.ACCESS, "t")
    forms.answer(form, "relation", "self")
    forms.answer(form, "jurisdiction", "ru_by")
    assert forms.current_step(form, context).id == "not_served"
    assert not_served_entry(velluto, "ru_by").section.startswith("§10.3")
    assert not_served_entry(velluto, "eea") is None


def test_a_policy_without_a_processor_case_does_not_offer_it():
    vizardio = load_policy(ROOT / "policies" / "vizardio.yaml")
    context = FormContext(processor_case=vizardio.processor_case is not None)
    values = [o.value for o in forms.options(forms.STEPS["relation"], context)]
    assert Relation.PROCESSOR not in values and Relation.SELF in values
    assert not not_served(vizardio) or all(not_served_entry(vizardio, j) for j in not_served(vizardio))


def test_voice_owner_steps_and_processor_case():
    context = FormContext(processor_case=True)
    form = Form(RequestKind.VOICE_TAKEDOWN, "t")
    asked = walk(
        form,
        context,
        {
            "voice_whose": "processor",
            "voice_evidence": {"file_id": "f", "file_unique_id": "u", "kind": "voice"},
        },
    )
    assert asked == ["voice_consent", "voice_where", "voice_whose", "controller", "voice_evidence", "voice_id",
                     "voice_contact", "jurisdiction"]  # fmt: skip
    assert form.processor_case and form.relation == "voice_owner"
    assert [f["step"] for f in forms.files_of(form, context)] == ["voice_evidence"]


def test_details_keep_answers_but_not_the_account_email_or_code():
    form = Form(RequestKind.RECTIFICATION, "t")
    walk(
        form,
        UNLINKED_EMAIL,
        {"wrong": "old", "correct": "new", "verify": "email", "email": "a@b.c", "code": "verified"},
    )
    details = forms.details_of(form, UNLINKED_EMAIL)
    assert details["wrong"] == "old" and details["correct"] == "new"
    assert "email" not in details and "code" not in details


def test_form_round_trips_through_json():
    form = Form(RequestKind.OBJECTION, "tok", linked_account_id="vl_1")
    walk(form, UNLINKED_EMAIL, {})
    again = Form.from_json(form.to_json())
    assert again.to_json() == form.to_json()


def test_every_jurisdiction_is_offered_with_its_regimes():
    assert {value for value, _ in JURISDICTION_CHOICES} == set(Jurisdiction)
    assert regimes("eea") == ["eu_gdpr"] and regimes("ru_by") == []
