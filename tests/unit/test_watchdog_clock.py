"""When the watchdog calls a worker's recovery stuck, and what it does about it (pure rule, no worker)."""

from __future__ import annotations

from districtwatch.watchdog import StallClock


def test_waiting_without_progress_past_the_limit_restarts_recovery_then_rejoins() -> None:
    """Stuck after the limit without progress; first a restarted recovery, then a rejoin each period."""
    clock = StallClock(limit_s=10)
    assert clock.observe(0, waiting=True, progress=1) == 0
    assert clock.due(clock.observe(9, waiting=True, progress=1)) is None
    stalled = clock.observe(10, waiting=True, progress=1)
    assert (clock.stuck(stalled), clock.due(stalled)) == (True, "restart_recovery")
    clock.acted(10)
    stalled = clock.observe(15, waiting=True, progress=1)
    assert (clock.stuck(stalled), clock.due(stalled)) == (True, None)  # stuck until ready, given time
    assert clock.due(clock.observe(20, waiting=True, progress=1)) == "rejoin"
    clock.acted(20)
    assert clock.due(clock.observe(30, waiting=True, progress=1)) == "rejoin"  # and again, each period


def test_progress_restarts_the_clock_and_readiness_ends_the_episode() -> None:
    """Any change in the changelog offsets or the generation is progress; being ready forgets all."""
    clock = StallClock(limit_s=10)
    clock.observe(0, waiting=True, progress=1)
    assert clock.observe(8, waiting=True, progress=2) == 0  # a record applied
    assert clock.due(clock.observe(17, waiting=True, progress=2)) is None
    assert clock.due(clock.observe(18, waiting=True, progress=2)) == "restart_recovery"
    clock.acted(18)
    assert clock.observe(19, waiting=False, progress=2) == 0
    assert (clock.actions, clock.stuck(0)) == (0, False)
    clock.observe(20, waiting=True, progress=2)
    assert clock.due(clock.observe(30, waiting=True, progress=2)) == "restart_recovery"  # a new episode
