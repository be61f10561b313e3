"""Reading and writing the test's topics through the real broker."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from districtwatch.cli.commands import replay_file
from districtwatch.codec import decode
from districtwatch.kafka.clients import read_topic, topic_partitions
from districtwatch.schemas import Alert
from districtwatch.settings import Settings

Record = TypeVar("Record", bound=BaseModel)


def replay(settings: Settings, path: Path) -> int:
    return replay_file(settings, path, progress=False)


def read_all(settings: Settings, stage: str, model: type[Record]) -> list[Record]:
    """Every record of a stage's topic; only committed ones when the worker writes in transactions."""
    committed_only = settings.processing_guarantee == "exactly_once"

    async def collect() -> list[Record]:
        assert settings.bootstrap_servers
        return [
            decode(value, model)
            async for value in read_topic(
                settings.bootstrap_servers, settings.topic(stage), committed_only=committed_only
            )
        ]

    return asyncio.run(collect())


def group_drained(settings: Settings, stages: tuple[str, ...], *, admin_api: bool = False) -> bool:
    """True when the worker's consumer groups (Faust's, the filter's) have committed every record of the
    stages' input topics.

    The worker's own counters restart at zero with the process; the group's committed offsets do not,
    so this is how a test knows that a restarted worker has caught up. Nothing joins the group (no
    partition is taken from the worker). The commits are read with a group consumer that never
    subscribes on the embedded broker, whose answer to the admin API's OffsetFetch aiokafka cannot
    parse; and with the admin API on Apache Kafka (``admin_api``), where the idle group consumer
    waits for ever while the worker is a member.
    """
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    async def committed_offsets(group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        assert settings.bootstrap_servers
        if admin_api:
            admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
            await admin.start()
            try:
                found = await asyncio.wait_for(admin.list_consumer_group_offsets(group), 30)
            finally:
                await admin.close()
            return {tp: found[tp].offset if tp in found else 0 for tp in partitions}
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.bootstrap_servers, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            return {tp: await consumer.committed(tp) or 0 for tp in partitions}
        finally:
            await consumer.stop()

    async def check() -> bool:
        assert settings.bootstrap_servers
        consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False)
        await consumer.start()
        try:
            inputs = {
                stage: [
                    TopicPartition(settings.topic(stage), p)
                    for p in (await topic_partitions(consumer, settings.topic(stage)) or set())
                ]
                for stage in stages
            }
            partitions = [tp for tps in inputs.values() for tp in tps]
            if not partitions:
                return False
            ends = await consumer.end_offsets(partitions)
        finally:
            await consumer.stop()
        committed: dict[TopicPartition, int] = {}
        for stage, tps in inputs.items():
            committed.update(await committed_offsets(settings.reading_group(stage), tps))
        return all(committed[tp] >= ends[tp] for tp in partitions)

    return asyncio.run(check())


def controllers(port: int) -> dict[str, tuple[str | None, str | None]]:
    """District → (assessed controller, claimed controller), from a worker's /control."""
    found: dict[str, list[str | None]] = {}
    for layer in ("assessed", "claimed"):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/control?layer={layer}", timeout=30) as reply:
            for feature in json.load(reply)["features"]:
                found.setdefault(feature["id"], []).append(feature["properties"]["controller"])
    return {key: (value[0], value[1]) for key, value in found.items()}


def without_time(alerts: list[Alert]) -> dict[str, dict[str, Any]]:
    """Alerts by id, every field but when they were emitted: what two runs must agree on."""
    return {a.alert_id: a.model_dump(mode="json", exclude={"emitted_at"}) for a in alerts}
