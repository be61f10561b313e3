"""filter: posts.raw → posts.relevant.

Decodes and validates each raw post (a bad one is dead-lettered with its reason), and passes on only
those that could hold a claim — a place name together with an actor or a verb of capture — keyed by
the places they name, so that copies of a post meet on one dedup partition.
"""

from __future__ import annotations

from typing import Any

from districtwatch import topics
from districtwatch.app import accounts, app, extractor, metrics, settings
from districtwatch.codec import decode, encode
from districtwatch.deadletters import dead_letter
from districtwatch.dedup import repost_author
from districtwatch.errors import DecodeError
from districtwatch.schemas import Post

STAGE = "filter"


def _account_label(post: Post) -> str:
    # Bounded label values: registered accounts by name, everyone else together.
    registry = accounts()
    if not registry.accounts or registry.get(post.platform, post.account) is not None:
        return str(post.account)
    return "unregistered"


def _claims_key(text: str) -> bytes:
    """What a post claims — districts and sides —, as the dedup key: copies of a claim say the same,
    and posts that differ in a district or a winner are never compared."""
    claims = extractor().extract(text).claims
    said = {f"{c.province}/{c.district}:{c.kind}:{c.lost_by or ''}>{c.gained_by or ''}" for c in claims}
    return "|".join(sorted(said)).encode("utf-8")


_latest: dict[tuple[str, str], float] = {}


def _note_latest(platform: str, account: str, at: float) -> None:
    # Replays arrive out of order across partitions: the gauge keeps the newest event time.
    if at > _latest.get((platform, account), float("-inf")):
        _latest[(platform, account)] = at
        metrics.last_post.labels(platform, account).set(at)


@app.agent(topics.posts_raw, name=STAGE)
async def filter_posts(stream: Any) -> None:
    max_bytes = settings.max_post_chars * 4 + 4096  # UTF-8 is at most 4 bytes a character
    async for event in stream.events():
        metrics.stage_in.labels(STAGE).inc()
        try:
            post = decode(event.value, Post, max_bytes=max_bytes)
        except DecodeError as exc:
            await dead_letter(STAGE, "decode", str(exc), event)
            continue
        if len(post.text) > settings.max_post_chars:
            reason = (
                f"post {post.id} has {len(post.text)} characters, over the limit of {settings.max_post_chars}"
            )
            await dead_letter(STAGE, "too_large", reason, event)
            continue
        if settings.unknown_accounts == "deadletter" and accounts().get(post.platform, post.account) is None:
            await dead_letter(
                STAGE, "unknown_account", f"{post.platform}:{post.account} is not registered", event
            )
            continue
        if post.repost_of_account is None and (author := repost_author(post.text)) is not None:
            post = post.model_copy(update={"repost_of_account": author})
        account = _account_label(post)
        metrics.posts_in.labels(post.platform, account).inc()
        if account != "unregistered":
            _note_latest(post.platform, account, post.created_at.timestamp())
        if not extractor().is_relevant(post.text):
            metrics.stage_dropped.labels(STAGE, "irrelevant").inc()
            continue
        await topics.posts_relevant.send(key=_claims_key(post.text), value=encode(post))
        metrics.stage_out.labels(STAGE).inc()
