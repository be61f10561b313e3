"""The map's HTTP views on the worker's web server, all answered from the read model.

    GET /map                                the page (static HTML; its script asks for the rest)
    GET /map/static/{name}                  the page's script, style and vendored Leaflet
    GET /map/config                         tile URL and attribution, whether verdicts can be written
    GET /map/districts.geojson              the district polygons (ids 'Province/District')
    GET /map/state?at=ISO-8601              every district's holder and status, now or at a past moment
    GET /map/timeline                       every alert, compact, in event-time order; the slider's stops
    GET /map/district/{province}/{district} one district's every alert, with sources and verdict state
    GET /map/events                         server-sent events: each new alert, each changed district
    GET /control.geojson                    /control under the name GIS tools look for

Data views wait until the read model has read what the topics held when the request came (see
``follower.caught_up``), so every worker of a group gives the same answer. Reads need the bearer token
only where the settings protect them, as for /control; an EventSource cannot send a header, so the
event stream also takes it as ``?token=``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web as aioweb
from faust import web

from districtwatch.agents.control import initial_for
from districtwatch.app import app, extractor, settings
from districtwatch.core.control.policy import DistrictState, district_key
from districtwatch.kafka.read_model_follower import caught_up, read_model
from districtwatch.livemap import timeline
from districtwatch.livemap.assets import STATIC, asset
from districtwatch.livemap.readmodel import Change
from districtwatch.livemap.shapes import district_shapes
from districtwatch.web import ControlMap, _denied, _error

#: Seconds between comments on an idle event stream, so proxies and browsers keep it open.
KEEPALIVE_S = 15.0


def _current(province: str, district: str) -> DistrictState:
    """The district's state as the read model has it, or its baseline where nothing was said."""
    return read_model.state(district_key(province, district)) or initial_for(province, district)


def _places() -> list[dict[str, Any]]:
    return [
        {
            "key": district_key(d.province, d.name),
            "district": d.name,
            "province": d.province,
            "lat": d.lat,
            "lon": d.lon,
        }
        for d in extractor().gazetteer.districts
    ]


async def _guarded(view: web.View, request: web.Request) -> web.Response | None:
    """The 401/403 answer if the read is refused, else None once the read model has caught up."""
    if (denied := _denied(view, request, write=False)) is not None:
        return denied
    await caught_up()
    return None


@app.page("/map")
async def map_page(self: web.View, request: web.Request) -> web.Response:
    return self.bytes(asset("index.html"), content_type="text/html")


@app.page("/map/static/{name:.+}")
class MapAsset(web.View):
    async def get(self, request: web.Request, name: str) -> web.Response:
        content_type = STATIC.get(name)
        if content_type is None:
            return _error(self, 404, f"no map asset {name!r}")
        return self.bytes(
            asset(name), content_type=content_type, headers={"Cache-Control": "public, max-age=3600"}
        )


@app.page("/map/config")
async def map_config(self: web.View, request: web.Request) -> web.Response:
    return self.json(
        {
            "tile_url": settings.map_tile_url,
            "tile_attribution": settings.map_tile_attribution,
            "writes": settings.api_token is not None,
            "protect_reads": settings.api_protect_reads,
        }
    )


@app.page("/map/districts.geojson")
async def map_shapes(self: web.View, request: web.Request) -> web.Response:
    body = district_shapes(settings.gazetteer, settings.map_shapes_file)
    return self.bytes(body, content_type="application/geo+json")


@app.page("/map/state")
class MapState(web.View):
    async def get(self, request: web.Request) -> web.Response:
        if (refused := await _guarded(self, request)) is not None:
            return refused
        at = None
        if "at" in request.query:
            try:
                at = datetime.fromisoformat(request.query["at"].replace("Z", "+00:00"))
            except ValueError:
                return _error(self, 400, "at must be an ISO-8601 time, e.g. 2021-08-20T08:00:00Z")
            if at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
        places = _places()
        if at is None:
            entries = {p["key"]: timeline.live_entry(_current(p["province"], p["district"])) for p in places}
        else:
            keys = [(p["province"], p["district"]) for p in places]
            entries = timeline.entries_at(keys, read_model.alerts(), initial_for, at)
        districts = [{**p, **entries[p["key"]].as_json()} for p in places]
        return self.json({"at": at.isoformat() if at else None, "live": at is None, "districts": districts})


@app.page("/map/timeline")
class MapTimeline(web.View):
    async def get(self, request: web.Request) -> web.Response:
        if (refused := await _guarded(self, request)) is not None:
            return refused
        alerts = timeline.ordered(read_model.alerts())
        return self.json(
            {
                "moments": [moment.isoformat() for moment in timeline.moments(alerts)],
                "alerts": [timeline.compact(alert) for alert in alerts],
            }
        )


@app.page("/map/district/{province}/{district}")
class MapDistrictHistory(web.View):
    async def get(self, request: web.Request, province: str, district: str) -> web.Response:
        if (refused := await _guarded(self, request)) is not None:
            return refused
        record = extractor().gazetteer.district(province, district)
        if record is None:
            return _error(self, 404, f"no district {district!r} in province {province!r}")
        state = _current(record.province, record.name)
        return self.json(timeline.district_history(state, read_model.alerts()))


@app.page("/control.geojson")
class ControlGeoJSON(ControlMap):
    """/control, named for tools that pick a layer by its file extension."""


def _event(kind: str, data: Any) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _change_event(change: Change) -> bytes | None:
    if change.kind == "alert":
        alert = read_model.alert(change.key)
        return _event("alert", timeline.compact(alert)) if alert else None
    state = read_model.state(change.key)
    if state is None:
        return None
    return _event("district", {"key": change.key, **timeline.live_entry(state).as_json()})


def _stream_denied(view: web.View, request: web.Request) -> web.Response | None:
    token = settings.api_token.get_secret_value() if settings.api_token else None
    given = request.query.get("token")
    if settings.api_protect_reads and token is not None and given is not None:
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        return _error(view, 403, "wrong token")
    return _denied(view, request, write=False)


@app.page("/map/events")
class MapEvents(web.View):
    async def get(self, request: web.Request) -> Any:
        if (denied := _stream_denied(self, request)) is not None:
            return denied
        response = aioweb.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)  # type: ignore[arg-type]  # Faust's request is aiohttp's
        listener = read_model.listen()
        try:
            await response.write(b"retry: 1000\n\n" + _event("hello", {"at": datetime.now(UTC).isoformat()}))
            while True:
                try:
                    change = await asyncio.wait_for(listener.queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if change.kind == "closed":
                    break
                if listener.overflowed:
                    listener.overflowed = False
                    while not listener.queue.empty():
                        listener.queue.get_nowait()
                    await response.write(_event("reset", {}))
                    continue
                if (event := _change_event(change)) is not None:
                    await response.write(event)
        except ConnectionResetError:
            pass  # the browser went away
        finally:
            read_model.forget(listener)
        return response


async def _close_streams(_: aioweb.Application) -> None:
    """End the event streams when the web server shuts down: aiohttp waits for open handlers."""
    read_model.close()


app.web.web_app.on_shutdown.append(_close_streams)  # type: ignore[attr-defined]  # the aiohttp driver's
