"""Telegram: the Bot API's sendMessage (HTML parse mode) over aiohttp, the client Faust already brings.

The Bot API is a few JSON POSTs, so a plain client keeps the failure mapping in view: an answer is
``{"ok": true, "result": …}`` or ``{"ok": false, "error_code", "description", "parameters"}``; 429
carries ``parameters.retry_after``; a group upgraded to a supergroup answers 400 with
``parameters.migrate_to_chat_id``, which needs the notifiers file changed, so it is a rejection
whose reason names the new id.

The token is part of every URL (``/bot<token>/sendMessage``), so no URL is ever logged or put in an
error: messages go through :func:`redact`.

Updates of a change reply to the first message (``reply_parameters``; ``updates: thread``) or
rewrite it with editMessageText (``updates: edit``); if the first message is gone, a new one is sent.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from pydantic import SecretStr

from districtwatch.notifiers.base import (
    DeliveryError,
    DeliveryReceipt,
    DeliveryRejected,
    DestinationUnavailable,
    MessageRef,
    RateLimited,
    UpdateMode,
    parse_retry_after,
    redact,
)
from districtwatch.notifiers.format import AlertMessage, telegram_html

#: editMessageText answers after which the update is sent as a new message.
GONE = ("message to edit not found", "message can't be edited")
NOT_MODIFIED = "message is not modified"

_NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)


class TelegramNotifier:
    """Sends to one chat, group or channel as the bot."""

    def __init__(
        self,
        name: str,
        chat_id: str,
        *,
        token: SecretStr,
        api_url: str,
        session: aiohttp.ClientSession,
        updates: UpdateMode = UpdateMode.THREAD,
    ) -> None:
        self._name = name
        self.chat_id = chat_id
        self._token = token.get_secret_value()
        self._base = api_url.rstrip("/")
        self._session = session
        self._updates = updates

    @property
    def name(self) -> str:
        return self._name

    async def send(self, message: AlertMessage, thread: MessageRef | None = None) -> DeliveryReceipt:
        text = telegram_html(message)
        if thread is not None and self._updates is UpdateMode.EDIT:
            try:
                await self.call(
                    "editMessageText",
                    {
                        "chat_id": _chat(thread.chat),
                        "message_id": int(thread.message_id),
                        "text": text,
                        "parse_mode": "HTML",
                        "link_preview_options": {"is_disabled": True},
                    },
                )
                return DeliveryReceipt(self.name, thread, new_root=False, edited=True)
            except DeliveryRejected as exc:
                description = (exc.code or "").lower()
                if NOT_MODIFIED in description:
                    return DeliveryReceipt(self.name, thread, new_root=False, edited=True)
                if not any(gone in description for gone in GONE):
                    raise
                thread = None
        payload: dict[str, Any] = {
            "chat_id": _chat(self.chat_id),
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        threaded = thread is not None and self._updates is UpdateMode.THREAD
        if threaded and thread is not None:
            # allow_sending_without_reply: a deleted first message must not cost the update
            payload["reply_parameters"] = {
                "message_id": int(thread.message_id),
                "allow_sending_without_reply": True,
            }
        result = await self.call("sendMessage", payload)
        chat = result.get("chat", {}).get("id", self.chat_id) if isinstance(result, dict) else self.chat_id
        message_id = result.get("message_id") if isinstance(result, dict) else None
        ref = MessageRef(chat=str(chat), message_id=str(message_id)) if message_id is not None else None
        return DeliveryReceipt(self.name, ref, new_root=not threaded)

    async def call(self, method: str, payload: dict[str, Any]) -> Any:
        """POST one Bot API method; its ``result``, or the DeliveryError the answer means."""
        url = f"{self._base}/bot{self._token}/{method}"
        try:
            async with self._session.post(url, json=payload) as response:
                status = response.status
                retry_header = response.headers.get("Retry-After")
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except _NETWORK_ERRORS as exc:
            detail = str(exc) or "no answer"
            raise DestinationUnavailable(
                redact(f"telegram {method}: {type(exc).__name__}: {detail}", (self._token,))
            ) from None
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        raise self._error(method, status, body, retry_header)

    def _error(self, method: str, status: int, body: object, retry_header: str | None) -> DeliveryError:
        answer = body if isinstance(body, dict) else {}
        code = answer.get("error_code", status)
        description = str(answer.get("description") or f"HTTP {status}")
        raw_parameters = answer.get("parameters")
        parameters: dict[str, Any] = raw_parameters if isinstance(raw_parameters, dict) else {}
        reason = redact(f"telegram {method}: {code} {description}", (self._token,))
        if status == 429 or code == 429:
            retry_after = parameters.get("retry_after")
            seconds = (
                float(retry_after)
                if isinstance(retry_after, int | float)
                else parse_retry_after(retry_header)
            )
            return RateLimited(reason, status=status, code=description, retry_after=seconds)
        if "migrate_to_chat_id" in parameters:
            reason += f" (the group is now chat {parameters['migrate_to_chat_id']}: update its chat_id)"
            return DeliveryRejected(reason, status=status, code=description)
        if 400 <= status < 500:
            return DeliveryRejected(reason, status=status, code=description)
        return DestinationUnavailable(reason, status=status, code=description)

    async def aclose(self) -> None:
        return None  # the session belongs to whoever built the notifier


def _chat(chat_id: str) -> int | str:
    """Numeric ids go as numbers, '@channel' names as text (the Bot API takes either)."""
    try:
        return int(chat_id)
    except ValueError:
        return chat_id
