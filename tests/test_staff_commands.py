"""Staff-group commands through the bot: /queue, /overdue, /req, /find, /stats (a PNG chart),
/register (CSV, one row per request in range); none of them answers outside the staff group."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from tests.conftest import STAFF_CHAT_ID
from tests.test_staff_kit import OUTSIDER, REQUESTER, STAFF, STAFF_2

pytestmark = pytest.mark.db
pytest_plugins = ["tests.test_staff_kit"]


async def command(desk, text: str, user: int = STAFF, chat_id: int = STAFF_CHAT_ID) -> list:
    before = len(desk.api.calls)
    await desk.say(user, text, chat_id=chat_id)
    return [c for c in desk.api.calls[before:] if c.method.lower() in ("sendmessage", "sendphoto", "senddocument")]


async def test_queue_lists_open_requests_most_urgent_first(desk):
    now = datetime.now(UTC)
    later = await desk.new_request("access", "eea", received=now - timedelta(days=2))
    sooner = await desk.new_request("erasure", "eea", received=now - timedelta(days=10))
    closed = await desk.new_request("erasure", "eea")
    await desk.press_on_card(STAFF, closed, "complete")
    await desk.press_button(STAFF, "Complete without a file")
    (reply,) = await command(desk, "/queue")
    text = reply.text
    assert text.index(sooner.reference) < text.index(later.reference)
    assert closed.reference not in text


async def test_overdue_lists_only_requests_past_their_date(desk):
    old = await desk.new_request("access", "eea", received=datetime.now(UTC) - timedelta(days=45))
    fresh = await desk.new_request("access", "eea")
    (reply,) = await command(desk, "/overdue")
    assert old.reference in reply.text and "OVERDUE" in reply.text
    assert fresh.reference not in reply.text


async def test_req_shows_the_card_again_with_its_buttons(desk):
    request = await desk.new_request("access", "eea")
    (reply,) = await command(desk, f"/req {request.reference.lower()}")
    assert request.reference in reply.text and "Why this date" in reply.text
    assert "✋ Take" in [text for text, _ in reply.buttons]
    (unknown,) = await command(desk, "/req PD-ZZZZZZ")
    assert "No request with that reference" in unknown.text


async def test_find_by_reference_telegram_id_and_email(desk):
    mine = await desk.new_request("access", "eea", details={"email": "Ann@Example.com"})
    other = await desk.new_request("erasure", "eea", requester=7002, details={"email": "bob@example.com"})
    (by_ref,) = await command(desk, f"/find {other.reference}")
    assert other.reference in by_ref.text and mine.reference not in by_ref.text
    (by_id,) = await command(desk, f"/find {REQUESTER}")
    assert mine.reference in by_id.text and other.reference not in by_id.text
    (by_email,) = await command(desk, "/find ann@example.com")
    assert mine.reference in by_email.text and other.reference not in by_email.text
    (nothing,) = await command(desk, "/find nobody@example.com")
    assert nothing.text == "Nothing found."


async def test_stats_sends_a_png_chart_and_the_figures(desk):
    now = datetime.now(UTC)
    for kind in ("access", "access", "erasure"):
        await desk.new_request(kind, "eea", received=now - timedelta(days=3))
    done = await desk.new_request("erasure", "eea", received=now - timedelta(days=2))
    await desk.press_on_card(STAFF, done, "complete")
    await desk.press_button(STAFF, "Complete without a file")
    (photo,) = await command(desk, "/stats 30")
    assert photo.method.lower() == "sendphoto"
    upload = photo.upload("photo")
    assert upload is not None and upload.content.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(upload.content))
    image.verify()
    assert image.size[0] > 100 and image.size[1] > 100
    caption = photo.params["caption"]
    assert ": 4" in caption  # received in the period
    assert "access (copy of data): 2" in caption and "erasure: 2" in caption
    assert "Closed on time: 100% (1 of 1)" in caption and "Median time to close:" in caption


async def test_register_csv_has_one_row_per_request_in_the_range(desk):
    inside = [
        await desk.new_request("access", "eea", received=datetime(2026, 2, 1, 0, 30, tzinfo=UTC)),
        await desk.new_request("erasure", "uk", received=datetime(2026, 3, 31, 23, 0, tzinfo=UTC)),
    ]
    outside = [
        await desk.new_request("access", "eea", received=datetime(2026, 1, 31, 23, 59, tzinfo=UTC)),
        await desk.new_request("access", "eea", received=datetime(2026, 4, 1, 0, 0, tzinfo=UTC)),
    ]
    (document,) = await command(desk, "/register 2026-02-01 2026-03-31")
    upload = document.upload("document")
    assert upload.filename == "register_2026-02-01_2026-03-31.csv"
    rows = list(csv.DictReader(io.StringIO(upload.content.decode("utf-8"))))
    assert sorted(row["reference"] for row in rows) == sorted(r.reference for r in inside)
    assert not {r.reference for r in outside} & {row["reference"] for row in rows}
    assert {row["kind"] for row in rows} == {"access", "erasure"}
    assert all(row["received_at"] and row["due_date"] for row in rows)
    assert "ann@example.com" not in upload.content.decode()  # the register holds no personal details
    (usage,) = await command(desk, "/register yesterday")
    assert usage.text.startswith("Usage: /register")


@pytest.mark.parametrize("text", ["/queue", "/overdue", "/stats", "/register", "/find 7001"])
async def test_staff_commands_do_nothing_outside_the_staff_group(desk, text):
    request = await desk.new_request("access", "eea")
    replies = await command(desk, text, user=REQUESTER, chat_id=REQUESTER)
    assert all(request.reference not in (c.text or "") for c in replies)
    assert all(c.method.lower() == "sendmessage" for c in replies)  # no chart, no register


async def test_a_group_member_not_in_staff_user_ids_gets_no_answer(desk):
    desk.dispatcher["staff_gate"].staff_user_ids = frozenset({STAFF_2})
    await desk.new_request("access", "eea")
    assert await command(desk, "/queue", user=STAFF) == []
    assert await command(desk, "/queue", user=OUTSIDER) == []
    assert len(await command(desk, "/queue", user=STAFF_2)) == 1


async def test_stats_for_a_date_range_names_its_first_and_last_day(desk):
    await desk.new_request("access", "eea", received=datetime(2026, 3, 31, 22, 0, tzinfo=UTC))
    await desk.new_request("access", "eea", received=datetime(2026, 4, 1, 0, 0, tzinfo=UTC))
    (photo,) = await command(desk, "/stats 2026-01-01 2026-03-31")
    assert photo.params["caption"].startswith("Requests received January 1, 2026 – March 31, 2026: 1")
    (usage,) = await command(desk, "/stats 2026-03-31 2026-01-01")
    assert usage.text.startswith("Usage: /stats")
