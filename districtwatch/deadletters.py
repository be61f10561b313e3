"""Sending a record a stage could not process to the dead-letter topic, counted and logged.

The reason kind (a short, bounded word such as ``decode`` or ``too_large``) labels the metric; the
full reason goes into the record. The log line names topic, partition and offset so an operator can
find the original.
"""

from __future__ import annotations

import logging

from faust.types import EventT, TopicT

from districtwatch import topics
from districtwatch.app import metrics
from districtwatch.codec import dead_letter_for, encode
from districtwatch.schemas import DeadLetter

log = logging.getLogger(__name__)


def letter(
    stage: str, reason: str, raw: bytes, topic: str | None, partition: int | None, offset: int | None
) -> DeadLetter:
    """``codec.dead_letter_for``, logged with where the record was read."""
    log.warning("dead letter from %s at %s[%s]@%s: %s", stage, topic or "?", partition, offset, reason)
    return dead_letter_for(stage, reason, raw, topic, partition, offset)


async def dead_letter(
    stage: str,
    kind: str,
    reason: str,
    event: EventT[bytes] | None,
    raw: bytes | None = None,
    *,
    to: TopicT | None = None,
    key: bytes | None = None,
) -> None:
    """Keep ``raw`` (default: the event's value) with its reason on the dead-letter topic.

    ``to`` is another dead-letter topic (notify's ``alerts.deadletter``) and ``key`` its key (default:
    the stage): every stage's letters take this one path, so each is cut to size and counted.
    """
    message = event.message if event is not None else None
    value = raw if raw is not None else (event.value if event is not None else b"")
    record = letter(
        stage,
        reason,
        value if isinstance(value, bytes) else str(value).encode("utf-8"),
        message.topic if message else None,
        message.partition if message else None,
        message.offset if message else None,
    )
    await (to or topics.deadletter).send(key=key or stage.encode(), value=encode(record))
    metrics.stage_deadlettered.labels(stage, kind).inc()
