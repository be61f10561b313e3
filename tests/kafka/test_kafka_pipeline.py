"""The pipeline's guarantees on Apache Kafka: same alerts as the embedded broker, through a worker
killed in a two-worker group, and through a broker restart — with each processing guarantee.

What is compared. On one partition both brokers see the posts in one order, so their alerts must be
equal field for field (but ``emitted_at``). With two partitions and two workers, the order in which
claims of one district meet depends on how the posts' partitions interleave, and an alert's id names
its first evidence: the ids of intermediate alerts may differ between runs. What must not differ is
the outcome — each district's last alert (status, who gained, who lost) and the control map — and no
notifier destination may receive an alert id twice.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from districtwatch.schemas import Alert, DeadLetter

from bench.synthetic import generate
from districtwatch.broker import EmbeddedBroker
from districtwatch.codec import decode
from districtwatch.demo import sample_file, wait_until_drained
from districtwatch.kafka_launcher import KafkaBroker
from tests.conftest import Pipeline, pipelines_on
from tests.integration.helpers import read_all, replay
from tests.integration.notifier_fakes import FakeSlack

pytestmark = [pytest.mark.kafka, pytest.mark.integration]

POSTS = 10_000
ORDER_DEPENDENT = pytest.mark.xfail(
    run=False,
    reason="open (issue 10): with two partitions the control outcome still depends on how they "
    "interleave — a run measured 2026-11-25 differed from the undisturbed one in 30 of 203 districts "
    "(reported vs confirmed vs contested) though every post arrived",
)
GUARANTEES = ("at_least_once", "exactly_once")
SLACK_TOKEN = "xoxb-kafka-test-token"


@dataclass
class Run:
    alerts: list[Alert]
    control: dict[str, tuple[str | None, str | None]]


def controllers(port: int) -> dict[str, tuple[str | None, str | None]]:
    """District → (assessed controller, claimed controller), from the worker's /control."""
    found: dict[str, list[str | None]] = {}
    for layer in ("assessed", "claimed"):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/control?layer={layer}", timeout=30) as reply:
            for feature in json.load(reply)["features"]:
                found.setdefault(feature["id"], []).append(feature["properties"]["controller"])
    return {key: (value[0], value[1]) for key, value in found.items()}


def without_time(alerts: list[Alert]) -> dict[str, dict[str, Any]]:
    return {a.alert_id: a.model_dump(mode="json", exclude={"emitted_at"}) for a in alerts}


def outcome(alerts: list[Alert]) -> dict[tuple[str, str], tuple[str, str | None, str | None]]:
    """Each district's last alert on the topic (alerts are keyed by district: one partition, in order)."""
    last: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}
    for alert in alerts:
        last[(alert.province, alert.district)] = (alert.status.value, alert.gained_by, alert.lost_by)
    return last


@pytest.fixture(scope="module")
def synthetic_stream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stream") / "posts.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for post in generate(POSTS, seed=11):
            out.write(json.dumps(post, ensure_ascii=False) + "\n")
    return path


def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def converge(pipeline: Pipeline, worker: Any, calm: Run, timeout: float = 240) -> list[Alert]:
    """Wait until the alerts' outcome and the map equal the calm run's; the alerts then."""
    deadline = time.monotonic() + timeout
    while True:
        alerts = read_all(pipeline.settings, "alerts", Alert)
        if outcome(alerts) == outcome(calm.alerts) and controllers(worker.web_port) == calm.control:
            time.sleep(3)  # notifiers deliver the last alerts
            return read_all(pipeline.settings, "alerts", Alert)
        if time.monotonic() > deadline:
            assert outcome(alerts) == outcome(calm.alerts)
            assert controllers(worker.web_port) == calm.control
        time.sleep(2)


def calm_run(pipeline: Pipeline, stream: Path, name: str) -> Run:
    """One worker, nothing disturbed: the run the others are compared with."""
    with pipeline.worker(name) as worker:
        sent = replay(pipeline.settings, stream)
        assert wait_until_drained(worker, sent, timeout=240), worker.status()
        time.sleep(3)  # the last alerts' sends
        control = controllers(worker.web_port)
    return Run(read_all(pipeline.settings, "alerts", Alert), control)


@pytest.fixture(scope="module")
def calm_runs(
    broker: EmbeddedBroker, kafka: KafkaBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Run]]:
    """Undisturbed runs, each made once per module: (broker, guarantee, stream, partitions) → Run."""
    made: dict[tuple[str, str, str, str], Run] = {}

    def get(on: str, guarantee: str, stream: Path, partitions: str) -> Run:
        key = (on, guarantee, str(stream), partitions)
        if key not in made:
            bootstrap = kafka.bootstrap_servers if on == "kafka" else broker.bootstrap_servers
            workdir = tmp_path_factory.mktemp(f"calm-{on}-{guarantee}")
            pipeline = pipelines_on(bootstrap, workdir)(
                partitions=partitions, processing_guarantee=guarantee
            )
            made[key] = calm_run(pipeline, stream, "calm")
        return made[key]

    yield get


@pytest.mark.parametrize("guarantee", GUARANTEES)
@pytest.mark.parametrize("stream_name", ["sample", "synthetic"])
def test_the_same_alerts_as_on_the_embedded_broker(
    guarantee: str, stream_name: str, synthetic_stream: Path, calm_runs: Callable[..., Run]
) -> None:
    """One partition per topic: the sample story and a 10,000-post replay give, on Kafka, exactly the
    alerts (ids and fields) and the map they give on the embedded broker."""
    stream = sample_file("baghlan-2021-08-20.jsonl") if stream_name == "sample" else synthetic_stream
    embedded = calm_runs("embedded", "at_least_once", stream, "1")
    on_kafka = calm_runs("kafka", guarantee, stream, "1")
    assert without_time(on_kafka.alerts) == without_time(embedded.alerts)
    assert on_kafka.control == embedded.control
    assert len({a.alert_id for a in embedded.alerts}) >= (3 if stream_name == "sample" else 20)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(SLACK_TOKEN)
    fake.start()
    yield fake
    fake.stop()


def delivered(slack: FakeSlack) -> Counter[str]:
    return Counter(
        call.body["metadata"]["event_payload"]["alert_id"]
        for call in slack.calls("chat.postMessage")
        if call.answered == 200
    )


def notifying(kafka: KafkaBroker, tmp_path: Path, slack: FakeSlack, guarantee: str) -> Pipeline:
    """Two partitions, one Slack destination for every alert, short sessions (a dead member leaves fast)."""
    notifiers = tmp_path / "notifiers.yaml"
    notifiers.write_text(
        "destinations:\n"
        "  alerts: {kind: slack-bot, channel: '#alerts', rate: {count: 1000, per_seconds: 1}}\n"
        "rules:\n"
        "  - to: [alerts]\n",
        encoding="utf-8",
    )
    return pipelines_on(kafka.bootstrap_servers, tmp_path)(
        partitions="2",
        processing_guarantee=guarantee,
        notifiers_file=str(notifiers),
        slack_bot_token=SLACK_TOKEN,
        slack_api_url=slack.api_url,
        session_timeout_s="6",
    )


def filter_in(*workers: Any) -> float:
    return sum(float((w.status() or {}).get("stages", {}).get("filter", {}).get("in", 0)) for w in workers)


def assert_each_alert_delivered_once(pipeline: Pipeline, slack: FakeSlack, alerts: list[Alert]) -> None:
    counts = delivered(slack)
    twice = [alert_id for alert_id, n in counts.items() if n > 1]
    assert not twice, f"delivered twice: {twice}"
    letters = read_all(pipeline.settings, "alerts.deadletter", DeadLetter)
    interrupted = {decode(letter.raw, Alert).alert_id for letter in letters}
    assert all("interrupted" in letter.reason for letter in letters), [x.reason for x in letters]
    missing = {a.alert_id for a in alerts} - set(counts) - interrupted
    assert not missing, f"never delivered: {sorted(missing)[:5]}"


@ORDER_DEPENDENT
@pytest.mark.parametrize("guarantee", GUARANTEES)
def test_a_worker_killed_in_a_group_of_two_changes_nothing(
    guarantee: str,
    kafka: KafkaBroker,
    synthetic_stream: Path,
    calm_runs: Callable[..., Run],
    slack: FakeSlack,
    tmp_path: Path,
) -> None:
    """Two workers share the partitions; one is SIGKILLed a third of the way in; the survivor takes
    its partitions over. The outcome and map equal an undisturbed run; no alert id reaches Slack twice."""
    calm = calm_runs("kafka", guarantee, synthetic_stream, "2")
    pipeline = notifying(kafka, tmp_path, slack, guarantee)
    with pipeline.worker("survivor") as survivor:
        with pipeline.worker("victim") as victim:
            replay(pipeline.settings, synthetic_stream)
            until(lambda: filter_in(survivor, victim) >= POSTS / 3, 120, "no progress")
            victim.process.kill()  # SIGKILL: no LeaveGroup, no commit; the group notices at session end
            victim.process.wait()
            assert filter_in(survivor) < POSTS, "the victim died after the work was done"
        alerts = converge(pipeline, survivor, calm)
    assert_each_alert_delivered_once(pipeline, slack, alerts)


@ORDER_DEPENDENT
@pytest.mark.parametrize("guarantee", GUARANTEES)
def test_a_broker_restart_mid_replay_loses_nothing(
    guarantee: str,
    kafka: KafkaBroker,
    synthetic_stream: Path,
    calm_runs: Callable[..., Run],
    slack: FakeSlack,
    tmp_path: Path,
) -> None:
    """Kafka is stopped a third of the way in and started again on the same port and data: the worker
    reconnects and finishes with the outcome and map of an undisturbed run, each alert delivered once."""
    calm = calm_runs("kafka", guarantee, synthetic_stream, "2")
    pipeline = notifying(kafka, tmp_path, slack, guarantee)
    with pipeline.worker("steady") as worker:
        replay(pipeline.settings, synthetic_stream)
        until(lambda: filter_in(worker) >= POSTS / 3, 120, "no progress")
        kafka.restart()
        assert worker.process.poll() is None, "the worker died with the broker"
        alerts = converge(pipeline, worker, calm)
    assert_each_alert_delivered_once(pipeline, slack, alerts)
