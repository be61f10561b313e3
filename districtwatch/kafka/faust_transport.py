"""Faust's aiokafka transport, adjusted where its defaults lose records, stall or break transactions.

Changes, each small and each measured (see the README's Guarantees and bench/README.md):

* a short fetch wait (:data:`FETCH_MAX_WAIT_MS`);
* Faust's livelock check skips a partition aiokafka has no position for yet, instead of crashing the
  worker on aiokafka's assertion (:meth:`_ConsumerThread.verify_event_path`);
* the watchdog can make the consumer rejoin its group (:meth:`_Consumer.request_rejoin`);
* after a rebalance or a recovery, partitions the group never committed go back to their start
  (:func:`districtwatch.kafka.table_recovery.seek_to_committed_or_start`);
* with ``exactly_once``, what an agent sends goes in the transaction of the partition its input came
  from (:class:`SourcePartitionTransactions`).

Faust offers no setting or public hook for any of them, so this module overrides or reads private
parts of Faust and aiokafka; each is marked "private hook" below and pinned by
``tests/unit/test_library_hooks.py``, which fails naming the hook when an upgrade removes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection, Mapping
from typing import Any, cast

from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.streams import current_event
from faust.transport.consumer import TransactionManager
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from faust.types.tuples import RecordMetadata

from districtwatch.kafka.table_recovery import seek_to_committed_or_start

#: How long a fetch waits on the broker for new records. Faust hard-codes 1500 ms. Apache Kafka answers
#: a waiting fetch as soon as records arrive, so there this only sets how often an idle consumer asks
#: again; the embedded broker (Tansu) lets it run out, which made every stage a hop of up to 1.5 s
#: (post → alert p50 about 0.9 s at 500 posts/s, see bench/README.md).
FETCH_MAX_WAIT_MS = 50


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    # private hook: the one place Faust builds its aiokafka consumer, so the one place to adjust it
    def _create_worker_consumer(self, transport: faust_aiokafka.Transport) -> AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # private hook: read by AIOKafkaConsumer.start() when it builds its Fetcher; Faust hard-codes
        # fetch_max_wait_ms and offers no setting for it
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer

    async def seek_to_committed_or_start(self, leave: Collection[str]) -> Mapping[TP, int]:
        consumer = self._ensure_consumer()  # private hook: the thread's aiokafka consumer, started
        return await self.call_thread(seek_to_committed_or_start, consumer, leave=leave)  # type: ignore[no-any-return]

    def verify_event_path(self, now: float, tp: TP) -> None:
        """Faust's livelock check of one partition, skipped while aiokafka has no position for it.

        Why: the check reads aiokafka's ``position`` of every assigned partition every 2.5 s once a
        rebalance has ended; a partition just assigned has none until its offset is reset, and the
        property then asserts. The AssertionError crashed the consumer and so the worker (the Kafka
        kill test's survivor, 33 ms after "Worker ready", 1 of 4 loops). Such a partition has no
        progress to check yet; the next round checks it.
        """
        consumer = self._ensure_consumer()
        # private hook: the fetcher's subscription state, the one Faust's check reads
        assignment = consumer._fetcher._subscriptions.subscription.assignment
        state = assignment.state_value(TopicPartition(tp.topic, tp.partition)) if assignment else None
        if state is None or not state.has_valid_position:
            return None
        return super().verify_event_path(now, tp)

    async def request_rejoin(self) -> None:
        """Make the consumer leave its generation and join the group again (see the watchdog)."""
        await self.call_thread(_request_rejoin, self._ensure_consumer())


async def _request_rejoin(consumer: AIOKafkaConsumer) -> None:
    # private hook: aiokafka has no public call for it; its coordinator rejoins at its next poll
    coordinator = consumer._coordinator
    if coordinator is not None:
        coordinator.request_rejoin()


class _Consumer(faust_aiokafka.Consumer):
    # private hook: where Faust picks the consumer-thread class; no setting names it
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def seek_to_committed(self) -> Mapping[TP, int]:
        """Committed offsets, and the start of partitions never committed (see
        :func:`districtwatch.kafka.table_recovery.seek_to_committed_or_start` for why)."""
        if self.app.conf.consumer_auto_offset_reset != "earliest":
            return await super().seek_to_committed()
        thread = cast(_ConsumerThread, self._thread)  # private hook: the thread built above
        return await thread.seek_to_committed_or_start(leave=self.app.tables.changelog_topics)

    async def request_rejoin(self) -> None:
        """Rejoin the consumer group: a new generation, partitions assigned again, recovery anew."""
        await cast(_ConsumerThread, self._thread).request_rejoin()


class SourcePartitionTransactions(TransactionManager):
    """Sends go in the transaction of the input partition being processed, not of the destination.

    Why: Faust 0.15.3 keeps one transactional producer per input partition it is assigned
    (``{app}-{topic group}-{partition}``) and commits each input partition's offsets in that producer's
    transaction, but picks the producer for a send by the *destination* partition. That only works
    when every output goes to the partition number of its input; every stage here re-keys (filter by
    claims, dedup by post id, extract by district), so with two workers each was handed sends for
    partitions the other held and its agents crashed in a loop ("No transaction producer found").
    Kafka's transactions allow one producer to write to any partition: the output of an input record
    belongs in the transaction that commits that record's offset, which is what this does. A send
    outside an agent (a web request, a timer) has no input record and keeps Faust's choice.
    """

    async def send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None,
        timestamp: float | None,
        headers: Any,
        *,
        transactional_id: str | None = None,
    ) -> Awaitable[RecordMetadata]:
        event = current_event()
        if event is None:
            return await super().send(
                topic, key, value, partition, timestamp, headers, transactional_id=transactional_id
            )
        source = event.message
        group = self.app.assignor.group_for_topic(source.topic)
        p = self.consumer.key_partition(topic, key, partition)
        return await self.producer.send(
            topic,
            key,
            value,
            p,
            timestamp,
            headers,
            transactional_id=f"{self.app.conf.id}-{group}-{source.partition}",
        )


class Transport(faust_aiokafka.Transport):
    """Faust's aiokafka transport with the changes above."""

    Consumer = _Consumer
    TransactionManager = SourcePartitionTransactions
