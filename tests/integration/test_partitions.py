"""The partition we compute for a district is the one the producer sends its claims to.

The control stage exports the map's series only for districts whose claims land on partitions this
worker holds (``owned_by_this_worker``); a computed partition that differs from the producer's choice
shows some districts twice and others never. Checked on the embedded broker: every district's key is
produced to topics of 3, 4 and 6 partitions, and read back from the partition it landed in.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from districtwatch.core.control.policy import district_key
from districtwatch.core.extraction import Extractor
from districtwatch.kafka.clients import ensure_topics
from districtwatch.kafka.embedded_broker import EmbeddedBroker
from districtwatch.kafka.partitioner import partition_of

pytestmark = pytest.mark.integration


def district_keys() -> list[bytes]:
    gazetteer = Extractor.load().gazetteer
    return [district_key(d.province, d.name).encode("utf-8") for d in gazetteer.districts]


async def landed(bootstrap: str, topic: str, keys: list[bytes], partitions: int) -> dict[bytes, int]:
    """Produce each key once, as the worker's producer would (no partition given); where each landed."""
    await ensure_topics(bootstrap, [topic], partitions)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        await asyncio.gather(*[await producer.send(topic, b"", key=key) for key in keys])
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        found: dict[bytes, int] = {}
        for _ in range(100):
            for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                found.update((record.key or b"", tp.partition) for record in records)
            if len(found) == len(keys):
                break
        return found
    finally:
        await consumer.stop()


@pytest.mark.parametrize("partitions", [3, 4, 6])
async def test_the_computed_partition_of_every_district_is_where_the_producer_sent_it(
    broker: EmbeddedBroker, partitions: int
) -> None:
    """For every district of the gazetteer, ``partition_of`` names the partition its record landed in."""
    from districtwatch.agents.control import owned_by_this_worker

    keys = district_keys()
    topic = f"partitions-{partitions}-{uuid.uuid4().hex[:8]}"
    found = await landed(broker.bootstrap_servers, topic, keys, partitions)
    assert len(found) == len(keys), f"read back {len(found)} of {len(keys)} records"
    wrong = [key for key in keys if partition_of(key, partitions) != found[key]]
    assert not wrong, (
        f"{len(wrong)} of {len(keys)} districts computed on the wrong partition, e.g. {wrong[:3]}"
    )
    assert len(set(found.values())) == partitions, "every partition holds some district"
    # the control stage's question: does the worker holding that partition export the district?
    misowned = [
        key
        for key in keys
        if not owned_by_this_worker(key.decode(), {found[key]}, partitions)
        or owned_by_this_worker(key.decode(), set(range(partitions)) - {found[key]}, partitions)
    ]
    assert not misowned, f"{len(misowned)} of {len(keys)} districts exported by the wrong worker"
