"""Where ingested posts go: ``posts.raw``, keyed by account, each send awaited until acknowledged.

The poller and the push endpoint both need "these posts are safely on the broker" before they move
on (advance a checkpoint, answer 202), so :meth:`PostSink.send` returns only after every record of
the batch is acknowledged by all in-sync replicas, and raises :class:`SinkError` otherwise. The
implementation on Kafka is :class:`districtwatch.kafka.post_sink.KafkaPostSink`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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
