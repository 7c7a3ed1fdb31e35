"""The shape of an operator's policy file (`policies/<operator>.yaml`), as pydantic models.

Every statement the bot repeats to people is a `Fact`: it cites the section of the source document and
carries its text in every supported language, so an answer can never be more than the document says.
Structured parts (contacts, response times, regions, verification, the processor case) are what the
request flow and the deadline engine read; facts are what the question answering reads.
Models forbid unknown keys so a typo in a policy file is reported instead of silently ignored.
Cross-references (fact topics declared, documents known, ids unique) are checked in `check.py`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from bot.kinds import RequestKind

LANGS: tuple[str, ...] = ("en", "ru")

#: Topic ids shared with the answer engine. Add one only when a document truly needs it.
TOPIC_IDS: tuple[str, ...] = (
    "controller",
    "contacts",
    "data_collected",
    "voice_biometrics",
    "data_sources",
    "legal_basis",
    "purposes",
    "recipients",
    "payment_processors",
    "sale_sharing",
    "ai_training",
    "transfers",
    "retention",
    "security",
    "breach",
    "children",
    "rights",
    "exercise_rights",
    "response_times",
    "verification",
    "supervisory_authority",
    "region_eea_uk_ch",
    "region_california",
    "region_ru_by",
    "automated_decisions",
    "cookies",
    "policy_changes",
    "voice_owners",
    "dpa_processor_duties",
    "dpa_breach_notice",
    "dpa_subprocessors",
    "dpa_termination",
    "dpa_audits",
    "dpa_data_subject_requests",
)

#: Regions a policy can address with a notice, or say it does not serve.
RegionId = Literal["eea_uk_ch", "eea", "uk", "ch", "california", "us", "ru_by", "ru", "by", "kz", "other"]

#: How the policy says identity is checked.
VerificationMethod = Literal[
    "telegram_id",  # the sender's Telegram user ID matches the account (Telegram sign-in)
    "registered_email",  # the request must come from the email registered to the account
    "email_code",  # a one-time code sent to the account email
    "support_bot_marked",  # submitted through the operator's Telegram support bot, marked as a data request
    "account_login",  # done from inside the signed-in account (settings)
    "manual_review",  # staff look at evidence (voice owners, agents)
]

#: Identifiers the policy names as belonging to an account (what a verification can match on).
AccountIdentifier = Literal["email", "telegram_id", "username", "phone", "account_id"]

#: Where a request can be sent: a key of `contacts`, or a place in the product.
Channel = Literal[
    "privacy", "abuse", "support", "dpo", "security", "general", "telegram", "web_form", "account_settings"
]

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_TELEGRAM = re.compile(r"^(?:@[A-Za-z][A-Za-z0-9_]{3,31}|https://t\.me/[A-Za-z][A-Za-z0-9_]{3,31})$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_ROUTE = re.compile(r"^(answer|out_of_scope|request:[a-z_]+)$")


def _snake(value: str) -> str:
    if not _SNAKE.match(value):
        raise ValueError(f"'{value}' is not a snake_case id (lowercase letters, digits, _)")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"'{value}' is not a valid email address")
    return value


def _telegram(value: str) -> str:
    if not _TELEGRAM.match(value):
        raise ValueError(f"'{value}' is not a Telegram handle (@name) or link (https://t.me/name)")
    return value


def _url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(f"'{value}' is not an http(s) URL")
    return value


def _topic(value: str) -> str:
    if value not in TOPIC_IDS:
        raise ValueError(f"unknown topic id '{value}'")
    return value


def _route(value: str) -> str:
    if not _ROUTE.match(value):
        raise ValueError(f"'{value}' is not a route (answer, out_of_scope, request:<kind>)")
    if value.startswith("request:"):
        kind = value.split(":", 1)[1]
        if kind not in {k.value for k in RequestKind}:
            raise ValueError(f"unknown request kind '{kind}' in route")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SnakeId = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_snake)]
Email = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_email)]
TelegramLink = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_telegram)]
Url = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_url)]
TopicId = Annotated[str, AfterValidator(_topic)]
Route = Annotated[str, AfterValidator(_route)]
Days = Annotated[int, Field(gt=0, le=3650)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Model):
    """One text in every supported language."""

    en: Text
    ru: Text

    def get(self, lang: str) -> str:
        """The text in `lang`, English when the language is not supported."""
        return self.ru if lang == "ru" else self.en


class LocalizedList(_Model):
    """Words or phrases per language (synonyms, keywords); either list may be empty."""

    en: list[Text] = []
    ru: list[Text] = []

    def get(self, lang: str) -> list[str]:
        return list(self.ru if lang == "ru" else self.en)


class Document(_Model):
    """A source document the facts cite (privacy policy, DPA, cookie policy...)."""

    id: SnakeId
    title: LocalizedText
    last_updated: date | None = None
    url: Url | None = None


class Operator(_Model):
    id: SnakeId  # short name used in file names and logs, e.g. "velluto"
    name: Text
    legal_name: Text
    website: Url | None = None
    documents: list[Document] = Field(min_length=1)


class Contacts(_Model):
    """The contact points the documents give; only those stated are filled in."""

    privacy: Email | None = None
    abuse: Email | None = None
    support: Email | None = None
    dpo: Email | None = None
    security: Email | None = None
    general: Email | None = None
    telegram: TelegramLink | None = None
    web_form: Url | None = None
    postal: Text | None = None
    section: Text


class KindSection(_Model):
    kind: RequestKind
    section: Text


class ResponseTimes(_Model):
    """The operator's own promise, in days; the deadline engine takes the earliest with the law."""

    standard_days: Days
    complex_days: Days | None = None
    voice_owner_days: Days | None = None
    voice_owner_from: Literal["verification", "receipt"] | None = None
    #: Request kinds the promise covers; absent means every kind.
    kinds: list[KindSection] | None = None
    section: Text


class RegionEntry(_Model):
    region: RegionId
    section: Text
    #: What the policy offers people from this region (e.g. account deletion for a region not served).
    offer: LocalizedText | None = None


class Regions(_Model):
    served: list[RegionEntry] = []
    not_served: list[RegionEntry] = []


class Verification(_Model):
    """What the policy says about checking who is asking."""

    required: Literal["always", "may", "not_stated"]
    methods: list[VerificationMethod] = []
    account_identifiers: list[AccountIdentifier] = []
    section: Text
    text: LocalizedText


class ProcessorCase(_Model):
    """When the operator is a processor for a business customer (a DPA), the customer answers requests."""

    document: SnakeId
    section: Text
    who_answers: LocalizedText
    instruction: LocalizedText


class RequestKindOffer(_Model):
    """A request kind the policy names, where it says so and where to send it."""

    kind: RequestKind
    section: Text
    channels: list[Channel] = []


class Topic(_Model):
    id: TopicId
    title: LocalizedText
    synonyms: LocalizedList = LocalizedList()
    #: Hint for the answer engine: a question on this topic is usually this route.
    route: Route | None = None


class Fact(_Model):
    """One statement of a source document, faithful, self-contained, with its section."""

    id: SnakeId
    topic: TopicId
    section: Text
    #: Id of the document in `operator.documents`; absent means the first one.
    document: SnakeId | None = None
    text: LocalizedText
    details: dict[SnakeId, LocalizedText] = {}
    keywords: LocalizedList = LocalizedList()


class Policy(_Model):
    operator: Operator
    contacts: Contacts
    #: Absent when the policy promises no response time: then only the law's deadlines apply.
    response_times: ResponseTimes | None = None
    regions: Regions = Regions()
    verification: Verification
    processor_case: ProcessorCase | None = None
    request_kinds: list[RequestKindOffer] = []
    topics: list[Topic] = Field(min_length=1)
    facts: list[Fact] = Field(min_length=1)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def facts_for(self, topic_id: str) -> list[Fact]:
        return [f for f in self.facts if f.topic == topic_id]

    def fact(self, fact_id: str) -> Fact | None:
        return next((f for f in self.facts if f.id == fact_id), None)

    def facts_in_section(self, fact: Fact) -> list[Fact]:
        """Every fact citing the same section of the same document (the "whole section" view)."""
        doc = self.document_of(fact).id
        return [f for f in self.facts if f.section == fact.section and self.document_of(f).id == doc]

    def document_of(self, fact: Fact) -> Document:
        """The document a fact cites (the first document when the fact names none)."""
        docs = self.operator.documents
        return next((d for d in docs if d.id == fact.document), docs[0])
