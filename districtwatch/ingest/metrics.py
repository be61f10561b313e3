"""The ingester's metrics, in one object built from an injected registry.

The ``ingest`` command builds it on the registry its ``/metrics`` page serves; tests build their own
on a fresh ``CollectorRegistry``. Names share the pipeline's vocabulary: what the ingester produces
is the ``raw`` stage's input.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class IngestMetrics:
    """Counters per source and account, and how far behind each account's checkpoint is."""

    polls: Counter
    posts_fetched: Counter
    posts_produced: Counter
    posts_deleted: Counter
    poll_errors: Counter
    gaps: Counter
    checkpoint_lag: Gauge
    last_success: Gauge
    push_records: Counter
    push_requests: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> IngestMetrics:
        per_account = ("source", "account")
        return cls(
            polls=Counter(
                "districtwatch_ingest_polls_total",
                "Polls of an account, failed or not.",
                per_account,
                registry=registry,
            ),
            posts_fetched=Counter(
                "districtwatch_ingest_posts_fetched_total",
                "Posts read from the platform, old and new.",
                per_account,
                registry=registry,
            ),
            posts_produced=Counter(
                "districtwatch_ingest_posts_produced_total",
                "Posts produced to posts.raw and acknowledged; kind is new or edited.",
                (*per_account, "kind"),
                registry=registry,
            ),
            posts_deleted=Counter(
                "districtwatch_ingest_posts_deleted_total",
                "Posts produced earlier that disappeared from the platform (not produced again).",
                per_account,
                registry=registry,
            ),
            poll_errors=Counter(
                "districtwatch_ingest_poll_errors_total",
                "Failed polls, by error class (RateLimited, MalformedPage, ...).",
                (*per_account, "error"),
                registry=registry,
            ),
            gaps=Counter(
                "districtwatch_ingest_gaps_total",
                "Polls that hit the page cap before reaching the checkpoint: posts may be missing.",
                per_account,
                registry=registry,
            ),
            checkpoint_lag=Gauge(
                "districtwatch_ingest_checkpoint_lag_seconds",
                "At the last successful poll: its time minus the creation time of the newest post produced.",
                per_account,
                registry=registry,
            ),
            last_success=Gauge(
                "districtwatch_ingest_last_success_timestamp_seconds",
                "Unix time of the account's last successful poll.",
                per_account,
                registry=registry,
            ),
            push_records=Counter(
                "districtwatch_ingest_push_records_total",
                "Posts received on POST /posts, by outcome (produced, rejected).",
                ("outcome",),
                registry=registry,
            ),
            push_requests=Counter(
                "districtwatch_ingest_push_requests_total",
                "Requests to POST /posts, by HTTP status.",
                ("status",),
                registry=registry,
            ),
        )
