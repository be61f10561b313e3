"""The worker's watchdog: a stuck worker must show in metrics before users miss alerts.

Three signals, exported on /metrics:
- event-loop stalls: a timer that should wake every half second and wakes over a second late means
  something blocks the loop (Faust logs "timer woke up too late"; this makes it a counter);
- consumer lag per partition: records on the broker this worker has not read yet;
- committed-offset age: how long a partition with unread records has gone without its committed
  offset moving — lag that grows while the offset stands still is a stuck consumer.
"""

from __future__ import annotations

import time

from districtwatch.agents.filter import PartitionPosition
from districtwatch.agents.filter import positions as filter_positions
from districtwatch.app import app, metrics

TICK_S = 0.5
STALL_S = 1.0
OFFSETS_EVERY_S = 5.0

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
    for position in [*await _faust_positions(), *filter_positions()]:
        _note(position, now)


async def _faust_positions() -> list[PartitionPosition]:
    """Where Faust's consumer stands on the input partitions it holds (the filter has its own)."""
    consumer = app.consumer
    assigned = [
        tp
        for tp in consumer.assignment()
        # Faust's own bookkeeping: written by this worker, never "consumed" as input
        if not (tp.topic.endswith("-changelog") or "__assignor" in tp.topic)
    ]
    if not assigned:
        return []
    ends = await consumer.highwaters(*assigned)
    read = app.monitor.tp_read_offsets or {}
    committed = app.monitor.tp_committed_offsets or {}
    return [
        PartitionPosition(
            tp.topic, tp.partition, ends.get(tp), read[tp] + 1 if tp in read else None, committed.get(tp)
        )
        for tp in assigned
    ]


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
