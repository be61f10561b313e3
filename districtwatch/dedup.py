"""Deciding whether a post repeats an earlier one: pure functions, no Faust.

A retweet, forward or quote-repost of a claim is not new evidence. Two posts are exact duplicates when
their texts are equal once the decorations reposting adds or changes are removed: an 'RT @x:' prefix,
URLs, @mentions, the '#' of hashtags, emoji and whitespace. The fingerprint of that normalized text
keys the dedup stage, so copies of one post meet on one partition.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

_REPOST_PREFIX = re.compile(r"^\s*(?:RT|rt)\s+@\w+\s*:\s*")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"(?<!\w)@\w+")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _drop_symbols(text: str) -> str:
    # Emoji and other pictographs are category So/Sk; formatting marks (ZWNJ, ZWJ, RTL marks) are Cf.
    return "".join(ch for ch in text if unicodedata.category(ch) not in {"So", "Sk", "Cf", "Cs", "Co"})


def normalize_for_dedup(text: str) -> str:
    """The text with repost decorations removed, lower-cased, words joined by single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _REPOST_PREFIX.sub("", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _drop_symbols(text)
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def fingerprint(text: str) -> str:
    """A stable 128-bit hex digest of the normalized text: the exact-duplicate key."""
    return hashlib.blake2b(normalize_for_dedup(text).encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Seen:
    """The first post seen with a fingerprint."""

    post_id: str
    created_at: datetime


def is_duplicate(seen: Seen | None, created_at: datetime, window: timedelta) -> bool:
    """True when a post created at ``created_at`` repeats ``seen`` within the event-time window."""
    return seen is not None and abs(created_at - seen.created_at) <= window
