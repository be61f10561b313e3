"""Apache Kafka through the launcher: the broker on which districtwatch's guarantees are proven.

Each test uses its own uuid topics and groups, so the tests share the session's broker safely, and the
restart test can bounce it under them.
"""

from __future__ import annotations

import asyncio
import socket
import string
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from districtwatch.errors import BrokerError
from districtwatch.kafka import apache_broker as launcher
from districtwatch.kafka.apache_broker import (
    KafkaBroker,
    KafkaUnavailable,
    java_major_version,
    kafka_available,
)
from districtwatch.kafka.embedded_broker import free_port


def unique(kind: str) -> str:
    return f"kafka-test-{kind}-{uuid.uuid4().hex[:10]}"


async def create_topic(bootstrap_servers: str, topic: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        response = await admin.create_topics(
            [NewTopic(topic, num_partitions=partitions, replication_factor=1)]
        )
        assert [code for _, code, *_ in response.topic_errors] == [0]
    finally:
        await admin.close()


async def produce(bootstrap_servers: str, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = [await producer.send(topic, value=value, key=key) for key, value in records]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def consume(
    consumer: AIOKafkaConsumer, count: int, within: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Exactly ``count`` records, or fewer if ``within`` seconds pass first."""
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + within
    while len(records) < count and time.monotonic() < deadline:
        batches = await consumer.getmany(timeout_ms=500, max_records=count - len(records))
        for batch in batches.values():
            records.extend(batch)
    return records


async def read_from_start(
    bootstrap_servers: str, topic: str, count: int
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap_servers, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        return await consume(consumer, count)
    finally:
        await consumer.stop()


async def nothing_more(consumer: AIOKafkaConsumer) -> bool:
    """True if a further second of polling brings no record (after the expected ones were read)."""
    batches = await consumer.getmany(timeout_ms=1000)
    return not any(batches.values())


def group_consumer(bootstrap_servers: str, topic: str, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )


def test_cluster_ids_never_start_with_a_dash() -> None:
    """The storage tool reads an id starting with "-" as an option and refuses to format (one in 64
    ids did, and every Kafka test of that CI run errored); the ids are still random URL-safe base64."""
    ids = [launcher.cluster_id() for _ in range(2000)]
    assert not [i for i in ids if i.startswith("-")]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 22 and set(i) <= set(string.ascii_letters + string.digits + "-_") for i in ids)


def test_missing_java_is_reported_not_raised_as_a_crash() -> None:
    """Without java, kafka_available names it, and start() raises a non-retriable KafkaUnavailable."""
    reason = kafka_available(java="no-such-java-districtwatch")
    assert reason is not None
    assert "no-such-java-districtwatch" in reason
    assert "Java 17" in reason
    with pytest.raises(KafkaUnavailable, match="no-such-java-districtwatch") as raised:
        KafkaBroker(java="no-such-java-districtwatch").start()
    assert isinstance(raised.value, BrokerError)
    assert raised.value.retriable is False


@pytest.mark.skipif(java_major_version() is None, reason="needs a java that runs, to get past the java check")
def test_missing_maven_matters_only_without_a_cached_classpath(tmp_path: Path) -> None:
    """mvn is needed only while the Kafka jars are not cached yet, and the reason says so."""
    reason = kafka_available(cache_dir=tmp_path, mvn="no-such-mvn-districtwatch")
    if reason is not None and "Java" in reason:
        pytest.skip(f"this java cannot run Kafka: {reason}")
    assert reason is not None
    assert "no-such-mvn-districtwatch" in reason
    assert str(tmp_path) in reason


@pytest.mark.kafka
async def test_records_round_trip_in_order_per_key(kafka: KafkaBroker) -> None:
    """Every produced record is consumed once, and records with one key arrive in the order sent."""
    topic = unique("order")
    await create_topic(kafka.bootstrap_servers, topic, partitions=3)
    records = [(f"k{i % 10}".encode(), f"{i}".encode()) for i in range(300)]
    await produce(kafka.bootstrap_servers, topic, records)

    received = await read_from_start(kafka.bootstrap_servers, topic, len(records))

    assert sorted(int(r.value) for r in received) == list(range(300))
    by_key: dict[bytes, list[int]] = defaultdict(list)
    for record in received:
        assert record.key is not None
        by_key[record.key].append(int(record.value))
    assert all(values == sorted(values) for values in by_key.values())
    assert len({r.partition for r in received}) > 1, "ten keys over three partitions use more than one"


@pytest.mark.kafka
async def test_topic_is_created_with_the_requested_partitions(kafka: KafkaBroker) -> None:
    """A topic created with six partitions has six, each led by the single node."""
    topic = unique("partitions")
    await create_topic(kafka.bootstrap_servers, topic, partitions=6)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        # CreateTopics answers once the controller has the topic; the broker's metadata may lag a
        # moment behind (UNKNOWN_TOPIC_OR_PARTITION), so ask until it knows it, for up to 10 s.
        deadline = time.monotonic() + 10
        while True:
            (described,) = await admin.describe_topics([topic])
            if described["error_code"] == 0 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    assert described["error_code"] == 0
    assert sorted(p["partition"] for p in described["partitions"]) == list(range(6))
    assert {p["leader"] for p in described["partitions"]} == {1}


@pytest.mark.kafka
async def test_consumer_group_commits_and_a_new_member_resumes_after_them(kafka: KafkaBroker) -> None:
    """Offsets a group commits are stored by the broker; the group's next consumer starts after them."""
    topic, group = unique("group"), unique("group")
    await create_topic(kafka.bootstrap_servers, topic, partitions=2)
    await produce(kafka.bootstrap_servers, topic, [(b"k%d" % i, b"first-%d" % i) for i in range(10)])

    first = group_consumer(kafka.bootstrap_servers, topic, group)
    await first.start()
    try:
        assert len(await consume(first, 10)) == 10
        await first.commit()
    finally:
        await first.stop()

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    assert {tp.topic for tp in committed} == {topic}
    assert sum(meta.offset for meta in committed.values()) == 10

    await produce(kafka.bootstrap_servers, topic, [(b"k%d" % i, b"second-%d" % i) for i in range(5)])
    second = group_consumer(kafka.bootstrap_servers, topic, group)
    await second.start()
    try:
        resumed = await consume(second, 5)
        assert await nothing_more(second), "a record committed before was delivered again"
    finally:
        await second.stop()
    assert sorted(r.value for r in resumed) == sorted(b"second-%d" % i for i in range(5))


@pytest.mark.kafka
async def test_restart_keeps_records_and_committed_offsets_on_the_same_address(kafka: KafkaBroker) -> None:
    """Records and group offsets written before a restart are there after it, at the same address."""
    topic, group = unique("restart"), unique("restart")
    await create_topic(kafka.bootstrap_servers, topic, partitions=2)
    await produce(kafka.bootstrap_servers, topic, [(b"k%d" % i, b"before-%d" % i) for i in range(50)])
    consumer = group_consumer(kafka.bootstrap_servers, topic, group)
    await consumer.start()
    try:
        seen = await consume(consumer, 50)
        assert len(seen) == 50
        await consumer.commit()
        committed_before = {tp: await consumer.committed(tp) for tp in consumer.assignment()}
    finally:
        await consumer.stop()
    address, pid = kafka.bootstrap_servers, kafka.process.pid if kafka.process else None

    await asyncio.to_thread(kafka.restart)

    assert kafka.bootstrap_servers == address
    assert kafka.process is not None
    assert kafka.process.pid != pid
    after = await read_from_start(kafka.bootstrap_servers, topic, 50)
    assert sorted(r.value for r in after) == sorted(b"before-%d" % i for i in range(50))

    await produce(kafka.bootstrap_servers, topic, [(b"k0", b"after-0")])
    consumer = group_consumer(kafka.bootstrap_servers, topic, group)
    await consumer.start()
    try:
        resumed = await consume(consumer, 1)
        assert await nothing_more(consumer), "a record committed before the restart was delivered again"
        committed_after = {tp: await consumer.committed(tp) for tp in committed_before}
    finally:
        await consumer.stop()
    assert committed_after == committed_before
    assert [r.value for r in resumed] == [b"after-0"]


@pytest.mark.kafka
@pytest.mark.usefixtures("kafka_runs_here")
def test_a_fixed_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    """A port the caller chose that is taken fails the start at once, naming the port; no JVM is left."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        broker = KafkaBroker(port=port, data_dir=tmp_path)
        with pytest.raises(BrokerError, match=f"127.0.0.1:{port} is already in use"):
            broker.start()
    assert broker.process is None


@pytest.mark.kafka
@pytest.mark.usefixtures("kafka_runs_here")
def test_a_picked_port_taken_meanwhile_is_replaced_and_close_leaves_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A free port taken before the JVM binds it is swapped for another; close() then ends the JVM
    and removes the temporary work directory."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        picks = iter([busy])
        monkeypatch.setattr(launcher, "free_port", lambda host: next(picks, None) or free_port(host))
        with KafkaBroker() as broker:
            process, workdir = broker.process, broker.workdir
            assert busy not in (broker.port, broker.controller_port)
            assert process is not None
            assert workdir is not None
            assert (workdir / "data" / "meta.properties").is_file()
            rss = broker.rss_bytes()
            assert rss is None or rss < 1024 * 2**20, f"the JVM uses {rss / 2**20:.0f} MiB"
    assert process.poll() is not None
    assert not workdir.exists()
