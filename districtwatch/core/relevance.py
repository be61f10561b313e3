"""What the filter stage decides about one raw post: reject it, drop it as irrelevant, or pass it on.

Pure: no Faust, no broker. The stage (``districtwatch.agents.filter``) reads ``posts.raw`` in batches
and asks a :class:`Screen` about each record; keeping the decision here lets it be tested record by record
and keeps the stage a loop of reads, sends and commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from districtwatch.codec import decode
from districtwatch.core.accounts import AccountRegistry
from districtwatch.core.dedup import repost_author
from districtwatch.core.extraction import Extraction, Extractor
from districtwatch.errors import DecodeError
from districtwatch.schemas import Post

__all__ = ["Passed", "Rejected", "Screen", "claims_key", "read_post"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that cannot be processed; ``kind`` is a bounded word for the metric's label."""

    kind: Literal["decode", "too_large", "unknown_account", "error"]
    reason: str


@dataclass(frozen=True, slots=True)
class Passed:
    """A valid post; ``key`` is its dedup key when it could hold a claim, None when it is irrelevant."""

    post: Post
    key: bytes | None


def read_post(extractor: Extractor, accounts: AccountRegistry, post: Post) -> Extraction:
    """The one reading of a post, for the filter's dedup key and the extract stage's claims alike.

    The account's home province resolves a district name used in two provinces, and the post's time
    picks the pack's dated defaults: read without them, a post from a Zabul account and one from a
    Kandahar account saying "Taliban captured Arghandab district" claimed nothing, shared the empty
    key, and the second was judged a copy of the first and dropped.
    """
    home = accounts.home_province(post.platform, post.account)
    return extractor.extract(post.text, home_province=home, at=post.created_at)


def claims_key(extraction: Extraction) -> bytes:
    """What a post claims — districts and sides —, as the dedup key: copies of a claim say the same,
    and posts that differ in a district or a winner are never compared. A name left ambiguous counts
    with its candidates, so such posts meet only their own copies, not every post that claims nothing."""
    said = {
        f"{c.province}/{c.district}:{c.kind}:{c.lost_by or ''}>{c.gained_by or ''}" for c in extraction.claims
    }
    said.update(
        "?" + ",".join(f"{p}/{d}" for d, p in sorted(a.candidates, key=lambda c: (c[1], c[0])))
        for a in extraction.ambiguous
    )
    return "|".join(sorted(said)).encode("utf-8")


@dataclass(frozen=True)
class Screen:
    """The filter's rules, built once from the settings, the account registry and the extractor."""

    extractor: Extractor
    accounts: AccountRegistry
    max_post_chars: int
    unknown_accounts: Literal["accept", "deadletter"]

    @property
    def max_bytes(self) -> int:
        """Largest record worth decoding: UTF-8 is at most 4 bytes a character, plus the JSON around it."""
        return self.max_post_chars * 4 + 4096

    def __call__(self, raw: bytes | None) -> Rejected | Passed:
        """Decide about one record of ``posts.raw``; a record our own code fails on is rejected too."""
        try:
            return self._decide(raw)
        except Exception as exc:  # one poison record must not stop the stage: it is kept, with the error
            log.exception("filter: screening a record failed")
            return Rejected("error", f"the filter failed on this record: {exc!r}")

    def _decide(self, raw: bytes | None) -> Rejected | Passed:
        try:
            post = decode(raw, Post, max_bytes=self.max_bytes)
        except DecodeError as exc:
            return Rejected("decode", str(exc))
        if len(post.text) > self.max_post_chars:
            return Rejected(
                "too_large",
                f"post {post.id} has {len(post.text)} characters, over the limit of {self.max_post_chars}",
            )
        if self.unknown_accounts == "deadletter" and self.accounts.get(post.platform, post.account) is None:
            return Rejected("unknown_account", f"{post.platform}:{post.account} is not registered")
        if post.repost_of_account is None and (author := repost_author(post.text)) is not None:
            post = post.model_copy(update={"repost_of_account": author})
        if not self.extractor.is_relevant(post.text):
            return Passed(post, None)
        return Passed(post, claims_key(read_post(self.extractor, self.accounts, post)))

    def account_label(self, post: Post) -> str:
        """Bounded label values: registered accounts by name, everyone else together."""
        if not self.accounts.accounts or self.accounts.get(post.platform, post.account) is not None:
            return str(post.account)
        return "unregistered"
