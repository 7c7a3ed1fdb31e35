"""Callback data of the staff desk: ids only; every press is authorised again on the server side."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class StaffAction(CallbackData, prefix="sa"):
    """A card button; the card is rendered by `bot.staff.card` as `sa:<action>:<request id>`."""

    action: str
    request_id: int


class StaffChoice(CallbackData, prefix="sc"):
    """A second step: a reason for reject/extend, complete without a file, or cancel."""

    step: str
    value: str
    request_id: int
