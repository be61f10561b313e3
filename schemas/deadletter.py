"""A record a stage could not process, kept with the reason instead of being dropped."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class DeadLetter(BaseModel):
    """What went wrong, where, and the original bytes so the record can be replayed after a fix."""

    # Raw bytes are base64 in JSON both ways; in Python they are the bytes as read.
    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    stage: str = Field(description="Stage that rejected the record: filter, dedup, extract, control…")
    reason: str
    raw: bytes = Field(description="The record's bytes as read, base64 in JSON.")
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    at: datetime
