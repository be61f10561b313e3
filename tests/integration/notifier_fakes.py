"""Local HTTP servers speaking enough of Slack's Web API and Telegram's Bot API for the notifiers.

Both run pytest-httpserver (werkzeug, threaded), record every request with the time it arrived
(``time.monotonic``, the clock our limiters use), and answer like the platforms do:

* Slack: ``POST /api/chat.postMessage`` and ``chat.update`` with a Bearer token → ``{"ok": true,
  "channel": "C…", "ts": "…"}``, or HTTP 200 ``{"ok": false, "error": …}`` (invalid_auth,
  channel_not_found); incoming webhooks at ``/services/…`` answer ``ok`` as text.
* Telegram: ``POST /bot<token>/sendMessage`` and ``editMessageText`` → ``{"ok": true, "result":
  {"message_id", "chat", "text"}}``; a wrong token is 401; text that is not valid Telegram HTML
  (a raw ``<`` or ``&``, an unknown or unbalanced tag) is 400 "can't parse entities", as on Telegram.

``fail_next`` scripts the next answers (a 429 with Retry-After, a 500, a 400) before normal service.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


@dataclass(frozen=True)
class Recorded:
    """One request as the fake saw it."""

    at: float
    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    answered: int


@dataclass(frozen=True)
class Scripted:
    status: int
    body: Any
    headers: dict[str, str]
    method: str | None  # only for this API method; None: the next request of any method


class FakeServer:
    """Shared machinery: the server, the record of requests, the scripted failures."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # its access log would flood test output
        self.server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        self.requests: list[Recorded] = []
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        if self.server.is_running():
            self.server.stop()

    def fail_next(
        self,
        status: int,
        body: Any,
        *,
        headers: dict[str, str] | None = None,
        method: str | None = None,
        times: int = 1,
    ) -> None:
        for _ in range(times):
            self._script.append(Scripted(status, body, headers or {}, method))

    def calls(self, method: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if method is None or r.method == method]

    def _scripted(self, method: str) -> Scripted | None:
        with self._lock:
            for index, item in enumerate(self._script):
                if item.method in (None, method):
                    del self._script[index]
                    return item
        return None

    def _record(self, at: float, method: str, body: dict[str, Any], request: Request, status: int) -> None:
        with self._lock:
            self.requests.append(Recorded(at, method, body, dict(request.headers), status))

    @staticmethod
    def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        payload = body if isinstance(body, str | bytes) else json.dumps(body)
        content_type = "application/json" if not isinstance(body, str | bytes) else "text/plain"
        return Response(payload, status=status, headers=headers or {}, content_type=content_type)


class FakeSlack(FakeServer):
    """chat.postMessage, chat.update and one incoming webhook; channels known by name and id."""

    WEBHOOK_PATH = "/services/T000/B000/secretwebhookpart"

    def __init__(self, token: str, channels: dict[str, str] | None = None) -> None:
        super().__init__()
        self.token = token
        self.channels = channels or {"#alerts": "C0ALERTS", "#alerts-quiet": "C0QUIET", "#ops": "C0OPS"}
        self.server.expect_request(re.compile(r"^/api/[\w.]+$"), method="POST").respond_with_handler(
            self._api
        )
        self.server.expect_request(self.WEBHOOK_PATH, method="POST").respond_with_handler(self._webhook)

    @property
    def api_url(self) -> str:
        return self.server.url_for("/api/")

    @property
    def webhook_url(self) -> str:
        return self.server.url_for(self.WEBHOOK_PATH)

    def _api(self, request: Request) -> Response:
        at = time.monotonic()
        method = request.path.rsplit("/", 1)[-1]
        body = request.get_json(silent=True) or dict(request.form)
        status, answer, headers = self._answer(method, body, request)
        self._record(at, method, body, request, status)
        return self._json(status, answer, headers)

    def _answer(self, method: str, body: dict[str, Any], request: Request) -> tuple[int, Any, dict[str, str]]:
        scripted = self._scripted(method)
        if scripted is not None:
            return scripted.status, scripted.body, scripted.headers
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        channel = body.get("channel", "")
        channel_id = self.channels.get(channel) or (channel if channel in self.channels.values() else None)
        if channel_id is None:
            return 200, {"ok": False, "error": "channel_not_found"}, {}
        if method == "chat.postMessage":
            ts = f"{1629450000 + next(self._numbers)}.000100"
            return (
                200,
                {"ok": True, "channel": channel_id, "ts": ts, "message": {"text": body.get("text")}},
                {},
            )
        if method == "chat.update":
            return (
                200,
                {"ok": True, "channel": channel_id, "ts": body.get("ts"), "text": body.get("text")},
                {},
            )
        return 200, {"ok": False, "error": "unknown_method"}, {}

    def _webhook(self, request: Request) -> Response:
        at = time.monotonic()
        body = request.get_json(silent=True) or {}
        scripted = self._scripted("webhook")
        if scripted is not None:
            self._record(at, "webhook", body, request, scripted.status)
            return Response(str(scripted.body), status=scripted.status, headers=scripted.headers)
        status, text = (200, "ok") if body.get("text") or body.get("blocks") else (400, "invalid_payload")
        self._record(at, "webhook", body, request, status)
        return Response(text, status=status, content_type="text/html")


def delivered_alert_ids(slack: FakeSlack) -> Counter[str]:
    """How many times each alert id reached Slack's chat.postMessage and was answered 200."""
    return Counter(
        call.body["metadata"]["event_payload"]["alert_id"]
        for call in slack.calls("chat.postMessage")
        if call.answered == 200
    )


class TelegramHTMLError(ValueError):
    pass


_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
}
_TAG = re.compile(r'<(/?)([a-z-]+)(?:\s+href="([^"<>]*)")?\s*>')
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def parse_telegram_html(text: str) -> str:
    """The plain text of Bot API HTML, or TelegramHTMLError where Telegram would refuse it."""
    plain: list[str] = []
    stack: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "<":
            tag = _TAG.match(text, index)
            if tag is None or tag.group(2) not in _TAGS:
                raise TelegramHTMLError(f"can't parse entities: unsupported start tag at byte offset {index}")
            closing, name = tag.group(1), tag.group(2)
            if closing:
                if not stack or stack.pop() != name:
                    raise TelegramHTMLError(f"can't parse entities: unmatched end tag {name}")
            else:
                stack.append(name)
            index = tag.end()
        elif char == "&":
            entity = _ENTITY.match(text, index)
            if entity is None:
                raise TelegramHTMLError(f"can't parse entities: character '&' is reserved at {index}")
            plain.append(html.unescape(entity.group(0)))
            index = entity.end()
        elif char == ">":
            raise TelegramHTMLError(f"can't parse entities: character '>' is reserved at {index}")
        else:
            plain.append(char)
            index += 1
    if stack:
        raise TelegramHTMLError(f"can't parse entities: unclosed {stack[-1]}")
    return "".join(plain)


class FakeTelegram(FakeServer):
    """sendMessage and editMessageText for one bot token; chats known by id or @name."""

    def __init__(self, token: str, chats: dict[str, int] | None = None) -> None:
        super().__init__()
        self.token = token
        self.chats = chats or {"@districtwatch_north": -1001, "-1002": -1002, "-1003": -1003, "-1004": -1004}
        self.messages: dict[tuple[int, int], str] = {}
        self.server.expect_request(re.compile(r"^/bot[^/]+/\w+$"), method="POST").respond_with_handler(
            self._api
        )

    @property
    def api_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _api(self, request: Request) -> Response:
        at = time.monotonic()
        _, bot, method = request.path.split("/", 2)
        body = request.get_json(silent=True) or {}
        status, answer, headers = self._answer(bot.removeprefix("bot"), method, body)
        self._record(at, method, body, request, status)
        return self._json(status, answer, headers)

    def _answer(self, token: str, method: str, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        scripted = self._scripted(method)
        if scripted is not None:
            return scripted.status, scripted.body, scripted.headers
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, {}
        wanted = str(body.get("chat_id"))
        chat = self.chats.get(wanted) or next((c for c in self.chats.values() if str(c) == wanted), None)
        if chat is None:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}, {}
        try:
            text = (
                parse_telegram_html(body.get("text", ""))
                if body.get("parse_mode") == "HTML"
                else body["text"]
            )
        except TelegramHTMLError as exc:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}, {}
        if method == "sendMessage":
            message_id = next(self._numbers)
        elif method == "editMessageText":
            message_id = int(body.get("message_id", 0))
            if (chat, message_id) not in self.messages:
                return (
                    400,
                    {"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"},
                    {},
                )
        else:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}
        self.messages[(chat, message_id)] = text
        result = {"message_id": message_id, "chat": {"id": chat, "type": "channel"}, "text": text}
        return 200, {"ok": True, "result": result}, {}


def max_in_window(times: list[float], per: float) -> int:
    """The most timestamps in any half-open window [t, t + per)."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - per:
            start += 1
        best = max(best, end - start + 1)
    return best
