"""Delivering one message to one destination: rate limit, send, retry or give up, as an outcome.

The loop asks the error's class what to do, never the status code (``districtwatch.notifiers.base``):

* :class:`RateLimited` (429): the destination's limiter is held for the platform's ``Retry-After``
  (``retry_after`` on Telegram), then the same message is sent again. These waits do not use up the
  attempts below, since the platform said when to come back; ``max_rate_limit_waits`` bounds them.
* another retriable error (5xx, network, timeout): exponential backoff with equal jitter, at most
  ``max_attempts`` sends, then the outcome is ``gave_up`` with the last reason.
* anything else (other 4xx, ``ok: false`` such as ``channel_not_found``): ``rejected`` at once.

The SDK's own retry handlers are off (see ``districtwatch.notifiers.slack``), so every wait passes
through here, is bounded by the same policy and shows in ``districtwatch_notifier_*`` metrics.
Nothing here knows about Faust: the agent turns ``rejected`` and ``gave_up`` into dead letters.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from districtwatch.notifiers.base import (
    DeliveryError,
    DeliveryReceipt,
    MessageRef,
    Notifier,
    RateLimited,
)
from districtwatch.notifiers.format import AlertMessage
from districtwatch.notifiers.metrics import NotifierMetrics
from districtwatch.notifiers.ratelimit import Limits
from districtwatch.notifiers.routing import DeliveryPolicy

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What became of one alert at one destination; the values label the deliveries metric."""

    DELIVERED = "delivered"
    ALREADY_DELIVERED = "already_delivered"  # delivered before (a replay or a restart): not sent again
    REJECTED = "rejected"  # the platform refused it (4xx): dead-lettered
    GAVE_UP = "gave_up"  # unreachable or rate-limited through every attempt: dead-lettered
    INTERRUPTED = "interrupted"  # a restart cut its send short; it may have arrived: dead-lettered


DEAD_LETTER_OUTCOMES = frozenset({Outcome.REJECTED, Outcome.GAVE_UP, Outcome.INTERRUPTED})


@dataclass(frozen=True)
class DeliveryOutcome:
    """The result of delivering one alert to one destination."""

    destination: str
    alert_id: str
    outcome: Outcome
    receipt: DeliveryReceipt | None = None
    reason: str | None = None
    attempts: int = 0

    @property
    def dead_letter(self) -> bool:
        return self.outcome in DEAD_LETTER_OUTCOMES


def backoff(failures: int, policy: DeliveryPolicy, jitter: float) -> float:
    """Seconds before the next try after ``failures`` failed sends: doubling, capped, equal jitter.

    ``jitter`` in [0, 1) spreads the retries of many workers over the second half of each delay.
    """
    delay = min(policy.backoff_max_seconds, policy.backoff_base_seconds * 2.0 ** (failures - 1))
    return float(delay * (0.5 + jitter / 2))


async def deliver(
    notifier: Notifier,
    message: AlertMessage,
    *,
    thread: MessageRef | None,
    limits: Limits,
    policy: DeliveryPolicy,
    metrics: NotifierMetrics,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    jitter: Callable[[], float] = random.random,
    before_send: Callable[[], Awaitable[None]] | None = None,
) -> DeliveryOutcome:
    """Send ``message`` until it is delivered, refused, or the policy's attempts run out.

    ``before_send`` runs once the rate-limit slot is held, right before each request: the moment
    from which a crash leaves it unknown whether the platform got the message.
    """
    name = notifier.name
    sends = failures = rate_limited = 0
    while True:
        async with limits.slot() as waited:
            metrics.rate_limit_wait.labels(name).observe(waited)
            sends += 1
            if before_send is not None:
                await before_send()
            try:
                receipt = await notifier.send(message, thread)
            except DeliveryError as exc:
                error = exc
                if isinstance(exc, RateLimited):
                    # held before the slot is released, so no other send to this destination slips in
                    limits.hold(
                        exc.retry_after if exc.retry_after is not None else policy.default_retry_after_seconds
                    )
            else:
                return DeliveryOutcome(name, message.alert_id, Outcome.DELIVERED, receipt, attempts=sends)
        if isinstance(error, RateLimited):
            rate_limited += 1
            if rate_limited > policy.max_rate_limit_waits:
                reason = f"still rate limited after {policy.max_rate_limit_waits} waits: {error.reason}"
                return DeliveryOutcome(name, message.alert_id, Outcome.GAVE_UP, reason=reason, attempts=sends)
            metrics.retries.labels(name, "rate_limited").inc()
            log.info("%s: rate limited, retrying after %ss: %s", name, error.retry_after, error.reason)
            continue
        if error.retriable:
            failures += 1
            if failures >= policy.max_attempts:
                reason = f"gave up after {failures} attempts: {error.reason}"
                return DeliveryOutcome(name, message.alert_id, Outcome.GAVE_UP, reason=reason, attempts=sends)
            delay = backoff(failures, policy, jitter())
            metrics.retries.labels(name, "unavailable").inc()
            log.info("%s: %s; retry %d in %.2fs", name, error.reason, failures, delay)
            await sleep(delay)
            continue
        return DeliveryOutcome(name, message.alert_id, Outcome.REJECTED, reason=error.reason, attempts=sends)
