"""A fake Telegram Bot API server on 127.0.0.1, for wire-level tests of the real bot process.

It serves `/bot<token>/<method>` over HTTP like api.telegram.org does (form, multipart or JSON bodies,
`{"ok": true, "result": ...}` answers), so the bot under test runs its real aiohttp session with
`TELEGRAM_API_URL` pointing here. It records every call, lets a test queue incoming updates (delivered
by `getUpdates` long polling, or POSTed to the bot's webhook), and can script faults per method
(429 with `retry_after`, 502, a dropped connection, a held request) for retry and outbox tests.

    async with FakeBotAPI() as api:
        ...  # run the bot with TELEGRAM_API_URL=api.base_url, BOT_TOKEN=api.token
        api.push_message(111, "/start")
        reply = await api.wait_for("sendMessage", chat_id=111)

or as the `bot_api` fixture: put `pytest_plugins = ["tests.fakes.bot_api"]` in the test module.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web

DEFAULT_TOKEN = "123456:TEST-TOKEN-abcdefghij"
BOT_USERNAME = "privacy_desk_test_bot"
WAIT_SECONDS = 15.0
HOLD_LIMIT_SECONDS = 30.0

# Parameters Telegram takes as JSON-serialised values; everything else stays the string that was sent.
JSON_FIELDS = frozenset({
    "allowed_updates", "caption_entities", "commands", "entities", "link_preview_options", "media",
    "menu_button", "permissions", "reaction", "reply_markup", "reply_parameters", "results", "scope",
})
UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
    "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
    "chat_join_request", "chat_boost", "removed_chat_boost",
)


# ---------------------------------------------------------------------------------------------------
# What the bot sent


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Call:
    """One request the bot made: the method as spelled in the URL and its decoded parameters."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload] = field(default_factory=dict)
    token: str = ""

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        return value

    @property
    def text(self) -> str | None:
        return self.params.get("text") or self.params.get("caption")

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """(text, callback_data or url) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        return [(b.get("text", ""), b.get("callback_data") or b.get("url")) for row in rows for b in row]

    def upload(self, name: str) -> Upload | None:
        """The file sent as parameter `name`, directly or through an `attach://<field>` reference."""
        value = self.params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return self.files.get(value.removeprefix("attach://"))
        return self.files.get(name)

    def matches(self, **expected: Any) -> bool:
        for name, value in expected.items():
            actual = self.chat_id if name == "chat_id" else self.params.get(name)
            if actual != value and str(actual) != str(value):
                return False
        return True


# ---------------------------------------------------------------------------------------------------
# Scripted responses (faults)


@dataclass
class Reply:
    """Answer with this HTTP status and body instead of the normal result."""

    status: int
    body: dict[str, Any] | str

    def response(self) -> web.Response:
        if isinstance(self.body, str):
            return web.Response(status=self.status, text=self.body, content_type="text/html")
        return web.json_response(self.body, status=self.status)


@dataclass
class Disconnect:
    """Close the connection without answering (the client sees "server disconnected")."""


@dataclass
class Hold:
    """Keep the request waiting until `release()`; then answer normally (or with `then`)."""

    then: Reply | Disconnect | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self._released.set()

    async def wait_arrived(self, timeout: float = WAIT_SECONDS) -> None:
        await asyncio.wait_for(self.arrived.wait(), timeout)


Scripted = Reply | Disconnect | Hold


def ok(result: Any = True) -> Reply:
    return Reply(200, {"ok": True, "result": result})


def error(code: int, description: str, **parameters: Any) -> Reply:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Reply(code, body)


def too_many_requests(retry_after: int) -> Reply:
    return error(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def bad_gateway() -> Reply:
    return error(502, "Bad Gateway")


def bad_gateway_html() -> Reply:
    """What the front proxy really answers when the Bot API backend is down: HTML, not JSON."""
    return Reply(502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")


def forbidden_blocked() -> Reply:
    return error(403, "Forbidden: bot was blocked by the user")


def disconnect() -> Disconnect:
    return Disconnect()


# ---------------------------------------------------------------------------------------------------
# The server


class FakeBotAPI:
    """The Bot API for one bot token, on 127.0.0.1 and a free port."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, username: str = BOT_USERNAME) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.calls: list[Call] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (scope type, language) -> list
        self.webhook: dict[str, Any] | None = None
        self.chat_members: dict[tuple[int, int], str] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat id, message id) -> Message
        self.delivered: list[int] = []  # update ids handed out by getUpdates, in order
        self._updates: deque[dict[str, Any]] = deque()
        self._allowed_updates: list[str] | None = None
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._topic_ids = itertools.count(100)
        self._scripts: dict[str, deque[Scripted]] = {}
        self._custom: dict[str, Callable[[Call], Any]] = {}
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> FakeBotAPI:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        self._closing = True
        self._notify()
        for queue in self._scripts.values():
            for item in queue:
                if isinstance(item, Hold):
                    item.release()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_URL."""
        return f"http://127.0.0.1:{self.port}"

    # -- incoming updates --------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (its `update_id` is assigned here) and wake a waiting getUpdates."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._notify()
        return update

    def user(self, user_id: int, language_code: str | None = "en", first_name: str = "Test") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "supergroup", "title": "Staff", "is_forum": True}
        return {"id": chat_id, "type": "private", "first_name": "Test"}

    def make_message(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str | None = "en",
        chat_id: int | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": self.user(user_id, language_code),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
            message["is_topic_message"] = True
        return message

    def push_message(self, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        """A text message from `user_id` (in the private chat unless `chat_id` is given)."""
        return self.push_update({"message": self.make_message(user_id, text, **kwargs)})

    def make_callback(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        *,
        language_code: str | None = "en",
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        if message_id is None:  # the last message the bot sent in that chat
            mine = [mid for (cid, mid) in self.messages if cid == chat_id]
            message_id = max(mine) if mine else next(self._message_ids)
        message = self.messages.get((chat_id, message_id)) or self._store_message(
            {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self.chat(chat_id),
                "from": self.bot_user(),
                "text": "…",
            }
        )
        return {
            "id": str(next(self._callback_ids)),
            "from": self.user(user_id, language_code),
            "message": message,
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }

    def push_callback(self, user_id: int, data: str, message_id: int | None = None, **kwargs: Any) -> dict[str, Any]:
        """A press on an inline button with `data` under the bot's message `message_id`."""
        return self.push_update({"callback_query": self.make_callback(user_id, data, message_id, **kwargs)})

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    async def wait_delivered(self, update_id: int, timeout: float = WAIT_SECONDS) -> None:
        """Until getUpdates has handed this update to the bot."""
        await self._wait(lambda: update_id in self.delivered, timeout, f"update {update_id} delivered")

    async def post_to_webhook(
        self, update: dict[str, Any], *, secret_token: str | None = None, url: str | None = None
    ) -> tuple[int, str]:
        """Deliver an update like Telegram does in webhook mode; returns the bot's HTTP status and body."""
        target = url or (self.webhook or {}).get("url")
        if not target:
            raise AssertionError("no webhook is set and no url was given")
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token is not None else {}
        if self._client is None:
            self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT_SECONDS))
        async with self._client.post(target, json=update, headers=headers) as response:
            return response.status, await response.text()

    # -- faults --------------------------------------------------------------------------------------

    def script(self, method: str, *responses: Scripted) -> None:
        """The next calls of `method` get these responses, in order; then normal answers again."""
        self._scripts.setdefault(method.lower(), deque()).extend(responses)

    def hold(self, method: str, then: Reply | Disconnect | None = None) -> Hold:
        """The next call of `method` waits until the returned Hold is released."""
        held = Hold(then=then)
        self.script(method, held)
        return held

    def respond(self, method: str, result: Callable[[Call], Any]) -> None:
        """Compute the `result` of every call of `method` (for methods this fake does not model)."""
        self._custom[method.lower()] = result

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """getChatMember's answer: creator, administrator, member, restricted, left or kicked."""
        self.chat_members[(chat_id, user_id)] = status

    # -- what the bot did ----------------------------------------------------------------------------

    def calls_to(self, method: str, *, match: Callable[[Call], bool] | None = None, **where: Any) -> list[Call]:
        """Calls of `method` whose parameters equal `where` (e.g. chat_id=111) and that `match` accepts."""
        name = method.lower()
        return [
            c for c in self.calls
            if c.method.lower() == name and c.matches(**where) and (match is None or match(c))
        ]

    async def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = WAIT_SECONDS,
        match: Callable[[Call], bool] | None = None,
        **where: Any,
    ) -> Call:
        """The `count`-th call of `method` matching `where` and `match`, waiting for it."""
        await self._wait(
            lambda: len(self.calls_to(method, match=match, **where)) >= count,
            timeout,
            f"{count} call(s) of {method} {where or ''}",
        )
        return self.calls_to(method, match=match, **where)[count - 1]

    async def _wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                seen = ", ".join(c.method for c in self.calls[-20:])
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; last calls: {seen}")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                pass

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # -- HTTP ----------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = request.match_info["method"]
        params, files = await _read_params(request)
        call = Call(method=method, params=params, files=files, token=token)
        self.calls.append(call)
        self._notify()
        if token != self.token:
            return error(401, "Unauthorized").response()

        queue = self._scripts.get(method.lower())
        if queue:
            scripted = queue.popleft()
            if isinstance(scripted, Hold):
                scripted.arrived.set()
                try:
                    await asyncio.wait_for(scripted._released.wait(), HOLD_LIMIT_SECONDS)
                except TimeoutError:
                    pass
                scripted = scripted.then
            if isinstance(scripted, Disconnect):
                assert request.transport is not None
                request.transport.close()
                raise asyncio.CancelledError  # aiohttp drops the request without writing a response
            if isinstance(scripted, Reply):
                return scripted.response()

        name = method.lower()
        if name in self._custom:
            return ok(self._custom[name](call)).response()
        if name == "getupdates":
            return await self._get_updates(call)
        handler = getattr(self, f"_m_{name}", None)
        if handler is None:
            return error(404, "Not Found").response()
        result = handler(call)
        return result.response() if isinstance(result, Reply) else ok(result).response()

    async def _get_updates(self, call: Call) -> web.Response:
        if self.webhook:
            return error(
                409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
            ).response()
        offset = int(call.params.get("offset") or 0)
        limit = int(call.params.get("limit") or 100)
        timeout = float(call.params.get("timeout") or 0)
        if "allowed_updates" in call.params:
            self._allowed_updates = call.params["allowed_updates"] or None
        if offset > 0:  # confirms every update before it
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        if self._allowed_updates:  # Telegram drops updates of the other types
            kept = [u for u in self._updates if _update_type(u) in self._allowed_updates]
            self._updates = deque(kept)

        deadline = asyncio.get_running_loop().time() + timeout
        while not self._updates and not self._closing:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                break
            if self._allowed_updates:
                self._updates = deque(u for u in self._updates if _update_type(u) in self._allowed_updates)
        batch = list(itertools.islice(self._updates, limit))
        self.delivered.extend(u["update_id"] for u in batch)
        if batch:
            self._notify()
        return ok(batch).response()

    # -- method results (named _m_<lowercased method>) ---------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Privacy Desk", "username": self.username}

    def _m_getme(self, call: Call) -> Any:
        return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    def _m_logout(self, call: Call) -> Any:
        return True

    def _m_close(self, call: Call) -> Any:
        return True

    def _m_deletewebhook(self, call: Call) -> Any:
        self.webhook = None
        if _true(call.params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    def _m_setwebhook(self, call: Call) -> Any:
        url = call.params.get("url") or ""
        if not url:
            self.webhook = None
            return True
        self.webhook = {"url": url, "secret_token": call.params.get("secret_token"),
                        "allowed_updates": call.params.get("allowed_updates")}
        if "allowed_updates" in call.params:
            self._allowed_updates = call.params["allowed_updates"] or None
        return True

    def _m_getwebhookinfo(self, call: Call) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    def _m_setmycommands(self, call: Call) -> Any:
        scope = (call.params.get("scope") or {}).get("type", "default")
        self.commands[(scope, call.params.get("language_code") or "")] = call.params.get("commands") or []
        return True

    def _m_getmycommands(self, call: Call) -> Any:
        scope = (call.params.get("scope") or {}).get("type", "default")
        return self.commands.get((scope, call.params.get("language_code") or ""), [])

    def _m_deletemycommands(self, call: Call) -> Any:
        scope = (call.params.get("scope") or {}).get("type", "default")
        self.commands.pop((scope, call.params.get("language_code") or ""), None)
        return True

    def _store_message(self, message: dict[str, Any]) -> dict[str, Any]:
        self.messages[(message["chat"]["id"], message["message_id"])] = message
        return message

    def _sent_message(self, call: Call, **content: Any) -> dict[str, Any]:
        chat_id = _int(call.params.get("chat_id"))
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": self.bot_user(),
            **content,
        }
        if call.params.get("message_thread_id"):
            message["message_thread_id"] = _int(call.params["message_thread_id"])
            message["is_topic_message"] = True
        if isinstance(call.params.get("reply_markup"), dict) and "inline_keyboard" in call.params["reply_markup"]:
            message["reply_markup"] = call.params["reply_markup"]
        return self._store_message(message)

    def _m_sendmessage(self, call: Call) -> Any:
        text = call.params.get("text") or ""
        if not text.strip():
            return error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return error(400, "Bad Request: message is too long")
        return self._sent_message(call, text=text)

    def _m_senddocument(self, call: Call) -> Any:
        upload = call.upload("document")
        document: dict[str, Any] = {"file_id": f"DOC{len(self.calls)}", "file_unique_id": f"U{len(self.calls)}"}
        if upload is not None:
            document.update(file_name=upload.filename, file_size=len(upload.content),
                            mime_type=upload.content_type)
        caption = call.params.get("caption")
        if caption and len(caption) > 1024:
            return error(400, "Bad Request: message caption is too long")
        return self._sent_message(call, document=document, **({"caption": caption} if caption else {}))

    def _m_sendphoto(self, call: Call) -> Any:
        photo = [{"file_id": f"PH{len(self.calls)}", "file_unique_id": f"P{len(self.calls)}", "width": 1, "height": 1}]
        caption = call.params.get("caption")
        return self._sent_message(call, photo=photo, **({"caption": caption} if caption else {}))

    def _m_copymessage(self, call: Call) -> Any:
        return {"message_id": next(self._message_ids)}

    def _m_forwardmessage(self, call: Call) -> Any:
        return self._sent_message(call, text="(forwarded)")

    def _edit(self, call: Call, **changes: Any) -> Any:
        if call.params.get("inline_message_id"):
            return True
        key = (_int(call.params.get("chat_id")), _int(call.params.get("message_id")))
        message = self.messages.get(key)
        if message is None:
            return error(400, "Bad Request: message to edit not found")
        markup = call.params.get("reply_markup")
        updated = {**message, **changes}
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            updated["reply_markup"] = markup
        else:
            updated.pop("reply_markup", None)
        if updated == message:
            return error(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message",
            )
        updated["edit_date"] = int(time.time())
        return self._store_message(updated)

    def _m_editmessagetext(self, call: Call) -> Any:
        return self._edit(call, text=call.params.get("text") or "")

    def _m_editmessagecaption(self, call: Call) -> Any:
        return self._edit(call, caption=call.params.get("caption") or "")

    def _m_editmessagereplymarkup(self, call: Call) -> Any:
        return self._edit(call)

    def _m_deletemessage(self, call: Call) -> Any:
        key = (_int(call.params.get("chat_id")), _int(call.params.get("message_id")))
        self.messages.pop(key, None)
        return True

    def _m_answercallbackquery(self, call: Call) -> Any:
        return True

    def _m_sendchataction(self, call: Call) -> Any:
        return True

    def _m_setmessagereaction(self, call: Call) -> Any:
        return True

    def _m_getchatmember(self, call: Call) -> Any:
        chat_id, user_id = _int(call.params.get("chat_id")), _int(call.params.get("user_id"))
        status = self.chat_members.get((chat_id, user_id), "left")
        member: dict[str, Any] = {"status": status, "user": self.user(user_id, None, "Member")}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {name: False for name in (
                    "can_be_edited", "is_anonymous", "can_delete_messages", "can_manage_video_chats",
                    "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
                    "can_post_stories", "can_edit_stories", "can_delete_stories", "can_send_welcome_messages")},
                can_manage_chat=True,
            )
        elif status == "restricted":
            member.update(is_member=True, until_date=0, **{name: True for name in (
                "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
                "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
                "can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages", "can_edit_tag",
                "can_change_info",
                "can_invite_users", "can_pin_messages", "can_manage_topics")})
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _m_createforumtopic(self, call: Call) -> Any:
        return {"message_thread_id": next(self._topic_ids), "name": call.params.get("name") or "",
                "icon_color": int(call.params.get("icon_color") or 7322096)}

    def _m_editforumtopic(self, call: Call) -> Any:
        return True

    def _m_closeforumtopic(self, call: Call) -> Any:
        return True

    def _m_reopenforumtopic(self, call: Call) -> Any:
        return True

    def _m_deleteforumtopic(self, call: Call) -> Any:
        return True


@pytest_asyncio.fixture
async def bot_api() -> AsyncIterator[FakeBotAPI]:
    """A started FakeBotAPI, closed after the test."""
    async with FakeBotAPI() as api:
        yield api


def _update_type(update: dict[str, Any]) -> str:
    return next((name for name in UPDATE_TYPES if name in update), "")


def _true(value: Any) -> bool:
    return str(value).lower() in ("true", "1")


def _int(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Query string, then the body (urlencoded, multipart or JSON), with JSON-valued fields decoded."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            params.update({k: v for k, v in body.items()})
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.file.read(), value.content_type)
                else:
                    params[key] = value
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass
    return params, files
