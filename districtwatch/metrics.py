"""All of districtwatch's own metrics, in one object built from an injected registry.

The worker builds one :class:`Metrics` on the registry that Faust's Prometheus sensor also uses, so
``/metrics`` shows both; tests build their own on a fresh ``CollectorRegistry``. Names follow the
Prometheus conventions (``_total`` counters, ``_seconds`` histograms) and share the pipeline's
vocabulary: raw → relevant → unique → claims → alerts.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# post → alert latency spans sub-second (live) to days (a replay of history); buckets cover both.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400)


@dataclass(frozen=True)
class Metrics:
    """The counters and histograms every stage reports to."""

    stage_in: Counter
    stage_out: Counter
    stage_dropped: Counter
    stage_deadlettered: Counter
    posts_in: Counter
    duplicates: Counter
    claims: Counter
    alerts: Counter
    post_to_alert: Histogram
    district_controller: Gauge
    district_since: Gauge
    last_post: Gauge
    consumer_lag: Gauge
    committed_offset_age: Gauge
    event_loop_stalls: Counter
    event_loop_lateness: Histogram
    recovery_stalled: Gauge
    recovery_stuck: Gauge
    recovery_unstuck: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> Metrics:
        def counter(name: str, doc: str, labels: tuple[str, ...]) -> Counter:
            return Counter(name, doc, labels, registry=registry)

        return cls(
            stage_in=counter("districtwatch_stage_in_records_total", "Records a stage consumed.", ("stage",)),
            stage_out=counter(
                "districtwatch_stage_out_records_total", "Records a stage produced.", ("stage",)
            ),
            stage_dropped=counter(
                "districtwatch_stage_dropped_records_total",
                "Records a stage consumed on purpose without passing on (irrelevant, duplicate, no claim).",
                ("stage", "reason"),
            ),
            stage_deadlettered=counter(
                "districtwatch_stage_deadlettered_records_total",
                "Records a stage could not process and sent to the dead-letter topic.",
                ("stage", "reason"),
            ),
            posts_in=counter(
                "districtwatch_posts_in_total", "Posts entering the pipeline.", ("platform", "account")
            ),
            duplicates=counter(
                "districtwatch_duplicates_total", "Posts found to repeat an earlier one.", ("kind",)
            ),
            claims=counter(
                "districtwatch_claims_total", "Claims extracted from posts.", ("kind", "gained_by", "lang")
            ),
            alerts=counter("districtwatch_alerts_total", "Alerts emitted.", ("status",)),
            post_to_alert=Histogram(
                "districtwatch_post_to_alert_seconds",
                "From the post's creation (event time) to the alert it contributed to.",
                ("status",),
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            district_controller=Gauge(
                "districtwatch_district_controller",
                "1 for the actor holding the district, per map layer (assessed, claimed); the map's data.",
                ("province", "district", "controller", "lat", "lon", "layer"),
                registry=registry,
            ),
            district_since=Gauge(
                "districtwatch_district_controller_since_timestamp_seconds",
                "Event time since which the district's current controller holds it.",
                ("province", "district"),
                registry=registry,
            ),
            last_post=Gauge(
                "districtwatch_last_post_timestamp_seconds",
                "Event time of the newest post seen from each registered account.",
                ("platform", "account"),
                registry=registry,
            ),
            consumer_lag=Gauge(
                "districtwatch_consumer_lag_records",
                "Records in a partition not yet read by this worker.",
                ("topic", "partition"),
                registry=registry,
            ),
            committed_offset_age=Gauge(
                "districtwatch_committed_offset_age_seconds",
                "Seconds since the committed offset of a partition with unread records last moved.",
                ("topic", "partition"),
                registry=registry,
            ),
            event_loop_stalls=counter(
                "districtwatch_event_loop_stalls_total", "Times a timer woke up over a second late.", ()
            ),
            event_loop_lateness=Histogram(
                "districtwatch_event_loop_lateness_seconds",
                "How late the watchdog's timer woke up.",
                buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
                registry=registry,
            ),
            recovery_stalled=Gauge(
                "districtwatch_recovery_stalled_seconds",
                "Seconds this worker has held partitions without being ready and without any table "
                "recovery progress (0 when ready).",
                registry=registry,
            ),
            recovery_stuck=Gauge(
                "districtwatch_recovery_stuck",
                "1 while the worker has been stalled longer than DISTRICTWATCH_RECOVERY_STUCK_S.",
                registry=registry,
            ),
            recovery_unstuck=counter(
                "districtwatch_recovery_unstuck_total",
                "What the watchdog did to a stuck worker: restart_recovery, then rejoin (the group).",
                ("action",),
            ),
        )

    def stage_totals(self) -> dict[str, dict[str, float]]:
        """Per stage: records in, out, dropped and dead-lettered, summed over labels (for /status)."""
        totals: dict[str, dict[str, float]] = {}
        for field, metric in (
            ("in", self.stage_in),
            ("out", self.stage_out),
            ("dropped", self.stage_dropped),
            ("deadlettered", self.stage_deadlettered),
        ):
            for family in metric.collect():
                for sample in family.samples:
                    if not sample.name.endswith("_total"):
                        continue
                    stage = totals.setdefault(
                        sample.labels["stage"], {"in": 0.0, "out": 0.0, "dropped": 0.0, "deadlettered": 0.0}
                    )
                    stage[field] += sample.value
        return totals
