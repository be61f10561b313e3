"""Deciding whether a post repeats an earlier one: pure functions, no Faust.

A retweet, forward or quote-repost of a claim is not new evidence. Two posts are *exact* duplicates
when their texts are equal once the decorations reposting adds or changes are removed: an 'RT @x:'
prefix, URLs, @mentions, the '#' of hashtags, emoji and whitespace. They are *near* duplicates when
the MinHash estimate of the Jaccard similarity of their character 4-grams reaches a threshold
("BREAKING: Taliban captured Nahrin…" against "#فوری Taliban captured #Nahrin…" is about 0.75).

Posts are only compared with posts making the same claims — the same places, the same sides (the
dedup stage is keyed by them) —, which keeps near-duplicate detection from merging claims about
different districts or winners (a one-word difference in a templated sentence can reach the
threshold), and keeps each comparison list short. Each list holds the posts of one event-time window, at most
``MAX_RECENT`` of them, so memory stays bounded as the window slides.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from datasketch import MinHash

_REPOST_PREFIX = re.compile(r"^\s*(?:RT|rt)\s+@(?P<author>\w+)\s*:\s*")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"(?<!\w)@\w+")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _drop_symbols(text: str) -> str:
    # Emoji and other pictographs are category So/Sk; formatting marks (ZWNJ, ZWJ, RTL marks) are Cf.
    return "".join(ch for ch in text if unicodedata.category(ch) not in {"So", "Sk", "Cf", "Cs", "Co"})


def repost_author(text: str) -> str | None:
    """The original author named by a retweet-style prefix ('RT @AsvakaNews: …'), if any."""
    match = _REPOST_PREFIX.match(text)
    return match.group("author") if match else None


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


SHINGLE = 4
NUM_PERM = 64
MAX_RECENT = 100


# Drawing the permutations was two thirds of a signature's cost; they depend only on the seed: once.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)


def signature(text: str) -> tuple[int, ...]:
    """MinHash signature of the normalized text's character 4-grams."""
    normalized = normalize_for_dedup(text)
    shingles = {
        normalized[i : i + SHINGLE].encode("utf-8") for i in range(max(1, len(normalized) - SHINGLE + 1))
    }
    minhash = MinHash(num_perm=NUM_PERM, seed=1, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    minhash.update_batch(sorted(shingles))
    return tuple(minhash.hashvalues.tolist())


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal minimums."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


@dataclass(frozen=True, slots=True)
class RecentPost:
    """A post kept for comparison in the dedup window."""

    post_id: str
    created_at: datetime
    fingerprint: str
    signature: tuple[int, ...]

    def to_json(self) -> dict[str, str]:
        # MinHash values are 32-bit: packed and base64-encoded they take a fifth of a JSON list.
        packed = struct.pack(f"<{len(self.signature)}I", *self.signature)
        return {
            "post_id": self.post_id,
            "created_at": self.created_at.isoformat(),
            "fingerprint": self.fingerprint,
            "signature": base64.b64encode(packed).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> RecentPost:
        packed = base64.b64decode(data["signature"])
        return cls(
            post_id=data["post_id"],
            created_at=datetime.fromisoformat(data["created_at"]),
            fingerprint=data["fingerprint"],
            signature=struct.unpack(f"<{len(packed) // 4}I", packed),
        )


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the dedup stage does with a post: pass it on, or link it to the post it repeats."""

    kind: Literal["unique", "exact", "near", "redelivered"]
    dup_of: str | None
    recent: tuple[RecentPost, ...]
    supersedes: tuple[str, ...] = ()


def judge(
    post: RecentPost, recent: tuple[RecentPost, ...], *, window: timedelta, threshold: float
) -> Judgement:
    """Compare ``post`` with the recent posts naming the same places; returns the updated list too.

    Posts older than the window (relative to this post's event time) are forgotten first. A post
    already in the list (at-least-once redelivery) is passed on again without changing the list.

    The original is the earliest copy in event time, not the first to arrive: a post whose copies
    were passed on before it (partitions interleave, a failed-over worker re-reads its share late)
    is passed on too, naming them in ``supersedes`` so that the control stage withdraws their
    claims. Which posts count is then the same whatever the arrival order.
    """
    kept = tuple(r for r in recent if post.created_at - r.created_at <= window)
    redelivered = any(earlier.post_id == post.post_id for earlier in kept)
    later: list[str] = []
    for other in kept:
        if other.post_id == post.post_id or abs(post.created_at - other.created_at) > window:
            continue
        if other.fingerprint == post.fingerprint:
            kind: Literal["exact", "near"] = "exact"
        elif similarity(other.signature, post.signature) >= threshold:
            kind = "near"
        else:
            continue
        if (other.created_at, other.post_id) < (post.created_at, post.post_id):
            if not redelivered:
                return Judgement(kind, other.post_id, kept)
        else:
            later.append(other.post_id)
    if redelivered:
        return Judgement("redelivered", None, kept, supersedes=tuple(later))
    updated = tuple(sorted((*kept, post), key=lambda r: (r.created_at, r.post_id)))[-MAX_RECENT:]
    return Judgement("unique", None, updated, supersedes=tuple(later))
