"""The request form as data: which steps each kind asks, in which order, and what each step accepts.

A form is a dict of answers keyed by step id. The steps are recomputed from the answers every time
(`step_ids`), and the current step is the first one not answered yet: so Back, Edit and a changed
answer (a guardian instead of oneself, a Russian resident asking for deletion) always land on a
consistent next question, and a form restored after a restart continues exactly where it was.
Pure code: no aiogram, no database. Texts are marked with `N_` and rendered by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.i18n import N_
from bot.intake.jurisdictions import JURISDICTION_CHOICES
from bot.kinds import RequestKind

SUMMARY = "summary"
_MISSING = object()
TEXT_LIMIT = 4096  # the most Telegram delivers in one message; longer input is refused, not cut


class StepType(StrEnum):
    CHOICE = "choice"
    TEXT = "text"
    OPTIONAL_TEXT = "optional_text"
    MEDIA = "media"
    OPTIONAL_MEDIA = "optional_media"
    EMAIL = "email"  # the account email: a code is sent there
    OPTIONAL_EMAIL = "optional_email"  # a contact email, no code
    CODE = "code"
    SUMMARY = "summary"


_MISSING = object()


@dataclass(frozen=True)
class Option:
    value: str
    label: str  # N_() msgid; may contain {operator}


@dataclass(frozen=True)
class Step:
    id: str
    type: StepType
    prompt: str  # N_() msgid; may contain {operator}
    title: str = ""  # N_() msgid for the summary line; empty: not shown in the summary
    options: tuple[Option, ...] = ()
    media: frozenset[str] = frozenset()  # accepted attachment kinds for MEDIA steps
    editable: bool = True
    # Answers that depend on this one and are cleared with it.
    dependents: tuple[str, ...] = ()

    @property
    def optional(self) -> bool:
        return self.type in (StepType.OPTIONAL_TEXT, StepType.OPTIONAL_MEDIA, StepType.OPTIONAL_EMAIL)

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


class Relation(StrEnum):
    SELF = "self"
    GUARDIAN = "guardian"
    AGENT = "agent"
    PROCESSOR = "processor"  # the data sits in a business customer's project (DPA)


DOCUMENTS = frozenset({"photo", "document"})
AUDIO = frozenset({"voice", "audio"})
ANY_FILE = frozenset({"photo", "document", "voice", "audio"})

_VERIFY_DEPENDENTS = ("verify", "email", "code")

STEPS: dict[str, Step] = {
    s.id: s
    for s in (
        Step(
            "relation", StepType.CHOICE, N_("Whose data is this request about?"), N_("About"),
            options=(
                Option(Relation.SELF, N_("My own data")),
                Option(Relation.GUARDIAN, N_("My child's (under 18)")),
                Option(Relation.AGENT, N_("Someone who authorised me")),
                Option(Relation.PROCESSOR, N_("My data in a business's project built on {operator}")),
            ),
            dependents=("controller", "authorisation", "guardian_proof", *_VERIFY_DEPENDENTS),
        ),
        Step(
            "controller", StepType.OPTIONAL_TEXT,
            N_("Which business is it? Type its name if you know it, or press Skip."), N_("Business"),
        ),
        Step(
            "authorisation", StepType.MEDIA,
            N_("Send the signed authorisation from the person you act for, as a photo or a document."),
            N_("Authorisation"), media=DOCUMENTS,
        ),
        Step(
            "guardian_proof", StepType.OPTIONAL_MEDIA,
            N_("If you can, send a document showing that you are the parent or guardian (a photo or a "
               "document), or press Skip: the privacy team may ask for it later."),
            N_("Proof of guardianship"), media=DOCUMENTS,
        ),
        Step(
            "jurisdiction", StepType.CHOICE, N_("Where do you live? This decides which law sets our deadline."),
            N_("Where you live"), options=tuple(Option(value, label) for value, label in JURISDICTION_CHOICES),
            dependents=("not_served",),
        ),
        Step(
            "not_served", StepType.CHOICE,
            N_("The privacy policy of {operator} says that its services are not offered where you live:"
               "\n\n{offer}\n\nI can pass on a request to delete your account. Would you like that?"),
            "",
            options=(Option("erasure", N_("Ask to delete my account")),), editable=False,
        ),
        # --- per kind ---
        Step(
            "access_note", StepType.OPTIONAL_TEXT,
            N_("Is there anything specific you want a copy of? Type it, or press Skip to ask for everything."),
            N_("What you want a copy of"),
        ),
        Step(
            "portability_note", StepType.OPTIONAL_TEXT,
            N_("Which data do you want exported in a machine-readable file? Type it, or press Skip for all the "
               "data you gave us."),
            N_("What to export"),
        ),
        Step(
            "erasure_scope", StepType.CHOICE, N_("What should we delete?"), N_("What to delete"),
            options=(
                Option("account", N_("My whole account and everything in it")),
                Option("voice", N_("My voice models and recordings")),
                Option("content", N_("Texts and audio I created")),
                Option("other", N_("Something else")),
            ),
        ),
        Step(
            "erasure_note", StepType.OPTIONAL_TEXT,
            N_("Anything we should know (for example, which data exactly)? Type it, or press Skip."),
            N_("Details"),
        ),
        Step(
            "wrong", StepType.TEXT, N_("What is wrong or incomplete? For example: the email on my account."),
            N_("What is wrong"),
        ),
        Step("correct", StepType.TEXT, N_("What should it be instead?"), N_("What it should be")),
        Step(
            "restriction_what", StepType.TEXT,
            N_("Which processing should we restrict, and why? For example: keep my data but do not use it "
               "while you check that it is correct."),
            N_("What to restrict"),
        ),
        Step(
            "objection_to", StepType.CHOICE, N_("Which processing do you object to?"), N_("Objection to"),
            options=(
                Option("analytics", N_("Analytics")),
                Option("fraud_checks", N_("Fraud checks")),
                Option("profiling", N_("Profiling")),
                Option("marketing", N_("Marketing")),
                Option("other", N_("Something else")),
            ),
        ),
        Step(
            "objection_note", StepType.OPTIONAL_TEXT,
            N_("Why do you object? Your particular situation helps us weigh it. Type it, or press Skip."),
            N_("Reason"),
        ),
        Step(
            "consent", StepType.CHOICE, N_("Which consent do you withdraw?"), N_("Consent withdrawn"),
            options=(
                Option("marketing_emails", N_("Marketing emails")),
                Option("voice_biometrics", N_("Voice biometric processing (deletes my voice model)")),
                Option("ai_training", N_("Use of my data for AI training")),
                Option("analytics_cookies", N_("Analytics cookies")),
            ),
        ),
        Step("question", StepType.TEXT, N_("Write your message to the privacy team."), N_("Your message")),
        # --- voice owner ---
        Step(
            "voice_consent", StepType.CHOICE,
            N_("If your voice was cloned by someone using {operator}, you have your own right to have that "
               "voice model taken down and deleted, even if you have no account.\n\n"
               "To handle your report we need what you send here (a link, a recording of your voice, "
               "optionally an ID). We use it for this complaint only. Do you agree?"),
            "", options=(Option("yes", N_("I agree")),), editable=False,
        ),
        Step(
            "voice_where", StepType.TEXT,
            N_("Where did you find the clone? Send a link, the voice model's id or a description."),
            N_("Where the clone is"),
        ),
        Step(
            "voice_whose", StepType.CHOICE, N_("Who published it?"), N_("Published by"),
            options=(
                Option("user", N_("A user of {operator}")),
                Option(Relation.PROCESSOR, N_("A business's product built on {operator}")),
                Option("unknown", N_("I don't know")),
            ),
            dependents=("controller",),
        ),
        Step(
            "voice_evidence", StepType.MEDIA,
            N_("Send a voice message or an audio file of your own voice, so the team can compare it."),
            N_("Your voice sample"), media=AUDIO,
        ),
        Step(
            "voice_id", StepType.OPTIONAL_MEDIA,
            N_("Optionally, send an ID document (a photo or a file) so the team can check that the voice is "
               "yours, or press Skip."),
            N_("ID document"), media=DOCUMENTS,
        ),
        Step(
            "voice_contact", StepType.OPTIONAL_EMAIL,
            N_("Optionally, an email where the team can reach you, or press Skip: we answer here in any case."),
            N_("Contact email"),
        ),
        # --- verification ---
        Step(
            "verify", StepType.CHOICE,
            N_("We need to confirm that the account is yours. How would you like to do that?"),
            N_("Identity check"),
            options=(
                Option("email", N_("A code to my account email")),
                Option("manual", N_("A person will check (no account or no access to its email)")),
            ),
            dependents=("email", "code"),
        ),
        Step(
            "email", StepType.EMAIL, N_("Type the email address of your {operator} account."),
            N_("Account email"), dependents=("code",),
        ),
        Step(
            "code", StepType.CODE, N_("Type the 6-digit code from the email."), "", editable=False,
        ),
        Step(SUMMARY, StepType.SUMMARY, "", "", editable=False),
    )
}  # fmt: skip

KIND_STEPS: dict[RequestKind, tuple[str, ...]] = {
    RequestKind.ACCESS: ("access_note",),
    RequestKind.PORTABILITY: ("portability_note",),
    RequestKind.ERASURE: ("erasure_scope", "erasure_note"),
    RequestKind.RECTIFICATION: ("wrong", "correct"),
    RequestKind.RESTRICTION: ("restriction_what",),
    RequestKind.OBJECTION: ("objection_to", "objection_note"),
    RequestKind.WITHDRAW_CONSENT: ("consent",),
    RequestKind.OPT_OUT_SALE: (),
    RequestKind.LIMIT_SENSITIVE: (),
    RequestKind.OTHER: ("question",),
}
# CCPA: opting out and limiting sensitive data need no identity check, only enough to find the account.
CALIFORNIA_KINDS = frozenset({RequestKind.OPT_OUT_SALE, RequestKind.LIMIT_SENSITIVE})
# A message to the privacy team discloses nothing, so it needs no identity check either.
NO_VERIFICATION_KINDS = CALIFORNIA_KINDS | {RequestKind.OTHER}
# The kinds offered in the /request menu, in this order (a voice takedown has its own flow, /voice).
MENU_KINDS: tuple[RequestKind, ...] = (
    RequestKind.ACCESS, RequestKind.ERASURE, RequestKind.RECTIFICATION, RequestKind.PORTABILITY,
    RequestKind.RESTRICTION, RequestKind.OBJECTION, RequestKind.WITHDRAW_CONSENT,
    RequestKind.OPT_OUT_SALE, RequestKind.LIMIT_SENSITIVE, RequestKind.OTHER, RequestKind.VOICE_TAKEDOWN,
)  # fmt: skip

MENU_LABELS: dict[RequestKind, str] = {
    RequestKind.ACCESS: N_("A copy of my data"),
    RequestKind.ERASURE: N_("Delete my data or account"),
    RequestKind.RECTIFICATION: N_("Correct my data"),
    RequestKind.PORTABILITY: N_("Export my data (machine-readable)"),
    RequestKind.RESTRICTION: N_("Restrict how my data is used"),
    RequestKind.OBJECTION: N_("Object to some processing"),
    RequestKind.WITHDRAW_CONSENT: N_("Withdraw a consent"),
    RequestKind.OPT_OUT_SALE: N_("California: do not sell or share"),
    RequestKind.LIMIT_SENSITIVE: N_("California: limit use of sensitive data"),
    RequestKind.OTHER: N_("Something else: write to the privacy team"),
    RequestKind.VOICE_TAKEDOWN: N_("My voice was cloned"),
}


@dataclass(frozen=True)
class FormContext:
    """What the steps depend on besides the answers: the policy and the sender's account."""

    processor_case: bool = False  # the policy describes the processor case (DPA)
    email_available: bool = False  # a mailer is configured: email codes can be offered
    linked_account: bool = False  # the sender's Telegram id belongs to an account: verified already
    not_served: frozenset[str] = frozenset()  # jurisdictions the policy does not serve


@dataclass
class Form:
    """The answers so far, the order they were given in (for Back) and a token for Confirm."""

    kind: RequestKind
    token: str
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    editing: dict[str, Any] | None = None  # {step: previous answer} while a summary edit is open
    ask_jurisdiction: bool = True
    linked_account_id: str | None = None

    # --- serialisation (kept encrypted in FSM data by the caller) ---
    def to_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind), "token": self.token, "answers": self.answers, "history": self.history,
            "editing": self.editing, "ask_jurisdiction": self.ask_jurisdiction,
            "linked_account_id": self.linked_account_id,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Form:
        return cls(
            kind=RequestKind(data["kind"]), token=data["token"], answers=dict(data.get("answers") or {}),
            history=list(data.get("history") or []), editing=data.get("editing"),
            ask_jurisdiction=bool(data.get("ask_jurisdiction", True)),
            linked_account_id=data.get("linked_account_id"),
        )  # fmt: skip

    # --- derived facts ---
    @property
    def relation(self) -> str:
        if self.kind is RequestKind.VOICE_TAKEDOWN:
            return "voice_owner"
        return self.answers.get("relation") or Relation.SELF

    @property
    def processor_case(self) -> bool:
        if self.kind is RequestKind.VOICE_TAKEDOWN:
            return self.answers.get("voice_whose") == Relation.PROCESSOR
        return self.answers.get("relation") == Relation.PROCESSOR

    @property
    def jurisdiction(self) -> str | None:
        return self.answers.get("jurisdiction")

    def needs_verification(self) -> bool:
        """A person acting for themselves about their own account, for a kind that needs an identity check."""
        return (
            self.kind not in NO_VERIFICATION_KINDS
            and self.kind is not RequestKind.VOICE_TAKEDOWN
            and self.relation == Relation.SELF
        )

    def verified_by(self, context: FormContext) -> str | None:
        """How the request is verified at submission; None: a person will check."""
        if self.processor_case:
            return "telegram_id" if context.linked_account else None
        if self.kind in NO_VERIFICATION_KINDS:
            return "not_required"
        if not self.needs_verification():
            return None  # voice owners, guardians and agents: staff look at the evidence
        if context.linked_account:
            return "telegram_id"
        if self.answers.get("code") == "verified":
            return "email_code"
        return None


def step_ids(form: Form, context: FormContext) -> list[str]:
    """Every step this form asks, in order, given the answers so far."""
    steps: list[str] = []
    juris = ["jurisdiction"] if form.ask_jurisdiction else []
    if form.kind is RequestKind.VOICE_TAKEDOWN:
        steps += ["voice_consent", "voice_where"]
        if context.processor_case:
            steps.append("voice_whose")
            if form.answers.get("voice_whose") == Relation.PROCESSOR:
                steps.append("controller")
        steps += ["voice_evidence", "voice_id", "voice_contact", *juris]
        return [*steps, SUMMARY]
    if form.kind not in NO_VERIFICATION_KINDS:
        steps.append("relation")
    steps += juris
    if form.jurisdiction in context.not_served:
        steps.append("not_served")
    relation = form.relation
    if relation == Relation.PROCESSOR:
        steps.append("controller")
    elif relation == Relation.AGENT:
        steps.append("authorisation")
    elif relation == Relation.GUARDIAN:
        steps.append("guardian_proof")
    steps += KIND_STEPS.get(form.kind, ())
    if form.needs_verification() and not form.processor_case and not context.linked_account:
        if context.email_available:
            steps.append("verify")
            if form.answers.get("verify") == "email":
                steps += ["email", "code"]
    return [*steps, SUMMARY]


def current_step(form: Form, context: FormContext) -> Step:
    for step_id in step_ids(form, context):
        if step_id not in form.answers:
            return STEPS[step_id]
    return STEPS[SUMMARY]


def options(step: Step, context: FormContext) -> tuple[Option, ...]:
    """The choices offered: the processor case only when the policy describes one."""
    if context.processor_case:
        return step.options
    return tuple(o for o in step.options if o.value != Relation.PROCESSOR)


def _clear(form: Form, step_id: str) -> None:
    form.answers.pop(step_id, None)
    for dependent in STEPS[step_id].dependents:
        form.answers.pop(dependent, None)
        if dependent in form.history:
            form.history.remove(dependent)


def answer(form: Form, step_id: str, value: Any) -> None:
    """Record an answer; a changed answer clears what depended on it. An open edit is closed."""
    previous = form.answers.get(step_id, (form.editing or {}).get(step_id, _MISSING))
    if previous is not _MISSING and previous != value:
        _clear(form, step_id)
    form.answers[step_id] = value
    if step_id in form.history:
        form.history.remove(step_id)
    form.history.append(step_id)
    form.editing = None


def back(form: Form) -> bool:
    """Undo the last answer (or leave an edit, restoring the old answer); False when nothing to undo."""
    if form.editing is not None:
        for step_id, value in form.editing.items():
            form.answers[step_id] = value
            if step_id not in form.history:
                form.history.append(step_id)
        form.editing = None
        return True
    while form.history:
        step_id = form.history.pop()
        if step_id in form.answers:
            _clear(form, step_id)
            if step_id == "code":  # a verified code is not undone by Back: go back past the email too
                continue
            return True
    return False


def edit(form: Form, step_id: str, context: FormContext) -> bool:
    """Reopen one answered step from the summary; False when it cannot be edited."""
    step = STEPS.get(step_id)
    if step is None or not step.editable:
        return False
    was_asking = form.ask_jurisdiction
    if step_id == "jurisdiction":
        form.ask_jurisdiction = True
    if step_id not in step_ids(form, context) or step_id not in form.answers:
        form.ask_jurisdiction = was_asking
        return False
    form.editing = {step_id: form.answers.pop(step_id)}
    if step_id in form.history:
        form.history.remove(step_id)
    return True


def editable_steps(form: Form, context: FormContext) -> list[Step]:
    """The answers a summary's Edit offers (where one lives is always changeable)."""
    ids = step_ids(form, context)
    steps = [STEPS[s] for s in ids if STEPS[s].editable and STEPS[s].title and s in form.answers]
    if "jurisdiction" not in ids and "jurisdiction" in form.answers:
        steps.append(STEPS["jurisdiction"])
    return steps


def files_of(form: Form, context: FormContext) -> list[dict[str, Any]]:
    """The attachments the answers hold (Telegram file ids only), with the step they answer."""
    files = []
    for step_id in step_ids(form, context):
        value = form.answers.get(step_id)
        if STEPS[step_id].type in (StepType.MEDIA, StepType.OPTIONAL_MEDIA) and isinstance(value, dict):
            files.append({**value, "step": step_id})
    return files


def details_of(
    form: Form, context: FormContext, *, skip: Iterable[str] = ("code", "email")
) -> dict[str, Any]:
    """What the request records of the answers: texts and choices by step (no codes, no account email)."""
    skipped = set(skip)
    answers: dict[str, Any] = {}
    for step_id in step_ids(form, context):
        step = STEPS[step_id]
        if step_id in skipped or step.type in (StepType.SUMMARY, StepType.MEDIA, StepType.OPTIONAL_MEDIA):
            continue
        if step_id in form.answers and form.answers[step_id] is not None:
            answers[step_id] = form.answers[step_id]
    return answers
