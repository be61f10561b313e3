"""The notifiers' metrics, in one object built from an injected registry.

The notify agents build it on the worker's registry (served on ``/metrics`` with the rest); tests
build their own on a fresh ``CollectorRegistry``. ``destination`` is the name in the notifiers file,
a bounded set; ``outcome`` and ``reason`` are the fixed words of ``districtwatch.notifiers.delivery``.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

# Alert → delivered spans a second (live) to minutes (rate-limited bursts, retries, a 429's wait).
DELIVERY_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)
WAIT_BUCKETS = (0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


@dataclass(frozen=True)
class NotifierMetrics:
    """Deliveries by outcome, retries, time spent waiting for rate limits, alert-to-delivery latency."""

    deliveries: Counter
    retries: Counter
    rate_limit_wait: Histogram
    alert_to_delivery: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry) -> NotifierMetrics:
        return cls(
            deliveries=Counter(
                "districtwatch_notifier_deliveries_total",
                "Alerts handled per destination, by outcome (delivered, already_delivered, rejected, "
                "gave_up, interrupted).",
                ("destination", "outcome"),
                registry=registry,
            ),
            retries=Counter(
                "districtwatch_notifier_retries_total",
                "Sends tried again, by reason (rate_limited: a 429; unavailable: 5xx or network error).",
                ("destination", "reason"),
                registry=registry,
            ),
            rate_limit_wait=Histogram(
                "districtwatch_notifier_rate_limit_wait_seconds",
                "Time a send waited for a rate-limit slot (our limits and the platform's Retry-After).",
                ("destination",),
                buckets=WAIT_BUCKETS,
                registry=registry,
            ),
            alert_to_delivery=Histogram(
                "districtwatch_notifier_alert_to_delivery_seconds",
                "From the alert's emission (emitted_at) to the platform accepting the message.",
                ("destination", "status"),
                buckets=DELIVERY_BUCKETS,
                registry=registry,
            ),
        )
