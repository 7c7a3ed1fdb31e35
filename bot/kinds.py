"""The kinds of request a person can make: one vocabulary shared by deadlines, policy answers and intake."""

from enum import StrEnum


class RequestKind(StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    PORTABILITY = "portability"
    OBJECTION = "objection"
    WITHDRAW_CONSENT = "withdraw_consent"
    OPT_OUT_SALE = "opt_out_sale"
    LIMIT_SENSITIVE = "limit_sensitive"
    VOICE_TAKEDOWN = "voice_takedown"
    OTHER = "other"
