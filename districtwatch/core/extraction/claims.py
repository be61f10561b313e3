"""The claim extractor: which district changed hands in a post, who took it from whom, and whether hedged.

How a post is read, one module per step:

1. ``lexicon``: tokens and hits — places (exact spellings and consonant skeletons), actors, verbs of
   change and the pack's word lists.  No verb of change, no claim: the cheap exit most posts take.
2. ``document``: sentences and clauses.  A hedge, a denial or a date colours a sentence; a siege or a
   threat only its clause.
3. ``targets``: which place mentions could be what changed hands (not a qualifying province, a facility,
   an area, a location, a common word...).
4. ``frames``: the verb governing each target, and who gained and who lost by it.
5. here: same-named districts resolve by a province named in the sentence, then in the post, then the
   account's home province; otherwise the name is reported as ambiguous, never guessed.

Policy on attribution: an actor's own statement about itself is a claim, not a hedge ("<party> say they
have captured X", "officials say"); a source the post does not name ("sources say", "unverified
reports"), a rumour, or a claim word whose claimant is not the party that gained or lost, hedges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from districtwatch.core.extraction.document import Document, Sentence, Trace, build_document
from districtwatch.core.extraction.explain import describe_hits, describe_result
from districtwatch.core.extraction.frames import FrameReader
from districtwatch.core.extraction.gazetteer import DistrictRecord, Gazetteer, load_gazetteer
from districtwatch.core.extraction.keywords import KeywordPack, load_keyword_pack
from districtwatch.core.extraction.lexicon import Hit, Lexicon
from districtwatch.core.extraction.targets import Target, TargetFinder

__all__ = ["Ambiguous", "ExtractedClaim", "Extraction", "Extractor"]


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One district's change of hands, or its denial, as a post states it."""

    district: str
    province: str
    gained_by: str | None
    lost_by: str | None
    hedged: bool
    kind: Literal["change", "denial"]
    excerpt: str
    rule: str


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A name that fits several districts and that nothing in the post or the account resolves."""

    surface: str
    candidates: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything one post says: claims (changes and denials) and the names left unresolved."""

    claims: tuple[ExtractedClaim, ...]
    ambiguous: tuple[Ambiguous, ...]


_EMPTY = Extraction((), ())
_SILENT = Trace(enabled=False)
# Guards against hostile input (a post is a few hundred characters; a long web article a few thousand):
# only the start of a very long text is read, and only so many place mentions are weighed.
MAX_CHARS = 50_000
MAX_TARGETS = 200


class Extractor:
    """Reads posts and returns district claims; built once from a gazetteer and a keyword pack."""

    def __init__(self, gazetteer: Gazetteer, pack: KeywordPack) -> None:
        self.gazetteer = gazetteer
        self.pack = pack
        self._lexicon = Lexicon(gazetteer, pack)
        self._targets = TargetFinder(
            gazetteer, self._lexicon, set(pack.claim_place_kinds), set(pack.region_place_kinds)
        )
        self._frames = FrameReader(pack)

    @classmethod
    def load(
        cls, gazetteer: str | Path = "afghanistan", keyword_pack: str | Path = "afghanistan"
    ) -> Extractor:
        """Build from a gazetteer and a keyword pack, each by name (shipped data) or by path."""
        return cls(load_gazetteer(gazetteer), load_keyword_pack(keyword_pack))

    def is_relevant(self, text: str) -> bool:
        """Cheap prefilter: a verb of change and a place name; never False where ``extract`` finds a claim."""
        masked = self._lexicon.mask(text[:MAX_CHARS])
        if not self._lexicon.triggered(self._lexicon.normalizer.keys(masked)):
            return False
        tokens = self._lexicon.normalizer.tokenize(masked)
        return any(hit.kind == "place" for hit in self._lexicon.read(masked, tokens).hits)

    def extract(
        self, text: str, *, home_province: str | None = None, at: datetime | None = None
    ) -> Extraction:
        """Claims and denials in ``text``; ``home_province`` is the last resort for same-named districts;
        ``at`` (the post's time) picks the pack's dated defaults (who an unnamed liberator is)."""
        return self._run(text, home_province, _SILENT, at)

    def explain(self, text: str, *, home_province: str | None = None, at: datetime | None = None) -> str:
        """Human-readable: the spans matched, the rule that decided each claim, why anything was dropped."""
        trace = Trace()
        result = self._run(text, home_province, trace, at)
        return "\n".join([*trace.lines, *describe_result(result)])

    def _run(
        self, text: str, home_province: str | None, trace: Trace, at: datetime | None = None
    ) -> Extraction:
        text = text[:MAX_CHARS]
        masked = self._lexicon.mask(text)
        if not self._lexicon.triggered(self._lexicon.normalizer.keys(masked)):
            trace.add("no verb of change: not relevant")
            return _EMPTY
        doc = build_document(self._lexicon.read(text, self._lexicon.normalizer.tokenize(masked)))
        if trace.enabled:
            describe_hits(doc, trace)
        targets = self._targets.find(doc, trace)
        if not targets:
            trace.add("no district among the places named")
            return _EMPTY
        if len(targets) > MAX_TARGETS:
            trace.add(f"{len(targets)} place mentions: only the first {MAX_TARGETS} are weighed")
            targets = targets[:MAX_TARGETS]
        post_hedged = self._frames.post_hedged(doc)
        claims: dict[tuple[str, str, str, str | None], ExtractedClaim] = {}
        ambiguous: dict[str, Ambiguous] = {}
        by_clause: dict[int, list[Target]] = {}
        for target in targets:
            by_clause.setdefault(doc.clause_of[target.hit.first], []).append(target)
        for target in targets:
            clause_targets = by_clause[doc.clause_of[target.hit.first]]
            verdict = self._frames.verdict(doc, target, clause_targets, post_hedged, trace, at)
            if verdict is None:
                continue
            district = self._resolve(doc, target, home_province, trace)
            if district is None:
                candidates = tuple(sorted({(d.name, d.province) for d in target.districts}))
                ambiguous.setdefault(target.surface, Ambiguous(target.surface, candidates))
                continue
            sentence = doc.sentences[doc.sentence_of[target.hit.first]]
            claim = ExtractedClaim(
                district.name,
                district.province,
                verdict.gained_by,
                verdict.lost_by,
                verdict.hedged,
                verdict.kind,
                text[sentence.start : sentence.end].strip(),
                verdict.rule,
            )
            _merge(claims, claim)
        return Extraction(tuple(claims.values()), tuple(ambiguous.values()))

    @staticmethod
    def _resolve(doc: Document, target: Target, home: str | None, trace: Trace) -> DistrictRecord | None:
        """One district for the target, or None when same-named districts cannot be told apart."""
        candidates = target.districts
        if len({(d.name, d.province) for d in candidates}) == 1:
            return candidates[0]
        sentence = doc.sentences[doc.sentence_of[target.hit.first]]
        in_sentence = _provinces_named(doc.in_sentence("place", sentence), target)
        in_post = _provinces_named(doc.kinds("place"), target)
        for scope, names in (
            ("sentence", in_sentence),
            ("post", in_post),
            ("capital named as such", _capital_provinces(doc, sentence, target)),
            ("home province", {home} if home else set()),
        ):
            fitting = {(d.name, d.province): d for d in candidates if d.province in names}
            if len(fitting) == 1:
                chosen = next(iter(fitting.values()))
                trace.add(
                    f"place {target.surface!r}: resolved to {chosen.name} ({chosen.province}) by the {scope}"
                )
                return chosen
        trace.add(f"place {target.surface!r}: ambiguous, nothing names one of its provinces")
        return None


def _merge(claims: dict[tuple[str, str, str, str | None], ExtractedClaim], claim: ExtractedClaim) -> None:
    """One claim per district, kind and gainer: a later mention that names the gainer or the loser the
    first one left out completes it; a different gainer is another change told in the same post ("the
    resistance seized Banu on August 20, but the Taliban recaptured Banu on August 21")."""
    same = [k for k in claims if k[:3] == (claim.district, claim.province, claim.kind)]
    for key in same:
        previous = claims[key]
        if claim.gained_by is None or previous.gained_by in (None, claim.gained_by):
            completes = previous.gained_by is None or (previous.lost_by is None and claim.lost_by is not None)
            if completes and claim.gained_by is not None:
                del claims[key]
                claims[(claim.district, claim.province, claim.kind, claim.gained_by)] = claim
            return
    claims[(claim.district, claim.province, claim.kind, claim.gained_by)] = claim


_CAPITAL_WORDS = ("city_words", "capital_before", "capital_after")


def _capital_provinces(doc: Document, sentence: Sentence, target: Target) -> set[str]:
    """When the sentence calls the place a city or a capital ("the city of Faizabad", "nine provincial
    capitals, including Faizabad"), the provinces whose capital has that name: of two same-named districts,
    only one holds a provincial capital."""
    group = target.hit.group
    if group is None or not any(doc.in_sentence(kind, sentence) for kind in _CAPITAL_WORDS):
        return set()
    return {p.province for p in group.places if p.kind == "provincial_capital"}


def _provinces_named(hits: list[Hit], target: Target) -> set[str]:
    """Provinces named by place hits other than the target itself."""
    return {p.name for hit in hits if hit is not target.hit and hit.group for p in hit.group.provinces}
