"""Every text the staff desk shows, marked for translation (rendered with a `gettext` at use)."""

from __future__ import annotations

from bot.i18n import N_
from bot.kinds import RequestKind
from bot.requests.lifecycle import Action, ExtendReason, RejectReason, State

PRIORITY = N_("PRIORITY")
PRIORITY_VOICE = N_("voice takedown")
PRIORITY_MINOR = N_("a minor")
CARD_KIND = N_("Kind: {kind}")
CARD_JURISDICTION = N_("Jurisdiction: {jurisdiction} ({regimes})")
CARD_REQUESTER = N_("Requester: {requester}")
CARD_STATE = N_("State: {state}")
CARD_VERIFIED = N_("Identity: verified ({method})")
CARD_UNVERIFIED = N_("Identity: not verified yet")
CARD_DUE = N_("Due: {due} ({zone})")
CARD_NO_DUE = N_("Due: no deadline applies")
CARD_WHY = N_("Why this date: {explanation}")
CARD_EXTENDED = N_("Extended: {reason}")
CARD_PAUSED = N_("Clock paused since {date} (waiting for the requester)")
CARD_ASSIGNEE = N_("Assigned to: {assignee}")
CARD_UNASSIGNED = N_("Assigned to: nobody yet")
CARD_PROCESSOR = N_("Processor case: the business customer decides (DPA)")
CARD_ASKED = N_("What was asked:")
CARD_NOTHING_ASKED = N_("What was asked: (no details given)")
CARD_EVIDENCE = N_("Evidence: {count} file(s), copied below")
CARD_CLOSED = N_("Closed: {date}, {outcome}")
EVIDENCE_CAPTION = N_("Evidence for {reference}")
STAFF_MEMBER = N_("staff member {id}")

REQUESTER_TYPES: dict[str, str] = {
    "self": N_("the person themselves"),
    "guardian": N_("a parent or guardian (for a minor)"),
    "agent": N_("an authorised agent"),
    "voice_owner": N_("a voice owner (not a user)"),
}

STATES: dict[str, str] = {
    State.AWAITING_VERIFICATION: N_("awaiting verification"),
    State.OPEN: N_("open, being handled"),
    State.AWAITING_REQUESTER: N_("waiting for the requester"),
    State.COMPLETED: N_("completed, answered"),
    State.REJECTED: N_("rejected, with a reason"),
    State.WITHDRAWN: N_("withdrawn by the requester"),
    State.CLOSED_UNVERIFIED: N_("closed, identity never verified"),
    State.FORWARDED_TO_CONTROLLER: N_("forwarded to the business customer"),
}

KINDS: dict[str, str] = {
    RequestKind.ACCESS: N_("access (copy of data)"),
    RequestKind.RECTIFICATION: N_("rectification"),
    RequestKind.ERASURE: N_("erasure"),
    RequestKind.RESTRICTION: N_("restriction"),
    RequestKind.PORTABILITY: N_("portability"),
    RequestKind.OBJECTION: N_("objection"),
    RequestKind.WITHDRAW_CONSENT: N_("consent withdrawal"),
    RequestKind.OPT_OUT_SALE: N_("opt-out of sale/sharing"),
    RequestKind.LIMIT_SENSITIVE: N_("limit sensitive data"),
    RequestKind.VOICE_TAKEDOWN: N_("voice takedown"),
    RequestKind.OTHER: N_("other request"),
}

VERIFICATION_METHODS: dict[str, str] = {
    "telegram_id": N_("Telegram account"),
    "email_code": N_("email code"),
    "manual": N_("checked by staff"),
    "not_required": N_("not required"),
}

# Card buttons, in the order of the lifecycle table.
BUTTONS: dict[Action, str] = {
    Action.ASSIGN: N_("✋ Take"),
    Action.VERIFY: N_("✅ Verified"),
    Action.ASK: N_("❓ Ask requester"),
    Action.EXTEND: N_("⏳ Extend"),
    Action.COMPLETE: N_("✔️ Complete"),
    Action.REJECT: N_("⛔ Reject"),
    Action.FORWARD: N_("↪️ Forwarded to customer"),
    Action.NOTE: N_("📝 Note"),
}

REJECT_REASONS: dict[str, str] = {
    RejectReason.IDENTITY_NOT_VERIFIED: N_("Identity not verified"),
    RejectReason.MANIFESTLY_UNFOUNDED: N_("Manifestly unfounded or excessive"),
    RejectReason.LEGAL_OBLIGATION: N_("Legal obligation to keep"),
    RejectReason.NO_DATA: N_("No data found"),
    RejectReason.OTHER: N_("Other (write the reason)"),
}

EXTEND_REASONS: dict[str, str] = {
    ExtendReason.COMPLEX: N_("Complex request"),
    ExtendReason.MANY_REQUESTS: N_("Many requests"),
    ExtendReason.OTHER: N_("Other (write the reason)"),
}

# Relay
TO_REQUESTER = N_("Message from the privacy team about your request {reference}:\n\n{text}")
FROM_REQUESTER = N_("Requester wrote about {reference}:")
FROM_REQUESTER_FILE = N_("Requester sent a file about {reference}")
COMPLETED_FILE_CAPTION = N_("Your request {reference}: the file from the privacy team.")

# Reminders and digest
REMINDER_ONE = N_("Reminder:")
REMINDER_MANY = N_("{count} reminders:")
DUE_IN = N_("due in {days} day(s), on {due}")
DUE_TODAY = N_("due TODAY ({due})")
OVERDUE = N_("OVERDUE by {days} day(s) (was due {due})")
EXTENSION_NOTICE = N_("last day to extend and tell the requester why: {date}")
ACK_DUE = N_("CCPA: confirm receipt to the requester by {date}")
ATTENTION = N_("attention {assignee}")
NOBODY_ASSIGNED = N_("nobody assigned")
DIGEST_TITLE = N_("Daily digest, {date}: {open} open request(s), {overdue} overdue, {week} due within 7 days.")
DIGEST_EMPTY = N_("Daily digest, {date}: no open requests.")
DIGEST_MORE = N_("…and {count} more (see /queue).")
FORWARD_TODO = N_(
    "{reference} is a processor case: tell the business customer ({controller}) about it and act only "
    "on their instructions."
)
UNKNOWN_CUSTOMER = N_("customer not named yet")
