"""Where ingested posts go: ``posts.raw``, keyed by account, each send awaited until acknowledged.

The poller and the push endpoint both need "these posts are safely on the broker" before they move
on (advance a checkpoint, answer 202), so :meth:`PostSink.send` returns only after every record of
the batch is acknowledged by all in-sync replicas, and raises :class:`SinkError` otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from districtwatch.codec import encode
from districtwatch.errors import DistrictwatchError
from districtwatch.schemas import Post


class SinkError(DistrictwatchError):
    """The broker did not acknowledge a batch; nothing that depends on it may move on."""

    retriable = True


class PostSink(Protocol):
    async def send(self, posts: Sequence[Post]) -> None:
        """Produce ``posts`` in order and return once all are acknowledged."""
        ...


def record_key(post: Post) -> bytes:
    """Posts of one account share a partition, so they stay in order."""
    key: bytes = post.account.encode("utf-8")
    return key


class KafkaPostSink:
    """A PostSink on an aiokafka producer with ``acks=all``."""

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self.topic = topic
        # Not idempotent: the embedded broker does not grant producer ids. A retried send may then
        # repeat a post, which the dedup stage recognises by its id ("redelivered").
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", linger_ms=5)

    async def start(self) -> None:
        try:
            await self._producer.start()
        except BaseException:
            await self._producer.stop()
            raise

    async def stop(self) -> None:
        await self._producer.stop()

    async def send(self, posts: Sequence[Post]) -> None:
        try:
            pending = [
                await self._producer.send(self.topic, value=encode(post), key=record_key(post))
                for post in posts
            ]
            await asyncio.gather(*pending)
        except KafkaError as exc:
            raise SinkError(f"{self.topic}: broker did not acknowledge {len(posts)} posts: {exc}") from exc
