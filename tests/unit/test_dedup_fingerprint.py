"""Exact-duplicate fingerprints ignore what reposting adds and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from districtwatch.dedup import Seen, fingerprint, is_duplicate, normalize_for_dedup

ORIGINAL = "Pol-e-Hesar, Deh Salah and Banu districts in #Baghlan have been captured by the Resistance"


def test_retweet_prefix_urls_mentions_hashtags_and_emoji_do_not_change_the_fingerprint() -> None:
    variants = [
        f"RT @AsvakaNews: {ORIGINAL}",
        f"{ORIGINAL} https://t.co/abc123 🔥🔥",
        f"@someone {ORIGINAL.replace('#Baghlan', 'Baghlan')}",
        f"  {ORIGINAL.upper()}  ",
    ]
    assert {fingerprint(v) for v in variants} == {fingerprint(ORIGINAL)}


def test_different_claims_have_different_fingerprints() -> None:
    assert fingerprint(ORIGINAL) != fingerprint(ORIGINAL.replace("Banu", "Nahrin"))


def test_persian_text_survives_normalization() -> None:
    text = "ولسوالی پل‌حصار از طالبان پس گرفته شد"
    assert "پل" in normalize_for_dedup(text)
    assert fingerprint(text) == fingerprint(f"RT @PanjshirProvin1: {text}")


def test_duplicates_only_within_the_window() -> None:
    first = Seen("a", datetime(2021, 8, 20, tzinfo=UTC))
    window = timedelta(hours=48)
    assert is_duplicate(first, first.created_at + timedelta(hours=47), window)
    assert not is_duplicate(first, first.created_at + timedelta(hours=49), window)
    assert not is_duplicate(None, first.created_at, window)


@given(st.text(max_size=300))
def test_normalization_is_idempotent(text: str) -> None:
    once = normalize_for_dedup(text)
    assert normalize_for_dedup(once) == once
