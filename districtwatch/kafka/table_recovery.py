"""Table recovery that resumes stream partitions only once their position and the flow are settled.

Why this exists: when recovery ends, Faust 0.15.3 resumes the stream partitions, seeks them to their
committed offsets, and only then resumes flow control, which empties every stream's queue. A worker
restarted with records waiting past its committed offsets can fetch them in that window: they are
handed to the agents' queues (the consumer's read offsets move past them) and the queues are then
emptied, or the seek races the hand-over; either way the records are never read again. A first
assignment is worse: the stream partitions were never paused, so they are fetched all through the
changelog reading: records lost for good (CHANGELOG.md has how it showed).

Here every stream partition stays paused until recovery has finished (sought, flow resumed, queues
emptied), and is then sought to its committed offset once more: a record may be read twice (the
pipeline is at-least-once and idempotent), never skipped. ``tests/integration/test_notify_worker.py``
pins it.

Faust has no hook for this: the private methods and attributes used are marked "private hook" below
and pinned by ``tests/unit/test_library_hooks.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.tables import TableManager
from faust.tables.recovery import Recovery
from faust.types import TP


class SeekBeforeResumeRecovery(Recovery):
    """Faust's recovery with the stream partitions paused until it ends, then sought again."""

    # private hook: Faust resumes the stream partitions here when a recovery finds nothing to read
    async def _resume_streams(self, generation_id: int = 0) -> None:
        async with self._streams_paused():
            await super()._resume_streams(generation_id=generation_id)

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        async with self._streams_paused():
            await super().on_recovery_completed(generation_id=generation_id)

    @asynccontextmanager
    async def _streams_paused(self) -> AsyncIterator[None]:
        """Stream partitions paused for the block; if Faust resumed them in it, resumed and sought after.

        A worker's first assignment never pauses them (Faust pauses only on a revocation), so they
        are paused here explicitly. A fetch already under way when they pause comes back to a
        partition no longer active, and Faust skips its records without moving back; the seek to
        the committed offsets once the flow and the queues are settled reads them again (from the
        start of a partition the group never committed: see ``districtwatch.kafka.faust_transport``).
        """
        consumer: Any = self.app.consumer
        # private hook: Faust's own test of which partitions are changelogs (standbys included)
        streams = {tp for tp in consumer.assignment() if not self._is_changelog_tp(tp)}
        consumer.pause_partitions(streams)
        resume = consumer.resume_partitions
        held: set[TP] = set()

        def hold(partitions: Iterable[TP]) -> None:
            held.update(partitions)

        # Faust's recovery resumes through this attribute (shadowed on the instance for the block);
        # pinned by the hooks test, as the consumer class must keep a __dict__ for it
        consumer.resume_partitions = hold
        try:
            yield
        finally:
            del consumer.resume_partitions  # back to the class's method
        if held:
            resume(held)
            await consumer.perform_seek()


class SeekBeforeResumeTableManager(TableManager):
    """The table manager whose recovery is :class:`SeekBeforeResumeRecovery`."""

    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:  # private hook: Faust's lazily built recovery service
            self._recovery = SeekBeforeResumeRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery


async def seek_to_committed_or_start(
    consumer: AIOKafkaConsumer, *, leave: Collection[str] = ()
) -> dict[TopicPartition, int | None]:
    """Seek every assigned partition to its committed offset, or to its start where there is none.

    Why: aiokafka's ``seek_to_committed`` moves only partitions with a committed offset above 0; the
    others stay wherever the fetcher has got to. Faust relies on this seek to read again what it
    fetched and skipped during a rebalance or a table recovery, so the records a partition held before
    its group's first commit were lost for good: after a restart or a takeover, a topic the dead
    worker had not committed yet lost its first records (the first claims of a stream; a share of
    posts.unique on Kafka). A group with no commit reads from the earliest offset (our
    ``consumer_auto_offset_reset``), so that is where these partitions go back to. Topics in
    ``leave`` (table changelogs: the recovery places those itself) are not moved.
    """
    committed: dict[TopicPartition, int | None] = await consumer.seek_to_committed()
    uncommitted = [tp for tp, offset in committed.items() if not offset and tp.topic not in leave]
    if uncommitted:
        await consumer.seek_to_beginning(*uncommitted)
    return committed
