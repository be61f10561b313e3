"""A real Prometheus scrapes a real worker that processed the 20 Aug 2021 sample; its HTTP API is queried."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from districtwatch.core.accounts import AccountRegistry
from districtwatch.samples import sample_file
from districtwatch.schemas import Post
from districtwatch.testing.worker import PIPELINE, wait_until_drained
from tests.deploy.prometheus_server import MISSING_PROMETHEUS, PROMETHEUS, PrometheusServer, local_config
from tests.deploy.promql import REPO, without_grafana_variables

from .helpers import replay

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(PROMETHEUS is None, reason=MISSING_PROMETHEUS),
]

JOB = "districtwatch-worker"


def value(result: list[dict[str, Any]]) -> float:
    assert len(result) == 1, result
    return float(result[0]["value"][1])


def by_label(result: list[dict[str, Any]], label: str) -> dict[str, float]:
    return {sample["metric"][label]: float(sample["value"][1]) for sample in result}


def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """``check()``'s result once it stops raising AssertionError, or its last failure after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def newest_post_per_account() -> dict[str, float]:
    """Event time of each registered account's newest post in the sample: what the gauge must show."""
    registry = AccountRegistry.load(sample_file("accounts.yaml"))
    newest: dict[str, float] = {}
    for line in sample_file("baghlan-2021-08-20.jsonl").read_text(encoding="utf-8").splitlines():
        post = Post.model_validate_json(line)
        if registry.get(post.platform, post.account) is not None:
            newest[post.account] = max(newest.get(post.account, 0.0), post.created_at.timestamp())
    return newest


def test_prometheus_sees_stage_counters_latency_and_district_gauges_of_the_sample(
    pipeline_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """After the sample stream, Prometheus holds the worker's stage counts (equal to /status), four alert
    latencies, Puli Hisar held by the resistance on both map layers and Dih Salah and Banu only on the
    claimed one, each account's newest post time, zero lag, and the alert rules evaluating on them."""
    pipeline = pipeline_factory()
    sample = sample_file("baghlan-2021-08-20.jsonl")
    with pipeline.worker() as worker:
        sent = replay(pipeline.settings, sample)
        assert wait_until_drained(worker, sent, timeout=60), worker.status()
        stages = worker.status()["stages"]
        assert all(stages.get(stage, {}).get("in", 0) > 0 for stage in PIPELINE), (
            f"a stage never ran: {stages}"
        )
        config = local_config({JOB: [f"127.0.0.1:{worker.web_port}"]})
        with PrometheusServer(config, tmp_path) as prometheus:
            query = prometheus.query

            def scraped_everything() -> None:
                assert value(query(f'up{{job="{JOB}"}}')) == 1, prometheus.targets()
                in_filter = query('sum(districtwatch_stage_in_records_total{stage="filter"})')
                assert in_filter
                assert value(in_filter) == sent
                assert query("districtwatch_consumer_lag_records"), "the watchdog has not reported lag yet"

            eventually(scraped_everything)

            # stage counters: the same numbers as the worker's /status, every stage of the pipeline
            for metric, field in (
                ("districtwatch_stage_in_records_total", "in"),
                ("districtwatch_stage_out_records_total", "out"),
                ("districtwatch_stage_dropped_records_total", "dropped"),
                ("districtwatch_stage_deadlettered_records_total", "deadlettered"),
            ):
                seen = by_label(query(f"sum by (stage) ({metric})"), "stage")
                for stage in PIPELINE:
                    assert seen.get(stage, 0.0) == stages[stage][field], (metric, stage, seen)
            assert stages["filter"]["in"] == sent
            assert by_label(query("sum by (status) (districtwatch_alerts_total)"), "status") == {
                "reported": 3,
                "confirmed": 1,
            }

            # the latency histogram: one observation per alert, all within the replay's few seconds
            assert by_label(
                query("sum by (status) (districtwatch_post_to_alert_seconds_count)"), "status"
            ) == {
                "reported": 3,
                "confirmed": 1,
            }
            buckets = by_label(query("sum by (le) (districtwatch_post_to_alert_seconds_bucket)"), "le")
            assert buckets["+Inf"] == 4, buckets
            assert buckets["300.0"] == 4, buckets
            p99 = value(
                query("histogram_quantile(0.99, sum by (le) (districtwatch_post_to_alert_seconds_bucket))")
            )
            assert 0 < p99 <= 300

            # district gauges: one controller per district and layer, with the gazetteer's coordinates
            controllers: dict[tuple[str, str], str] = {}
            for sample_ in query('districtwatch_district_controller{province="Baghlan"}'):
                labels = sample_["metric"]
                assert float(sample_["value"][1]) == 1
                assert -90 <= float(labels["lat"]) <= 90, labels
                assert -180 <= float(labels["lon"]) <= 180, labels
                key = (labels["district"], labels["layer"])
                assert key not in controllers, f"two controllers for {key}"
                controllers[key] = labels["controller"]
            assert controllers[("Puli Hisar", "assessed")] == "resistance"
            assert controllers[("Puli Hisar", "claimed")] == "resistance"
            for district in ("Dih Salah", "Banu"):
                assert controllers[(district, "assessed")] == "taliban", (
                    district
                )  # reported only, not confirmed
                assert controllers[(district, "claimed")] == "resistance", district
            assert not query("count by (province, district, layer) (districtwatch_district_controller) > 1")
            since = datetime.fromtimestamp(
                value(
                    query('districtwatch_district_controller_since_timestamp_seconds{district="Puli Hisar"}')
                ),
                UTC,
            )
            assert since.date().isoformat() == "2021-08-20", since

            # sources: each registered account's newest post, by event time
            newest = by_label(
                query("max by (account) (districtwatch_last_post_timestamp_seconds)"), "account"
            )
            assert newest == newest_post_per_account()

            # drained: nothing left to read in any partition of the pipeline's topics
            raw_topic = pipeline.topic("posts.raw")
            assert query(f'districtwatch_consumer_lag_records{{topic="{raw_topic}"}}'), (
                "no lag series for posts.raw"
            )
            own_topics = f'topic=~"{pipeline.settings.topic_prefix}.+"'  # "t<hex>.": no regex surprises
            eventually(
                lambda: _assert_equal(
                    value(query(f"sum(districtwatch_consumer_lag_records{{{own_topics}}})")), 0
                )
            )

            # the rules run on these series: the 2021 accounts have been silent for years (pending: for 15m)
            def account_silent_pending() -> None:
                alerts = prometheus.api("alerts")["alerts"]
                silent = {
                    a["labels"]["account"] for a in alerts if a["labels"]["alertname"] == "AccountSilent"
                }
                assert silent == set(newest), alerts

            eventually(account_silent_pending)
            assert not [
                a for a in prometheus.api("alerts")["alerts"] if a["labels"]["alertname"] != "AccountSilent"
            ]

            # the dashboards' queries run on the real series; the map and the table of changes are not empty
            for path in sorted((REPO / "deploy/grafana/dashboards").glob("*.json")):
                for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
                    for target in panel.get("targets", []):
                        result = prometheus.api("query", query=without_grafana_variables(target["expr"]))
                        if panel["type"] in {"geomap", "table"}:
                            assert result["result"], panel["title"]


def _assert_equal(actual: float, expected: float) -> None:
    assert actual == expected, actual
