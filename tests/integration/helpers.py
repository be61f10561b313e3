"""Reading and writing the test's topics through the real broker."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from districtwatch.cli import replay_file
from districtwatch.codec import decode
from districtwatch.kafka import read_topic
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


def group_drained(settings: Settings, stages: tuple[str, ...]) -> bool:
    """True when the worker's consumer group has committed every record of the stages' input topics.

    The worker's own counters restart at zero with the process; the group's committed offsets do not,
    so this is how a test knows that a restarted worker has caught up.
    """
    from aiokafka import AIOKafkaConsumer, TopicPartition

    async def check() -> bool:
        assert settings.bootstrap_servers
        # A consumer in the worker's group that never subscribes: it reads the group's commits
        # without joining (and so without taking partitions from the worker).
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.bootstrap_servers, group_id=settings.app_id, enable_auto_commit=False
        )
        await consumer.start()
        try:
            await consumer.topics()
            partitions = [
                TopicPartition(settings.topic(stage), p)
                for stage in stages
                for p in (consumer.partitions_for_topic(settings.topic(stage)) or set())
            ]
            if not partitions:
                return False
            ends = await consumer.end_offsets(partitions)
            for tp in partitions:
                if (await consumer.committed(tp) or 0) < ends[tp]:
                    return False
            return True
        finally:
            await consumer.stop()

    return asyncio.run(check())
