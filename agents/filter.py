"""filter: posts.raw → posts.relevant, in batches, outside Faust's per-event path.

Decodes and validates each raw post (a bad one is dead-lettered with its reason), and passes on only
those that could hold a claim — a place name together with a verb of change — keyed by what they
claim, so that copies of a post meet on one dedup partition. The decision is
:class:`districtwatch.core.relevance.Screen`; this module reads, sends and commits.

Why not a Faust agent like the other stages: about 95% of posts are dropped here, and Faust spends
several hundred microseconds of its own on every event (fetcher, conductor, stream, acks, sensors)
whatever the agent does with it (bench/README.md has the numbers). Here a batch consumer in the
worker's event loop (:class:`districtwatch.kafka.batch_consumer.BatchConsumer`, the Kafka plumbing)
reads a batch; this stage screens it, sends what passes and the dead letters, waits for the broker to
acknowledge them, and only then commits the batch's offsets. It has its own consumer group
(``<app_id>-filter``).

Guarantee: at least once in either processing mode. A worker that dies between the sends and the
commit leaves the batch to be read again; its posts then reach dedup a second time, which passes a
post it has already seen on as a redelivery, and control counts a post's claim once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field

from mode import Service

from districtwatch.app import accounts, app, extractor, metrics, settings
from districtwatch.codec import encode
from districtwatch.core.relevance import Rejected, Screen
from districtwatch.deadletters import letter
from districtwatch.kafka.batch_consumer import Batch, BatchConsumer, KafkaError
from districtwatch.kafka.positions import PartitionPosition

STAGE = "filter"
#: Records screened between two commits: large enough that per-batch costs (the wait for the broker's
#: acknowledgements, the commit, the metric updates) vanish per post, small enough to redo after a crash.
MAX_BATCH = 2000
#: Pause before reading a batch again after the broker refused a send.
RETRY_S = 1.0

log = logging.getLogger(__name__)


@dataclass
class _Tally:
    """A batch's counts, added to the metrics once per batch rather than once per post."""

    posts: Counter[tuple[str, str]] = field(default_factory=Counter)
    latest: dict[tuple[str, str], float] = field(default_factory=dict)
    deadlettered: Counter[str] = field(default_factory=Counter)
    irrelevant: int = 0
    passed: int = 0
    read: int = 0

    def publish(self) -> None:
        metrics.stage_in.labels(STAGE).inc(self.read)
        for (platform, account), count in self.posts.items():
            metrics.posts_in.labels(platform, account).inc(count)
        for (platform, account), at in self.latest.items():
            _note_latest(platform, account, at)
        for kind, count in self.deadlettered.items():
            metrics.stage_deadlettered.labels(STAGE, kind).inc(count)
        if self.irrelevant:
            metrics.stage_dropped.labels(STAGE, "irrelevant").inc(self.irrelevant)
        if self.passed:
            metrics.stage_out.labels(STAGE).inc(self.passed)


_latest: dict[tuple[str, str], float] = {}


def _note_latest(platform: str, account: str, at: float) -> None:
    # Replays arrive out of order across partitions: the gauge keeps the newest event time.
    if at > _latest.get((platform, account), float("-inf")):
        _latest[(platform, account)] = at
        metrics.last_post.labels(platform, account).set(at)


def _bootstrap_servers() -> list[str]:
    return [f"{url.host}:{url.port or 9092}" for url in app.conf.broker]


_running: list[FilterStage] = []


def joined() -> bool:
    """Whether the filter holds partitions of posts.raw (part of the worker's readiness)."""
    return any(stage.kafka is not None and stage.kafka.holds_partitions() for stage in _running)


def positions() -> list[PartitionPosition]:
    """The filter's position on each partition of posts.raw it holds."""
    return [position for stage in _running for position in stage.positions()]


@app.service
class FilterStage(Service):
    """The filter stage: started with the worker once its tables are recovered, stopped with it."""

    kafka: BatchConsumer | None = None

    def __post_init__(self) -> None:
        self.screen = Screen(extractor(), accounts(), settings.max_post_chars, settings.unknown_accounts)
        self.raw_topic = settings.topic("posts.raw")
        self.relevant_topic = settings.topic("posts.relevant")
        self.deadletter_topic = settings.topic("deadletter")

    async def on_start(self) -> None:
        from districtwatch import topics  # imported here: topics imports the app, which is still loading

        for topic in (topics.posts_raw, topics.posts_relevant, topics.deadletter):
            await topic.maybe_declare()
        self.kafka = BatchConsumer(
            self.raw_topic,
            bootstrap_servers=_bootstrap_servers(),
            group_id=settings.reading_group("posts.raw"),
            max_batch=MAX_BATCH,
            session_timeout_s=settings.session_timeout_s,
            rebalance_timeout_s=settings.rebalance_timeout_s,
        )
        await self.kafka.start()
        _running.append(self)

    async def on_stop(self) -> None:
        if self in _running:
            _running.remove(self)
        if self.kafka is not None:
            await self.kafka.stop()

    @Service.task
    async def _screen_posts(self) -> None:
        assert self.kafka is not None
        while not self.should_stop:
            batch = await self.kafka.getmany(timeout_ms=500)
            if not batch:
                continue
            try:
                await self._work(batch)
            except KafkaError as exc:
                log.warning("filter: a send failed (%r); reading the batch again in %.0f s", exc, RETRY_S)
                self.kafka.rewind(batch)
                await self.sleep(RETRY_S)

    async def _work(self, batch: Batch) -> None:
        """Screen a batch, send what it yields, wait for the broker, then commit it."""
        assert self.kafka is not None
        tally = _Tally()
        sends: list[asyncio.Future[object]] = []
        for tp, records in batch.items():
            for record in records:
                tally.read += 1
                outcome = self.screen(record.value)
                if isinstance(outcome, Rejected):
                    raw = record.value or b""
                    dead = letter(STAGE, outcome.reason, raw, tp.topic, tp.partition, record.offset)
                    sends.append(await self.kafka.send(self.deadletter_topic, encode(dead), key=b"filter"))
                    tally.deadlettered[outcome.kind] += 1
                    continue
                post = outcome.post
                label = (post.platform, self.screen.account_label(post))
                tally.posts[label] += 1
                if label[1] != "unregistered":
                    at = post.created_at.timestamp()
                    if at > tally.latest.get(label, float("-inf")):
                        tally.latest[label] = at
                if outcome.key is None:
                    tally.irrelevant += 1
                    continue
                sends.append(await self.kafka.send(self.relevant_topic, encode(post), key=outcome.key))
                tally.passed += 1
        if sends:
            await asyncio.gather(*sends)
        tally.publish()
        await self.kafka.commit(batch)

    def positions(self) -> list[PartitionPosition]:
        """See :func:`positions`."""
        return [] if self.kafka is None else self.kafka.positions()
