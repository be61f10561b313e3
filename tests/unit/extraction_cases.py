"""What the extraction tests compare: a post's changes as plain tuples, and the parties' short names."""

from __future__ import annotations

from districtwatch.core.extraction import Extraction

T, G, R = "taliban", "government", "resistance"


def changes(result: Extraction) -> set[tuple[str, str, str | None, str | None, bool]]:
    """The changes of hands a post claims (district, province, gained_by, lost_by, hedged), no denials."""
    return {
        (c.district, c.province, c.gained_by, c.lost_by, c.hedged)
        for c in result.claims
        if c.kind == "change"
    }
