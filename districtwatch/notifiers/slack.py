"""Slack: chat.postMessage with a bot token, or an incoming webhook, through the official slack-sdk.

Both clients are built with ``retry_handlers=[]``: the SDK's default retries connection errors once
and its ``AsyncRateLimitErrorRetryHandler`` would sleep inside the call, out of sight of our rate
limiter, metrics and attempt budget. Here every failure becomes a :class:`DeliveryError` at once and
``districtwatch.notifiers.delivery`` decides (429 → wait ``Retry-After``, 5xx → backoff, 4xx →
dead letter). The clients also get a logger of their own set to WARNING: at DEBUG the SDK logs
request URLs, and a webhook's URL is its secret.

Updates of a change: with a bot token, a later alert is a reply in the first message's thread,
broadcast to the channel so nobody misses a confirmation (``updates: thread``), or rewrites the
first message with chat.update (``updates: edit``). A webhook can do neither and posts anew.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

import aiohttp
from pydantic import SecretStr
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

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
from districtwatch.notifiers.format import AlertMessage, slack_message

#: ``ok: false`` errors that are Slack's trouble, not our message's: worth another try.
RETRIABLE_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
#: chat.update / thread errors after which the update is posted as a message of its own.
GONE_ERRORS = frozenset(
    {"message_not_found", "cant_update_message", "edit_window_closed", "thread_not_found"}
)

_sdk_log = logging.getLogger("districtwatch.notifiers.slack_sdk")
_sdk_log.setLevel(logging.WARNING)  # the SDK logs URLs (a webhook's secret) when its logger allows DEBUG

_NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)


def web_client(
    token: SecretStr, base_url: str, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """An AsyncWebClient for ``base_url`` (tests point it at a local server) with no retries of its own."""
    return AsyncWebClient(
        token=token.get_secret_value(),
        base_url=base_url,
        session=session,
        retry_handlers=[],
        logger=_sdk_log,
    )


class SlackBotNotifier:
    """Posts to one channel with chat.postMessage; threads or edits updates of a change."""

    def __init__(
        self,
        name: str,
        channel: str,
        client: AsyncWebClient,
        *,
        updates: UpdateMode = UpdateMode.THREAD,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self._name = name
        self.channel = channel
        self._client = client
        self._updates = updates
        self._secrets = (*secrets, client.token)

    @property
    def name(self) -> str:
        return self._name

    async def send(self, message: AlertMessage, thread: MessageRef | None = None) -> DeliveryReceipt:
        payload = slack_message(message)
        if thread is not None and self._updates is UpdateMode.EDIT:
            try:
                answer = await self._call(
                    "chat.update",
                    self._client.chat_update(
                        channel=thread.chat, ts=thread.message_id, text=payload.text, blocks=payload.blocks
                    ),
                )
                return DeliveryReceipt(self.name, _ref(answer, thread.chat), new_root=False, edited=True)
            except DeliveryRejected as exc:
                if exc.code not in GONE_ERRORS:
                    raise
                thread = None  # the first message is gone: this one starts the thread anew
        arguments: dict[str, Any] = {
            "channel": self.channel,
            "text": payload.text,
            "blocks": payload.blocks,
            "unfurl_links": False,
            "unfurl_media": False,
            "metadata": {
                "event_type": "districtwatch_alert",
                "event_payload": {"alert_id": message.alert_id, "change_id": message.change_id},
            },
        }
        threaded = thread is not None and self._updates is UpdateMode.THREAD
        if threaded and thread is not None:
            arguments.update(thread_ts=thread.message_id, reply_broadcast=True)
        try:
            answer = await self._call("chat.postMessage", self._client.chat_postMessage(**arguments))
        except DeliveryRejected as exc:
            if not threaded or exc.code not in GONE_ERRORS:
                raise
            arguments.pop("thread_ts")
            arguments.pop("reply_broadcast")
            threaded = False
            answer = await self._call("chat.postMessage", self._client.chat_postMessage(**arguments))
        return DeliveryReceipt(self.name, _ref(answer, self.channel), new_root=not threaded)

    async def _call(self, method: str, call: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
        try:
            return await call
        except SlackApiError as exc:
            raise api_error(
                method, exc.response.status_code, exc.response.data, exc.response.headers
            ) from None
        except _NETWORK_ERRORS as exc:
            raise _unreachable(method, exc, self._secrets) from None
        except SlackClientError as exc:
            raise DeliveryRejected(
                redact(f"slack {method}: {type(exc).__name__}: {exc}", self._secrets)
            ) from None

    async def aclose(self) -> None:
        return None  # the session belongs to whoever built the client


class SlackWebhookNotifier:
    """Posts through one incoming webhook; Slack binds it to a channel, and it cannot thread or edit."""

    def __init__(self, name: str, url: SecretStr, session: aiohttp.ClientSession | None = None) -> None:
        self._name = name
        self._url = url.get_secret_value()
        self._client = AsyncWebhookClient(self._url, session=session, retry_handlers=[], logger=_sdk_log)

    @property
    def name(self) -> str:
        return self._name

    async def send(self, message: AlertMessage, thread: MessageRef | None = None) -> DeliveryReceipt:
        payload = slack_message(message)
        body = {"text": payload.text, "blocks": payload.blocks, "unfurl_links": False, "unfurl_media": False}
        try:
            response = await self._client.send_dict(body)
        except _NETWORK_ERRORS as exc:
            raise _unreachable("webhook", exc, (self._url,)) from None
        if response.status_code == 200:
            return DeliveryReceipt(self.name, None)
        error = (response.body or "").strip()[:200] or f"HTTP {response.status_code}"
        raise api_error("webhook", response.status_code, {"error": error}, response.headers)

    async def aclose(self) -> None:
        return None


def api_error(method: str, status: int, data: object, headers: Any) -> DeliveryError:
    """The DeliveryError of a Slack answer that was not ``ok``: 429 and 5xx retriable, the rest not."""
    error = data.get("error") if isinstance(data, dict) else None
    code = str(error) if error else f"HTTP {status}"
    reason = f"slack {method}: {code}" + ("" if code.startswith("HTTP") else f" (HTTP {status})")
    if status == 429 or code in ("ratelimited", "rate_limited"):
        retry_after = parse_retry_after(headers.get("Retry-After") if headers is not None else None)
        return RateLimited(reason, status=status, code=code, retry_after=retry_after)
    if status >= 500 or code in RETRIABLE_ERRORS:
        return DestinationUnavailable(reason, status=status, code=code)
    return DeliveryRejected(reason, status=status, code=code)


def _ref(answer: AsyncSlackResponse, channel: str) -> MessageRef | None:
    ts = answer.get("ts")
    if not ts:
        return None
    return MessageRef(chat=str(answer.get("channel") or channel), message_id=str(ts))


def _unreachable(method: str, exc: BaseException, secrets: tuple[str | None, ...]) -> DestinationUnavailable:
    detail = str(exc) or "no answer"
    return DestinationUnavailable(redact(f"slack {method}: {type(exc).__name__}: {detail}", secrets))
