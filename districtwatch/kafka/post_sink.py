"""The ingester's PostSink on Kafka: posts to ``posts.raw``, each batch awaited until acknowledged.

The contract (:class:`districtwatch.ingest.sink.PostSink`) lives with the ingester; this is the one
implementation that talks to a broker, so it sits with the other Kafka clients.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from districtwatch.codec import encode
from districtwatch.ingest.sink import SinkError, record_key
from districtwatch.schemas import Post


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
