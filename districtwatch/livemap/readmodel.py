"""What a worker has read of the control changelog and the alerts topic: every district, every alert.

Pure bookkeeping, no Kafka: the follower hands it records, the views ask it questions. A changelog
value is kept as it came and parsed on first use (a replay re-writes a busy district's state many
times; only the last one is ever asked for). Alerts are kept once per id: at-least-once delivery can
put the same alert on the topic twice, always with the same content but its emission time.

Listeners (the map's event streams) get one :class:`Change` per new alert and per changed district,
on a bounded queue each; a listener that falls behind gets ``overflowed`` set and is expected to
reload the whole map rather than be sent a backlog.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from districtwatch.codec import decode
from districtwatch.core.control.policy import DistrictState
from districtwatch.errors import DecodeError
from districtwatch.schemas import Alert

#: Events a listener may hold before it counts as fallen behind.
LISTENER_QUEUE = 1000


@dataclass(frozen=True, slots=True)
class Change:
    """Something new for the map: an alert (by id) or a district's state (by key)."""

    kind: Literal["alert", "district", "closed"]
    key: str


@dataclass(eq=False)
class Listener:
    """One event stream's queue of changes."""

    queue: asyncio.Queue[Change] = field(default_factory=lambda: asyncio.Queue(LISTENER_QUEUE))
    overflowed: bool = False


class ReadModel:
    """Every district's latest state and every alert, as far as the topics have been read."""

    def __init__(self) -> None:
        self._raw: dict[str, bytes] = {}
        self._parsed: dict[str, DistrictState] = {}
        self._alerts: dict[str, Alert] = {}
        self._listeners: set[Listener] = set()
        self.skipped = 0  # records that were not what their topic carries

    # -- what the follower hands in ------------------------------------------------------------

    def apply_state(self, key: bytes | None, value: bytes | None) -> None:
        """A record of the control table's changelog: JSON key 'Province/District', JSON state or null."""
        try:
            district = json.loads(key) if key is not None else None
        except ValueError:
            district = None
        if not isinstance(district, str):
            self.skipped += 1
            return
        self._parsed.pop(district, None)
        if value is None or value == b"null":
            self._raw.pop(district, None)
        else:
            self._raw[district] = value
        self._tell(Change("district", district))

    def apply_alert(self, value: bytes | None) -> None:
        """A record of the alerts topic; a copy of an alert already read is not news."""
        try:
            alert = decode(value, Alert)
        except DecodeError:
            self.skipped += 1
            return
        if alert.alert_id in self._alerts:
            return
        self._alerts[alert.alert_id] = alert
        self._tell(Change("alert", alert.alert_id))

    # -- what the views ask --------------------------------------------------------------------

    def state(self, key: str) -> DistrictState | None:
        """The district's latest state, or None if the changelog never named it."""
        parsed = self._parsed.get(key)
        if parsed is None and key in self._raw:
            try:
                parsed = decode(self._raw[key], DistrictState)
            except DecodeError:
                return None
            self._parsed[key] = parsed
        return parsed

    def states(self) -> dict[str, DistrictState]:
        """Every district the changelog named, with its latest state."""
        found = {key: self.state(key) for key in list(self._raw)}
        return {key: state for key, state in found.items() if state is not None}

    def alert(self, alert_id: str) -> Alert | None:
        return self._alerts.get(alert_id)

    def alerts(self) -> Iterator[Alert]:
        """Every alert read, in the order first read."""
        return iter(list(self._alerts.values()))

    # -- who listens ---------------------------------------------------------------------------

    def listen(self) -> Listener:
        listener = Listener()
        self._listeners.add(listener)
        return listener

    def forget(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    def close(self) -> None:
        """Tell every listener the worker is stopping (so its stream ends and does not hold the stop up)."""
        for listener in list(self._listeners):
            if listener.queue.full():
                listener.queue.get_nowait()
                listener.overflowed = True
            listener.queue.put_nowait(Change("closed", ""))
        self._listeners.clear()

    def _tell(self, change: Change) -> None:
        for listener in self._listeners:
            try:
                listener.queue.put_nowait(change)
            except asyncio.QueueFull:
                listener.overflowed = True
