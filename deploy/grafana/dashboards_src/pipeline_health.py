"""The pipeline health dashboard: is every post getting through, how fast, and what is failing.

Rows follow a record through the service: what came in and went out of each stage, where it waits
(lag, offsets, latency), then the notifiers that tell people and the sources that feed the pipeline.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, stat, timeseries
from grafana_foundation_sdk.builders.common import ReduceDataOptions, StackingConfig, VizLegendOptions
from grafana_foundation_sdk.builders.dashboard import Dashboard, DashboardLink, Row, ThresholdsConfig
from grafana_foundation_sdk.models.common import (
    BigValueGraphMode,
    GraphDrawStyle,
    LegendDisplayMode,
    LegendPlacement,
    StackingMode,
    VizOrientation,
)
from grafana_foundation_sdk.models.dashboard import (
    DashboardLinkType,
    DynamicConfigValue,
    Threshold,
    ThresholdsMode,
)

from .common import DATASOURCE, add_panels, panel_ids, prom

UID = "districtwatch-pipeline"
RATE = "$__rate_interval"
# Tables' changelog topics are written by the worker, not consumed: their "unread" records are not lag.
NOT_CHANGELOG = 'topic!~".+-changelog"'


# Stat and bar-gauge panels show each series' latest value (instant queries have only one).
LAST = ReduceDataOptions().calcs(["lastNotNull"]).values(False)


def _legend() -> VizLegendOptions:
    return (
        VizLegendOptions()
        .display_mode(LegendDisplayMode.TABLE)
        .placement(LegendPlacement.BOTTOM)
        .show_legend(True)
        .calcs(["mean", "max", "lastNotNull"])
    )


def _series(
    title: str, description: str, unit: str, *, bars: bool = False, stacked: bool = False
) -> timeseries.Panel:
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .min(0)
        .legend(_legend())
        .height(8)
        .span(12)
    )
    panel = panel.draw_style(GraphDrawStyle.BARS).fill_opacity(80) if bars else panel.fill_opacity(10)
    if stacked:
        panel = panel.stacking(StackingConfig().mode(StackingMode.NORMAL))
    return panel


def _stat(title: str, description: str, expr: str, unit: str, red_above: float | None = None) -> stat.Panel:
    steps = [Threshold(value=None, color="green")]
    if red_above is not None:
        steps.append(Threshold(value=red_above, color="red"))
    return (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(prom(expr, instant=True))
        .unit(unit)
        .graph_mode(BigValueGraphMode.NONE)
        .reduce_options(LAST)
        .thresholds(ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps(steps))
        .height(4)
        .span(4)
    )


def dashboard() -> Dashboard:
    ids = panel_ids()
    board = (
        Dashboard("districtwatch — pipeline health")
        .uid(UID)
        .description("Records through each stage, lag and latency, dead letters, notifiers and sources.")
        .tags(["districtwatch"])
        .time("now-3h", "now")
        .refresh("30s")
        .timezone("utc")
        .link(
            DashboardLink("districtwatch")
            .type(DashboardLinkType.DASHBOARDS)
            .tags(["districtwatch"])
            .as_dropdown(False)
            .include_vars(False)
            .keep_time(True)
            .target_blank(False)
            .icon("external link")
            .tooltip("")
            .url("")
        )
    )

    board = board.with_row(Row("Overview").id(next(ids)))
    board = add_panels(
        board,
        ids,
        _stat(
            "Workers up",
            "Worker processes Prometheus scrapes successfully.",
            'sum(up{job="districtwatch-worker"})',
            "none",
        ),
        _stat(
            "Posts in",
            "Posts entering the filter stage, per second.",
            f"sum(rate(districtwatch_posts_in_total[{RATE}]))",
            "reqps",
        ),
        _stat(
            "Alerts",
            "Alerts emitted in the dashboard's time range, every status.",
            "sum(increase(districtwatch_alerts_total[$__range]))",
            "none",
        ),
        _stat(
            "Dead letters",
            "Records sent to the deadletter topic in the time range, every stage.",
            "sum(increase(districtwatch_stage_deadlettered_records_total[$__range]))",
            "none",
            red_above=1,
        ),
        _stat(
            "Consumer lag",
            "Records waiting in every topic the workers read.",
            f"sum(districtwatch_consumer_lag_records{{{NOT_CHANGELOG}}})",
            "none",
            red_above=500,
        ),
        _stat(
            "Post → alert p95",
            "95th percentile, over the time range, of the time from a post's creation to its alert.",
            "histogram_quantile(0.95, sum by (le)"
            " (increase(districtwatch_post_to_alert_seconds_bucket[$__range])))",
            "s",
        ),
    )

    board = board.with_row(Row("Records per stage").id(next(ids)))
    board = add_panels(
        board,
        ids,
        _series("Records in", "Records each stage consumed, per second.", "reqps").with_target(
            prom(f"sum by (stage) (rate(districtwatch_stage_in_records_total[{RATE}]))", "{{stage}}")
        ),
        _series(
            "Records out", "Records each stage produced to the next topic, per second.", "reqps"
        ).with_target(
            prom(f"sum by (stage) (rate(districtwatch_stage_out_records_total[{RATE}]))", "{{stage}}")
        ),
        _series(
            "Dropped on purpose",
            "Records a stage consumed without passing on: irrelevant posts, duplicates, posts without "
            "a claim.",
            "reqps",
            stacked=True,
        ).with_target(
            prom(
                f"sum by (stage, reason) (rate(districtwatch_stage_dropped_records_total[{RATE}]))",
                "{{stage}}: {{reason}}",
            )
        ),
        _series(
            "Dead-lettered",
            "Records a stage could not process and sent to the deadletter topic, by reason.",
            "reqps",
            stacked=True,
        ).with_target(
            prom(
                f"sum by (stage, reason) (rate(districtwatch_stage_deadlettered_records_total[{RATE}]))",
                "{{stage}}: {{reason}}",
            )
        ),
        _series(
            "Posts in by platform", "Posts entering the pipeline, per platform.", "reqps", stacked=True
        ).with_target(
            prom(f"sum by (platform) (rate(districtwatch_posts_in_total[{RATE}]))", "{{platform}}")
        ),
        _series(
            "Duplicates",
            "Posts found to repeat an earlier one: exact copies, reposts, near-duplicates.",
            "reqps",
            stacked=True,
        ).with_target(prom(f"sum by (kind) (rate(districtwatch_duplicates_total[{RATE}]))", "{{kind}}")),
        _series(
            "Claims",
            "Claims extracted from posts, by kind and by the side said to gain.",
            "reqps",
            stacked=True,
        ).with_target(
            prom(
                f"sum by (kind, gained_by) (rate(districtwatch_claims_total[{RATE}]))",
                "{{kind}} → {{gained_by}}",
            )
        ),
        _series(
            "Alerts", "Alerts emitted per interval, by status.", "none", bars=True, stacked=True
        ).with_target(prom(f"sum by (status) (increase(districtwatch_alerts_total[{RATE}]))", "{{status}}")),
    )

    board = board.with_row(Row("Lag and latency").id(next(ids)))
    latency = _series(
        "Post → alert latency",
        "From a post's creation (event time) to the alert it contributed to. A replay of old posts "
        "shows their age here, not the pipeline's speed.",
        "s",
    )
    for ref, quantile in (("A", "0.5"), ("B", "0.95"), ("C", "0.99")):
        latency = latency.with_target(
            prom(
                f"histogram_quantile({quantile}, sum by (le)"
                f" (rate(districtwatch_post_to_alert_seconds_bucket[{RATE}])))",
                f"p{quantile[2:].ljust(2, '0')}",
                ref=ref,
            )
        )
    board = add_panels(
        board,
        ids,
        _series(
            "Consumer lag", "Records in each topic not yet read by the workers.", "none", stacked=True
        ).with_target(
            prom(f"sum by (topic) (districtwatch_consumer_lag_records{{{NOT_CHANGELOG}}})", "{{topic}}")
        ),
        _series(
            "Committed offset age",
            "How long a partition with unread records has gone without its committed offset moving; "
            "PipelineStalled fires over 5 minutes.",
            "s",
        ).with_target(
            prom(
                f"max by (topic, partition) (districtwatch_committed_offset_age_seconds{{{NOT_CHANGELOG}}})",
                "{{topic}}[{{partition}}]",
            )
        ),
        latency,
        _series(
            "Event loop",
            "Stalls: the watchdog's timer woke over a second late (bars). p99 of how late it woke (line).",
            "s",
        )
        .with_target(
            prom(
                "histogram_quantile(0.99, sum by (le, instance)"
                f" (rate(districtwatch_event_loop_lateness_seconds_bucket[{RATE}])))",
                "p99 lateness {{instance}}",
            )
        )
        .with_target(
            prom(
                f"sum by (instance) (increase(districtwatch_event_loop_stalls_total[{RATE}]))",
                "stalls {{instance}}",
                ref="B",
            )
        )
        .override_by_query(
            "B",
            [
                _prop("custom.drawStyle", "bars"),
                _prop("custom.fillOpacity", 80),
                _prop("unit", "none"),
                _prop("custom.axisPlacement", "right"),
            ],
        ),
        _series(
            "Kafka commit and send latency",
            "Faust's own sensors: p95 of offset commits and of producer sends.",
            "ms",
        )
        .with_target(
            prom(
                f"histogram_quantile(0.95, sum by (le) (rate(faust_consumer_commit_latency_bucket[{RATE}])))",
                "commit p95",
            )
        )
        .with_target(
            prom(
                f"histogram_quantile(0.95, sum by (le) (rate(faust_producer_send_latency_bucket[{RATE}])))",
                "send p95",
                ref="B",
            )
        ),
        _series("Kafka send errors and rebalances", "Faust's own sensors.", "none")
        .with_target(prom(f"sum(increase(faust_total_error_messages_sent_total[{RATE}]))", "send errors"))
        .with_target(prom("max(faust_total_rebalances)", "rebalances (total)", ref="B")),
    )

    board = board.with_row(Row("Notifiers").id(next(ids)))
    board = add_panels(
        board,
        ids,
        _series(
            "Deliveries",
            "Alerts handled per destination, by outcome: delivered, already_delivered (a redelivered alert), "
            "rejected by the platform, gave_up after retries, interrupted by shutdown.",
            "none",
            bars=True,
            stacked=True,
        ).with_target(
            prom(
                f"sum by (destination, outcome) (increase(districtwatch_notifier_deliveries_total[{RATE}]))",
                "{{destination}}: {{outcome}}",
            )
        ),
        _series(
            "Alert → delivery p95",
            "From the alert's emission to the platform accepting the message, per destination.",
            "s",
        ).with_target(
            prom(
                "histogram_quantile(0.95, sum by (le, destination) "
                f"(rate(districtwatch_notifier_alert_to_delivery_seconds_bucket[{RATE}])))",
                "{{destination}}",
            )
        ),
        _series(
            "Retries",
            "Sends tried again, by reason: rate_limited (a 429) or unavailable (5xx, network).",
            "none",
            bars=True,
            stacked=True,
        ).with_target(
            prom(
                f"sum by (destination, reason) (increase(districtwatch_notifier_retries_total[{RATE}]))",
                "{{destination}}: {{reason}}",
            )
        ),
        _series(
            "Rate-limit waits",
            "Share of time sends to each destination spent waiting for a rate-limit slot "
            "(1 = one send always waiting).",
            "percentunit",
            stacked=True,
        ).with_target(
            prom(
                f"sum by (destination) (rate(districtwatch_notifier_rate_limit_wait_seconds_sum[{RATE}]))",
                "{{destination}}",
            )
        ),
    )

    board = board.with_row(Row("Sources").id(next(ids)))
    silent = (
        bargauge.Panel()
        .title("Time since the newest post")
        .description(
            "Per registered account, from the newest post's creation time; AccountSilent fires over 6 h."
        )
        .datasource(DATASOURCE)
        .with_target(
            prom(
                "sort_desc(time() - max by (platform, account) (districtwatch_last_post_timestamp_seconds))",
                "{{platform}}/{{account}}",
                instant=True,
            )
        )
        .unit("s")
        .min(0)
        .orientation(VizOrientation.HORIZONTAL)
        .reduce_options(LAST)
        .thresholds(
            ThresholdsConfig()
            .mode(ThresholdsMode.ABSOLUTE)
            .steps(
                [
                    Threshold(value=None, color="green"),
                    Threshold(value=3 * 3600, color="yellow"),
                    Threshold(value=6 * 3600, color="red"),
                ]
            )
        )
        .height(8)
        .span(12)
    )
    board = add_panels(
        board,
        ids,
        silent,
        _series(
            "Ingest: posts produced",
            "Posts the ingester produced to posts.raw, per source.",
            "reqps",
            stacked=True,
        ).with_target(
            prom(
                f"sum by (source, kind) (rate(districtwatch_ingest_posts_produced_total[{RATE}]))",
                "{{source}}: {{kind}}",
            )
        ),
        _series(
            "Ingest: poll errors and gaps",
            "Failed polls by error class; gaps: posts may be missing.",
            "none",
            bars=True,
            stacked=True,
        )
        .with_target(
            prom(
                f"sum by (source, error) (increase(districtwatch_ingest_poll_errors_total[{RATE}]))",
                "{{source}}: {{error}}",
            )
        )
        .with_target(
            prom(
                f"sum by (source) (increase(districtwatch_ingest_gaps_total[{RATE}]))",
                "{{source}}: gap",
                ref="B",
            )
        ),
        _series(
            "Ingest: checkpoint lag",
            "At each account's last successful poll: how old the newest post produced was.",
            "s",
        ).with_target(
            prom(
                "max by (source, account) (districtwatch_ingest_checkpoint_lag_seconds)",
                "{{source}}/{{account}}",
            )
        ),
    )
    return board


def _prop(name: str, value: object) -> DynamicConfigValue:
    return DynamicConfigValue(id_val=name, value=value)
