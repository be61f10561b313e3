"""Two workers of one group, each holding part of the partitions, answer alike for every district."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import pytest

from districtwatch.samples import sample_file

from .helpers import group_drained, replay

pytestmark = pytest.mark.integration

INPUTS = ("posts.raw", "posts.relevant", "posts.unique", "claims")
VIEWS = (
    "/control?layer=assessed",
    "/control?layer=claimed",
    "/control.geojson",
    "/control/Baghlan/Puli%20Hisar",
    "/alerts?since=2000-01-01T00:00:00Z&limit=1000",
    "/map/state",
    "/map/state?at=2021-08-20T08:30:00Z",
    "/map/timeline",
    "/map/district/Baghlan/Puli%20Hisar",
    "/map/district/Baghlan/Dih%20Salah",
)


def get(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as reply:
        return json.load(reply)


def ready(port: int) -> bool:
    try:
        return bool(get(port, "/status").get("ready"))
    except OSError:
        return False


def test_two_workers_give_the_same_control_alerts_and_map(pipeline_factory: Callable[..., Any]) -> None:
    """Four partitions shared by two workers: after the sample replay, /control, /control.geojson,
    /alerts and every map view answer the same on both, and tell the Baghlan story (Puli Hisar
    confirmed for the resistance, Dih Salah and Banu reported), whichever worker holds its partition."""
    pipeline = pipeline_factory(partitions="4")
    with ExitStack() as stack:
        first = stack.enter_context(pipeline.worker("first"))
        second = stack.enter_context(pipeline.worker("second"))
        deadline = time.monotonic() + 60
        while not (ready(first.web_port) and ready(second.web_port)):
            assert time.monotonic() < deadline, "the pair never settled after the second joined"
            time.sleep(0.5)
        replay(pipeline.settings, sample_file("baghlan-2021-08-20.jsonl"))
        deadline = time.monotonic() + 120
        while not group_drained(pipeline.settings, INPUTS):
            assert time.monotonic() < deadline, "the pair did not drain the sample"
            time.sleep(1)
        ports = (first.web_port, second.web_port)
        # Faust's group commits its input offsets before the alerts it sent are acknowledged: wait
        # until both workers have read the story's last change.
        deadline = time.monotonic() + 30
        while any(len(get(p, "/map/timeline")["alerts"]) < 4 for p in ports):
            assert time.monotonic() < deadline, [get(p, "/map/timeline") for p in ports]
            time.sleep(0.5)
        time.sleep(2)
        answers = {port: {view: get(port, view) for view in VIEWS} for port in ports}

    for view in VIEWS:
        assert answers[ports[0]][view] == answers[ports[1]][view], view
    state = {d["key"]: d for d in answers[ports[0]]["/map/state"]["districts"]}
    baghlan = {
        k: (v["holder"], v["status"], v["claimed"]) for k, v in state.items() if k.startswith("Baghlan/")
    }
    assert baghlan["Baghlan/Puli Hisar"] == ("resistance", "confirmed", "resistance")
    assert baghlan["Baghlan/Dih Salah"] == ("taliban", "reported", "resistance")
    assert baghlan["Baghlan/Banu"] == ("taliban", "reported", "resistance")
    geojson = answers[ports[0]]["/control.geojson"]
    assert geojson == answers[ports[0]]["/control?layer=assessed"]
    claimed = {
        f["id"]: f["properties"]["controller"]
        for f in answers[ports[0]]["/control?layer=claimed"]["features"]
    }
    assert claimed["Baghlan/Dih Salah"] == "resistance"
    history = answers[ports[0]]["/map/district/Baghlan/Puli%20Hisar"]
    assert [a["status"] for a in history["alerts"]] == ["reported", "confirmed"]
    assert {s["account"] for s in history["alerts"][-1]["sources"]} >= {"AsvakaNews", "PanjshirProvin1"}
    alerts = answers[ports[0]]["/alerts?since=2000-01-01T00:00:00Z&limit=1000"]["alerts"]
    assert sorted(a["district"] for a in alerts) == ["Banu", "Dih Salah", "Puli Hisar", "Puli Hisar"]
