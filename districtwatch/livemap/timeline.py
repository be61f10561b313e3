"""Who holds each district, now or at a past moment, and what happened to one: pure functions.

*Now* is read from the district's state, the same state ``/control`` answers from, so the map and
``/control`` always agree. A *past moment* is folded from the alerts: the table keeps only the last
changes of a district, the alerts topic keeps every one. Each alert is placed at the event time it
became true (:func:`event_time`), so the map of 20 August 2021 is the map of what the posts of
20 August said, whenever they were replayed.

A district on the map has a holder and a status, which the page draws apart:

    baseline   the holder of the baseline file, nothing said since        solid, pale
    confirmed  a change corroborated (or an analyst confirmed it)          solid
    retracted  an analyst rejected the change: back to the loser           solid
    reported   an open report that ``claimed`` took it, not confirmed yet  hatched in ``claimed``'s colour
    contested  an open report that another post contests                   cross-hatched
    unknown    no baseline and nothing said                                grey
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from districtwatch.core.control.policy import DistrictState, claimed_controller, district_key
from districtwatch.schemas import Alert, AlertStatus


@dataclass(frozen=True, slots=True)
class MapEntry:
    """One district as the map colours it."""

    holder: str | None
    status: str
    claimed: str | None
    since: datetime | None
    confidence: float
    analyst: str | None  # the verdict behind the holder: confirm or reject
    last_alert: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "holder": self.holder,
            "status": self.status,
            "claimed": self.claimed,
            "since": self.since.isoformat() if self.since else None,
            "confidence": self.confidence,
            "analyst": self.analyst,
            "last_alert": self.last_alert,
        }


def event_time(alert: Alert) -> datetime:
    """When the alert became true in event time: a report at its first post, a confirmation or a
    contest at the latest post it cites, an analyst's verdict when it was given."""
    at: datetime
    if alert.analyst is not None:
        at = alert.analyst.at
    elif alert.status is AlertStatus.REPORTED or not alert.sources:
        at = alert.first_seen
    else:
        at = max(alert.first_seen, *(source.created_at for source in alert.sources))
    return at


def _order(alert: Alert) -> tuple[datetime, datetime, str]:
    return event_time(alert), alert.emitted_at, alert.alert_id


def ordered(alerts: Iterable[Alert]) -> list[Alert]:
    """Alerts in event-time order (emission, then id, break ties)."""
    return sorted(alerts, key=_order)


def live_entry(state: DistrictState) -> MapEntry:
    """The district as its current state has it (what /control says)."""
    pending = state.pending
    analyst = state.analyst.verdict if state.analyst else None
    if pending is not None and pending.status in (AlertStatus.REPORTED, AlertStatus.CONTESTED):
        status = pending.status.value
    elif state.analyst is not None:
        status = "confirmed" if state.analyst.verdict == "confirm" else "retracted"
    elif state.history:
        status = state.history[-1].status.value
    else:
        status = "baseline" if state.controller else "unknown"
    return MapEntry(
        holder=state.controller,
        status=status,
        claimed=claimed_controller(state),
        since=state.since,
        confidence=state.confidence,
        analyst=analyst,
        last_alert=state.last_alert_id,
    )


def _after(entry: MapEntry, alert: Alert) -> MapEntry:
    """The district after one more alert about it."""
    status = alert.status
    if status is AlertStatus.REPORTED:
        return _changed(entry, alert, status="reported", claimed=alert.gained_by or entry.holder)
    if status is AlertStatus.CONTESTED:
        return _changed(entry, alert, status="contested", claimed=alert.gained_by or entry.claimed)
    analyst = alert.analyst.verdict if alert.analyst else None
    if status is AlertStatus.CONFIRMED:
        holder = alert.gained_by or entry.holder
        return _changed(
            entry,
            alert,
            holder=holder,
            status="confirmed",
            claimed=holder,
            since=alert.first_seen,
            confidence=alert.confidence,
            analyst=analyst,
        )
    # retracted: the district goes back to the side that lost it, if the change had been made
    holder = alert.lost_by if entry.holder == alert.gained_by and alert.gained_by else entry.holder
    return _changed(entry, alert, holder=holder, status="retracted", claimed=holder, analyst=analyst)


def _changed(entry: MapEntry, alert: Alert, **changes: Any) -> MapEntry:
    values = {
        "holder": entry.holder,
        "status": entry.status,
        "claimed": entry.claimed,
        "since": entry.since,
        "confidence": entry.confidence,
        "analyst": entry.analyst,
        "last_alert": alert.alert_id,
        **changes,
    }
    return MapEntry(**values)


def entries_at(
    keys: Iterable[tuple[str, str]],
    alerts: Iterable[Alert],
    initial: Callable[[str, str], DistrictState],
    at: datetime,
) -> dict[str, MapEntry]:
    """Every district of ``keys`` (province, district) as the alerts up to ``at`` left it."""
    entries = {district_key(p, d): live_entry(initial(p, d)) for p, d in keys}
    for alert in ordered(alerts):
        if event_time(alert) > at:
            break
        key = district_key(alert.province, alert.district)
        if key in entries:
            entries[key] = _after(entries[key], alert)
    return entries


def moments(alerts: Iterable[Alert]) -> list[datetime]:
    """The distinct event times at which the map changed, oldest first: the slider's stops."""
    return sorted({event_time(alert) for alert in alerts})


def compact(alert: Alert) -> dict[str, Any]:
    """An alert as the page's lists need it (the history panel asks for the whole alert)."""
    return {
        "alert_id": alert.alert_id,
        "key": district_key(alert.province, alert.district),
        "district": alert.district,
        "province": alert.province,
        "status": alert.status.value,
        "gained_by": alert.gained_by,
        "lost_by": alert.lost_by,
        "confidence": alert.confidence,
        "at": event_time(alert).isoformat(),
        "analyst": alert.analyst.verdict if alert.analyst else None,
    }


def district_history(state: DistrictState, alerts: Iterable[Alert]) -> dict[str, Any]:
    """A district's current entry and every alert about it (oldest first), each with its event time
    and whether an analyst can still give a verdict on it (the control stage remembers its recent
    alerts only)."""
    recent = {alert.alert_id for _, alert in state.recent}
    mine = [a for a in alerts if (a.province, a.district) == (state.province, state.district)]
    return {
        "key": district_key(state.province, state.district),
        "district": state.district,
        "province": state.province,
        "now": live_entry(state).as_json(),
        "alerts": [
            {
                **alert.model_dump(mode="json"),
                "at": event_time(alert).isoformat(),
                "verdict_open": alert.alert_id in recent and alert.analyst is None,
            }
            for alert in ordered(mine)
        ],
    }
