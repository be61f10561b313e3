"""What every notifier is, and why a send failed, as data.

A notifier sends one already-formatted message to one destination (a Slack channel, a Telegram
chat) and answers with the platform's reference to the message, so that a later alert about the
same change can thread under it or edit it. It does not retry, wait or remember anything: the
delivery loop (``districtwatch.notifiers.delivery``) decides that from the error's class.

::

    DistrictwatchError
    ├── ConfigError
    │   └── NotifierSetupError        a destination that cannot work: no token, unknown kind
    └── DeliveryError                 one send to one destination failed; ``reason`` says why
        ├── DestinationUnavailable    network error, timeout, 5xx, platform-side error  (retriable)
        │   └── RateLimited           429; ``retry_after`` seconds if the platform said (retriable)
        └── DeliveryRejected          any other 4xx or an ``ok: false`` the platform will repeat:
                                      bad channel, revoked token, malformed message → dead letter
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from districtwatch.errors import ConfigError, DistrictwatchError

if TYPE_CHECKING:
    from districtwatch.notifiers.format import AlertMessage


class NotifierSetupError(ConfigError):
    """A destination that cannot be built here; the message names the destination and what is missing."""


class DeliveryError(DistrictwatchError):
    """One send to one destination failed; ``reason`` is short enough for a dead letter and a log line.

    ``status`` is the HTTP status when there was an answer, ``code`` the platform's error word
    (Slack's ``error``, Telegram's ``description``), ``retry_after`` its hint in seconds. Messages
    never contain a token: notifiers build them with :func:`redact`.
    """

    retry_after: float | None = None

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.code = code
        if retry_after is not None:
            self.retry_after = retry_after


class DestinationUnavailable(DeliveryError):
    """The platform could not be reached or failed on its side; the same send may work in a moment."""

    retriable = True


class RateLimited(DestinationUnavailable):
    """The platform asked us to slow down (HTTP 429); wait ``retry_after`` seconds before the next send."""


class DeliveryRejected(DeliveryError):
    """The platform refused the message and would refuse it again: retrying cannot help."""


class UpdateMode(StrEnum):
    """How a later alert about the same change is shown where the platform allows it."""

    THREAD = "thread"  # a reply under the first message (Slack thread, Telegram reply)
    EDIT = "edit"  # the first message is rewritten to the latest status


@dataclass(frozen=True)
class MessageRef:
    """Where a message landed: the platform's chat/channel id and message id (Slack ``ts``)."""

    chat: str
    message_id: str

    def to_dict(self) -> dict[str, str]:
        return {"chat": self.chat, "message_id": self.message_id}

    @classmethod
    def from_dict(cls, value: dict[str, Any] | None) -> MessageRef | None:
        if not value or "chat" not in value or "message_id" not in value:
            return None
        return cls(chat=str(value["chat"]), message_id=str(value["message_id"]))


@dataclass(frozen=True)
class DeliveryReceipt:
    """A message the platform accepted; ``ref`` is None where it gives none (Slack incoming webhooks)."""

    destination: str
    ref: MessageRef | None
    #: a message of its own (not a reply, not an edit): later alerts of the change refer to it
    new_root: bool = True
    edited: bool = False  # an earlier message was rewritten instead of a new one sent


class Notifier(Protocol):
    """One destination: sends a message, optionally threaded under (or editing) an earlier one."""

    @property
    def name(self) -> str:
        """The destination's name in the notifiers file."""
        ...

    async def send(self, message: AlertMessage, thread: MessageRef | None = None) -> DeliveryReceipt:
        """Send ``message``; ``thread`` is the first message of the same change at this destination.

        Raises a :class:`DeliveryError` subclass; never retries or sleeps itself.
        """
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-empty secret replaced, for messages built from URLs or library errors."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date (RFC 9110); None if unusable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
