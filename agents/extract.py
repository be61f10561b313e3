"""extract: posts.unique → claims.

Runs the claim extractor (``districtwatch.core.extraction``, the same code as ``districtwatch extract``)
and sends one Claim per district the post says changed hands, or denies, keyed by district. A name
the post leaves ambiguous (a district name used in two provinces, no province named) is dead-lettered
with its candidates rather than guessed.
"""

from __future__ import annotations

from typing import Any

from districtwatch import topics
from districtwatch.app import accounts, app, extractor, metrics
from districtwatch.codec import decode, encode
from districtwatch.core.control.policy import district_key
from districtwatch.core.relevance import read_post
from districtwatch.deadletters import dead_letter
from districtwatch.errors import DecodeError
from districtwatch.schemas import Claim, Post, PostRef

STAGE = "extract"


@app.agent(topics.posts_unique, name=STAGE)
async def extract_claims(stream: Any) -> None:
    async for event in stream.events():
        metrics.stage_in.labels(STAGE).inc()
        try:
            post = decode(event.value, Post)
        except DecodeError as exc:
            await dead_letter(STAGE, "decode", str(exc), event)
            continue
        try:  # the reading the filter keyed the post by: the same inputs, the same claims
            result = read_post(extractor(), accounts(), post)
        except Exception as exc:  # an extractor bug must not stop the stream; the post is kept
            await dead_letter(STAGE, "extractor_error", f"{type(exc).__name__}: {exc}", event)
            continue
        for ambiguous in result.ambiguous:
            places = ", ".join(f"{d} ({p})" for d, p in ambiguous.candidates)
            reason = f"post {post.id}: '{ambiguous.surface}' could be {places}; the post names no province"
            await dead_letter(STAGE, "ambiguous", reason, event)
        if not result.claims:
            metrics.stage_dropped.labels(STAGE, "no_claim").inc()
            continue
        for index, found in enumerate(result.claims):
            claim = Claim(
                claim_id=f"{post.id}#{index}",
                kind=found.kind,
                district=found.district,
                province=found.province,
                gained_by=found.gained_by,
                lost_by=found.lost_by,
                hedged=found.hedged,
                post=PostRef(
                    id=post.id,
                    platform=post.platform,
                    account=post.repost_of_account or post.account,
                    via=post.account if post.repost_of_account else None,
                    url=post.url,
                    created_at=post.created_at,
                    excerpt=found.excerpt,
                    lang=post.lang,
                    ingested_at=post.ingested_at,
                    supersedes=post.supersedes,
                ),
            )
            key = district_key(found.province, found.district)
            await topics.claims.send(key=key.encode(), value=encode(claim))
            metrics.claims.labels(found.kind, found.gained_by or "none", post.lang or "unknown").inc()
            metrics.stage_out.labels(STAGE).inc()
