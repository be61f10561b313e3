"""control: claims and verdicts → alerts, keeping the district control table.

Claims and verdicts are keyed by district, so one district's state lives on one partition, in a
changelog-backed table. Each record goes through the pure policy (``districtwatch.core.control.policy``); the
alerts it returns are sent keyed by district.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from districtwatch import topics
from districtwatch.app import accounts, app, extractor, metrics, settings
from districtwatch.codec import decode, encode
from districtwatch.core.control.baseline import Baseline, initial_state
from districtwatch.core.control.policy import (
    DistrictState,
    Place,
    Policy,
    apply_claim,
    apply_verdict,
    claimed_controller,
    district_key,
)
from districtwatch.deadletters import dead_letter
from districtwatch.errors import RecordError
from districtwatch.kafka.partitioner import partition_of
from districtwatch.schemas import Alert, Claim, Verdict

STAGE = "control"

district_control = app.Table(
    "district-control",
    default=None,
    key_type=str,
    # No value_type: values are JSON decoded to plain dicts. With value_type=dict, Faust's changelog
    # recovery calls dict.from_data, logs "Error in recovery" and skips every record: a worker that
    # takes the partitions over would start from an empty table.
    help="'Province/District' → DistrictState (controller, pending change, history).",
)


@cache
def _baseline() -> Baseline | None:
    return Baseline.load(settings.baseline_file)


def initial_for(province: str, district: str) -> DistrictState:
    """A district's state before anything was said about it: the baseline's, or unknown."""
    return initial_state(_baseline(), province, district)


def _policy() -> Policy:
    return Policy(
        confirm_threshold=settings.confirm_threshold,
        window=timedelta(hours=settings.corroboration_window_hours),
    )


def _place(province: str, district: str) -> Place:
    record = extractor().gazetteer.district(province, district)
    return Place(record.lat, record.lon) if record else Place(None, None)


def _state(key: str, province: str, district: str) -> tuple[DistrictState, bool]:
    stored = district_control.get(key)
    if stored:
        return DistrictState.model_validate(stored), True
    return initial_for(province, district), False


@app.agent(topics.control_inputs, name=STAGE)
async def control_districts(stream: Any) -> None:
    policy = _policy()
    registry = accounts()
    verdicts_topic = settings.topic("verdicts")
    async for event in stream.events():
        metrics.stage_in.labels(STAGE).inc()
        now = datetime.now(UTC)
        try:
            if event.message.topic == verdicts_topic:
                verdict = decode(event.value, Verdict)
                key = district_key(verdict.province, verdict.district)
                state, stored = _state(key, verdict.province, verdict.district)
                new_state, alerts = apply_verdict(state, verdict, now=now)
                started = None
            else:
                claim = decode(event.value, Claim)
                key = district_key(claim.province, claim.district)
                state, stored = _state(key, claim.province, claim.district)
                new_state, alerts = apply_claim(
                    state,
                    claim,
                    policy=policy,
                    is_trusted=registry.is_trusted,
                    place=_place(claim.province, claim.district),
                    now=now,
                )
                started = claim.post.ingested_at or claim.post.created_at
        except RecordError as exc:
            await dead_letter(STAGE, type(exc).__name__.removesuffix("Error").lower(), str(exc), event)
            continue
        if new_state != state or not stored:
            district_control[key] = new_state.model_dump(mode="json")
            export_district(state, new_state)
        if not alerts:
            metrics.stage_dropped.labels(STAGE, "no_change").inc()
        for alert in alerts:
            await _emit(key, alert, now, started)


def export_district(before: DistrictState | None, after: DistrictState) -> None:
    """Move the district's controller gauges (one series per layer) to the new controllers."""
    place = _place(after.province, after.district)
    lat, lon = (
        ("" if place.lat is None else f"{place.lat:.5f}"),
        ("" if place.lon is None else f"{place.lon:.5f}"),
    )
    for layer, pick in (("assessed", lambda s: s.controller), ("claimed", claimed_controller)):
        if before is not None:
            old = pick(before) or "unknown"
            with suppress(KeyError):  # never exported (first claim about the district in this worker)
                metrics.district_controller.remove(after.province, after.district, old, lat, lon, layer)
        metrics.district_controller.labels(
            after.province, after.district, pick(after) or "unknown", lat, lon, layer
        ).set(1)
    if after.since is not None:
        metrics.district_since.labels(after.province, after.district).set(after.since.timestamp())


def owned_by_this_worker(key: str, assigned: set[int], partitions: int) -> bool:
    """Whether the district's claims land on a partition this worker holds (the producer's partitioner)."""
    return partition_of(key.encode("utf-8"), partitions) in assigned


@app.timer(15.0)  # type: ignore[untyped-decorator]  # Faust's timer decorator is untyped
async def export_all_districts() -> None:
    """Export the controller of every district this worker is responsible for, baseline included.

    The map needs every district, not only those with news; with several workers each exports the
    districts whose partition it holds, so no series appears twice.
    """
    claims_topic = settings.topic("claims")
    assigned = {tp.partition for tp in app.consumer.assignment() if tp.topic == claims_topic}
    if not assigned:
        return
    for record in extractor().gazetteer.districts:
        key = district_key(record.province, record.name)
        if owned_by_this_worker(key, assigned, settings.partitions):
            state, _ = _state(key, record.province, record.name)
            export_district(state, state)


async def _emit(key: str, alert: Alert, now: datetime, started: datetime | None) -> None:
    await topics.alerts.send(key=key.encode(), value=encode(alert))
    metrics.alerts.labels(alert.status.value).inc()
    metrics.stage_out.labels(STAGE).inc()
    if started is not None:
        metrics.post_to_alert.labels(alert.status.value).observe(max(0.0, (now - started).total_seconds()))
