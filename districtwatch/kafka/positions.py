"""Where consumers stand on their partitions: every read of consumer state, in one place.

The watchdog turns these into lag and committed-offset-age metrics. Two consumers feed it: Faust's,
for the stages that are agents, and the filter's own batch consumer on posts.raw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition


@dataclass(frozen=True, slots=True)
class PartitionPosition:
    """Where a consumer stands on one partition, for the watchdog's lag metrics (the filter's on posts.raw,
    Faust's on the other stages' inputs)."""

    topic: str
    partition: int
    end: int | None  # the broker's high-water mark at the last fetch
    position: int | None  # the next offset to screen
    committed: int | None  # the next offset after the last commit


async def faust_positions(app: faust.App) -> list[PartitionPosition]:
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


def batch_positions(
    consumer: AIOKafkaConsumer | None,
    next_offsets: Mapping[TopicPartition, int],
    committed: Mapping[TopicPartition, int],
) -> list[PartitionPosition]:
    """A batch consumer's position on each partition it holds (:mod:`districtwatch.kafka.batch_consumer`)."""
    if consumer is None:
        return []
    return [
        PartitionPosition(
            tp.topic,
            tp.partition,
            consumer.highwater(tp),
            next_offsets.get(tp),
            committed.get(tp),
        )
        for tp in consumer.assignment()
    ]


def holds_partitions(consumer: AIOKafkaConsumer | None) -> bool:
    """Whether a started consumer has partitions assigned (part of the worker's readiness)."""
    return consumer is not None and bool(consumer.assignment())
