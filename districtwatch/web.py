"""The worker's HTTP API beside Faust's own pages: status, the control map, alerts, verdicts.

    GET  /status                              records in/out/dropped/dead-lettered per stage, readiness,
                                              a stuck recovery and what the watchdog did about it
    GET  /control?layer=assessed|claimed&province=P   GeoJSON, one feature per district
    GET  /control/{province}/{district}       one district with history and recent alerts
    GET  /alerts?since=ISO-8601&limit=N       recent alerts, oldest first
    POST /alerts/{alert_id}/verdict           {"verdict": "confirm"|"reject", "by": ..., "reason": ...}

Bad paths and parameters answer 4xx with a JSON error, never 500. Writes need the bearer token of
the settings (401 without one, 403 with a wrong one); reads need it only if the settings say so.
Views answer from the worker's read model of the whole control table and alerts topic
(``districtwatch.livemap``), once it has read what the topics held when the request came: every worker
of a group answers for every district, and alike. The live map's views are in ``livemap.routes``.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any

from faust import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from districtwatch import topics
from districtwatch.agents.control import initial_for
from districtwatch.agents.filter import joined as filter_stage_joined
from districtwatch.app import app, extractor, metrics, settings
from districtwatch.codec import describe, encode
from districtwatch.core.control.map import MapDistrict, alerts_since, control_geojson, district_view
from districtwatch.core.control.policy import DistrictState, district_key, verdict_id
from districtwatch.kafka import read_model_follower as follower
from districtwatch.schemas import Verdict
from districtwatch.watchdog import recovery_watch

MAX_ALERTS = 1000


def _error(view: web.View, status: int, message: str) -> web.Response:
    return view.json({"error": message, "status": status}, status=status)


def _denied(view: web.View, request: web.Request, *, write: bool) -> web.Response | None:
    """None when the request may go on, else the 401/403 answer."""
    if not write and not settings.api_protect_reads:
        return None
    token = settings.api_token.get_secret_value() if settings.api_token else None
    if token is None:
        return _error(view, 403, "writes are disabled: no API token is configured") if write else None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _error(view, 401, "missing bearer token")
    if not hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode()):
        return _error(view, 403, "wrong bearer token")
    return None


def _states() -> dict[str, DistrictState]:
    return follower.read_model.states()


def _districts() -> list[MapDistrict]:
    return [MapDistrict(d.name, d.province, d.lat, d.lon) for d in extractor().gazetteer.districts]


@app.page("/status")
async def status(self: web.View, request: web.Request) -> web.Response:
    body: dict[str, Any] = {
        "stages": metrics.stage_totals(),
        "ready": _ready(),
        "fetching": _fetching(),
        "recovery": recovery_watch.status(),  # stuck: not ready, and recovery reads nothing
    }
    return self.json(body)


def _fetching() -> dict[str, list[str]]:
    """Stream partitions this worker holds but does not fetch, and why: paused (rebalance, recovery)
    or held back because their stream's buffer is full. One that stays here is a stuck worker."""
    consumer: Any = app.consumer
    held = {tp for tp in consumer.assignment() if tp.topic not in app.tables.changelog_topics}
    # private hooks: Faust's flow control keeps these sets and offers no public view of them; /status
    # is where an operator sees a partition the worker holds but does not fetch
    active = consumer._get_active_partitions()

    def names(tps: set[Any]) -> list[str]:
        return sorted(f"{tp.topic}[{tp.partition}]" for tp in tps)

    return {
        "paused": names(held & consumer._paused_partitions),
        "buffer_full": names(held & consumer._buffered_partitions),
        "inactive": names(held - active),
    }


def _ready() -> bool:
    """Whether the worker holds partitions (Faust's and the filter's) and has finished recovering its tables.

    The web server answers before that; a client that publishes as soon as it answers gets its posts
    read in partition round-robin order after recovery, rather than as they arrive. The read model must
    also have read the topics to where they ended when it started, or the map would be missing districts.
    """
    recovery = app.tables.recovery  # type: ignore[attr-defined]  # on TableManager, not its protocol
    return bool(
        not app.rebalancing
        and recovery.completed.is_set()
        and app.consumer.assignment()
        and filter_stage_joined()
        and follower.started()
    )


@app.page("/control")
class ControlMap(web.View):
    async def get(self, request: web.Request) -> web.Response:
        if (denied := _denied(self, request, write=False)) is not None:
            return denied
        await follower.caught_up()
        layer = request.query.get("layer", "assessed")
        if layer not in ("assessed", "claimed"):
            return _error(self, 400, f"layer must be 'assessed' or 'claimed', not {layer!r}")
        province = request.query.get("province")
        districts = _districts()
        if province and not any(d.province.lower() == province.lower() for d in districts):
            return _error(self, 404, f"no province {province!r} in the gazetteer")
        body = control_geojson(districts, _states(), initial_for, layer, province)  # type: ignore[arg-type]
        return self.json(body)


@app.page("/control/{province}/{district}")
class DistrictControl(web.View):
    async def get(self, request: web.Request, province: str, district: str) -> web.Response:
        if (denied := _denied(self, request, write=False)) is not None:
            return denied
        await follower.caught_up()
        record = extractor().gazetteer.district(province, district)
        if record is None:
            return _error(self, 404, f"no district {district!r} in province {province!r}")
        stored = follower.read_model.state(district_key(record.province, record.name))
        state = stored or initial_for(record.province, record.name)
        return self.json(
            district_view(MapDistrict(record.name, record.province, record.lat, record.lon), state)
        )


@app.page("/alerts")
class RecentAlerts(web.View):
    async def get(self, request: web.Request) -> web.Response:
        if (denied := _denied(self, request, write=False)) is not None:
            return denied
        await follower.caught_up()
        since = None
        if "since" in request.query:
            try:
                since = datetime.fromisoformat(request.query["since"].replace("Z", "+00:00"))
            except ValueError:
                return _error(self, 400, "since must be an ISO-8601 time, e.g. 2021-08-20T08:00:00Z")
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
        try:
            limit = int(request.query.get("limit", "100"))
        except ValueError:
            return _error(self, 400, "limit must be a whole number")
        if not 1 <= limit <= MAX_ALERTS:
            return _error(self, 400, f"limit must be between 1 and {MAX_ALERTS}")
        found = alerts_since(_states().values(), since, limit)
        return self.json({"alerts": [alert.model_dump(mode="json") for alert in found]})


class VerdictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: str = Field(pattern="^(confirm|reject)$")
    by: str = Field(min_length=1, max_length=200)
    reason: str = Field("", max_length=2000)


@app.page("/alerts/{alert_id}/verdict")
class AlertVerdict(web.View):
    async def post(self, request: web.Request, alert_id: str) -> web.Response:
        if (denied := _denied(self, request, write=True)) is not None:
            return denied
        await follower.caught_up()
        try:
            body = VerdictRequest.model_validate_json(await request.read())
        except ValidationError as exc:
            return _error(self, 400, f"invalid verdict: {describe(exc)}")
        target = next(
            (
                alert
                for state in _states().values()
                for _, alert in state.recent
                if alert.alert_id == alert_id
            ),
            None,
        )
        if target is None:
            return _error(self, 404, f"no recent alert {alert_id!r}")
        verdict = Verdict(
            verdict_id=verdict_id(alert_id, body.verdict, body.by),
            alert_id=alert_id,
            district=target.district,
            province=target.province,
            verdict=body.verdict,
            by=body.by,
            reason=body.reason,
            at=datetime.now(UTC),
        )
        key = district_key(target.province, target.district)
        await topics.verdicts.send(key=key.encode(), value=encode(verdict))
        return self.json({"verdict_id": verdict.verdict_id, "accepted": True}, status=202)
