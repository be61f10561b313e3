"""One alert at one destination, at most once: the record of deliveries and the thread of a change.

The store remembers, per destination, each alert's delivery (``sending`` → ``delivered`` or
``failed``) and the first message of each change. Right before each request (its rate-limit slot
already held), ``sending`` is written and made durable (:meth:`DeliveryStore.persist`: in the
worker, the table's changelog is flushed to the broker); after the answer, ``delivered`` with the
platform's message reference, or ``failed``. So after a crash:

* ``delivered``: the alert is not sent again (the offset may not have been committed; the table was);
* ``sending``: the worker died during the send. It may have reached the platform, so it is not sent
  again — that would break at-most-once — but dead-lettered as ``interrupted`` for a person to check,
  and recorded so: a later copy of the alert is not sent either (it once was, when this was
  recorded as ``failed``: the Kafka takeover test caught an alert reaching Slack twice);
* ``failed`` (dead-lettered before): a replay of the alert tries again.

In the worker the store is two Faust tables (``districtwatch.agents.notify``); :class:`MemoryStore`
serves tests and ``notify-test``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from districtwatch.notifiers.base import MessageRef, Notifier, redact
from districtwatch.notifiers.delivery import DeliveryOutcome, Outcome, deliver
from districtwatch.notifiers.format import compose
from districtwatch.notifiers.metrics import NotifierMetrics
from districtwatch.notifiers.ratelimit import Limits
from districtwatch.notifiers.routing import DeliveryPolicy
from districtwatch.schemas import Alert

log = logging.getLogger(__name__)

SENDING, DELIVERED, FAILED, INTERRUPTED = "sending", "delivered", "failed", "interrupted"


class DeliveryStore(Protocol):
    """Deliveries keyed by destination and alert id; first messages keyed by destination and change id."""

    def delivery(self, destination: str, alert_id: str) -> dict[str, Any] | None: ...

    def set_delivery(self, destination: str, alert_id: str, record: dict[str, Any]) -> None: ...

    def thread(self, destination: str, change_id: str) -> MessageRef | None: ...

    def set_thread(self, destination: str, change_id: str, ref: MessageRef) -> None: ...

    async def persist(self) -> None:
        """Make the writes so far survive a crash of this process."""
        ...


def delivery_key(destination: str, alert_id: str) -> str:
    """Table key of one alert's delivery to one destination."""
    return f"{destination}|{alert_id}"


def thread_key(destination: str, change_id: str) -> str:
    """Table key of the first message of a change at one destination."""
    return f"{destination}|{change_id}"


@dataclass
class MemoryStore:
    """A DeliveryStore in dicts, for tests and one-off commands; keys as in the worker's tables."""

    deliveries: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, dict[str, str]] = field(default_factory=dict)

    def delivery(self, destination: str, alert_id: str) -> dict[str, Any] | None:
        return self.deliveries.get(delivery_key(destination, alert_id))

    def set_delivery(self, destination: str, alert_id: str, record: dict[str, Any]) -> None:
        self.deliveries[delivery_key(destination, alert_id)] = record

    def thread(self, destination: str, change_id: str) -> MessageRef | None:
        return MessageRef.from_dict(self.threads.get(thread_key(destination, change_id)))

    def set_thread(self, destination: str, change_id: str, ref: MessageRef) -> None:
        self.threads[thread_key(destination, change_id)] = ref.to_dict()

    async def persist(self) -> None:
        return None


@dataclass
class DestinationRunner:
    """Delivers alerts to one destination in the order given, each at most once."""

    notifier: Notifier
    limits: Limits
    policy: DeliveryPolicy
    metrics: NotifierMetrics
    store: DeliveryStore
    secrets: Iterable[str] = ()
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    jitter: Callable[[], float] = random.random
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    @property
    def name(self) -> str:
        return self.notifier.name

    async def handle(self, alert: Alert) -> DeliveryOutcome:
        """Deliver ``alert`` unless it was before; threads it under its change's first message."""
        outcome = await self._handle(alert)
        self.metrics.deliveries.labels(self.name, outcome.outcome.value).inc()
        if outcome.dead_letter:
            log.warning(
                "%s: alert %s %s: %s", self.name, alert.alert_id, outcome.outcome.value, outcome.reason
            )
        return outcome

    async def _handle(self, alert: Alert) -> DeliveryOutcome:
        name, store = self.name, self.store
        prior = store.delivery(name, alert.alert_id) or {}
        if prior.get("state") == DELIVERED:
            return DeliveryOutcome(name, alert.alert_id, Outcome.ALREADY_DELIVERED)
        if prior.get("state") == SENDING:
            reason = (
                f"a restart interrupted its delivery begun at {prior.get('at', '?')}; it may have "
                "arrived, so it is not sent again"
            )
            store.set_delivery(
                name, alert.alert_id, {"state": INTERRUPTED, "at": self._stamp(), "reason": reason}
            )
            return DeliveryOutcome(name, alert.alert_id, Outcome.INTERRUPTED, reason=reason)
        if prior.get("state") == INTERRUPTED:
            # Another copy of it (control re-sends an alert when its claim is redelivered): still not sent.
            reason = str(prior.get("reason") or "its delivery was interrupted; it is not sent again")
            return DeliveryOutcome(name, alert.alert_id, Outcome.INTERRUPTED, reason=reason)
        thread = store.thread(name, alert.change_id)

        async def mark_sending() -> None:
            store.set_delivery(name, alert.alert_id, {"state": SENDING, "at": self._stamp()})
            await store.persist()

        try:
            outcome = await deliver(
                self.notifier,
                compose(alert),
                thread=thread,
                limits=self.limits,
                policy=self.policy,
                metrics=self.metrics,
                sleep=self.sleep,
                jitter=self.jitter,
                before_send=mark_sending,
            )
        except Exception as exc:  # a bug in a notifier must cost one alert, not the agent
            reason = redact(f"unexpected {type(exc).__name__}: {exc}", self.secrets)
            log.error("%s: alert %s: %s", name, alert.alert_id, reason)
            outcome = DeliveryOutcome(name, alert.alert_id, Outcome.REJECTED, reason=reason)
        if outcome.outcome is Outcome.DELIVERED and outcome.receipt is not None:
            receipt = outcome.receipt
            record: dict[str, Any] = {"state": DELIVERED, "at": self._stamp()}
            if receipt.ref is not None:
                record["ref"] = receipt.ref.to_dict()
                if receipt.new_root:
                    store.set_thread(name, alert.change_id, receipt.ref)
            store.set_delivery(name, alert.alert_id, record)
            latency = (self.now() - alert.emitted_at).total_seconds()
            self.metrics.alert_to_delivery.labels(name, alert.status.value).observe(max(0.0, latency))
        else:
            store.set_delivery(
                name, alert.alert_id, {"state": FAILED, "at": self._stamp(), "reason": outcome.reason}
            )
        return outcome

    def _stamp(self) -> str:
        return self.now().isoformat()
