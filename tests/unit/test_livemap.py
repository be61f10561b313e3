"""The live map's pure parts: the read model's bookkeeping, the map now and at a past moment, the shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

from districtwatch.core.control.policy import (
    DistrictState,
    Place,
    Policy,
    apply_claim,
    apply_verdict,
    district_key,
)
from districtwatch.livemap import timeline
from districtwatch.livemap.assets import STATIC
from districtwatch.livemap.readmodel import LISTENER_QUEUE, Change, ReadModel
from districtwatch.livemap.shapes import EMPTY, district_shapes
from districtwatch.schemas import Alert, Verdict
from districtwatch.testing.records import T0, make_claim

NOW = datetime(2030, 1, 1, tzinfo=UTC)
KEY = "Baghlan/Puli Hisar"


def story() -> tuple[list[DistrictState], list[Alert]]:
    """Puli Hisar: reported at 08:10, confirmed at 08:40 by a second account; the states after each."""
    state = DistrictState(district="Puli Hisar", province="Baghlan", controller="taliban")
    states, alerts = [], []
    for claim in (
        make_claim(account="a", minutes=10, lost_by="taliban"),
        make_claim(account="b", minutes=40, lost_by="taliban"),
    ):
        state, new = apply_claim(
            state, claim, policy=Policy(), is_trusted=lambda _p, _a: False, place=Place(None, None), now=NOW
        )
        states.append(state)
        alerts.extend(new)
    return states, alerts


def baseline(province: str, district: str) -> DistrictState:
    return DistrictState(district=district, province=province, controller="taliban", since=T0)


def test_a_report_is_hatched_for_its_winner_and_a_confirmation_hands_the_district_over() -> None:
    """live_entry reads the state: a report keeps the holder and names the claimed winner; a confirmation
    moves the district."""
    (reported, confirmed), _ = story()
    assert timeline.live_entry(reported).as_json() | {"last_alert": None} == {
        "holder": "taliban",
        "status": "reported",
        "claimed": "resistance",
        "since": None,
        "confidence": 0.0,
        "analyst": None,
        "last_alert": None,
    }
    entry = timeline.live_entry(confirmed)
    assert (entry.holder, entry.status, entry.claimed) == ("resistance", "confirmed", "resistance")
    assert timeline.live_entry(baseline("Baghlan", "Nahrin")).status == "baseline"
    assert timeline.live_entry(DistrictState(district="Nahrin", province="Baghlan")).status == "unknown"


def test_the_map_at_a_past_moment_is_folded_from_the_alerts_in_event_time() -> None:
    """Before the report: baseline; between report and confirmation: reported; after: confirmed; and the
    fold at the end agrees with the live state."""
    states, alerts = story()
    keys = [("Baghlan", "Puli Hisar"), ("Baghlan", "Nahrin")]

    def at(minutes: float) -> timeline.MapEntry:
        return timeline.entries_at(keys, reversed(alerts), baseline, T0 + timedelta(minutes=minutes))[KEY]

    assert at(5).status == "baseline"
    assert (at(20).holder, at(20).status, at(20).claimed) == ("taliban", "reported", "resistance")
    assert (at(45).holder, at(45).status) == ("resistance", "confirmed")
    final = timeline.live_entry(states[-1])
    assert (at(45).holder, at(45).status, at(45).claimed, at(45).last_alert) == (
        final.holder,
        final.status,
        final.claimed,
        final.last_alert,
    )
    assert timeline.moments(alerts) == [T0 + timedelta(minutes=10), T0 + timedelta(minutes=40)]


def test_an_analysts_rejection_sends_the_district_back_at_the_time_of_the_verdict() -> None:
    """A retracted alert is placed at the verdict's time and gives the district back to the loser."""
    states, alerts = story()
    confirmed = alerts[-1]
    verdict_at = T0 + timedelta(hours=3)
    verdict = Verdict(
        verdict_id="v1",
        alert_id=confirmed.alert_id,
        district="Puli Hisar",
        province="Baghlan",
        verdict="reject",
        by="desk",
        reason="",
        at=verdict_at,
    )
    after, (retracted,) = apply_verdict(states[-1], verdict, now=NOW)
    assert timeline.event_time(retracted) == verdict_at
    keys = [("Baghlan", "Puli Hisar")]
    past = timeline.entries_at(keys, [*alerts, retracted], baseline, verdict_at)[KEY]
    assert (past.holder, past.status, past.analyst) == ("taliban", "retracted", "reject")
    assert timeline.live_entry(after).holder == "taliban"


def test_the_history_lists_every_alert_and_opens_verdicts_only_on_remembered_ones() -> None:
    states, alerts = story()
    other = alerts[0].model_copy(update={"alert_id": "elsewhere", "district": "Nahrin"})
    body = timeline.district_history(states[-1], [*alerts, other])
    assert [a["status"] for a in body["alerts"]] == ["reported", "confirmed"]
    assert all(a["verdict_open"] for a in body["alerts"])
    assert body["alerts"][1]["at"] == (T0 + timedelta(minutes=40)).isoformat()


def test_the_read_model_keeps_the_last_state_per_district_and_each_alert_once() -> None:
    """Changelog records replace each other, a null deletes; an alert read twice is told once."""
    (reported, confirmed), alerts = story()
    model = ReadModel()
    listener = model.listen()
    key = json.dumps(KEY).encode()
    model.apply_state(key, reported.model_dump_json().encode())
    assert model.state(KEY) == reported
    model.apply_state(key, confirmed.model_dump_json().encode())
    assert model.states() == {KEY: confirmed}
    for alert in [*alerts, alerts[0]]:
        model.apply_alert(alert.model_dump_json().encode())
    assert [a.alert_id for a in model.alerts()] == [a.alert_id for a in alerts]
    model.apply_alert(b"not json")
    model.apply_state(b"not json", b"{}")
    assert model.skipped == 2
    model.apply_state(key, None)
    assert model.state(KEY) is None
    told = [listener.queue.get_nowait() for _ in range(listener.queue.qsize())]
    assert told == [
        Change("district", KEY),
        Change("district", KEY),
        *(Change("alert", a.alert_id) for a in alerts),
        Change("district", KEY),
    ]


def test_a_listener_that_falls_behind_is_marked_and_closing_ends_every_stream() -> None:
    model = ReadModel()
    slow = model.listen()
    for i in range(LISTENER_QUEUE + 5):
        model.apply_state(json.dumps(f"Baghlan/D{i}").encode(), b'{"district": "x", "province": "y"}')
    assert slow.overflowed
    model.close()
    items = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
    assert items[-1] == Change("closed", "")


def test_the_bundled_shapes_cover_every_gazetteer_district_that_has_a_polygon() -> None:
    """One polygon per geoBoundaries district, under the worker's district key, small enough to ship."""
    raw = district_shapes("afghanistan")
    assert len(raw) < 400_000
    shapes = json.loads(raw)
    gazetteer = json.loads(
        resources.files("districtwatch.data").joinpath("gazetteers", "afghanistan.json").read_bytes()
    )
    with_polygon = {district_key(d["province"], d["name"]) for d in gazetteer["districts"] if d["shape_id"]}
    ids = [f["id"] for f in shapes["features"]]
    assert len(ids) == len(set(ids)) == 398
    assert set(ids) == with_polygon
    assert {f["geometry"]["type"] for f in shapes["features"]} <= {"Polygon", "MultiPolygon"}
    assert "geoBoundaries" in shapes["attribution"]
    assert district_shapes("/elsewhere/other.json") == EMPTY


def test_every_asset_the_page_names_is_shipped() -> None:
    """The page loads only /map/static/ files the worker serves, and Leaflet's licence comes with it."""
    static = resources.files("districtwatch.livemap").joinpath("static")
    page = static.joinpath("index.html").read_text(encoding="utf-8")
    for name in STATIC:
        assert static.joinpath(name).is_file(), name
    for ref in ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "map.js", "map.css"):
        assert f"/map/static/{ref}" in page
    assert "http://" not in page
    assert "https://" not in page
    assert "BSD" in static.joinpath("vendor/leaflet/LICENSE").read_text(encoding="utf-8")
