"""A post from a monitored account: what the ingesters produce to ``posts.raw``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


class Post(BaseModel):
    """One post as read from its platform.

    ``id`` must be stable across polls of the same platform (the ingesters use the platform's own id),
    because deduplication and alert ids are derived from it. ``created_at`` is the event time every
    decision is based on; a value without a zone is taken as UTC.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=False)

    id: Identifier
    platform: Identifier = Field(description="twitter, telegram, mastodon, rss, …")
    account: Identifier = Field(description="Handle of the posting account, without '@'.")
    created_at: datetime
    text: str = Field(description="The post's text as written, any script.")
    url: str | None = None
    lang: str | None = Field(None, description="Language code given by the platform, if any.")
    repost_of: str | None = Field(None, description="Id of the post this one reposts or forwards.")
    repost_of_account: str | None = Field(
        None,
        description="Author of the reposted or forwarded post: the evidence is theirs, not the reposter's.",
    )
    ingested_at: datetime | None = Field(None, description="When an ingester first saw the post.")
    edited_at: datetime | None = Field(
        None, description="Set when an edit is produced again under the same id."
    )
    dup_of: str | None = Field(None, description="Set by the dedup stage: id of the original post.")
    supersedes: tuple[str, ...] = Field(
        default=(),
        description="Set by the dedup stage on an original that arrived after copies of it had been "
        "passed on (partitions interleave): the ids of those later copies, whose claims are withdrawn.",
    )

    @field_validator("created_at", "ingested_at", "edited_at")
    @classmethod
    def _as_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @field_validator("account")
    @classmethod
    def _without_at(cls, value: str) -> str:
        return value.removeprefix("@")
