"""Words for request states and verification methods, as a requester reads them."""

from __future__ import annotations

from bot.i18n import N_

STATE_LABELS: dict[str, str] = {
    "awaiting_verification": N_("waiting for an identity check"),
    "open": N_("in progress"),
    "awaiting_requester": N_("waiting for your answer"),
    "completed": N_("done"),
    "rejected": N_("declined"),
    "withdrawn": N_("withdrawn"),
    "closed_unverified": N_("closed: identity not confirmed"),
    "forwarded_to_controller": N_("passed to the business that controls the data"),
}

VERIFICATION_LABELS: dict[str | None, str] = {
    "telegram_id": N_("confirmed by your Telegram account"),
    "email_code": N_("confirmed by a code sent to your account email"),
    "manual": N_("confirmed by the privacy team"),
    "not_required": N_("no identity check needed"),
    None: N_("a person from the privacy team will check that it is you"),
}
