"""A worker killed with SIGKILL in the middle of a 10,000-post replay loses nothing and doubles nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import generate
from districtwatch.schemas import Alert
from districtwatch.testing.worker import wait_until_drained

from .helpers import controllers, group_drained, read_all, replay, without_time

pytestmark = pytest.mark.integration

POSTS = 10_000
INPUTS = ("posts.raw", "posts.relevant", "posts.unique", "claims")


def alert_set(alerts: list[Alert]) -> set[str]:
    return {a.alert_id for a in alerts}


def test_sigkill_mid_replay_then_restart_gives_the_alerts_and_map_of_an_undisturbed_run(
    pipeline_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """One partition per topic, so that both runs see the posts in one order and must agree exactly:
    every alert of the undisturbed run (same ids, same fields but emitted_at), and the same map."""
    stream = tmp_path / "posts.jsonl"
    with stream.open("w", encoding="utf-8") as out:
        for post in generate(POSTS, seed=11):
            out.write(json.dumps(post, ensure_ascii=False) + "\n")

    undisturbed = pipeline_factory(partitions="1")
    with undisturbed.worker("calm") as worker:
        sent = replay(undisturbed.settings, stream)
        assert sent == POSTS
        assert wait_until_drained(worker, sent, timeout=240), worker.status()
        calm_map = controllers(worker.web_port)
    calm = read_all(undisturbed.settings, "alerts", Alert)
    assert len(alert_set(calm)) >= 20, "the stream should change hands of many districts"

    crashed = pipeline_factory(partitions="1")
    with crashed.worker("victim") as worker:
        replay(crashed.settings, stream)
        deadline = time.monotonic() + 120
        while (worker.status() or {}).get("stages", {}).get("filter", {}).get("in", 0) < POSTS / 3:
            assert time.monotonic() < deadline, "the worker never got a third of the way"
            time.sleep(0.05)
        worker.process.kill()  # SIGKILL: no shutdown, no final commit, tables mid-write
        worker.process.wait()
    before_restart = read_all(crashed.settings, "alerts", Alert)
    assert len(alert_set(before_restart)) < len(alert_set(calm)), "killed too late to prove anything"

    with crashed.worker("victim") as worker:  # same data dir, same group: resumes from its commits
        deadline = time.monotonic() + 240
        while not group_drained(crashed.settings, INPUTS):
            assert time.monotonic() < deadline, "the restarted worker did not catch up"
            time.sleep(1)
        time.sleep(2)  # the last alerts' sends are acknowledged after the commit of their input
        restarted_map = controllers(worker.web_port)
    recovered = read_all(crashed.settings, "alerts", Alert)

    extra = [a.model_dump(mode="json") for a in recovered if a.alert_id not in alert_set(calm)]
    missing = [a.model_dump(mode="json") for a in calm if a.alert_id not in alert_set(recovered)]
    if extra or missing:
        places = {a["district"] for a in extra + missing}
        for label, run in (("calm", calm), ("recovered", recovered)):
            for a in run:
                if a.district in places:
                    print(label, a.model_dump_json(exclude={"emitted_at"}))
    assert alert_set(recovered) == alert_set(calm), {"extra": extra[:3], "missing": missing[:3]}
    assert without_time(recovered) == without_time(calm)
    assert restarted_map == calm_map
    # at-least-once: some alerts may be on the topic twice, always with the same id and content
    assert len(recovered) >= len(alert_set(recovered))
