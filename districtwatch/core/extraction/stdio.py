"""JSON lines in, JSON lines out: the extractor as a filter over a stream of posts.

Used by ``python -m districtwatch.core.extraction`` (and so by the scorer and the ``districtwatch extract``
command).  Every input line gives exactly one output line, in order, so that outputs can be zipped with
inputs; a line that is not a usable post gives ``{"id": ..., "error": ...}`` instead of stopping the run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from districtwatch.core.extraction.claims import ExtractedClaim, Extraction, Extractor

__all__ = ["extract_lines", "extraction_to_json"]


def _claim(claim: ExtractedClaim) -> dict[str, Any]:
    return {
        "district": claim.district,
        "province": claim.province,
        "gained_by": claim.gained_by,
        "lost_by": claim.lost_by,
        "hedged": claim.hedged,
    }


def extraction_to_json(post_id: Any, extraction: Extraction) -> dict[str, Any]:
    """The output record of one post: changes under ``claims``, denials under ``denials``."""
    return {
        "id": post_id,
        "claims": [_claim(c) for c in extraction.claims if c.kind == "change"],
        "denials": [_claim(c) for c in extraction.claims if c.kind == "denial"],
        "ambiguous": [
            {"surface": a.surface, "candidates": [{"district": d, "province": p} for d, p in a.candidates]}
            for a in extraction.ambiguous
        ],
    }


def _post_time(value: Any) -> datetime | None:
    """The post's created_at, if it is a readable ISO-8601 time (the pack's dated defaults use it)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def extract_lines(lines: Iterable[str], extractor: Extractor, *, explain: bool = False) -> Iterator[str]:
    """One JSON line per input line: a Post (``id``, ``text``, optional ``home_province``) in, claims out."""
    for line in lines:
        post_id: Any = None
        try:
            post = json.loads(line)
            if not isinstance(post, dict):
                raise ValueError(f"expected a JSON object, got {type(post).__name__}")
            post_id = post.get("id")
            text = post.get("text")
            if not isinstance(text, str):
                raise ValueError("the post has no 'text' string")
            home = post.get("home_province")
            home = home if isinstance(home, str) else None
            at = _post_time(post.get("created_at"))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            yield json.dumps({"id": post_id, "error": str(exc)}, ensure_ascii=False)
            continue
        record = extraction_to_json(post_id, extractor.extract(text, home_province=home, at=at))
        if explain:
            record["explain"] = extractor.explain(text, home_province=home, at=at)
        yield json.dumps(record, ensure_ascii=False)
