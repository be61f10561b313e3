"""A worker whose table recovery reads nothing is noticed and recovers by itself (the watchdog).

The stuck state is induced, not waited for: the restarted worker runs with
``tests/fixtures/stuck_recovery`` on its PYTHONPATH, which loses every changelog record its recovery
fetches (the fetch position moves past them; none is delivered) until the watchdog has acted — the
shape of the Kafka kill test's hang. Without the watchdog such a worker never becomes ready.
"""

from __future__ import annotations

import os
import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from districtwatch.samples import sample_file
from districtwatch.testing.worker import wait_until_drained

from .helpers import controllers, replay

pytestmark = pytest.mark.integration

FAULT = Path(__file__).parents[1] / "fixtures" / "stuck_recovery"
#: Above the rebalance timeout (4 s): a rejoin on the embedded broker takes about that long.
STUCK_S = 6


def metric(port: int, name: str) -> dict[str, float]:
    """Samples of one metric on a worker's /metrics, by their label text."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
        text = reply.read().decode()
    pattern = re.compile(rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$", re.M)
    return {labels or "": float(value) for labels, value in pattern.findall(text)}


@pytest.mark.parametrize(
    ("remedies", "actions"),
    [(1, ["restart_recovery"]), (2, ["restart_recovery", "rejoin"])],
    ids=["a-restarted-recovery-reads-again", "a-rejoin-when-a-restart-is-not-enough"],
)
def test_a_worker_stuck_in_table_recovery_is_noticed_and_recovers_by_itself(
    pipeline_factory: Callable[..., Any], tmp_path: Path, remedies: int, actions: list[str]
) -> None:
    """A worker restarted onto full changelogs loses what its recovery fetches: after
    DISTRICTWATCH_RECOVERY_STUCK_S without progress the watchdog logs it, counts it, starts the
    recovery again, then (if that is not enough) makes the worker rejoin its group; the worker
    becomes ready with the tables of the run before, and /status says what was done."""
    pipeline = pipeline_factory(partitions="2", recovery_stuck_s=str(STUCK_S))
    with pipeline.worker("first") as worker:
        sent = replay(pipeline.settings, sample_file("baghlan-2021-08-20.jsonl"))
        assert wait_until_drained(worker, sent, timeout=120), worker.status()
        before = controllers(worker.web_port)
    assert before, "no state to recover"

    pipeline.env.update(
        PYTHONPATH=os.pathsep.join([str(FAULT), pipeline.env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        DISTRICTWATCH_TEST_STUCK_REMEDIES=str(remedies),
    )
    started = time.monotonic()
    with pipeline.worker("second") as worker:  # returns once ready: recovery has completed
        took = time.monotonic() - started
        status = worker.status() or {}
        assert status["ready"], status
        assert status["recovery"]["remedies"] == remedies, status["recovery"]
        assert status["recovery"]["last_action"] == actions[-1]
        assert not status["recovery"]["stuck"], status["recovery"]
        assert controllers(worker.web_port) == before, "the tables were not recovered"
        counted = metric(worker.web_port, "districtwatch_recovery_unstuck_total")
        assert counted == {f'{{action="{action}"}}': 1.0 for action in actions}, counted
    assert took >= remedies * STUCK_S, f"ready after {took:.1f} s: the fault did not hold the recovery"
    log = (tmp_path / "second.log").read_text(encoding="utf-8")
    said = re.findall(
        rf"watchdog: not ready, no table-recovery progress for \d+ s \(limit {STUCK_S} s\): (\w+)", log
    )
    assert said == actions, said
    states = re.findall(r"watchdog: the stuck recovery's state: (.*)", log)
    assert len(states) == len(actions), states
    assert "unreadable" not in states[0], states[0]
