"""The filter's Kafka plumbing: a plain aiokafka consumer and producer that work a batch at a time.

The filter stage (``districtwatch.agents.filter``) reads ``posts.raw`` outside Faust's per-event path
(bench/README.md says why). What it needs from Kafka is here: read a batch, send with ``acks=all``,
commit the batch's offsets only after its sends are acknowledged, seek back to re-read a batch whose
send failed, and report where it stands. The stage keeps the decision and the counting.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from districtwatch.kafka.faust_transport import FETCH_MAX_WAIT_MS
from districtwatch.kafka.positions import PartitionPosition, batch_positions, holds_partitions

#: Re-exported: the stage catches a failed send or commit without importing aiokafka.
__all__ = ["Batch", "BatchConsumer", "KafkaError"]

log = logging.getLogger(__name__)
Batch = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]


class BatchConsumer:
    """One topic read in batches by its own consumer group, with a producer for what the batch yields."""

    consumer: AIOKafkaConsumer | None = None
    producer: AIOKafkaProducer | None = None

    def __init__(
        self,
        topic: str,
        *,
        bootstrap_servers: list[str],
        group_id: str,
        max_batch: int,
        session_timeout_s: float,
        rebalance_timeout_s: float,
    ) -> None:
        self.topic = topic
        self.bootstrap_servers = bootstrap_servers
        self.group_id = group_id
        self.max_batch = max_batch
        self.session_timeout_s = session_timeout_s
        self.rebalance_timeout_s = rebalance_timeout_s
        self._committed: dict[TopicPartition, int] = {}
        self._next: dict[TopicPartition, int] = {}

    async def start(self) -> None:
        servers = self.bootstrap_servers
        self.producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=5)
        self.consumer = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
            max_poll_records=self.max_batch,
            session_timeout_ms=int(self.session_timeout_s * 1000),
            heartbeat_interval_ms=int(min(3.0, self.session_timeout_s / 3) * 1000),
            rebalance_timeout_ms=int(self.rebalance_timeout_s * 1000),
        )
        await self.producer.start()
        await self.consumer.start()

    async def stop(self) -> None:
        if self.consumer is not None:
            await self.consumer.stop()
        if self.producer is not None:
            await self.producer.stop()

    async def getmany(self, timeout_ms: int) -> Batch:
        assert self.consumer is not None
        batch: Batch = await self.consumer.getmany(timeout_ms=timeout_ms, max_records=self.max_batch)
        return batch

    async def send(self, topic: str, value: bytes, key: bytes) -> asyncio.Future[object]:
        """Queue a record; the future resolves once the broker has acknowledged it."""
        assert self.producer is not None
        sent: asyncio.Future[object] = await self.producer.send(topic, value, key=key)
        return sent

    async def commit(self, batch: Batch) -> None:
        """Commit the offsets after ``batch``; call it only once the batch's sends are acknowledged."""
        offsets = {tp: records[-1].offset + 1 for tp, records in batch.items()}
        self._next.update(offsets)
        await self._commit(offsets)

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        assert self.consumer is not None
        try:
            await self.consumer.commit(offsets)
        except KafkaError as exc:
            # A rebalance took the partitions away: their new holder reads the batch again, and dedup
            # passes the posts it has already seen on as redeliveries.
            log.warning("filter: commit of %s failed (%r); the batch will be read again", offsets, exc)
            return
        self._committed.update(offsets)

    def rewind(self, batch: Batch) -> None:
        """Seek back to the start of ``batch`` on each partition still held, to read it again."""
        assert self.consumer is not None
        for tp, records in batch.items():
            try:
                self.consumer.seek(tp, records[0].offset)
            except (KafkaError, AssertionError, ValueError) as exc:  # no longer assigned to us
                log.info("filter: not rewinding %s (%r)", tp, exc)

    def positions(self) -> list[PartitionPosition]:
        return batch_positions(self.consumer, self._next, self._committed)

    def holds_partitions(self) -> bool:
        return holds_partitions(self.consumer)
