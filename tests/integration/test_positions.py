"""After a rebalance or a recovery, a partition its group never committed is read again from its start.

aiokafka's ``seek_to_committed`` leaves such a partition wherever the fetcher got to; Faust relies on
that seek to re-read what it fetched and skipped, so the first records of a stream were lost after a
restart (issue 5's crash test, issue 10's takeover). ``seek_to_committed_or_start`` is what the
worker's consumer uses instead; this checks it on the embedded broker with a plain aiokafka consumer.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from districtwatch.kafka.embedded_broker import EmbeddedBroker
from districtwatch.kafka.table_recovery import seek_to_committed_or_start

pytestmark = pytest.mark.integration

RECORDS = 10

#: A consumer, its stream partition and its changelog partition.
Assigned = tuple[AIOKafkaConsumer, TopicPartition, TopicPartition]


async def produce(bootstrap: str, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for n in range(RECORDS):
            await producer.send_and_wait(topic, str(n).encode(), partition=0)
    finally:
        await producer.stop()


async def read_some(consumer: AIOKafkaConsumer, tp: TopicPartition, at_least: int) -> int:
    """Fetch until ``at_least`` records came back (not committed); the fetcher's position after it."""
    seen = 0
    for _ in range(50):
        batch = await consumer.getmany(tp, timeout_ms=200)
        seen += len(batch.get(tp, []))
        if seen >= at_least:
            break
    assert seen >= at_least, f"only {seen} records fetched"
    return int(await consumer.position(tp))


@pytest.fixture
async def consumer(
    broker: EmbeddedBroker,
) -> AsyncIterator[Assigned]:
    """A consumer of a group that has committed nothing, on a stream topic and a 'changelog' topic."""
    stream, changelog = (f"positions-{name}-{uuid.uuid4().hex[:8]}" for name in ("stream", "changelog"))
    for topic in (stream, changelog):
        await produce(broker.bootstrap_servers, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=broker.bootstrap_servers,
        group_id=f"positions-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    stream_tp, changelog_tp = TopicPartition(stream, 0), TopicPartition(changelog, 0)
    consumer.assign([stream_tp, changelog_tp])
    try:
        yield consumer, stream_tp, changelog_tp
    finally:
        await consumer.stop()


async def test_aiokafka_alone_leaves_a_never_committed_partition_where_the_fetcher_got_to(
    consumer: Assigned,
) -> None:
    """The behaviour we guard against: if this starts failing, aiokafka changed and the guard may go."""
    kafka, tp, _ = consumer
    fetched_to = await read_some(kafka, tp, 3)
    assert fetched_to >= 3
    committed = await kafka.seek_to_committed()
    assert committed[tp] is None
    assert await kafka.position(tp) == fetched_to


async def test_a_never_committed_partition_goes_back_to_its_start(
    consumer: Assigned,
) -> None:
    kafka, tp, _ = consumer
    await read_some(kafka, tp, 3)
    committed = await seek_to_committed_or_start(kafka)
    assert committed[tp] is None
    assert await kafka.position(tp) == 0
    again = await kafka.getmany(tp, timeout_ms=2000)
    assert [r.offset for r in again[tp]][:1] == [0], "the first record is read again"


async def test_a_committed_partition_goes_back_to_its_commit_and_a_left_topic_stays(
    consumer: Assigned,
) -> None:
    kafka, tp, changelog_tp = consumer
    await read_some(kafka, tp, RECORDS)
    changelog_at = await read_some(kafka, changelog_tp, 3)
    await kafka.commit({tp: 4})
    committed = await seek_to_committed_or_start(kafka, leave={changelog_tp.topic})
    assert committed[tp] == 4
    assert await kafka.position(tp) == 4
    assert await kafka.position(changelog_tp) == changelog_at, "a changelog is the recovery's to place"
