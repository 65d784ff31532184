"""A fake Telegram Bot API for flow tests, plus builders for incoming updates.

``FakeTelegram`` is a ``telegram.request.BaseRequest``: give it to
``ApplicationBuilder().request(...)`` (and ``.get_updates_request(...)``; one instance can
serve both) and the real ``Bot``/``Application`` talk to it instead of api.telegram.org.
It answers with the JSON Telegram would send, so PTB builds real ``Message`` objects and
raises its real exceptions, and it records every call for assertions::

    fake = FakeTelegram()
    app = ApplicationBuilder().token("999000:TEST").request(fake).get_updates_request(fake)
    ...
    await app.process_update(UpdateFactory(app.bot).text(alice, "/start"))
    assert fake.last_sent(alice.id)["text"] == "..."

What it checks the way Telegram does (so bugs show up in tests, not in production):
HTML with ``parse_mode="HTML"`` must parse (unknown or unbalanced tags, a stray ``<``),
text at most 4096 characters and captions 1024 after entity parsing, non-empty text,
``callback_data`` of 1-64 bytes, and editing a message to exactly what it already shows
("message is not modified"). Messages it does not know about (e.g. fabricated by
``UpdateFactory.callback`` with an explicit id) are edited and deleted leniently.

Failures are injected with ``fail_next`` / ``timeout_next`` / ``network_error_next``,
``block_user``, or a general ``set_failure_rule``; ``latency`` adds a random delay per call.
Everything is plain asyncio: many concurrent calls are fine.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from telegram import Bot, Update
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON = dict[str, Any]
ChatId = int | str
ChatLike = JSON | int | None
FailureRule = Callable[[str, JSON], "JSON | Exception | None"]

BOT_ID = 999000
BOT_USERNAME = "xianfeng_test_bot"
BOT_FIRST_NAME = "先锋"
BOT_USER: JSON = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": BOT_FIRST_NAME,
    "username": BOT_USERNAME,
}

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_ROW_BUTTONS = 8
MAX_BUTTONS = 100

_SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendLocation"})
_MESSAGE_SENDS = ("sendMessage", "sendPhoto", "sendDocument")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a content and reply markup of the current message"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


# --------------------------------------------------------------------------- records


@dataclass
class Upload:
    """A file uploaded in a request (instead of a file id or URL)."""

    filename: str
    content: bytes
    mimetype: str


@dataclass
class Call:
    """One Bot API request as the fake saw it.

    ``ok`` is None while the call is in flight, True when Telegram would have accepted it
    (also for a ``timeout_next(delivered=True)``: the message arrived, the bot saw TimedOut),
    False when it was answered with an error or never arrived. ``error`` names what the bot
    got instead of a result; ``result`` is the JSON result that was sent back.
    """

    method: str
    params: JSON
    ok: bool | None = None
    error: str | None = None
    result: Any = None


class ApiError(Exception):
    """Raised inside the fake to answer a request with a Telegram error body."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.body = error_response(error_code, description, retry_after)


def error_response(error_code: int, description: str, retry_after: int | None = None) -> JSON:
    """The JSON Telegram answers a failed request with."""
    body: JSON = {"ok": False, "error_code": error_code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


@dataclass
class _Injected:
    method: str
    chat_id: ChatId | None
    times: int
    body: JSON | None = None
    exception: Callable[[], Exception] | None = None
    delivered: bool = False


# --------------------------------------------------------------------------- HTML


_TELEGRAM_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_entity(name: str) -> str:
    if name in _NAMED:
        return _NAMED[name]
    code = int(name[2:], 16) if name.startswith("#x") else int(name[1:])
    return chr(code) if 0 < code <= 0x10FFFF else ""


def parse_html(text: str) -> str:
    """Parse Telegram-flavoured HTML like the Bot API does; return the plain text.

    Raises ``ValueError`` with Telegram's wording when Telegram would refuse the text with
    "Bad Request: can't parse entities: ...". Unknown ``&...;`` sequences stay as they are.
    """

    def offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            m = _ENTITY.match(text, i)
            out.append(_decode_entity(m.group(1)) if m else "&")
            i = m.end() if m else i + 1
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i >= n or text[i] != "/":
            j = i
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            if j >= n:
                raise ValueError(f"Unclosed start tag at byte offset {offset(begin)}")
            name = text[i:j].lower()
            if name not in _TELEGRAM_TAGS:
                raise ValueError(f'Unsupported start tag "{name}" at byte offset {offset(begin)}')
            end = text.find(">", j)
            if end == -1:
                raise ValueError(f"Unclosed start tag at byte offset {offset(begin)}")
            if name == "span" and "tg-spoiler" not in text[j:end]:
                raise ValueError('Tag "span" must have class "tg-spoiler"')
            stack.append(name)
            i = end + 1
        else:
            if not stack:
                raise ValueError(f"Unexpected end tag at byte offset {offset(begin)}")
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_-"):
                j += 1
            name = text[i + 1 : j].lower()
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise ValueError(f"Unclosed end tag at byte offset {offset(begin)}")
            expected = stack[-1]
            if name and name != expected:
                raise ValueError(
                    f"Unmatched end tag at byte offset {offset(begin)}, "
                    f'expected "</{expected}>", found "</{name}>"'
                )
            stack.pop()
            i = j + 1
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


# --------------------------------------------------------------------------- the fake


def _as_int(value: Any) -> ChatId:
    """A chat or user id from a request parameter: an int, or an "@username" string."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return str(value)


class FakeTelegram(BaseRequest):
    """A ``BaseRequest`` that answers like the Bot API and records every call."""

    def __init__(
        self,
        *,
        latency: tuple[float, float] | None = None,
        clock: Callable[[], float] = time.time,
        check_html: bool = True,
        not_modified_errors: bool = True,
        read_timeout: float = 5.0,
        poll_interval: float = 0.01,
    ) -> None:
        self.latency = latency
        self.clock = clock
        self.check_html = check_html
        self.not_modified_errors = not_modified_errors
        self.read_timeout_default = read_timeout
        self.poll_interval = poll_interval
        self.calls: list[Call] = []
        self.chats: dict[ChatId, JSON] = {}
        self.users: dict[int, JSON] = {}
        self.files: dict[str, bytes] = {}
        self._counter = itertools.count(1)
        self._chat_counters: dict[ChatId, int] = {}
        self._messages: dict[tuple[ChatId, int], JSON] = {}
        self._raw: dict[tuple[ChatId, int], tuple[str | None, Any]] = {}
        self._members: dict[tuple[ChatId, int], JSON] = {}
        self._commands: dict[str, list[JSON]] = {}
        self._injected: list[_Injected] = []
        self._failure_rule: FailureRule | None = None
        self._blocked: set[ChatId] = set()
        self._pending_updates: list[JSON] = []
        self.webhook: JSON | None = None
        """What setWebhook set (url, secret_token); None after deleteWebhook."""

    # ------------------------------------------------------------ BaseRequest

    @property
    def read_timeout(self) -> float | None:
        return self.read_timeout_default

    async def initialize(self) -> None:
        """Nothing to open; safe to call repeatedly (PTB calls it once per role)."""

    async def shutdown(self) -> None:
        """Nothing to close; safe to call repeatedly."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # File.download_*: bot.request.retrieve(file URL)
            file_id = url.rstrip("/").rsplit("/", 1)[-1]
            return 200, self.files.get(file_id, b"fake file " + file_id.encode())

        api_method = url.rstrip("/").rsplit("/", 1)[-1]
        params = self._params(request_data)
        call = Call(api_method, params)
        self.calls.append(call)

        injected = self._take_injected(api_method, params)
        timed_out = await self._wait_latency(read_timeout)

        if injected is not None and injected.exception is not None and not injected.delivered:
            exc = injected.exception()
            call.ok, call.error = False, type(exc).__name__
            raise exc
        if injected is not None and injected.body is not None:
            return self._reply_error(call, injected.body)

        try:
            result = await self._answer(api_method, params)
        except ApiError as err:
            return self._reply_error(call, err.body)
        call.ok, call.result = True, result

        if injected is not None and injected.exception is not None:  # delivered, then lost
            exc = injected.exception()
            call.error = type(exc).__name__
            raise exc
        if timed_out:
            call.error = "TimedOut"
            raise TimedOut("Timed out (fake latency exceeded read_timeout)")
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # ------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: ChatId | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``) with an error.

        429 defaults to ``retry_after=1`` and "Too Many Requests: retry after N"; other codes
        get a typical description. PTB raises RetryAfter (429), Forbidden (403),
        BadRequest (400, "Bad Request: " stripped and the rest capitalised).
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
            )
        body = error_response(error_code, description, retry_after)
        self._injected.append(_Injected(method, _chat_or_none(chat_id), times, body=body))

    def timeout_next(
        self,
        method: str,
        chat_id: ChatId | None = None,
        times: int = 1,
        *,
        delivered: bool = False,
    ) -> None:
        """Raise ``TimedOut`` for the next ``times`` calls; with ``delivered=True`` the call
        still takes effect (the message arrives) and only the answer is lost."""
        self._injected.append(
            _Injected(
                method,
                _chat_or_none(chat_id),
                times,
                exception=lambda: TimedOut("Timed out (injected)"),
                delivered=delivered,
            )
        )

    def network_error_next(
        self,
        method: str,
        chat_id: ChatId | None = None,
        times: int = 1,
        *,
        message: str = "httpx.ConnectError: All connection attempts failed",
    ) -> None:
        """Raise ``NetworkError`` (not delivered) for the next ``times`` calls."""
        self._injected.append(
            _Injected(
                method, _chat_or_none(chat_id), times, exception=lambda: NetworkError(message)
            )
        )

    def set_failure_rule(self, rule: FailureRule | None) -> None:
        """Consult ``rule(method, params)`` on every call (after ``fail_next`` & co.).

        It returns None (answer normally), an error body (see ``error_response``), or an
        exception to raise (not delivered). ``None`` removes the rule.
        """
        self._failure_rule = rule

    def block_user(self, chat_id: int, blocked: bool = True) -> None:
        """Sends and edits to this chat get 403 "Forbidden: bot was blocked by the user"."""
        if blocked:
            self._blocked.add(chat_id)
        else:
            self._blocked.discard(chat_id)

    # ------------------------------------------------------------ world state

    def register_chat(
        self,
        chat_id: ChatId,
        type: Literal["private", "group", "supergroup", "channel"],
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        """Describe a chat, so answers (and ``getChat``) use its type and title."""
        chat: JSON = {"id": chat_id, "type": type}
        if type == "private":
            chat["first_name"] = first_name or f"User{chat_id}"
            if last_name:
                chat["last_name"] = last_name
        else:
            chat["title"] = title or f"Chat {chat_id}"
        if username:
            chat["username"] = username
        self.chats[chat_id] = chat
        return dict(chat)

    def register_user(self, user: FakeUser) -> None:
        """Remember a user, for ``getChatMember`` and their private chat."""
        self.users[user.id] = user.to_dict()
        self.chats.setdefault(user.id, user.private_chat())

    def set_bot_member_status(
        self,
        chat_id: ChatId,
        status: Literal["member", "administrator", "left", "kicked"] = "administrator",
        *,
        can_post_messages: bool = True,
    ) -> None:
        """What ``getChatMember(chat_id, <bot>)`` says. By default the bot is an
        administrator with ``can_post_messages`` in every group and channel."""
        self.set_member_status(chat_id, BOT_ID, status, can_post_messages=can_post_messages)

    def set_member_status(
        self,
        chat_id: ChatId,
        user_id: int,
        status: Literal["creator", "member", "administrator", "left", "kicked"],
        *,
        can_post_messages: bool = False,
    ) -> None:
        """What ``getChatMember(chat_id, user_id)`` says (default: "member")."""
        self._members[(chat_id, user_id)] = {
            "status": status,
            "can_post_messages": can_post_messages,
        }

    def queue_update(self, update: Update | JSON) -> None:
        """Hand an update to the next ``getUpdates`` (for ``run_polling`` tests)."""
        data = update.to_dict() if isinstance(update, Update) else update
        self._pending_updates.append(data)

    def next_message_id(self, chat_id: ChatId) -> int:
        """Message ids are per chat and shared by the bot's and the users' messages."""
        value = self._chat_counters.get(chat_id, 0) + 1
        self._chat_counters[chat_id] = value
        return value

    def chat(self, chat_id: ChatId) -> JSON:
        """The Chat JSON for an id: registered, else private (> 0) or supergroup (< 0)."""
        if chat_id in self.chats:
            return dict(self.chats[chat_id])
        if isinstance(chat_id, str):  # "@username": public groups and channels
            for chat in self.chats.values():
                if f"@{chat.get('username')}".lower() == chat_id.lower():
                    return dict(chat)
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id > 0:
            user = self.users.get(chat_id)
            if user is not None:
                return {
                    k: v
                    for k, v in user.items()
                    if k in ("id", "first_name", "last_name", "username")
                } | {"type": "private"}
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}

    def message(self, chat_id: ChatId, message_id: int) -> JSON | None:
        """The current state (after edits) of a message the bot sent, or None."""
        found = self._messages.get((chat_id, message_id))
        return dict(found) if found is not None else None

    def messages_in(self, chat_id: ChatId) -> list[JSON]:
        """Messages the bot sent to a chat and has not deleted, oldest first, as shown now."""
        keys = sorted(k for k in self._messages if k[0] == chat_id)
        return [dict(self._messages[k]) for k in keys]

    # ------------------------------------------------------------ assertions

    def clear(self) -> None:
        """Forget recorded calls and pending injected failures (not the world state)."""
        self.calls.clear()
        self._injected.clear()

    def calls_to(self, method: str) -> list[Call]:
        """Every call of ``method``, in order, whatever its outcome."""
        return [c for c in self.calls if c.method == method]

    def sent_messages(self, chat_id: ChatId | None = None) -> list[JSON]:
        """Params of every delivered sendMessage/sendPhoto/sendDocument, optionally to one chat."""
        return [
            c.params
            for c in self.calls
            if c.method in _MESSAGE_SENDS
            and c.ok
            and (chat_id is None or _as_int(c.params.get("chat_id")) == chat_id)
        ]

    def last_sent(self, chat_id: ChatId) -> JSON:
        """Params of the last delivered sendMessage/sendPhoto/sendDocument to ``chat_id``."""
        sent = self.sent_messages(chat_id)
        if not sent:
            chats = sorted({str(p.get("chat_id")) for p in self.sent_messages()})
            raise AssertionError(f"nothing was sent to {chat_id}; messages went to {chats}")
        return sent[-1]

    def texts(self, chat_id: ChatId) -> list[str]:
        """Text or caption of every delivered send and edit to ``chat_id``, in order."""
        out: list[str] = []
        for c in self.calls:
            if not c.ok or _as_int(c.params.get("chat_id")) != chat_id:
                continue
            if c.method in ("sendMessage", "editMessageText"):
                out.append(str(c.params.get("text", "")))
            elif c.method in ("sendPhoto", "sendDocument", "editMessageCaption"):
                out.append(str(c.params.get("caption", "")))
        return out

    @staticmethod
    def buttons(params: JSON) -> list[tuple[str, str | None]]:
        """Flatten the inline keyboard in a call's params (or a message) into
        ``(text, callback_data)`` pairs; URL and other buttons have ``None``."""
        markup = params.get("reply_markup") or {}
        return [
            (button["text"], button.get("callback_data"))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]

    # ------------------------------------------------------------ internals

    def _params(self, request_data: RequestData | None) -> JSON:
        if request_data is None:
            return {}
        params: JSON = dict(request_data.parameters)
        for name, (filename, content, mimetype) in request_data.multipart_data.items():
            data = content if isinstance(content, bytes) else _read(content)
            params[name] = Upload(filename, data, mimetype)
        return params

    def _take_injected(self, method: str, params: JSON) -> _Injected | None:
        chat_id = _as_int(params["chat_id"]) if "chat_id" in params else None
        for rule in self._injected:
            if rule.method == method and (rule.chat_id is None or rule.chat_id == chat_id):
                rule.times -= 1
                if rule.times <= 0:
                    self._injected.remove(rule)
                return rule
        if self._failure_rule is not None:
            outcome = self._failure_rule(method, params)
            if isinstance(outcome, Exception):
                exc = outcome
                return _Injected(method, None, 1, exception=lambda: exc)
            if outcome is not None:
                return _Injected(method, None, 1, body=outcome)
        if chat_id in self._blocked and method.startswith(("send", "edit", "copy", "forward")):
            body = error_response(403, "Forbidden: bot was blocked by the user")
            return _Injected(method, chat_id, 1, body=body)
        return None

    async def _wait_latency(self, read_timeout: ODVInput[float]) -> bool:
        """Sleep the simulated latency; True if it ran past the read timeout."""
        if self.latency is None:
            return False
        delay = random.uniform(*self.latency)
        limit = (
            self.read_timeout_default if isinstance(read_timeout, DefaultValue) else read_timeout
        )
        if limit is not None and delay > limit:
            await asyncio.sleep(limit)
            return True
        await asyncio.sleep(delay)
        return False

    @staticmethod
    def _reply_error(call: Call, body: JSON) -> tuple[int, bytes]:
        if body.get("ok"):
            call.ok, call.result = True, body.get("result")
            return 200, json.dumps(body).encode()
        call.ok, call.error = False, str(body.get("description"))
        return int(body.get("error_code", 400)), json.dumps(body).encode()

    async def _answer(self, method: str, p: JSON) -> Any:
        handler = getattr(self, "_m_" + method, None)
        if handler is None:
            return True  # unknown methods succeed (and are recorded)
        result = handler(p)
        return await result if inspect.isawaitable(result) else result

    # messages

    def _now(self) -> int:
        return int(self.clock())

    def _render(self, text: Any, parse_mode: Any, limit: int, what: str) -> str:
        raw = "" if text is None else str(text)
        plain = raw
        if parse_mode is not None and str(parse_mode).upper() == "HTML" and self.check_html:
            try:
                plain = parse_html(raw)
            except ValueError as err:
                raise ApiError(400, f"Bad Request: can't parse entities: {err}") from None
        if len(plain) > limit:
            raise ApiError(400, f"Bad Request: {what} is too long")
        return plain

    @staticmethod
    def _check_markup(markup: Any) -> Any:
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return None  # reply keyboards are not echoed in Message.reply_markup
        rows = markup["inline_keyboard"]
        # Telegram's limits on an inline keyboard: 8 buttons a row, 100 in all.
        if any(len(row) > MAX_ROW_BUTTONS for row in rows) or (
            sum(len(row) for row in rows) > MAX_BUTTONS
        ):
            raise ApiError(400, "Bad Request: REPLY_MARKUP_TOO_LONG")
        for row in rows:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _new_message(self, p: JSON, **content: Any) -> JSON:
        chat_id = _as_int(p.get("chat_id"))
        chat = self.chat(chat_id)
        chat_id = chat["id"]
        markup = self._check_markup(p.get("reply_markup"))
        message: JSON = {
            "message_id": self.next_message_id(chat_id),
            "date": self._now(),
            "chat": chat,
        }
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = dict(BOT_USER)
        message.update({k: v for k, v in content.items() if v is not None})
        if markup is not None:
            message["reply_markup"] = markup
        key = (chat_id, message["message_id"])
        self._messages[key] = message
        self._raw[key] = (p.get("text", p.get("caption")), p.get("reply_markup"))
        return message

    def _m_sendMessage(self, p: JSON) -> JSON:
        text = self._render(p.get("text"), p.get("parse_mode"), MAX_TEXT, "message")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        return self._new_message(p, text=text)

    def _caption(self, p: JSON) -> str | None:
        if p.get("caption") is None:
            return None
        return self._render(p["caption"], p.get("parse_mode"), MAX_CAPTION, "message caption")

    def _file_id(self, value: Any, prefix: str) -> tuple[str, int]:
        """The file id Telegram would report, storing uploaded content for getFile."""
        if isinstance(value, Upload):
            file_id = f"{prefix}{next(self._counter)}"
            self.files[file_id] = value.content
            return file_id, len(value.content)
        return str(value), 12345

    def _m_sendPhoto(self, p: JSON) -> JSON:
        file_id, size = self._file_id(p.get("photo"), "AgACPHOTO")
        sizes = [
            {"file_id": f"{file_id}_s", "file_unique_id": f"u{file_id}_s", "width": 90,
             "height": 67, "file_size": min(size, 1500)},
            {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 1280,
             "height": 960, "file_size": size},
        ]  # fmt: skip
        return self._new_message(p, photo=sizes, caption=self._caption(p))

    def _m_sendDocument(self, p: JSON) -> JSON:
        value = p.get("document")
        file_id, size = self._file_id(value, "BQACDOC")
        name = value.filename if isinstance(value, Upload) else "document"
        mime = value.mimetype if isinstance(value, Upload) else "application/octet-stream"
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": name,
            "mime_type": mime,
            "file_size": size,
        }
        return self._new_message(p, document=document, caption=self._caption(p))

    def _m_sendLocation(self, p: JSON) -> JSON:
        location = {"latitude": p.get("latitude"), "longitude": p.get("longitude")}
        return self._new_message(p, location=location)

    def _m_sendMediaGroup(self, p: JSON) -> list[JSON]:
        out = []
        for item in p.get("media", []):
            kind = item.get("type", "photo")
            media = item.get("media")
            if isinstance(media, str) and media.startswith("attach://"):
                media = p.get(media.removeprefix("attach://"))
            sub = {**item, "chat_id": p.get("chat_id"), kind: media}
            sender = self._m_sendDocument if kind == "document" else self._m_sendPhoto
            out.append(sender(sub))
        return out

    def _edit(self, p: JSON, field_name: str | None, plain: str | None) -> JSON | bool:
        if "inline_message_id" in p:
            return True
        chat_id = _as_int(p.get("chat_id"))
        message_id = int(p.get("message_id", 0))
        markup = self._check_markup(p.get("reply_markup"))
        key = (chat_id, message_id)
        if key not in self._messages:  # a message this fake never sent: be lenient
            self._messages[key] = {
                "message_id": message_id,
                "date": self._now(),
                "chat": self.chat(chat_id),
                "from": dict(BOT_USER),
            }
            self._raw[key] = (None, None)
        message = self._messages[key]
        old_raw, old_markup = self._raw[key]
        new_raw = p.get(field_name) if field_name else old_raw
        if (
            self.not_modified_errors
            and old_raw == new_raw
            and (old_markup or None) == (p.get("reply_markup") or None)
        ):
            raise ApiError(400, _NOT_MODIFIED)
        if field_name is not None and plain is not None:
            message[field_name] = plain
        elif field_name is not None:
            message.pop(field_name, None)
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        message["edit_date"] = self._now()
        self._raw[key] = (new_raw, p.get("reply_markup"))
        return dict(message)

    def _m_editMessageText(self, p: JSON) -> JSON | bool:
        text = self._render(p.get("text"), p.get("parse_mode"), MAX_TEXT, "message")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        return self._edit(p, "text", text)

    def _m_editMessageCaption(self, p: JSON) -> JSON | bool:
        return self._edit(p, "caption", self._caption(p))

    def _m_editMessageReplyMarkup(self, p: JSON) -> JSON | bool:
        return self._edit(p, None, None)

    def _m_deleteMessage(self, p: JSON) -> bool:
        key = (_as_int(p.get("chat_id")), int(p.get("message_id", 0)))
        self._messages.pop(key, None)
        self._raw.pop(key, None)
        return True

    def _m_copyMessage(self, p: JSON) -> JSON:
        key = (_as_int(p.get("from_chat_id")), int(p["message_id"]))
        source = self._messages.get(key) or {}
        content = {k: source[k] for k in ("text", "caption", "photo", "document") if k in source}
        message = self._new_message(p, **(content or {"text": "(copy)"}))
        return {"message_id": message["message_id"]}

    def _m_forwardMessage(self, p: JSON) -> JSON:
        source_chat = self.chat(_as_int(p.get("from_chat_id")))
        source = self._messages.get((source_chat["id"], int(p["message_id"]))) or {}
        content = {k: source[k] for k in ("text", "caption", "photo", "document") if k in source}
        if source_chat["type"] == "channel":
            origin: JSON = {"type": "channel", "chat": source_chat, "message_id": p["message_id"]}
        elif source_chat["type"] == "private":
            origin = {"type": "user", "sender_user": BOT_USER}
        else:
            origin = {"type": "chat", "sender_chat": source_chat}
        origin["date"] = source.get("date", self._now())
        return self._new_message(p, forward_origin=origin, **(content or {"text": "(forward)"}))

    # chats, members, commands, misc

    def _m_getMe(self, p: JSON) -> JSON:
        return BOT_USER | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_getChat(self, p: JSON) -> JSON:
        chat = self.chat(_as_int(p.get("chat_id")))
        return chat | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def chat_member(self, chat_id: ChatId, user_id: int) -> JSON:
        """The ChatMember JSON ``getChatMember`` answers with."""
        chat = self.chat(chat_id)
        user = BOT_USER if user_id == BOT_ID else self.users.get(user_id)
        if user is None:
            user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        default = "administrator" if user_id == BOT_ID and chat["type"] != "private" else "member"
        spec = self._members.get((chat["id"], user_id), {"status": default})
        status = spec["status"]
        if status == "administrator":
            can_post = spec.get("can_post_messages", True)
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": True,
                "can_edit_stories": True,
                "can_delete_stories": True,
                "can_post_messages": can_post,
                "can_edit_messages": can_post,
                "can_pin_messages": True,
            }
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}

    def _m_getChatMember(self, p: JSON) -> JSON:
        return self.chat_member(_as_int(p.get("chat_id")), int(p["user_id"]))

    def _m_getChatAdministrators(self, p: JSON) -> list[JSON]:
        chat_id = self.chat(_as_int(p.get("chat_id")))["id"]
        user_ids = {BOT_ID} | {u for (c, u) in self._members if c == chat_id}
        members = [self.chat_member(chat_id, u) for u in sorted(user_ids)]
        return [m for m in members if m["status"] in ("administrator", "creator")]

    def _m_getChatMemberCount(self, p: JSON) -> int:
        return 2

    def _m_leaveChat(self, p: JSON) -> bool:
        chat = self.chat(_as_int(p.get("chat_id")))
        self._members[(chat["id"], BOT_ID)] = {"status": "left"}
        return True

    @staticmethod
    def _commands_key(p: JSON) -> str:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps([scope, p.get("language_code") or ""], sort_keys=True)

    def _m_setMyCommands(self, p: JSON) -> bool:
        self._commands[self._commands_key(p)] = list(p.get("commands", []))
        return True

    def _m_deleteMyCommands(self, p: JSON) -> bool:
        self._commands.pop(self._commands_key(p), None)
        return True

    def _m_getMyCommands(self, p: JSON) -> list[JSON]:
        return self._commands.get(self._commands_key(p), [])

    def _m_getFile(self, p: JSON) -> JSON:
        file_id = str(p.get("file_id"))
        size = len(self.files[file_id]) if file_id in self.files else 12345
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": size,
            "file_path": f"files/{file_id}",
        }

    async def _m_getUpdates(self, p: JSON) -> list[JSON]:
        offset = int(p.get("offset") or 0)
        self._pending_updates = [u for u in self._pending_updates if u["update_id"] >= offset]
        if not self._pending_updates:
            await asyncio.sleep(self.poll_interval)
        limit = int(p.get("limit") or 100)
        return self._pending_updates[:limit]

    def _m_setWebhook(self, p: JSON) -> bool:
        self.webhook = {"url": str(p["url"]), "secret_token": p.get("secret_token")}
        return True

    def _m_deleteWebhook(self, p: JSON) -> bool:
        self.webhook = None
        return True

    def _m_getWebhookInfo(self, p: JSON) -> JSON:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}


def _chat_or_none(chat_id: ChatId | None) -> ChatId | None:
    return None if chat_id is None else _as_int(chat_id)


def _read(content: IO[bytes] | Any) -> bytes:
    data = content.read()
    return data if isinstance(data, bytes) else str(data).encode()


# --------------------------------------------------------------------------- updates


@dataclass
class FakeUser:
    """A Telegram user who talks to the bot."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh-hans"

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    def private_chat(self) -> JSON:
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat


def group_chat(
    chat_id: int,
    title: str = "先锋测试群",
    chat_type: Literal["group", "supergroup", "channel"] = "supergroup",
) -> JSON:
    """A group/supergroup/channel Chat JSON."""
    return {"id": chat_id, "type": chat_type, "title": title}


@dataclass
class UpdateFactory:
    """Builds real ``telegram.Update`` objects (with the bot attached) for ``process_update``.

    If the bot talks to a ``FakeTelegram``, the factory uses it: message ids come from the
    same per-chat sequence, users and group chats are registered, uploaded document content
    is downloadable, and ``callback``/``press`` use the message the bot actually sent.
    """

    bot: Bot
    fake: FakeTelegram | None = None
    update_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(1), init=False, repr=False
    )
    _ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(1), init=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.fake is None:
            request = self.bot.request
            if isinstance(request, FakeTelegram):
                self.fake = request

    # ------------------------------------------------------------ plumbing

    def _now(self) -> int:
        return int(self.fake.clock()) if self.fake else int(time.time())

    def _chat(self, user: FakeUser, chat: ChatLike) -> JSON:
        if self.fake is not None:
            self.fake.register_user(user)
        if chat is None:
            return user.private_chat()
        if isinstance(chat, int):
            if self.fake is not None:
                return self.fake.chat(chat)
            return user.private_chat() if chat > 0 else group_chat(chat)
        if self.fake is not None and chat["type"] != "private":
            self.fake.chats.setdefault(chat["id"], dict(chat))
        return dict(chat)

    def _message_id(self, chat_id: int) -> int:
        return self.fake.next_message_id(chat_id) if self.fake else next(self._ids)

    def _message(self, user: FakeUser, chat: ChatLike, **content: Any) -> JSON:
        chat_json = self._chat(user, chat)
        message: JSON = {
            "message_id": self._message_id(chat_json["id"]),
            "date": self._now(),
            "chat": chat_json,
            "from": user.to_dict(),
        }
        message.update({k: v for k, v in content.items() if v is not None})
        return message

    def update(self, **payload: JSON) -> Update:
        """An Update from raw JSON parts, e.g. ``update(message={...})``."""
        update = Update.de_json({"update_id": next(self.update_ids), **payload}, self.bot)
        assert update is not None
        return update

    # ------------------------------------------------------------ messages

    def text(self, user: FakeUser, text: str, chat: ChatLike = None) -> Update:
        """A text message; "/cmd args" and "/cmd@bot args" get a bot_command entity."""
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        return self.update(message=self._message(user, chat, text=text, entities=entities))

    def group_text(
        self,
        user: FakeUser,
        chat_id: int,
        text: str,
        chat_type: Literal["group", "supergroup"] = "supergroup",
        title: str = "先锋测试群",
    ) -> Update:
        """A text message (or command) sent in a group."""
        return self.text(user, text, chat=group_chat(chat_id, title, chat_type))

    def group_upgraded(self, user: FakeUser, old_chat_id: int, new_chat_id: int) -> list[Update]:
        """What a group's becoming a supergroup brings: a service line in the old group
        naming the new id, and one in the new supergroup naming the old."""
        old = group_chat(old_chat_id, chat_type="group")
        new = group_chat(new_chat_id, chat_type="supergroup")
        return [
            self.update(message=self._message(user, old, migrate_to_chat_id=new_chat_id)),
            self.update(message=self._message(user, new, migrate_from_chat_id=old_chat_id)),
        ]

    def photo(
        self,
        user: FakeUser,
        file_id: str = "PHOTO1",
        caption: str | None = None,
        chat: ChatLike = None,
    ) -> Update:
        sizes = [
            {"file_id": f"{file_id}_s", "file_unique_id": f"u{file_id}_s", "width": 90,
             "height": 67, "file_size": 1500},
            {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 1280,
             "height": 960, "file_size": 150000},
        ]  # fmt: skip
        return self.update(message=self._message(user, chat, photo=sizes, caption=caption))

    def location(self, user: FakeUser, lat: float, lon: float, chat: ChatLike = None) -> Update:
        location = {"latitude": lat, "longitude": lon}
        return self.update(message=self._message(user, chat, location=location))

    def document(
        self,
        user: FakeUser,
        file_name: str,
        *,
        file_id: str | None = None,
        mime_type: str | None = None,
        content: bytes | None = None,
        caption: str | None = None,
        chat: ChatLike = None,
    ) -> Update:
        """A document; ``content`` becomes what ``get_file(...).download_*`` returns."""
        file_id = file_id or f"DOC{next(self._ids)}"
        if content is not None and self.fake is not None:
            self.fake.files[file_id] = content
        document: JSON = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type or _guess_mime(file_name),
            "file_size": len(content) if content is not None else 2048,
        }
        return self.update(message=self._message(user, chat, document=document, caption=caption))

    def forwarded_from_chat(
        self,
        user: FakeUser,
        chat_id: int,
        chat_type: Literal["channel", "group", "supergroup"] = "channel",
        title: str = "先锋测试频道",
        *,
        text: str = "转发的消息",
        original_message_id: int = 1,
    ) -> Update:
        """A private message forwarded from a channel (MessageOriginChannel) or from a group
        sent on behalf of the group (MessageOriginChat)."""
        source = group_chat(chat_id, title, chat_type)
        origin: JSON
        if chat_type == "channel":
            origin = {"type": "channel", "chat": source, "message_id": original_message_id}
        else:
            origin = {"type": "chat", "sender_chat": source}
        origin["date"] = self._now() - 60
        return self.update(message=self._message(user, None, text=text, forward_origin=origin))

    # ------------------------------------------------------------ callbacks

    def callback(
        self,
        user: FakeUser,
        data: str,
        message_id: int | None = None,
        chat: ChatLike = None,
        message_text: str = "…",
        reply_markup: JSON | None = None,
    ) -> Update:
        """A button press on a message the bot sent.

        Without ``message_id`` it is the bot's latest message in the chat (if the fake knows
        one); the message's current text and keyboard are used when known.
        """
        chat_json = self._chat(user, chat)
        known: JSON | None = None
        if self.fake is not None:
            if message_id is None:
                shown = self.fake.messages_in(chat_json["id"])
                known = shown[-1] if shown else None
            else:
                known = self.fake.message(chat_json["id"], message_id)
        if known is None:
            known = {
                "message_id": message_id or self._message_id(chat_json["id"]),
                "date": self._now() - 1,
                "chat": chat_json,
                "from": dict(BOT_USER),
                "text": message_text,
            }
            if reply_markup is not None:
                known["reply_markup"] = reply_markup
        query = {
            "id": str(next(self._ids) + 7_000_000_000),
            "from": user.to_dict(),
            "chat_instance": f"ci{chat_json['id']}",
            "data": data,
            "message": known,
        }
        return self.update(callback_query=query)

    def press(self, user: FakeUser, button_text: str, chat: ChatLike = None) -> Update:
        """Press the button labelled ``button_text`` on the newest bot message showing it."""
        if self.fake is None:
            raise RuntimeError("press() needs a FakeTelegram (pass fake= or use it as request)")
        chat_id = self._chat(user, chat)["id"]
        seen: list[str] = []
        for message in reversed(self.fake.messages_in(chat_id)):
            for text, data in FakeTelegram.buttons(message):
                if text == button_text and data is not None:
                    return self.callback(user, data, message["message_id"], chat)
                seen.append(text)
        raise AssertionError(f"no button {button_text!r} in chat {chat_id}; buttons: {seen}")

    # ------------------------------------------------------------ membership

    def my_chat_member(
        self,
        user: FakeUser,
        chat_id: int,
        new_status: Literal["member", "administrator", "left", "kicked"] = "administrator",
        old_status: Literal["member", "administrator", "left", "kicked"] = "left",
        chat_type: Literal["group", "supergroup", "channel"] = "supergroup",
        title: str = "先锋测试群",
    ) -> Update:
        """``user`` changed the bot's membership in a group (e.g. added it as admin)."""
        chat = group_chat(chat_id, title, chat_type)
        fake = self.fake or FakeTelegram()  # a throwaway one just to build the JSON
        fake.chats.setdefault(chat_id, dict(chat))
        fake.set_bot_member_status(chat_id, old_status)
        old = fake.chat_member(chat_id, BOT_ID)
        fake.set_bot_member_status(chat_id, new_status)  # the fake now agrees with the update
        new = fake.chat_member(chat_id, BOT_ID)
        payload = {
            "chat": chat,
            "from": user.to_dict(),
            "date": self._now(),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        return self.update(my_chat_member=payload)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _guess_mime(file_name: str) -> str:
    lower = file_name.lower()
    known = {
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xls": "application/vnd.ms-excel",
        ".csv": "text/csv",
        ".pdf": "application/pdf",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".txt": "text/plain",
        ".jpg": "image/jpeg",
        ".png": "image/png",
    }
    return next((v for k, v in known.items() if lower.endswith(k)), "application/octet-stream")
