"""One polling task per enabled account: fetch, produce, wait for the acks, then save the checkpoint.

The order is what makes restarts safe. Posts are produced and acknowledged before the checkpoint that
covers them is written, so a crash never skips a post; a clean stop lets the poll in progress finish
(produce, ack, save) before the task ends, so a restart does not repeat one either.

Failures stay with their account. A retriable error (network, 5xx, rate limit) is retried after a
delay that doubles from ``Backoff.first_s`` with jitter, or after the platform's own ``retry_after``;
a non-retriable one (a page the parser does not understand, an account that vanished) is retried at
the longest backoff, since only a fix on the other side will help. A source that cannot run at all
(not installed, no credentials) or an unreadable checkpoint stops that account's task alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from districtwatch.core.accounts import Account, AccountRegistry
from districtwatch.errors import ConfigError, DistrictwatchError
from districtwatch.ingest.base import Checkpoint, FetchResult, Source, SourceSettings, SourceSpec, spec_for
from districtwatch.ingest.checkpoints import CheckpointStore
from districtwatch.ingest.errors import RateLimited, SourceSetupError
from districtwatch.ingest.metrics import IngestMetrics
from districtwatch.ingest.sink import PostSink
from districtwatch.schemas import Post

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Delays after consecutive failed polls: doubling from ``first_s`` up to ``cap_s``, jittered.

    Equal jitter (half fixed, half random) keeps accounts that failed together, when a platform
    went down, from all retrying in the same second, while never retrying sooner than half the step.
    """

    first_s: float = 5.0
    cap_s: float = 900.0

    def delay(self, failures: int, rng: random.Random) -> float:
        step = min(self.cap_s, self.first_s * 2.0 ** min(max(0, failures - 1), 40))
        return step / 2 + rng.uniform(0, step / 2)


@dataclass(frozen=True)
class PollOutcome:
    """What one poll did and how long to wait before the next."""

    account: str
    delay: float
    result: FetchResult | None = None
    error: DistrictwatchError | Exception | None = None


@dataclass
class AccountPoller:
    """Polls one account with one source until told to stop."""

    account: Account
    source_name: str
    source: Source
    store: CheckpointStore
    sink: PostSink
    metrics: IngestMetrics
    backoff: Backoff = field(default_factory=Backoff)
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.time
    failures: int = 0
    checkpoint: Checkpoint | None = None
    _loaded: bool = False

    @property
    def name(self) -> str:
        return f"{self.account.platform}/{self.account.handle}"

    def _labels(self) -> tuple[str, str]:
        return (self.source_name, self.account.handle)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; a poll in progress is finished first."""
        while not stop.is_set():
            try:
                outcome = await self.poll_once()
            except ConfigError as exc:
                log.error("%s: not polled any more: %s", self.name, exc)
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=outcome.delay)

    async def poll_once(self) -> PollOutcome:
        """Fetch once, produce what is new, save the checkpoint; failures become a delay.

        Raises ConfigError (unreadable checkpoint, source that cannot run): polling this account
        again would not help.
        """
        if not self._loaded:
            self.checkpoint = await asyncio.to_thread(self.store.load, self.account)
            self._loaded = True
        labels = self._labels()
        self.metrics.polls.labels(*labels).inc()
        try:
            result = await self.source.fetch(self.account, self.checkpoint)
            stamped = _stamped(result.posts, datetime.fromtimestamp(self.clock(), UTC))
            if stamped:
                await self.sink.send(stamped)
            if result.checkpoint is not None and result.checkpoint != self.checkpoint:
                await asyncio.to_thread(self.store.save, self.account, result.checkpoint)
                self.checkpoint = result.checkpoint
        except SourceSetupError:
            raise
        except DistrictwatchError as exc:
            return self._failed(exc)
        except Exception as exc:  # a source library failing in a way we did not map: keep the others going
            log.exception("%s: unexpected error from source %s", self.name, self.source_name)
            return self._failed(exc)
        self.failures = 0
        self._record(result)
        delay = 0.0 if result.more else self.account.poll_interval_s * self.rng.uniform(0.9, 1.1)
        return PollOutcome(self.name, delay, result=result)

    def _failed(self, exc: Exception) -> PollOutcome:
        self.failures += 1
        self.metrics.poll_errors.labels(*self._labels(), type(exc).__name__).inc()
        retriable = isinstance(exc, DistrictwatchError) and exc.retriable
        steps = self.failures if retriable else 64  # non-retriable: straight to the longest delay
        delay = self.backoff.delay(steps, self.rng)
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            delay = max(delay, exc.retry_after)
        level = logging.WARNING if retriable else logging.ERROR
        log.log(
            level, "%s: poll failed (%s: %s); next try in %.1fs", self.name, type(exc).__name__, exc, delay
        )
        return PollOutcome(self.name, delay, error=exc)

    def _record(self, result: FetchResult) -> None:
        labels = self._labels()
        self.metrics.posts_fetched.labels(*labels).inc(result.fetched)
        if result.new:
            self.metrics.posts_produced.labels(*labels, "new").inc(result.new)
        if result.edited:
            self.metrics.posts_produced.labels(*labels, "edited").inc(result.edited)
        if result.deleted:
            self.metrics.posts_deleted.labels(*labels).inc(len(result.deleted))
            log.info("%s: deleted on the platform: %s", self.name, ", ".join(result.deleted))
        if result.gap:
            self.metrics.gaps.labels(*labels).inc()
            log.warning(
                "%s: page cap reached before the checkpoint; older new posts may be missing", self.name
            )
        now = self.clock()
        self.metrics.last_success.labels(*labels).set(now)
        if self.checkpoint is not None and self.checkpoint.newest_post_at is not None:
            self.metrics.checkpoint_lag.labels(*labels).set(
                max(0.0, now - self.checkpoint.newest_post_at.timestamp())
            )


def _stamped(posts: Sequence[Post], now: datetime) -> list[Post]:
    """Posts with ``ingested_at`` set to when this ingester saw them (latency is measured from it)."""
    return [p if p.ingested_at is not None else p.model_copy(update={"ingested_at": now}) for p in posts]


@dataclass
class Ingester:
    """The pollers of every enabled account that can run, and the sources they share."""

    pollers: list[AccountPoller]
    sources: Mapping[str, Source]
    skipped: list[str] = field(default_factory=list)  # accounts not polled, with the reason

    async def run(self, stop: asyncio.Event) -> None:
        """Run every poller until ``stop`` is set; one ending or failing leaves the others running."""
        tasks = [asyncio.create_task(p.run(stop), name=f"poll {p.name}") for p in self.pollers]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for poller, outcome in zip(self.pollers, results, strict=True):
            if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
                log.error("%s: poller ended with %r", poller.name, outcome)

    async def run_once(self) -> list[PollOutcome]:
        """Poll every account once, concurrently (``districtwatch ingest --once``)."""
        outcomes: list[PollOutcome] = []

        async def one(poller: AccountPoller) -> None:
            try:
                outcomes.append(await poller.poll_once())
            except ConfigError as exc:
                outcomes.append(PollOutcome(poller.name, 0.0, error=exc))

        await asyncio.gather(*(one(p) for p in self.pollers))
        return outcomes

    async def aclose(self) -> None:
        for source in self.sources.values():
            try:
                await source.aclose()
            except Exception:  # closing one source must not keep the others open
                log.exception("closing a source failed")


def build_ingester(
    registry: AccountRegistry,
    specs: Mapping[str, SourceSpec],
    settings: SourceSettings,
    store: CheckpointStore,
    sink: PostSink,
    metrics: IngestMetrics,
    *,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
) -> Ingester:
    """A poller for each enabled account whose source can run; the others are listed as skipped."""
    sources: dict[str, Source] = {}
    pollers: list[AccountPoller] = []
    skipped: list[str] = []
    shared_rng = rng or random.Random()
    for account in registry.accounts:
        if not account.enabled:
            continue
        try:
            spec = spec_for(account, specs)
            if spec.name not in sources:
                sources[spec.name] = spec.build(settings)
        except SourceSetupError as exc:
            skipped.append(f"{account.platform}/{account.handle}: {exc}")
            continue
        pollers.append(
            AccountPoller(
                account=account,
                source_name=spec.name,
                source=sources[spec.name],
                store=store,
                sink=sink,
                metrics=metrics,
                backoff=backoff or Backoff(),
                rng=shared_rng,
            )
        )
    return Ingester(pollers, sources, skipped)
