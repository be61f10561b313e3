"""dedup: posts.relevant → posts.unique (copies → posts.duplicates).

The input is keyed by what a post claims (places and sides), so every post making the same claims is
judged on one partition against the same window of recent posts (``districtwatch.core.dedup.judge``: exact
copies by fingerprint, near copies by MinHash). A copy goes to posts.duplicates with ``dup_of`` set,
never dropped silently; an original that arrives after its copies is passed on naming them
(``supersedes``). The table is changelog-backed, so it survives a worker restart.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from districtwatch import topics
from districtwatch.app import app, metrics, settings
from districtwatch.codec import decode, encode
from districtwatch.core.dedup import RecentPost, fingerprint, judge, signature
from districtwatch.deadletters import dead_letter
from districtwatch.errors import DecodeError
from districtwatch.schemas import Post

STAGE = "dedup"

recent_posts = app.Table(
    "dedup-recent",
    default=None,
    key_type=str,
    # No value_type: values are JSON decoded to plain dicts. With value_type=dict, Faust's changelog
    # recovery calls dict.from_data, logs "Error in recovery" and skips every record: a worker that
    # takes the partitions over would start from an empty table.
    help="Places named → the recent posts naming them (id, event time, fingerprint, MinHash).",
)


@app.agent(topics.posts_relevant, name=STAGE)
async def dedup_posts(stream: Any) -> None:
    window = timedelta(hours=settings.dedup_window_hours)
    threshold = settings.near_duplicate_threshold
    async for event in stream.events():
        metrics.stage_in.labels(STAGE).inc()
        try:
            post = decode(event.value, Post)
        except DecodeError as exc:
            await dead_letter(STAGE, "decode", str(exc), event)
            continue
        key = (event.key or b"").decode("utf-8", "replace")
        stored = recent_posts.get(key)
        recent = tuple(RecentPost.from_json(item) for item in stored["posts"]) if stored else ()
        this = RecentPost(post.id, post.created_at, fingerprint(post.text), signature(post.text))
        judgement = judge(this, recent, window=window, threshold=threshold)
        if judgement.recent != recent:
            recent_posts[key] = {"posts": [item.to_json() for item in judgement.recent]}
        if judgement.dup_of is not None:
            copy = post.model_copy(update={"dup_of": judgement.dup_of})
            await topics.posts_duplicates.send(key=post.id.encode(), value=encode(copy))
            metrics.duplicates.labels(judgement.kind).inc()
            metrics.stage_dropped.labels(STAGE, "duplicate").inc()
            continue
        if judgement.supersedes:
            post = post.model_copy(update={"supersedes": judgement.supersedes})
            metrics.duplicates.labels("superseded").inc(len(judgement.supersedes))
        await topics.posts_unique.send(key=post.id.encode(), value=encode(post))
        metrics.stage_out.labels(STAGE).inc()
