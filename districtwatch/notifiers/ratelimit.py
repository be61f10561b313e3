"""Rate limits of the platforms, kept on our side so we rarely see a 429.

A platform's limit reads "at most N messages in any window of W seconds" (Slack: 1 per second per
channel; Telegram: 20 per minute per group, 30 per second per bot). A token bucket with a burst of
N lets through up to 2N in some windows of W (a full bucket, then a refill), so this module keeps a
sliding window instead: a send occupies one of N slots from the moment it starts until W seconds
after its answer arrived. Because the platform sees a request after we start it and before its
answer reaches us, no window of W seconds on the platform's clock holds more than N of our
requests, even with several senders sharing a limit (the Telegram bot limit).

:class:`SlidingWindow` is the pure bookkeeping, tested with a made-up clock; :class:`RateLimiter`
awaits it; :class:`Limits` takes a slot in each of a destination's limiters (its own, then the
bot-wide one).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from districtwatch.notifiers.routing import Rate

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class SlidingWindow:
    """At most ``count`` sends in any ``per`` seconds; a send counts from its start to ``per`` past its end.

    Pure bookkeeping: the caller passes the time, so tests need no clock.
    """

    count: int
    per: float
    in_flight: int = 0
    hold_until: float = float("-inf")
    _ended: deque[float] = field(default_factory=deque)

    def wait_time(self, now: float) -> float | None:
        """0: a send may start now; > 0: seconds until one may; None: wait until a send in flight ends."""
        if now < self.hold_until:
            return self.hold_until - now
        while self._ended and self._ended[0] + self.per <= now:
            self._ended.popleft()
        if self.in_flight >= self.count:
            return None
        busy = self.in_flight + len(self._ended)
        if busy < self.count:
            return 0.0
        # the (busy - count + 1)-th oldest finished send must leave the window first
        return self._ended[busy - self.count] + self.per - now

    def start(self, now: float) -> None:
        """Take a slot; only after :meth:`wait_time` said 0 at ``now``."""
        if self.wait_time(now) != 0.0:
            raise RuntimeError("no free slot: call wait_time first")
        self.in_flight += 1

    def finish(self, now: float) -> None:
        """The send in a slot got its answer (or failed) at ``now``; the slot frees ``per`` later."""
        if self.in_flight <= 0:
            raise RuntimeError("finish without start")
        self.in_flight -= 1
        self._ended.append(now)

    def hold(self, now: float, seconds: float) -> None:
        """Start nothing for ``seconds`` (the platform's Retry-After)."""
        self.hold_until = max(self.hold_until, now + seconds)


class RateLimiter:
    """One rate limit, shared by every sender of the destinations it covers; waiters go in order."""

    def __init__(self, rate: Rate, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.rate = rate
        self._window = SlidingWindow(rate.count, rate.per_seconds)
        self._clock = clock
        self._sleep = sleep
        self._turn = asyncio.Lock()  # first come, first served
        self._slot_freed = asyncio.Event()

    async def acquire(self) -> float:
        """Wait for a slot and take it; returns the seconds waited."""
        started = self._clock()
        async with self._turn:
            while True:
                wait = self._window.wait_time(self._clock())
                if wait == 0.0:
                    self._window.start(self._clock())
                    return self._clock() - started
                if wait is None:
                    self._slot_freed.clear()
                    await self._slot_freed.wait()
                else:
                    await self._sleep(wait)

    def release(self) -> None:
        """The send in our slot is over (answered, failed or cancelled)."""
        self._window.finish(self._clock())
        self._slot_freed.set()

    def hold(self, seconds: float) -> None:
        """Let nothing start for ``seconds``; a 429 asks this of the whole destination, not one message."""
        self._window.hold(self._clock(), seconds)


@dataclass(frozen=True)
class Limits:
    """The limiters one destination's sends pass: its own first, then any shared (bot-wide) ones."""

    own: RateLimiter
    shared: Sequence[RateLimiter] = ()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """Hold a slot in every limiter for the duration of one send; yields the seconds waited."""
        taken: list[RateLimiter] = []
        waited = 0.0
        try:
            for limiter in (self.own, *self.shared):
                waited += await limiter.acquire()
                taken.append(limiter)
            yield waited
        finally:
            for limiter in reversed(taken):
                limiter.release()

    def hold(self, seconds: float) -> None:
        self.own.hold(seconds)


class LimiterRegistry:
    """One limiter per limit key, so destinations posting to the same channel share its limit."""

    def __init__(self, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._limiters: dict[str, RateLimiter] = {}

    def get(self, key: str, rate: Rate) -> RateLimiter:
        """The limiter of ``key``; the first rate given for a key wins, stricter or not."""
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = self._limiters[key] = RateLimiter(rate, clock=self._clock, sleep=self._sleep)
        return limiter
