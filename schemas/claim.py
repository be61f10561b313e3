"""A claim that a district changed hands (or a denial of one), extracted from one post."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PostRef(BaseModel):
    """Enough of the post behind a claim to cite it in an alert without looking it up again."""

    model_config = ConfigDict(frozen=True)

    id: str
    platform: str
    account: str = Field(description="Author of the claim: for a repost, the original's author.")
    via: str | None = Field(None, description="The account that reposted it, when it was a repost.")
    url: str | None = None
    created_at: datetime
    excerpt: str = Field(description="The sentence that carried the claim, in its own script.")
    lang: str | None = None
    ingested_at: datetime | None = Field(None, description="When an ingester first saw the post.")
    supersedes: tuple[str, ...] = Field(
        default=(), description="Later copies of this post passed on before it: their claims do not count."
    )


class Claim(BaseModel):
    """What the extract stage read in one post about one district.

    ``kind`` is ``change`` for a claim that the district changed hands, ``denial`` for a post that
    denies such a change (it has no winner; the control stage uses it to contest a report).
    """

    model_config = ConfigDict(frozen=True)

    claim_id: str = Field(description="Deterministic: post id and the claim's position in the post.")
    kind: Literal["change", "denial"] = "change"
    district: str = Field(description="Canonical district name of the gazetteer.")
    province: str = Field(description="Canonical province name of the gazetteer.")
    gained_by: str | None = Field(None, description="Actor said to hold the district now.")
    lost_by: str | None = Field(None, description="Actor said to have lost it, where the post says.")
    hedged: bool = Field(False, description="The post itself hedges: reportedly, unconfirmed, claims…")
    post: PostRef
