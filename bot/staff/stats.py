"""Figures for /stats: requests received in a period by kind and outcome, median days to close, and
the share closed on time; and a bar chart of them as a PNG (matplotlib, no display needed)."""

from __future__ import annotations

import io
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, Gettext
from bot.staff import texts
from bot.staff.card import label
from storage.requests import Request

STATS_TITLE = N_("Requests received {start} – {end}: {total}")
STATS_BY_KIND = N_("By kind:")
STATS_BY_OUTCOME = N_("By outcome (open ones count as open):")
STATS_MEDIAN = N_("Median time to close: {days} day(s)")
STATS_NO_MEDIAN = N_("Median time to close: nothing closed yet")
STATS_ON_TIME = N_("Closed on time: {percent}% ({on_time} of {closed})")
STATS_ON_TIME_NONE = N_("Closed on time: nothing closed yet")
CHART_KIND = N_("Requests by kind")
CHART_OUTCOME = N_("Requests by outcome")
OPEN = "open"


@dataclass(frozen=True)
class Stats:
    start: datetime
    end: datetime
    total: int
    by_kind: dict[str, int]
    by_outcome: dict[str, int]
    median_days: float | None
    closed: int
    on_time: int

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.closed) if self.closed else None


async def compute_stats(session: AsyncSession, start: datetime, end: datetime) -> Stats:
    """Requests received in [start, end)."""
    rows = (
        await session.execute(
            select(Request.kind, Request.outcome, Request.received_at, Request.closed_at, Request.due_end_utc)
            .where(Request.received_at >= start, Request.received_at < end)
        )
    ).all()
    by_kind: Counter[str] = Counter()
    by_outcome: Counter[str] = Counter()
    durations: list[float] = []
    on_time = closed = 0
    for kind, outcome, received, closed_at, due_end in rows:
        by_kind[kind] += 1
        by_outcome[outcome or OPEN] += 1
        if closed_at is not None:
            closed += 1
            durations.append((closed_at - received).total_seconds() / 86400)
            if due_end is None or closed_at <= due_end:
                on_time += 1
    median = round(statistics.median(durations), 1) if durations else None
    return Stats(start, end, len(rows), dict(by_kind.most_common()), dict(by_outcome.most_common()),
                 median, closed, on_time)  # fmt: skip


def outcome_label(outcome: str, gettext: Gettext) -> str:
    return label(texts.STATES, outcome, gettext)


def stats_text(stats: Stats, gettext: Gettext, fmt) -> str:
    last_day = (stats.end - timedelta(microseconds=1)).date()  # the period is [start, end)
    lines = [gettext(STATS_TITLE).format(start=fmt(stats.start.date()), end=fmt(last_day), total=stats.total)]
    if stats.by_kind:
        lines.append(gettext(STATS_BY_KIND))
        lines += [f"• {label(texts.KINDS, k, gettext)}: {n}" for k, n in stats.by_kind.items()]
        lines.append(gettext(STATS_BY_OUTCOME))
        lines += [f"• {outcome_label(o, gettext)}: {n}" for o, n in stats.by_outcome.items()]
    if stats.median_days is None:
        lines.append(gettext(STATS_NO_MEDIAN))
    else:
        lines.append(gettext(STATS_MEDIAN).format(days=stats.median_days))
    if stats.on_time_percent is None:
        lines.append(gettext(STATS_ON_TIME_NONE))
    else:
        lines.append(gettext(STATS_ON_TIME).format(percent=stats.on_time_percent, on_time=stats.on_time,
                                                   closed=stats.closed))  # fmt: skip
    return "\n".join(lines)


def stats_chart(stats: Stats, gettext: Gettext) -> bytes:
    """Two horizontal bar charts (kinds, outcomes) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5), dpi=100)
    left, right = figure.subplots(1, 2)
    for axes, data, title, namer in (
        (left, stats.by_kind, CHART_KIND, lambda k: label(texts.KINDS, k, gettext)),
        (right, stats.by_outcome, CHART_OUTCOME, lambda o: outcome_label(o, gettext)),
    ):
        names = [namer(key) for key in data] or ["-"]
        values = list(data.values()) or [0]
        axes.barh(names, values, color="#4a76a8")
        axes.set_title(gettext(title))
        axes.invert_yaxis()
        axes.tick_params(labelsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
