"""The worker's watchdog: a stuck worker must show in metrics before users miss alerts.

Four signals, exported on /metrics:
- event-loop stalls: a timer that should wake every half second and wakes over a second late means
  something blocks the loop (Faust logs "timer woke up too late"; this makes it a counter);
- consumer lag per partition: records on the broker this worker has not read yet;
- committed-offset age: how long a partition with unread records has gone without its committed
  offset moving — lag that grows while the offset stands still is a stuck consumer;
- a stuck recovery: a worker that holds partitions but stays not ready, its table recovery reading
  nothing, for ``recovery_stuck_s``. This one the watchdog also acts on (:class:`RecoveryWatch`).

Why act, not only tell: the Kafka kill test's survivor once sat in Faust's table recovery after a
takeover with its changelog partitions resumed and not one changelog record arriving for four
minutes, so its stages never resumed and nothing but ``ready: false`` said so. Faust has no timeout of
its own there (faust-streaming #74 and #155 report the same shape). Whatever loses the records, a
recovery started again seeks every changelog partition afresh, and a rejoin makes the group assign
the partitions anew and recovery start from scratch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

from mode import Service

from districtwatch.agents.filter import positions as filter_positions
from districtwatch.app import app, metrics, settings
from districtwatch.kafka.positions import PartitionPosition, faust_positions

TICK_S = 0.5
STALL_S = 1.0
OFFSETS_EVERY_S = 5.0
RECOVERY_EVERY_S = 1.0

log = logging.getLogger(__name__)
Action = Literal["restart_recovery", "rejoin"]

_last_tick: float | None = None
_offset_moved: dict[tuple[str, int], tuple[int | None, float]] = {}


@app.timer(TICK_S)  # type: ignore[untyped-decorator]  # Faust's timer decorator is untyped
async def watch_event_loop() -> None:
    global _last_tick
    now = time.monotonic()
    if _last_tick is not None:
        late = max(0.0, now - _last_tick - TICK_S)
        metrics.event_loop_lateness.observe(late)
        if late > STALL_S:
            metrics.event_loop_stalls.inc()
    _last_tick = now


@app.timer(OFFSETS_EVERY_S)  # type: ignore[untyped-decorator]  # Faust's timer decorator is untyped
async def watch_offsets() -> None:
    now = time.monotonic()
    for position in [*await faust_positions(app), *filter_positions()]:
        _note(position, now)


def _note(at: PartitionPosition, now: float) -> None:
    """Lag of one partition, and how long its committed offset has stood still while records wait."""
    if at.end is None:
        return
    position = at.position if at.position is not None else at.committed or 0
    unread = max(0, at.end - position)
    metrics.consumer_lag.labels(at.topic, str(at.partition)).set(unread)
    previous, since = _offset_moved.get((at.topic, at.partition), (None, now))
    if at.committed != previous or unread == 0:
        since = now
    _offset_moved[(at.topic, at.partition)] = (at.committed, since)
    metrics.committed_offset_age.labels(at.topic, str(at.partition)).set(now - since)


@dataclass
class StallClock:
    """How long a worker has waited for its recovery without progress, and what to do about it.

    Pure (times and values in, a decision out), so the rule is tested without a worker. Waiting
    without progress for ``limit_s`` is stuck: the first remedy is to start recovery again, every
    later one to rejoin the group, each given ``limit_s`` to work. Being ready ends the episode.
    """

    limit_s: float
    since: float | None = None
    progress: Hashable = None
    actions: int = 0

    def observe(self, now: float, waiting: bool, progress: Hashable) -> float:
        """Seconds spent waiting since the last progress (0 when not waiting)."""
        if not waiting:
            self.since, self.progress, self.actions = None, None, 0
            return 0.0
        if self.since is None or progress != self.progress:
            self.since, self.progress = now, progress
        return now - self.since

    def stuck(self, stalled: float) -> bool:
        """Stuck: stalled past the limit now, or acted on and not ready since."""
        return self.actions > 0 or stalled >= self.limit_s

    def due(self, stalled: float) -> Action | None:
        """The remedy due now, if any."""
        if stalled < self.limit_s:
            return None
        return "restart_recovery" if self.actions == 0 else "rejoin"

    def acted(self, now: float) -> None:
        self.actions += 1
        self.since = now


def recovery_waiting() -> bool:
    """Holding partitions, yet not ready: a rebalance not ended, or the tables not recovered.

    A worker with no partitions (more workers than partitions) is idle, not waiting.
    """
    recovery: Any = app.tables.recovery  # type: ignore[attr-defined]  # on TableManager, not its protocol
    return bool(app.consumer.assignment()) and bool(app.rebalancing or not recovery.completed.is_set())


def recovery_progress() -> Hashable:
    """What moves while a recovery works: the changelog offsets it has applied, and the group's
    generation (a new assignment is a new start)."""
    recovery: Any = app.tables.recovery  # type: ignore[attr-defined]
    offsets = recovery.active_offsets  # private hook: Faust's applied offset per active changelog tp
    return (app.consumer_generation_id, frozenset(offsets.items()))


async def stuck_state() -> dict[str, Any]:
    """Where a stuck recovery stands, logged before the remedy so that the cause can be told later:
    per active changelog partition the offset applied, the highwater, the fetch position and Faust's
    read offset, whether Faust fetches it (active, paused), and the flow flags. Diagnostics only: a
    part that fails to read is reported as such, never raised.
    """
    recovery: Any = app.tables.recovery  # type: ignore[attr-defined]
    consumer: Any = app.consumer
    state: dict[str, Any] = {}
    try:  # private hooks (Faust's consumer and recovery state), read only
        active = consumer._get_active_partitions()
        for tp in sorted(recovery.active_tps):
            state[f"{tp.topic}[{tp.partition}]"] = {
                "applied": recovery.active_offsets.get(tp),
                "highwater": recovery.active_highwaters.get(tp),
                "position": await consumer.position(tp),
                "read_offset": consumer._read_offset.get(tp),
                "fetching": tp in active,
                "paused": tp in consumer._paused_partitions,
                "standby_too": tp in recovery.standby_tps,
            }
        state["flow_active"] = consumer.flow_active
        state["flow_control_active"] = app.flow_control.is_active()
        state["not_waiting_next_records"] = consumer.not_waiting_next_records.is_set()
        state["changelog_queue"] = app.tables.changelog_queue.qsize()  # type: ignore[attr-defined]
        state["buffered"] = sorted(f"{tp.topic}[{tp.partition}]" for tp in consumer._buffered_partitions)
    except Exception as exc:  # a diagnostic must not stop the remedy
        state["unreadable"] = repr(exc)
    return state


class RecoveryWatch(Service):
    """Notices a stuck recovery, says so (metrics, ``/status``, the log) and acts on it.

    A child of the app, so it runs from the app's start: Faust starts timers and ``@app.service``
    services only once the first recovery has completed, which a stuck first recovery never does.
    """

    def __init__(self, limit_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = StallClock(limit_s)
        self.stalled = 0.0
        self.last_action: Action | None = None
        self.remedies = 0  # taken since the worker started

    @Service.timer(RECOVERY_EVERY_S)
    async def _watch(self) -> None:
        await self.check(time.monotonic())

    async def check(self, now: float) -> Action | None:
        """One look at the worker; the remedy taken, if any."""
        self.stalled = self.clock.observe(now, recovery_waiting(), recovery_progress())
        metrics.recovery_stalled.set(self.stalled)
        metrics.recovery_stuck.set(1 if self.clock.stuck(self.stalled) else 0)
        action = self.clock.due(self.stalled)
        if action is None:
            return None
        log.warning(
            "watchdog: not ready, no table-recovery progress for %.0f s (limit %.0f s): %s",
            self.stalled,
            self.clock.limit_s,
            action,
        )
        log.warning("watchdog: the stuck recovery's state: %s", await stuck_state())
        self.clock.acted(now)
        self.last_action = action
        self.remedies += 1
        metrics.recovery_unstuck.labels(action).inc()
        if action == "restart_recovery":
            # Faust's own signal for "a rebalance happened, recover again": the waiting recovery
            # stops with RebalanceAgain and starts over, seeking every changelog partition again
            recovery: Any = app.tables.recovery  # type: ignore[attr-defined]
            recovery.signal_recovery_start.set()  # private hook: Recovery's restart signal
        else:
            consumer: Any = app.consumer
            await consumer.request_rejoin()  # districtwatch.kafka.faust_transport
        return action

    def status(self) -> dict[str, Any]:
        """For ``/status``: whether this worker is stuck in recovery, and what was done about it."""
        return {
            "waiting": self.clock.since is not None,
            "stalled_s": round(self.stalled, 1),
            "stuck": self.clock.stuck(self.stalled),
            "actions": self.clock.actions,  # in this stuck stretch
            "remedies": self.remedies,  # since the worker started
            "last_action": self.last_action,
        }


recovery_watch = RecoveryWatch(settings.recovery_stuck_s)
app.add_dependency(recovery_watch)
