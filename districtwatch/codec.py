"""The one encode/decode of every topic's records.

Records travel as UTF-8 JSON of the pydantic models in ``districtwatch.schemas``. Agents consume raw
bytes and decode here, so that a record that fails becomes a :class:`DecodeError` with a reason a
human can act on, which the agent turns into a DeadLetter instead of Faust dropping it in its
deserializer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from districtwatch.errors import DecodeError
from districtwatch.schemas import DeadLetter

Record = TypeVar("Record", bound=BaseModel)


def encode(record: BaseModel) -> bytes:
    """Serialize a record to the bytes carried on its topic."""
    return record.model_dump_json().encode("utf-8")


def decode(raw: bytes | str | None, model: type[Record], *, max_bytes: int | None = None) -> Record:
    """Parse bytes into ``model``, or raise DecodeError saying what is wrong with them."""
    if raw is None:
        raise DecodeError("empty record (null value)")
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if max_bytes is not None and len(data) > max_bytes:
        raise DecodeError(f"record of {len(data)} bytes exceeds the limit of {max_bytes}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}") from exc
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if first["type"] == "json_invalid":
            raise DecodeError(f"malformed JSON: {first['ctx'].get('error', first['msg'])}") from exc
        if first["type"] == "model_type" and not first["loc"]:
            raise DecodeError("expected a JSON object") from exc
        raise DecodeError(f"invalid {model.__name__}: {describe(exc)}") from exc


#: At most this much of a record is kept in its dead letter: the letter carries it base64-encoded (a
#: third larger) and must stay under the producer's 1 MiB request limit, or the letter itself is lost.
MAX_KEPT_BYTES = 256 * 1024


def dead_letter_for(
    stage: str, reason: str, raw: bytes, topic: str | None, partition: int | None, offset: int | None
) -> DeadLetter:
    """The dead letter of ``raw``, read at ``topic[partition]@offset``; a huge record is cut, and says so."""
    if len(raw) > MAX_KEPT_BYTES:
        reason = f"{reason} (the first {MAX_KEPT_BYTES:,} of {len(raw):,} bytes are kept)"
        raw = raw[:MAX_KEPT_BYTES]
    return DeadLetter(
        stage=stage,
        reason=reason,
        raw=raw,
        topic=topic,
        partition=partition,
        offset=offset,
        at=datetime.now(UTC),
    )


def describe(exc: ValidationError) -> str:
    """A one-line summary of a validation error: each failing field and why."""
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "record"
        parts.append(f"{where}: {error['msg'].lower()}")
    return "; ".join(parts)
