"""Sending a record a stage could not process to the dead-letter topic, counted and logged.

The reason kind (a short, bounded word such as ``decode`` or ``too_large``) labels the metric; the
full reason goes into the record. The log line names topic, partition and offset so an operator can
find the original.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from faust.types import EventT

from districtwatch import topics
from districtwatch.app import metrics
from districtwatch.codec import encode
from districtwatch.schemas import DeadLetter

log = logging.getLogger(__name__)


#: At most this much of a record is kept in its dead letter: the letter carries it base64-encoded (a
#: third larger) and must stay under the producer's 1 MiB request limit, or the letter itself is lost.
MAX_KEPT_BYTES = 256 * 1024


def letter(
    stage: str, reason: str, raw: bytes, topic: str | None, partition: int | None, offset: int | None
) -> DeadLetter:
    """The dead letter for ``raw`` read at ``topic[partition]@offset``, logged; a huge record is cut."""
    if len(raw) > MAX_KEPT_BYTES:
        reason = f"{reason} (the first {MAX_KEPT_BYTES:,} of {len(raw):,} bytes are kept)"
        raw = raw[:MAX_KEPT_BYTES]
    log.warning("dead letter from %s at %s[%s]@%s: %s", stage, topic or "?", partition, offset, reason)
    return DeadLetter(
        stage=stage,
        reason=reason,
        raw=raw,
        topic=topic,
        partition=partition,
        offset=offset,
        at=datetime.now(UTC),
    )


async def dead_letter(
    stage: str, kind: str, reason: str, event: EventT[bytes] | None, raw: bytes | None = None
) -> None:
    """Keep ``raw`` (default: the event's value) with its reason on the dead-letter topic."""
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
    await topics.deadletter.send(key=stage.encode(), value=encode(record))
    metrics.stage_deadlettered.labels(stage, kind).inc()
