"""dedup: posts.relevant → posts.unique (copies → posts.duplicates).

The input is keyed by content fingerprint, so the table of fingerprints seen is partitioned the same
way and every copy of a post is judged on the partition that saw the original. A copy is passed to
posts.duplicates with ``dup_of`` set, not dropped silently. The table is changelog-backed: it
survives a worker restart.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from districtwatch import topics
from districtwatch.app import app, metrics, settings
from districtwatch.codec import decode, encode
from districtwatch.deadletters import dead_letter
from districtwatch.dedup import Seen, is_duplicate
from districtwatch.errors import DecodeError
from districtwatch.schemas import Post

STAGE = "dedup"

seen_posts = app.Table(
    "dedup-seen",
    default=None,
    key_type=str,
    value_type=dict,
    help="Content fingerprint → the first post seen with it (id, event time).",
)


@app.agent(topics.posts_relevant, name=STAGE)
async def dedup_posts(stream: Any) -> None:
    window = timedelta(hours=settings.dedup_window_hours)
    async for event in stream.events():
        metrics.stage_in.labels(STAGE).inc()
        try:
            post = decode(event.value, Post)
        except DecodeError as exc:
            await dead_letter(STAGE, "decode", str(exc), event)
            continue
        key = (event.key or b"").decode("utf-8", "replace")
        record = seen_posts.get(key)
        seen = Seen(record["post_id"], datetime.fromisoformat(record["created_at"])) if record else None
        if seen is not None and seen.post_id != post.id and is_duplicate(seen, post.created_at, window):
            copy = post.model_copy(update={"dup_of": seen.post_id})
            await topics.posts_duplicates.send(key=post.id.encode(), value=encode(copy))
            metrics.duplicates.labels("exact").inc()
            metrics.stage_dropped.labels(STAGE, "duplicate").inc()
            continue
        if seen is None or seen.post_id != post.id:
            seen_posts[key] = {"post_id": post.id, "created_at": post.created_at.isoformat()}
        await topics.posts_unique.send(key=post.id.encode(), value=encode(post))
        metrics.stage_out.labels(STAGE).inc()
