"""The whole pipeline on the real embedded broker and a real worker process, with the sample story."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from districtwatch.samples import sample_file
from districtwatch.schemas import Alert, AlertStatus, DeadLetter, Post
from districtwatch.testing.worker import wait_until_drained

from .helpers import read_all, replay

pytestmark = pytest.mark.integration

MALFORMED = b'{"id": "bad-1", "platform": "twitter", "account": "x", "text": "unterminated\n'
MISSING_TEXT = (
    b'{"id": "bad-2", "platform": "twitter", "account": "x", "created_at": "2021-08-20T10:00:00Z"}\n'
)
NOT_UTF8 = b'{"id": "bad-3", "text": "\xff\xfe"}\n'


def test_sample_story_gives_one_alert_per_change_and_bad_records_are_dead_lettered(
    pipeline_factory: Callable[..., object], tmp_path: Path
) -> None:
    """Baghlan, 20 Aug 2021: Puli Hisar confirmed by two accounts, Dih Salah and Banu reported by one;
    reposts and irrelevant posts add nothing; malformed records land in deadletter and the worker goes on."""
    pipeline = pipeline_factory()
    stream = tmp_path / "posts.jsonl"
    sample = sample_file("baghlan-2021-08-20.jsonl").read_bytes().splitlines(keepends=True)
    # bad records in the middle of the stream: the posts after them must still be processed
    stream.write_bytes(b"".join(sample[:150]) + MALFORMED + MISSING_TEXT + NOT_UTF8 + b"".join(sample[150:]))

    with pipeline.worker() as worker:  # type: ignore[attr-defined]
        sent = replay(pipeline.settings, stream)  # type: ignore[attr-defined]
        assert sent == len(sample) + 3
        assert wait_until_drained(worker, sent, timeout=60), worker.status()
        status = worker.status()
    alerts = read_all(pipeline.settings, "alerts", Alert)  # type: ignore[attr-defined]
    letters = read_all(pipeline.settings, "deadletter", DeadLetter)  # type: ignore[attr-defined]
    duplicates = read_all(pipeline.settings, "posts.duplicates", Post)  # type: ignore[attr-defined]

    by_district: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_district.setdefault(alert.district, []).append(alert)
    assert set(by_district) == {"Puli Hisar", "Dih Salah", "Banu"}
    assert all(
        a.province == "Baghlan" and a.gained_by == "resistance" and a.lost_by == "taliban" for a in alerts
    )
    assert [a.status for a in by_district["Puli Hisar"]] == [AlertStatus.REPORTED, AlertStatus.CONFIRMED]
    confirmed = by_district["Puli Hisar"][-1]
    assert {s.account for s in confirmed.sources} == {"AsvakaNews", "PanjshirProvin1"}
    assert [a.status for a in by_district["Dih Salah"]] == [AlertStatus.REPORTED]
    assert [a.status for a in by_district["Banu"]] == [AlertStatus.REPORTED]
    assert len({a.alert_id for a in alerts}) == len(alerts) == 4

    # Each story post and its repost: linked either way. A repost that reaches the dedup stage first
    # goes on, and its original, when it comes, goes on too naming it (supersedes); otherwise the
    # repost is a duplicate of the original. Which happens depends on how partitions interleave.
    unique = read_all(pipeline.settings, "posts.unique", Post)  # type: ignore[attr-defined]
    pairs = {frozenset((d.id, d.dup_of)) for d in duplicates} | {
        frozenset((u.id, copy)) for u in unique for copy in u.supersedes
    }
    assert pairs == {
        frozenset(("sample-asvakanews-1", "sample-kabul_watch-1")),
        frozenset(("sample-panjshirprovin1-1", "sample-afghan_voice-1")),
    }

    reasons = sorted(letter.reason for letter in letters)
    assert len(letters) == 3, reasons
    assert any("malformed JSON" in r for r in reasons)
    assert any("text: field required" in r for r in reasons)
    assert any("not UTF-8" in r for r in reasons)
    assert {letter.stage for letter in letters} == {"filter"}
    # the original bytes are kept (the replay only adds ingested_at to valid JSON objects)
    assert any(b'"id": "bad-2"' in letter.raw for letter in letters)
    assert NOT_UTF8.rstrip(b"\n") in {letter.raw for letter in letters}

    stages = status["stages"]  # type: ignore[index]
    # every post that entered is accounted for: passed on, dropped on purpose, or dead-lettered
    assert stages["filter"]["in"] == sent
    assert stages["filter"]["out"] + stages["filter"]["dropped"] + stages["filter"]["deadlettered"] == sent
    assert stages["dedup"]["in"] == stages["filter"]["out"]
    assert stages["dedup"]["out"] + stages["dedup"]["dropped"] == stages["dedup"]["in"]
