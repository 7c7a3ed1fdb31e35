"""Callback data of the request flows: ids only; every value is checked against the server's state."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class KindChoice(CallbackData, prefix="rk"):
    kind: str


class StepChoice(CallbackData, prefix="rs"):
    token: str  # the form it belongs to
    step: str  # the step it answers (a button of an earlier step is stale)
    value: str


class Nav(CallbackData, prefix="rn"):
    action: str  # back, cancel, skip, confirm, edit, summary, resend
    token: str
    step: str


class EditStep(CallbackData, prefix="re"):
    token: str
    step: str


class StatusAction(CallbackData, prefix="st"):
    action: str  # list, show, add, withdraw, withdraw_yes
    id: int = 0


class ForgetAction(CallbackData, prefix="fg"):
    action: str  # yes, no
