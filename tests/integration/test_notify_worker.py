"""The notify agents in a real worker on the embedded broker: a SIGKILL mid-way delivers nothing twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from districtwatch.codec import encode
from districtwatch.core.control.policy import district_key
from districtwatch.kafka.clients import ensure_topics, produce
from districtwatch.schemas import AlertStatus, DeadLetter
from tests.integration.helpers import read_all
from tests.integration.notifier_fakes import FakeSlack, delivered_alert_ids
from tests.unit.notifier_alerts import make_alert

pytestmark = pytest.mark.integration

SLACK_TOKEN = "xoxb-worker-test-token"
ALERTS = 40


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(SLACK_TOKEN)
    fake.start()
    yield fake
    fake.stop()


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_a_worker_killed_mid_delivery_resumes_without_delivering_twice(
    pipeline_factory: Callable[..., Any], slack: FakeSlack, tmp_path: Path
) -> None:
    """Alerts go out at 5 a second; the worker is SIGKILLed after about a third and started again.
    Every alert reaches Slack at most once, and all but one interrupted mid-send (dead-lettered as
    'interrupted', at most one) reach it exactly once."""
    notifiers = tmp_path / "notifiers.yaml"
    notifiers.write_text(
        "destinations:\n"
        "  alerts: {kind: slack-bot, channel: '#alerts', rate: {count: 1, per_seconds: 0.2}}\n"
        "rules:\n"
        "  - to: [alerts]\n",
        encoding="utf-8",
    )
    pipeline = pipeline_factory(
        notifiers_file=str(notifiers),
        slack_bot_token=SLACK_TOKEN,
        slack_api_url=slack.api_url,
        session_timeout_s="6",
    )
    settings = pipeline.settings
    bootstrap = settings.bootstrap_servers
    alerts = [
        make_alert(district=f"District {i}", province=f"Province {i % 5}", status=AlertStatus.CONFIRMED)
        for i in range(ALERTS)
    ]
    records = [(district_key(a.province, a.district).encode(), encode(a)) for a in alerts]

    with pipeline.worker() as worker:
        asyncio.run(ensure_topics(bootstrap, [settings.topic("alerts")], settings.partitions))
        asyncio.run(produce(bootstrap, settings.topic("alerts"), records))
        assert wait_for(lambda: sum(delivered_alert_ids(slack).values()) >= ALERTS // 3, 60), "no deliveries"
        worker.process.kill()  # SIGKILL: no shutdown, no final commit
        worker.process.wait()
    killed_at = sum(delivered_alert_ids(slack).values())
    assert killed_at < ALERTS, "the worker finished before it was killed; slow the rate down"

    with pipeline.worker():
        everything = {a.alert_id for a in alerts}

        def settled() -> bool:
            letters = read_all(settings, "alerts.deadletter", DeadLetter)
            interrupted = {_alert_id(letter) for letter in letters}
            return set(delivered_alert_ids(slack)) | interrupted >= everything

        assert wait_for(settled, 90), f"delivered {len(delivered_alert_ids(slack))} of {ALERTS}"
        time.sleep(2.0)  # anything re-read after the restart would be re-sent by now
    counts = delivered_alert_ids(slack)
    letters = read_all(settings, "alerts.deadletter", DeadLetter)
    assert max(counts.values()) == 1, [a for a, n in counts.items() if n > 1]
    assert all("interrupted" in letter.reason for letter in letters), [x.reason for x in letters]
    assert len(letters) <= 1
    assert set(counts) | {_alert_id(letter) for letter in letters} == everything
    print(f"\nkilled after {killed_at} of {ALERTS}; {len(letters)} interrupted; none delivered twice")


def _alert_id(letter: DeadLetter) -> str:
    from districtwatch.codec import decode
    from districtwatch.schemas import Alert

    return decode(letter.raw, Alert).alert_id
