"""control: claims → alerts, keeping the district control table.

The claims topic is keyed by district, so one district's state lives on one partition, in a
changelog-backed table. Each claim goes through the pure policy (``districtwatch.control``); the
alerts it returns are sent keyed by district.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from districtwatch import topics
from districtwatch.app import accounts, app, extractor, metrics, settings
from districtwatch.baseline import Baseline, initial_state
from districtwatch.codec import decode, encode
from districtwatch.control import DistrictState, Place, Policy, apply_claim, district_key
from districtwatch.deadletters import dead_letter
from districtwatch.errors import DecodeError
from districtwatch.schemas import Claim

STAGE = "control"

district_control = app.Table(
    "district-control",
    default=None,
    key_type=str,
    value_type=dict,
    help="'Province/District' → DistrictState (controller, pending change, history).",
)


@cache
def _baseline() -> Baseline | None:
    return Baseline.load(settings.baseline_file)


def _policy() -> Policy:
    return Policy(
        confirm_threshold=settings.confirm_threshold,
        window=timedelta(hours=settings.corroboration_window_hours),
    )


def _place(claim: Claim) -> Place:
    record = extractor().gazetteer.district(claim.province, claim.district)
    return Place(record.lat, record.lon) if record else Place(None, None)


@app.agent(topics.claims, name=STAGE)
async def control_districts(stream: Any) -> None:
    policy = _policy()
    registry = accounts()
    async for event in stream.events():
        metrics.stage_in.labels(STAGE).inc()
        try:
            claim = decode(event.value, Claim)
        except DecodeError as exc:
            await dead_letter(STAGE, "decode", str(exc), event)
            continue
        key = district_key(claim.province, claim.district)
        stored = district_control.get(key)
        state = (
            DistrictState.model_validate(stored)
            if stored
            else initial_state(_baseline(), claim.province, claim.district)
        )
        now = datetime.now(UTC)
        new_state, alerts = apply_claim(
            state, claim, policy=policy, is_trusted=registry.is_trusted, place=_place(claim), now=now
        )
        if new_state != state or stored is None:
            district_control[key] = new_state.model_dump(mode="json")
        if not alerts:
            metrics.stage_dropped.labels(STAGE, "no_change").inc()
        for alert in alerts:
            await topics.alerts.send(key=key.encode(), value=encode(alert))
            metrics.alerts.labels(alert.status.value).inc()
            metrics.stage_out.labels(STAGE).inc()
            started = claim.post.created_at
            metrics.post_to_alert.labels(alert.status.value).observe(max(0.0, (now - started).total_seconds()))
