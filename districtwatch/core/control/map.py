"""The control map as GeoJSON and the district view with history: pure functions over states.

Two layers, as conflict analysts keep them: *assessed* (confirmed or analyst-confirmed changes
only) and *claimed* (every open report too). Every district of the gazetteer is a feature, so the
map is complete even where nothing was reported; districts without a stored state show the baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from districtwatch.core.control.policy import DistrictState, claimed_controller, district_key
from districtwatch.schemas import Alert

Layer = Literal["claimed", "assessed"]


@dataclass(frozen=True, slots=True)
class MapDistrict:
    """A district of the gazetteer, as the map needs it."""

    name: str
    province: str
    lat: float | None
    lon: float | None


def feature(district: MapDistrict, state: DistrictState, layer: Layer) -> dict[str, Any]:
    """One GeoJSON feature: the district's centroid and who holds it in ``layer``."""
    controller = claimed_controller(state) if layer == "claimed" else state.controller
    geometry = (
        {"type": "Point", "coordinates": [district.lon, district.lat]}
        if district.lat is not None and district.lon is not None
        else None
    )
    return {
        "type": "Feature",
        "id": district_key(district.province, district.name),
        "geometry": geometry,
        "properties": {
            "district": district.name,
            "province": district.province,
            "controller": controller,
            "since": state.since.isoformat() if state.since else None,
            "confidence": state.confidence,
            "analyst_confirmed": state.analyst is not None and state.analyst.verdict == "confirm",
            "pending": state.pending.status.value if state.pending else None,
            "last_alert": state.last_alert_id,
        },
    }


def control_geojson(
    districts: Iterable[MapDistrict],
    states: Mapping[str, DistrictState],
    initial: Callable[[str, str], DistrictState],
    layer: Layer,
    province: str | None = None,
) -> dict[str, Any]:
    """A FeatureCollection with one feature per district (of ``province``, if given)."""
    features = []
    for district in sorted(districts, key=lambda d: (d.province, d.name)):
        if province is not None and district.province.lower() != province.lower():
            continue
        key = district_key(district.province, district.name)
        state = states.get(key) or initial(district.province, district.name)
        features.append(feature(district, state, layer))
    return {"type": "FeatureCollection", "layer": layer, "features": features}


def district_view(district: MapDistrict, state: DistrictState) -> dict[str, Any]:
    """One district with its history and recent alerts."""
    body = feature(district, state, "assessed")
    body["properties"]["claimed_controller"] = claimed_controller(state)
    body["history"] = [entry.model_dump(mode="json") for entry in state.history]
    body["recent_alerts"] = [alert.model_dump(mode="json") for _, alert in state.recent]
    return body


def alerts_since(states: Iterable[DistrictState], since: datetime | None, limit: int) -> list[Alert]:
    """Recent alerts of every district emitted at or after ``since``, oldest first."""
    found = {
        alert.alert_id: alert
        for state in states
        for _, alert in state.recent
        if since is None or alert.emitted_at >= since
    }
    return sorted(found.values(), key=lambda a: (a.emitted_at, a.alert_id))[-limit:]
