"""Plain-text rendering for ``Extractor.explain``: what matched, and what the extractor concluded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from districtwatch.core.extraction.document import Document, Trace

if TYPE_CHECKING:  # claims imports this module; the types are only needed for annotations
    from districtwatch.core.extraction.claims import Extraction

__all__ = ["describe_hits", "describe_result"]

_SHOWN = (
    "place",
    "actor",
    "verb",
    "hedges",
    "claim_words",
    "denials",
    "history",
    "ongoing",
    "off_topic",
    "predictions",
    "negations_before",
    "negations_after",
)


def describe_hits(doc: Document, trace: Trace) -> None:
    """One line per meaningful span: places with what they could be, actors, verbs with their frame."""
    for kind in _SHOWN:
        for hit in doc.kinds(kind):
            detail = hit.value
            if kind == "place" and hit.group is not None:
                names = [f"{d.name}/{d.province}" for d in hit.group.districts]
                names += [f"{p.name} (province)" for p in hit.group.provinces]
                names += [f"{p.name} ({p.kind} in {p.district})" for p in hit.group.places]
                detail = ", ".join(names) + (f" [by {hit.how}]" if hit.how != "exact" else "")
            trace.add(f"{kind}: {doc.text_of(hit)!r} {detail}".rstrip())
    for sentence in doc.sentences:
        if sentence.question:
            trace.add(f"sentence {sentence.index + 1} is a question")


def describe_result(result: Extraction) -> list[str]:
    """The final lines: each claim with its rule, each ambiguous name with its candidates."""
    lines = [
        f"=> {c.kind}: {c.district} ({c.province}) gained_by={c.gained_by} lost_by={c.lost_by} "
        f"hedged={c.hedged} rule={c.rule}"
        for c in result.claims
    ]
    for amb in result.ambiguous:
        options = ", ".join(f"{d} ({p})" for d, p in amb.candidates)
        lines.append(f"=> ambiguous: {amb.surface!r} could be {options}")
    return lines or ["=> no claim"]
