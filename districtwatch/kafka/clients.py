"""Plain aiokafka helpers for the commands that talk to the broker outside the Faust worker.

`replay` produces posts, `alerts` and `demo` read alerts, and tests read any topic: none of them
need Faust's machinery, and a plain client keeps them fast to start.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import suppress

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

#: Re-exported so that code outside kafka/ can catch a broker failure without importing aiokafka.
__all__ = ["KafkaError", "ensure_topics", "produce", "read_topic", "topic_partitions"]


async def ensure_topics(bootstrap_servers: str, names: Iterable[str], partitions: int) -> None:
    """Create the topics that do not exist yet (the worker would, but a replay may come first)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(n, num_partitions=partitions, replication_factor=1) for n in names if n not in existing
        ]
        if missing:
            with suppress(TopicAlreadyExistsError):  # another process created it meanwhile
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def produce(bootstrap_servers: str, topic: str, records: Iterable[tuple[bytes | None, bytes]]) -> int:
    """Send (key, value) records in order and wait until all are acknowledged; returns the count."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, linger_ms=5, acks="all")
    await producer.start()
    sent = 0
    try:
        batch = []
        for key, value in records:
            batch.append(await producer.send(topic, value=value, key=key))
            sent += 1
            if len(batch) >= 500:
                await asyncio.gather(*batch)
                batch.clear()
        await asyncio.gather(*batch)
    finally:
        await producer.stop()
    return sent


async def topic_partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int] | None:
    """The partitions of ``topic``, from fresh metadata; None if the broker does not know it.

    A consumer with no subscription asks for the metadata of no topic in particular: the embedded
    broker then answers with every topic, Apache Kafka with none. So the topic is added to the
    topics the client tracks (aiokafka has no public call for it) and the metadata refreshed.
    """
    await consumer._client.add_topic(topic)  # private hook (pinned in tests/unit/test_library_hooks.py)
    partitions: set[int] | None = consumer.partitions_for_topic(topic)
    return partitions


async def read_topic(
    bootstrap_servers: str,
    topic: str,
    *,
    follow: bool = False,
    idle_timeout: float = 1.0,
    committed_only: bool = False,
) -> AsyncIterator[bytes]:
    """Yield the values of ``topic`` from its start; stop at its end unless ``follow``.

    ``committed_only`` reads with ``read_committed``: what a transactional (exactly_once) worker
    wrote in aborted transactions is skipped, as its downstream consumers skip it.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        group_id=None,
        isolation_level="read_committed" if committed_only else "read_uncommitted",
    )
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer, topic)
        for _ in range(50):  # a topic created a moment ago may not be in the metadata yet
            if partitions or (not follow and topic not in await consumer.topics()):
                break
            await asyncio.sleep(0.1)
            partitions = await topic_partitions(consumer, topic)
        if not partitions:
            return
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        end = await consumer.end_offsets(assigned)
        while True:
            batch = await consumer.getmany(timeout_ms=int(idle_timeout * 1000))
            for records in batch.values():
                for record in records:
                    if record.value is not None:
                        yield record.value
            if not follow:
                positions = {tp: await consumer.position(tp) for tp in assigned}
                if all(positions[tp] >= end[tp] for tp in assigned):
                    return
    finally:
        await consumer.stop()
