"""The one codec: good records round-trip, bad bytes become DecodeErrors that say what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from districtwatch.codec import MAX_KEPT_BYTES, dead_letter_for, decode, encode
from districtwatch.errors import DecodeError, RecordError
from districtwatch.schemas import DeadLetter, Post

GOOD = (
    b'{"id": "1", "platform": "twitter", "account": "@AsvakaNews", '
    b'"created_at": "2021-08-20T08:12:00Z", "text": "x"}'
)


def test_post_round_trips_and_account_loses_its_at() -> None:
    post = decode(GOOD, Post)
    assert post.account == "AsvakaNews"
    assert decode(encode(post), Post) == post


def test_naive_created_at_is_taken_as_utc() -> None:
    post = decode(GOOD.replace(b"08:12:00Z", b"08:12:00"), Post)
    assert post.created_at == datetime(2021, 8, 20, 8, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"{bad json", "malformed JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (
            b'{"id": "1", "platform": "t", "account": "a", "created_at": "2021-08-20T08:12:00Z"}',
            "text: field required",
        ),
        (b"\xff\xfe{}", "not UTF-8"),
        (None, "empty record"),
        (b'{"id": "", "platform": "t", "account": "a", "created_at": "2021-08-20", "text": "x"}', "id:"),
    ],
)
def test_bad_records_raise_decode_errors_with_reasons(raw: bytes | None, says: str) -> None:
    with pytest.raises(DecodeError, match=says) as caught:
        decode(raw, Post)
    assert isinstance(caught.value, RecordError)
    assert caught.value.retriable is False


def test_size_limit_is_checked_before_parsing() -> None:
    with pytest.raises(DecodeError, match="exceeds the limit"):
        decode(b"x" * 2000, Post, max_bytes=1000)


def test_dead_letter_keeps_arbitrary_bytes_through_json() -> None:
    raw = b"\xff\x00{not json at all"
    letter = DeadLetter(stage="filter", reason="malformed", raw=raw, at=datetime(2021, 1, 1, tzinfo=UTC))
    assert decode(encode(letter), DeadLetter).raw == raw


def test_a_dead_letter_keeps_a_small_record_whole_and_cuts_a_huge_one_saying_so() -> None:
    small = dead_letter_for("filter", "malformed JSON", b"{bad", "posts.raw", 1, 7)
    assert (small.raw, small.reason, small.topic, small.partition, small.offset) == (
        b"{bad",
        "malformed JSON",
        "posts.raw",
        1,
        7,
    )
    huge = dead_letter_for("filter", "too big", b"x" * (MAX_KEPT_BYTES + 10), "posts.raw", 0, 0)
    assert huge.raw == b"x" * MAX_KEPT_BYTES
    assert huge.reason == f"too big (the first {MAX_KEPT_BYTES:,} of {MAX_KEPT_BYTES + 10:,} bytes are kept)"
    assert len(encode(huge)) < 1024 * 1024  # under the producer's default request limit
