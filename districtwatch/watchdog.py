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
    consumer = app.consumer
    assigned = consumer.assignment()
    if not assigned:
        return
    ends = await consumer.highwaters(*assigned)
    read = app.monitor.tp_read_offsets or {}
    committed = app.monitor.tp_committed_offsets or {}
    now = time.monotonic()
    for tp in assigned:
        if tp.topic.endswith("-changelog") or "__assignor" in tp.topic:
            continue  # Faust's own bookkeeping: written by this worker, never "consumed" as input
        end = ends.get(tp)
        if end is None:
            continue
        position = read.get(tp)
        unread = max(0, end - (position + 1 if position is not None else committed.get(tp, 0) or 0))
        metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(unread)
        offset = committed.get(tp)
        previous, since = _offset_moved.get((tp.topic, tp.partition), (None, now))
        if offset != previous or unread == 0:
            since = now
        _offset_moved[(tp.topic, tp.partition)] = (offset, since)
        metrics.committed_offset_age.labels(tp.topic, str(tp.partition)).set(now - since)
