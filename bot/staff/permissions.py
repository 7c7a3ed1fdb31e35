"""Who may act on the staff desk: STAFF_USER_IDS when set, otherwise members of the staff group.

Membership is asked of Telegram (getChatMember, through the `fetch_status` the handler passes) and
cached briefly: a button press should not cost an API call each time, and a removed member loses
access within `ttl` seconds. Errors are not cached and count as "not staff".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable

log = logging.getLogger(__name__)

MEMBER_STATUSES = frozenset({"creator", "administrator", "member"})
FetchStatus = Callable[[int], Awaitable[str]]


class StaffGate:
    def __init__(
        self,
        staff_chat_id: int | None,
        staff_user_ids: Iterable[int] = (),
        *,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.staff_chat_id = staff_chat_id
        self.staff_user_ids = frozenset(staff_user_ids)
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[int, tuple[float, bool]] = {}

    async def is_staff(self, user_id: int | None, fetch_status: FetchStatus) -> bool:
        if user_id is None or self.staff_chat_id is None:
            return False
        if self.staff_user_ids:
            return user_id in self.staff_user_ids
        cached = self._cache.get(user_id)
        now = self.clock()
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            status = await fetch_status(user_id)
        except Exception as exc:  # Telegram unreachable: refuse now, ask again next time
            log.warning("staff check failed: %s", type(exc).__name__)
            return False
        allowed = str(status) in MEMBER_STATUSES
        self._cache[user_id] = (now + self.ttl, allowed)
        if len(self._cache) > 10_000:
            self._cache.clear()
        return allowed

    def forget(self, user_id: int) -> None:
        self._cache.pop(user_id, None)
