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


async def dead_letter(
    stage: str, kind: str, reason: str, event: EventT[bytes] | None, raw: bytes | None = None
) -> None:
    """Keep ``raw`` (default: the event's value) with its reason on the dead-letter topic."""
    message = event.message if event is not None else None
    value = raw if raw is not None else (event.value if event is not None else b"")
    record = DeadLetter(
        stage=stage,
        reason=reason,
        raw=value if isinstance(value, bytes) else str(value).encode("utf-8"),
        topic=message.topic if message else None,
        partition=message.partition if message else None,
        offset=message.offset if message else None,
        at=datetime.now(UTC),
    )
    await topics.deadletter.send(key=stage.encode(), value=encode(record))
    metrics.stage_deadlettered.labels(stage, kind).inc()
    where = f"{message.topic}[{message.partition}]@{message.offset}" if message else "?"
    log.warning("dead letter from %s at %s: %s", stage, where, reason)
