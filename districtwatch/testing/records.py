"""Helpers the project ships for tests: post and claim factories.

Kept in the package (not in tests/) so that plugins and downstream projects can build the same
records the pipeline carries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from districtwatch.schemas import Claim, Post, PostRef

T0 = datetime(2021, 8, 20, 8, 0, tzinfo=UTC)
_ids = count(1)


def make_post(text: str = "", *, account: str = "someone", minutes: float = 0, **fields: Any) -> Post:
    """A Post at T0 + ``minutes``, with a fresh id unless one is given."""
    values: dict[str, Any] = {
        "id": f"p{next(_ids)}",
        "platform": "twitter",
        "account": account,
        "created_at": T0 + timedelta(minutes=minutes),
        "text": text,
    }
    values.update(fields)
    return Post.model_validate(values)


def make_claim(
    district: str = "Puli Hisar",
    province: str = "Baghlan",
    *,
    gained_by: str | None = "resistance",
    lost_by: str | None = None,
    account: str = "someone",
    minutes: float = 0,
    hedged: bool = False,
    kind: str = "change",
    post_id: str | None = None,
    platform: str = "twitter",
) -> Claim:
    """A Claim from one post of ``account`` at T0 + ``minutes``."""
    pid = post_id or f"p{next(_ids)}"
    return Claim(
        claim_id=f"{pid}#0",
        kind=kind,
        district=district,
        province=province,
        gained_by=gained_by,
        lost_by=lost_by,
        hedged=hedged,
        post=PostRef(
            id=pid,
            platform=platform,
            account=account,
            created_at=T0 + timedelta(minutes=minutes),
            excerpt=f"{district} taken by {gained_by}",
        ),
    )
