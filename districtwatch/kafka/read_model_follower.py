"""Reads the control table's changelog and the alerts topic, from their start, into the read model.

Why a plain consumer with no group: every worker must read every partition (a group would share them
out), and nothing is committed (the read model lives in memory and is rebuilt on start). The changelog
carries every district's whole state after each change, so its last record per district is what the
owning worker's table holds; reading it is Faust's own table recovery, for all partitions instead of
the assigned ones. With ``exactly_once`` it reads committed records only, as the table's recovery does.

:meth:`ReadModelFollower.caught_up` lets a view answer with everything written before the request:
it asks the broker for the topics' end offsets and waits until the read model has read that far. Two
workers asked one after the other then give the same answer.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from mode import Service

from districtwatch.agents.control import district_control
from districtwatch.app import app, settings
from districtwatch.kafka.clients import topic_partitions
from districtwatch.livemap.readmodel import ReadModel

log = logging.getLogger(__name__)
#: How long a view waits for the read model to reach the topics' ends before answering with what it has.
CATCH_UP_S = 5.0

read_model = ReadModel()
_running: list[ReadModelFollower] = []


def changelog_topic() -> str:
    """The control table's changelog topic (Faust names it after the app id and the table)."""
    name: str = district_control.changelog_topic.get_topic_name()
    return name


async def caught_up(within: float = CATCH_UP_S) -> bool:
    """Wait until the read model has read what the topics held when asked; False if it has not in time."""
    follower = _running[0] if _running else None
    return follower is not None and await follower.caught_up(within)


def started() -> bool:
    """Whether the read model has read the topics to where they ended when it started (readiness)."""
    return bool(_running) and _running[0].initial_read.is_set()


def _bootstrap_servers() -> list[str]:
    return [f"{url.host}:{url.port or 9092}" for url in app.conf.broker]


@app.service
class ReadModelFollower(Service):
    """Started with the worker, after its tables have recovered (so the changelog topic exists)."""

    consumer: AIOKafkaConsumer | None = None

    def __post_init__(self) -> None:
        self.model = read_model
        self.alerts_topic = settings.topic("alerts")
        self.assigned: list[TopicPartition] = []
        self.positions: dict[TopicPartition, int] = {}
        self.moved = asyncio.Event()
        self.initial_read = asyncio.Event()

    async def on_start(self) -> None:
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=_bootstrap_servers(),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level=(
                "read_committed" if settings.processing_guarantee == "exactly_once" else "read_uncommitted"
            ),
        )
        await self.consumer.start()
        _running.append(self)

    async def on_stop(self) -> None:
        if self in _running:
            _running.remove(self)
        self.model.close()
        if self.consumer is not None:
            await self.consumer.stop()

    async def _assign(self) -> None:
        """Assign every partition of both topics, from their start, once the broker knows both."""
        assert self.consumer is not None
        names = (changelog_topic(), self.alerts_topic)
        while not self.should_stop:
            found = {name: await topic_partitions(self.consumer, name) for name in names}
            if all(found.values()):
                self.assigned = [TopicPartition(n, p) for n in names for p in sorted(found[n] or ())]
                self.consumer.assign(self.assigned)
                await self.consumer.seek_to_beginning(*self.assigned)
                return
            await self.sleep(0.5)

    @Service.task
    async def _follow(self) -> None:
        await self._assign()
        assert self.consumer is not None
        changelog = changelog_topic()
        first_ends = await self.consumer.end_offsets(self.assigned)
        while not self.should_stop:
            try:
                batch = await self.consumer.getmany(timeout_ms=200)
            except KafkaError as exc:
                log.warning("map read model: fetch failed (%r); trying again", exc)
                await self.sleep(1.0)
                continue
            for tp, records in batch.items():
                for record in records:
                    if tp.topic == changelog:
                        self.model.apply_state(record.key, record.value)
                    else:
                        self.model.apply_alert(record.value)
            for tp in self.assigned:
                self.positions[tp] = await self.consumer.position(tp)
            if not self.initial_read.is_set() and self._reached(first_ends):
                self.initial_read.set()
            self.moved.set()
            self.moved = asyncio.Event()

    def _reached(self, ends: dict[TopicPartition, int]) -> bool:
        return all(self.positions.get(tp, 0) >= end for tp, end in ends.items())

    async def caught_up(self, within: float) -> bool:
        """See :func:`caught_up`."""
        if self.consumer is None or not self.assigned:
            return False
        deadline = time.monotonic() + within
        try:
            ends = await asyncio.wait_for(self.consumer.end_offsets(self.assigned), within)
        except (KafkaError, TimeoutError):
            return False
        while not self._reached(ends):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self.moved.wait(), left)
            except TimeoutError:
                return False
        return True
