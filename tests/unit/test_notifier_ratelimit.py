"""The sliding-window limits, on a made-up clock: no window of W seconds ever holds more than N sends."""

from __future__ import annotations

import asyncio
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from districtwatch.notifiers.ratelimit import Limits, RateLimiter, SlidingWindow
from districtwatch.notifiers.routing import Rate


class FakeClock:
    """Time moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def max_in_window(times: list[float], per: float) -> int:
    """The most timestamps in any half-open window [t, t + per), give or take float rounding."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - per + 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_a_burst_of_n_goes_at_once_then_one_per_expiry() -> None:
    window = SlidingWindow(count=3, per=10.0)
    for _ in range(3):
        assert window.wait_time(0.0) == 0.0
        window.start(0.0)
        window.finish(1.0)  # answered a second later
    # the slot counts until `per` after the answer, not after the start
    assert window.wait_time(5.0) == pytest.approx(6.0)
    assert window.wait_time(11.0) == 0.0


def test_sends_in_flight_hold_their_slots_until_they_end() -> None:
    window = SlidingWindow(count=2, per=1.0)
    window.start(0.0)
    window.start(0.0)
    assert window.wait_time(100.0) is None  # both still in flight: wait for an end, not a time
    window.finish(100.0)
    assert window.wait_time(100.5) == pytest.approx(0.5)
    assert window.wait_time(101.0) == 0.0


def test_hold_delays_everything_for_the_retry_after() -> None:
    window = SlidingWindow(count=30, per=1.0)
    window.hold(10.0, 5.0)
    assert window.wait_time(12.0) == pytest.approx(3.0)
    assert window.wait_time(15.0) == 0.0


def test_start_without_a_free_slot_is_a_bug() -> None:
    window = SlidingWindow(count=1, per=1.0)
    window.start(0.0)
    with pytest.raises(RuntimeError):
        window.start(0.0)


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 5),
    per=st.floats(0.5, 5.0),
    durations=st.lists(st.floats(0.0, 2.0), min_size=1, max_size=40),
    senders=st.integers(1, 4),
)
def test_no_window_holds_more_than_the_rate_whatever_the_latencies(
    count: int, per: float, durations: list[float], senders: int
) -> None:
    """Several senders share one limiter; each request 'arrives' at a random point of its send."""
    clock = FakeClock()
    limiter = RateLimiter(Rate(count=count, per_seconds=per), clock=clock, sleep=clock.sleep)
    arrivals: list[float] = []
    pending = list(durations)
    rng = random.Random(0)

    async def sender() -> None:
        while pending:
            duration = pending.pop()
            await limiter.acquire()
            start = clock()
            await clock.sleep(duration)
            arrivals.append(start + rng.random() * duration)  # the platform saw it during the send
            limiter.release()

    async def main() -> None:
        await asyncio.gather(*(sender() for _ in range(senders)))

    asyncio.run(main())
    assert len(arrivals) == len(durations)
    assert max_in_window(arrivals, per) <= count


async def test_waiters_are_served_in_arrival_order() -> None:
    clock = FakeClock()
    limiter = RateLimiter(Rate(count=1, per_seconds=1.0), clock=clock, sleep=clock.sleep)
    order: list[int] = []

    async def send(number: int) -> None:
        await limiter.acquire()
        order.append(number)
        limiter.release()

    await asyncio.gather(*(send(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]
    assert clock.slept == [1.0, 1.0, 1.0, 1.0]


async def test_limits_take_the_destination_slot_then_the_shared_one_and_report_the_wait() -> None:
    clock = FakeClock()
    own = RateLimiter(Rate(count=1, per_seconds=2.0), clock=clock, sleep=clock.sleep)
    bot = RateLimiter(Rate(count=1, per_seconds=5.0), clock=clock, sleep=clock.sleep)
    limits = Limits(own, (bot,))
    async with limits.slot() as waited:
        assert waited == 0.0
    async with limits.slot() as waited:
        assert waited == pytest.approx(5.0)  # 2 s for its own, then 3 more for the bot's
    assert own._window.in_flight == bot._window.in_flight == 0


async def test_a_failed_send_still_frees_its_slot() -> None:
    clock = FakeClock()
    limiter = RateLimiter(Rate(count=1, per_seconds=1.0), clock=clock, sleep=clock.sleep)
    limits = Limits(limiter)
    with pytest.raises(ValueError, match="boom"):
        async with limits.slot():
            raise ValueError("boom")
    assert limiter._window.in_flight == 0
