"""The claim extractor: which district changed hands in a post, who took it from whom, and whether hedged.

How a post is read (each step is a small function below, and ``explain`` shows every decision):

1. Tokens and hits (``lexicon``): places, actors, verbs of change, and the pack's word lists.  No verb of
   change, no claim: that is the cheap exit most of the stream takes.
2. Sentences (split on . ! ? and line breaks) and, inside them, clauses (split on ; : dashes and the pack's
   clause-break words such as "as", "while", "در حالی که").  A hedge, a denial or a date in the past
   colours its whole sentence; a siege or a threat only its clause.
3. Place mentions become *targets* unless the text says they are something else: a province named to
   qualify a district ("Imam Sahib district in Kunduz"), a facility ("Kabul Bank", "Salang pass"), an area
   ("Dand-e-Ghori area"), a location ("in Jalalabad"), part of a longer hyphenated name, a common word
   without a district word next to it.  A province with "capital of"/"city" becomes its capital district.
4. Each target takes the nearest verb of its clause.  The verb's frame says what the actors around it do:
   the unmarked actor before a capture verb gained; an actor after "to"/"by"/"به دست"/"لاس ته" gained, one
   after "from"/"از"/"له" lost; a loss verb's subject lost, and its opponent gained unless the sentence
   says who holds the place now.
5. Same-named districts resolve by a province named in the sentence, then in the post, then the account's
   home province; otherwise the mention is reported as ambiguous, never guessed.

Policy on attribution: an actor's own statement about itself is a claim, not a hedge ("Taliban say they
have captured X", "officials say"); a source the post does not name, a rumour, or a claim word whose
claimant is not the party that gained or lost makes the claim hedged.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from districtwatch.extraction.gazetteer import DistrictRecord, Gazetteer, load_gazetteer
from districtwatch.extraction.keywords import FrameSpec, KeywordPack, load_keyword_pack
from districtwatch.extraction.lexicon import Hit, Lexicon, Reading

__all__ = ["Ambiguous", "ExtractedClaim", "Extraction", "Extractor"]

_SENTENCE_END_RE = re.compile(r"(?<!\d)\.(?!\d)|[!?؟\n\r۔|•]")
_CLAUSE_PUNCT_RE = re.compile(r"[;؛:—–]|\s-\s")
_YEAR_RE = re.compile(r"^(1[3-4]\d\d|19\d\d|20\d\d)$")
_NEGATION_REACH = 3  # tokens between a negation and its verb ("has not yet fallen")
_PASSIVE_REACH = 2  # tokens between an auxiliary and its verb ("was reportedly captured")
_FILLER_REACH = 2


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One district's change of hands (or its denial) as a post states it."""

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
    """A name that fits several districts and that nothing in the post or account resolves."""

    surface: str
    candidates: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything one post says: claims (changes and denials) and unresolved names."""

    claims: tuple[ExtractedClaim, ...]
    ambiguous: tuple[Ambiguous, ...]


_EMPTY = Extraction((), ())


# -- per-post working state ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Sentence:
    index: int
    start: int  # character offsets in the post
    end: int
    question: bool
    tokens: range = range(0)


@dataclass(slots=True)
class _Target:
    """A place mention that may be what changed hands."""

    hit: Hit
    surface: str
    districts: list[DistrictRecord]
    provinces_named: set[str]  # provinces this mention itself names (qualifiers, capitals)
    how: str


@dataclass(slots=True)
class _Post:
    """A post after lexing: tokens, hits grouped for the questions the rules ask, sentence structure."""

    reading: Reading
    sentences: list[_Sentence]
    sentence_of: list[int]
    clause_of: list[int]
    by_kind: dict[str, list[Hit]] = field(default_factory=dict)
    ends_at: dict[int, list[Hit]] = field(default_factory=dict)
    starts_at: dict[int, list[Hit]] = field(default_factory=dict)

    def kinds(self, kind: str) -> list[Hit]:
        return self.by_kind.get(kind, [])

    def ending_at(self, token: int, kinds: Iterable[str]) -> list[Hit]:
        wanted = set(kinds)
        return [h for h in self.ends_at.get(token, ()) if h.kind in wanted]

    def starting_at(self, token: int, kinds: Iterable[str]) -> list[Hit]:
        wanted = set(kinds)
        return [h for h in self.starts_at.get(token, ()) if h.kind in wanted]

    def text_of(self, hit: Hit) -> str:
        tokens = self.reading.tokens
        return self.reading.text[tokens[hit.first].start:tokens[hit.last].end]


class _Trace:
    """Collects the reasons behind every decision, for ``Extractor.explain``."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)


# -- the extractor -------------------------------------------------------------------------------------


class Extractor:
    """Reads posts and returns district claims; built once from a gazetteer and a keyword pack."""

    def __init__(self, gazetteer: Gazetteer, pack: KeywordPack) -> None:
        self.gazetteer = gazetteer
        self.pack = pack
        self._lexicon = Lexicon(gazetteer, pack)
        self._frames: dict[str, FrameSpec] = dict(pack.frames)
        self._opponents = {name: actor.opponent for name, actor in pack.actors.items()}
        self._claimable_kinds = set(pack.claim_place_kinds)
        self._provinces = {p.name for p in gazetteer.provinces}

    @classmethod
    def load(cls, gazetteer: str | Path = "afghanistan", keyword_pack: str | Path = "afghanistan") -> Extractor:
        """Build from a gazetteer and a keyword pack, each by name (shipped data) or by path."""
        return cls(load_gazetteer(gazetteer), load_keyword_pack(keyword_pack))

    # public API -------------------------------------------------------------------------------------

    def is_relevant(self, text: str) -> bool:
        """Cheap prefilter: a verb of change and a place name.  Never False where ``extract`` finds anything."""
        tokens = self._lexicon.tokenize(text)
        if not self._lexicon.triggered(tokens):
            return False
        reading = self._lexicon.read(text, tokens)
        return any(hit.kind == "place" for hit in reading.hits)

    def extract(self, text: str, *, home_province: str | None = None) -> Extraction:
        """Claims and denials in ``text``; ``home_province`` resolves same-named districts last."""
        return self._run(text, home_province, None)

    def explain(self, text: str, *, home_province: str | None = None) -> str:
        """Human-readable account of the spans matched, the rule that decided, and why anything was dropped."""
        trace = _Trace()
        result = self._run(text, home_province, trace)
        lines = list(trace.lines)
        for claim in result.claims:
            lines.append(
                f"=> {claim.kind}: {claim.district} ({claim.province}) gained_by={claim.gained_by} "
                f"lost_by={claim.lost_by} hedged={claim.hedged} rule={claim.rule}"
            )
        for amb in result.ambiguous:
            options = ", ".join(f"{d} ({p})" for d, p in amb.candidates)
            lines.append(f"=> ambiguous: {amb.surface!r} could be {options}")
        if not result.claims and not result.ambiguous:
            lines.append("=> no claim")
        return "\n".join(lines)

    # pipeline ---------------------------------------------------------------------------------------

    def _run(self, text: str, home_province: str | None, trace: _Trace | None) -> Extraction:
        tokens = self._lexicon.tokenize(text)
        if not self._lexicon.triggered(tokens):
            if trace:
                trace.add("no verb of change: not relevant")
            return _EMPTY
        post = self._structure(self._lexicon.read(text, tokens))
        if trace:
            self._trace_hits(post, trace)
        targets = self._targets(post, trace)
        if not targets:
            if trace:
                trace.add("no district among the places named")
            return _EMPTY
        claims: dict[tuple[str, str, str], ExtractedClaim] = {}
        ambiguous: list[Ambiguous] = []
        post_hedged = self._post_hedge(post)
        for target in targets:
            sentence = post.sentences[post.sentence_of[target.hit.first]]
            decided = self._decide(post, sentence, target, post_hedged, trace)
            if decided is None:
                continue
            gained, lost, hedged, kind, rule = decided
            districts = self._resolve(post, sentence, target, home_province, trace)
            if districts is None:
                cands = tuple((d.name, d.province) for d in target.districts)
                if all(a.surface != target.surface for a in ambiguous):
                    ambiguous.append(Ambiguous(target.surface, cands))
                continue
            excerpt = text[sentence.start:sentence.end].strip()
            claim = ExtractedClaim(districts.name, districts.province, gained, lost, hedged, kind, excerpt, rule)
            key = (claim.district, claim.province, claim.kind)
            previous = claims.get(key)
            if previous is None or (previous.gained_by is None and claim.gained_by is not None):
                claims[key] = claim
        return Extraction(tuple(claims.values()), tuple(ambiguous))

    # structure ----------------------------------------------------------------------------------------

    def _structure(self, reading: Reading) -> _Post:
        text, tokens = reading.text, reading.tokens
        ends = [m.start() for m in _SENTENCE_END_RE.finditer(text)]
        sentences: list[_Sentence] = []
        sentence_of: list[int] = []
        start = 0
        for token in tokens:
            index = bisect_right(ends, token.start)
            while len(sentences) <= index:
                i = len(sentences)
                s_start = ends[i - 1] + 1 if i > 0 else 0
                s_end = ends[i] + 1 if i < len(ends) else len(text)
                terminator = text[ends[i]] if i < len(ends) else ""
                sentences.append(_Sentence(i, s_start, s_end, terminator in "?؟"))
            sentence_of.append(index)
        del start
        for s in sentences:
            members = [i for i, si in enumerate(sentence_of) if si == s.index]
            s.tokens = range(members[0], members[-1] + 1) if members else range(0)
        # clauses: punctuation breaks between tokens, and clause-break phrases
        breaks_before: set[int] = set()
        for i in range(1, len(tokens)):
            gap = text[tokens[i - 1].end:tokens[i].start]
            if _CLAUSE_PUNCT_RE.search(gap):
                breaks_before.add(i)
        post = _Post(reading, sentences, sentence_of, [])
        hits = self._prune(reading.hits)
        for hit in hits:
            post.by_kind.setdefault(hit.kind, []).append(hit)
            post.ends_at.setdefault(hit.last, []).append(hit)
            post.starts_at.setdefault(hit.first, []).append(hit)
        for hit in post.kinds("clause_breaks"):
            breaks_before.add(hit.first)
        clause = 0
        clause_of: list[int] = []
        for i in range(len(tokens)):
            if i in breaks_before or (i > 0 and sentence_of[i] != sentence_of[i - 1]):
                clause += 1
            clause_of.append(clause)
        post.clause_of = clause_of
        return post

    @staticmethod
    def _prune(hits: list[Hit]) -> list[Hit]:
        """Drop hits inside a longer hit of the same family (verbs within verbs, actors within actors,
        places within places or within a longer keyword), keeping the longest reading of each span."""
        families = {"verb": "verb", "actor": "actor", "place": "place"}
        kept: list[Hit] = []
        by_family: dict[str, list[Hit]] = {}
        for hit in sorted(hits, key=lambda h: (-h.size, h.first)):
            family = families.get(hit.kind, hit.kind)
            rivals = by_family.setdefault(family, [])
            if any(r.first <= hit.first and hit.last <= r.last and r.size > hit.size for r in rivals):
                continue
            if family == "place":
                if any(r.first < hit.last + 1 and hit.first < r.last + 1 for r in rivals):
                    continue  # overlapping place names: the longer (earlier) one won
                if any(
                    h.kind in ("actor", "verb") and h.first <= hit.first and hit.last <= h.last and h.size > hit.size
                    for h in hits
                ):
                    continue  # "Islamic Emirate of Afghanistan", a name inside an actor or a verb
            rivals.append(hit)
            kept.append(hit)
        kept.sort(key=lambda h: (h.first, -h.size))
        return kept

    # targets ------------------------------------------------------------------------------------------

    def _targets(self, post: _Post, trace: _Trace | None) -> list[_Target]:
        tokens = post.reading.tokens
        text = post.reading.text
        raw: list[_Target] = []
        for hit in post.kinds("place"):
            grp = hit.group
            if grp is None:
                continue
            surface = post.text_of(hit)
            before, after = hit.first - 1, hit.last + 1
            district_word = bool(
                post.ending_at(before, ("district_words",)) or post.starting_at(after, ("district_words",))
            )
            city_word = bool(post.ending_at(before, ("city_words",)) or post.starting_at(after, ("city_words",)))
            province_word = bool(
                post.ending_at(before, ("province_words",)) or post.starting_at(after, ("province_words",))
            )
            capital = bool(
                post.ending_at(self._skip_back(post, before, ("province_words", "fillers")), ("capital_before",))
                or post.starting_at(self._skip_fwd(post, after, ("province_words",)), ("capital_after",))
            )

            def reject(reason: str, *, _surface: str = surface) -> None:
                if trace:
                    trace.add(f"place {_surface!r}: not a target: {reason}")

            provinces = {p.name for p in grp.provinces}
            if (grp.weak or self._lexicon.skeleton_is_short(hit)) and not (district_word or city_word or capital):
                reject("a common word or a short skeleton, and no district/city word next to it")
                continue
            if hit.how == "skeleton" and not tokens[hit.first].arabic and not tokens[hit.first].capitalized:
                reject("lower-case Latin words met only by skeleton")
                continue
            if self._compound(text, tokens, hit):
                reject("part of a longer hyphenated name")
                continue
            if post.starting_at(after, ("not_district_after",)) or post.ending_at(before, ("not_district_before",)):
                reject("names a facility, not the district")
                continue
            districts: list[DistrictRecord] = []
            if capital and provinces:
                for name in sorted(provinces):
                    cap = self.gazetteer.capital_district(name)
                    if cap is not None:
                        districts.append(cap)
                how = "capital"
            elif province_word and provinces:
                raw.append(_Target(hit, surface, [], provinces, "province"))
                continue
            else:
                districts = list(grp.districts)
                area = bool(post.starting_at(after, ("area_after",)) or post.ending_at(before, ("area_before",)))
                for place in grp.places:
                    if place.kind in self._claimable_kinds and not area:
                        record = self.gazetteer.district(place.province, place.district)
                        if record is not None and record not in districts:
                            districts.append(record)
                if not districts and city_word and provinces:
                    for name in sorted(provinces):
                        cap = self.gazetteer.capital_district(name)
                        if cap is not None:
                            districts.append(cap)
                how = hit.how
            if not districts:
                if provinces:
                    raw.append(_Target(hit, surface, [], provinces, "province"))
                else:
                    reject("not a district (a place of another kind, or an area)")
                continue
            if tokens[hit.last].possessive and how != "capital":
                raw.append(_Target(hit, surface, [], provinces, "qualifier"))
                reject("possessive: qualifies what follows")
                continue
            if self._locative(post, hit) and how != "capital":
                raw.append(_Target(hit, surface, [], provinces, "locative"))
                reject("a location ('in X', 'near X'), not what was taken")
                continue
            if not tokens[hit.last].arabic and post.starting_at(after, ("actor",)):
                raw.append(_Target(hit, surface, [], provinces, "modifier"))
                reject("modifies the actor after it ('Daykundi police')")
                continue
            raw.append(_Target(hit, surface, districts, provinces, how))
        # A name that is both a province and a district qualifies another district of that province
        # named in the same sentence ("Kunduz's Imam Sahib", "Dawlatabad district, Balkh").
        result: list[_Target] = []
        for target in raw:
            if not target.districts:
                continue
            if target.provinces_named and target.how != "capital" and not self._has_kind_word(post, target.hit):
                sentence = post.sentence_of[target.hit.first]
                qualifies = any(
                    d.province in target.provinces_named
                    for other in raw
                    if other is not target and other.districts and post.sentence_of[other.hit.first] == sentence
                    for d in other.districts
                )
                if qualifies:
                    if trace:
                        trace.add(f"place {target.surface!r}: a province qualifying another district here")
                    continue
            result.append(target)
        return result

    @staticmethod
    def _has_kind_word(post: _Post, hit: Hit) -> bool:
        kinds = ("district_words", "city_words")
        return bool(post.ending_at(hit.first - 1, kinds) or post.starting_at(hit.last + 1, kinds))

    @staticmethod
    def _skip_back(post: _Post, token: int, kinds: tuple[str, ...]) -> int:
        for _ in range(_FILLER_REACH):
            found = post.ending_at(token, kinds)
            if not found:
                break
            token = min(h.first for h in found) - 1
        return token

    @staticmethod
    def _skip_fwd(post: _Post, token: int, kinds: tuple[str, ...]) -> int:
        for _ in range(_FILLER_REACH):
            found = post.starting_at(token, kinds)
            if not found:
                break
            token = max(h.last for h in found) + 1
        return token

    @staticmethod
    def _compound(text: str, tokens: list, hit: Hit) -> bool:  # type: ignore[type-arg]
        """True when the name continues with a hyphen beyond the match ("Dand" in "Dand-e-Ghori")."""
        start, end = tokens[hit.first].start, tokens[hit.last].end
        after = text[end:end + 2]
        before = text[max(0, start - 2):start]
        return (len(after) == 2 and after[0] == "-" and after[1].isalpha()) or (
            len(before) == 2 and before[1] == "-" and before[0].isalpha()
        )

    def _locative(self, post: _Post, hit: Hit) -> bool:
        skip = ("district_words", "city_words", "fillers")
        before = self._skip_back(post, hit.first - 1, skip)
        after = self._skip_fwd(post, hit.last + 1, skip)
        return bool(post.ending_at(before, ("locative_before",)) or post.starting_at(after, ("locative_after",)))

    # decisions ----------------------------------------------------------------------------------------

    def _decide(
        self, post: _Post, sentence: _Sentence, target: _Target, post_hedged: bool, trace: _Trace | None
    ) -> tuple[str | None, str | None, bool, Literal["change", "denial"], str] | None:
        """Whether ``target`` changed hands per its sentence, and how; None when it did not."""
        if not target.districts:
            return None
        label = f"place {target.surface!r}"
        in_sentence = sentence.tokens
        if self._history(post, in_sentence):
            if trace:
                trace.add(f"{label}: sentence is about the past (history marker or 'in <year>')")
            return None
        clause = post.clause_of[target.hit.first]
        if any(post.clause_of[h.first] == clause for h in post.kinds("ongoing") if h.first in in_sentence):
            if trace:
                trace.add(f"{label}: its clause describes fighting or a siege, not a change")
            return None
        verb = self._verb_for(post, sentence, target.hit)
        if verb is None:
            if trace:
                trace.add(f"{label}: no verb of change in its clause")
            return None
        denial = any(h.first in in_sentence for h in post.kinds("denials"))
        negated = self._negated(post, verb)
        kind: Literal["change", "denial"] = "denial" if (denial or negated) else "change"
        if kind == "change" and self._predicted(post, verb):
            if trace:
                trace.add(f"{label}: a threat, plan or prediction governs {post.text_of(verb)!r}")
            return None
        if sentence.question and kind == "change":
            if trace:
                trace.add(f"{label}: the sentence is a question")
            return None
        frame_name = verb.value
        passive = self._passive(post, verb)
        frame = self._frames[frame_name]
        if passive and frame.passive:
            frame_name = frame.passive
            frame = self._frames[frame_name]
        gained, lost, source = self._roles(post, sentence, verb, frame)
        if kind == "change":
            if frame.requires_gainer and source not in ("marker", "agent", "state"):
                if trace:
                    trace.add(f"{label}: {post.text_of(verb)!r} counts only with a named gainer, none found")
                return None
            if frame.requires_loser and lost is None:
                if trace:
                    trace.add(f"{label}: {post.text_of(verb)!r} counts only with a named loser, none found")
                return None
        hedged = post_hedged or self._hedged(post, in_sentence, gained, lost)
        rule = f"{verb.lang}.{frame_name}{'.passive' if passive else ''}:{source}"
        if kind == "denial":
            rule += ":negated" if negated else ":denied"
        if trace:
            trace.add(f"{label}: verb {post.text_of(verb)!r} ({rule})")
        return gained, lost, hedged, kind, rule

    def _history(self, post: _Post, in_sentence: range) -> bool:
        if any(h.first in in_sentence for h in post.kinds("history")):
            return True
        tokens = post.reading.tokens
        for i in in_sentence:
            if _YEAR_RE.match(tokens[i].key) and (
                post.ending_at(i - 1, ("history_year_before",)) or post.starting_at(i + 1, ("history_year_after",))
            ):
                return True
        return False

    def _verb_for(self, post: _Post, sentence: _Sentence, place: Hit) -> Hit | None:
        """The verb governing ``place``: nearest in its clause, else in a neighbouring clause of the same
        sentence that has no place of its own (a relative clause can split a name from its verb)."""
        clause = post.clause_of[place.first]
        verbs = [v for v in post.kinds("verb") if v.first in sentence.tokens]
        same = [v for v in verbs if post.clause_of[v.first] == clause]
        if not same:
            place_clauses = {post.clause_of[p.first] for p in post.kinds("place")}
            same = [
                v for v in verbs
                if abs(post.clause_of[v.first] - clause) == 1 and post.clause_of[v.first] not in place_clauses
            ]
        if not same:
            return None
        return min(same, key=lambda v: (min(abs(v.first - place.last), abs(place.first - v.last)), v.first))

    def _negated(self, post: _Post, verb: Hit) -> bool:
        clause = post.clause_of[verb.first]
        for hit in post.kinds("negations_before"):
            if verb.first - _NEGATION_REACH <= hit.last < verb.first and post.clause_of[hit.first] == clause:
                return True
        return any(
            verb.last < hit.first <= verb.last + 2 and post.clause_of[hit.first] == clause
            for hit in post.kinds("negations_after")
        )

    def _predicted(self, post: _Post, verb: Hit) -> bool:
        clause = post.clause_of[verb.first]
        return any(
            hit.last < verb.first and post.clause_of[hit.first] == clause for hit in post.kinds("predictions")
        )

    def _passive(self, post: _Post, verb: Hit) -> bool:
        return any(
            verb.first - _PASSIVE_REACH <= hit.last < verb.first for hit in post.kinds("passive_auxiliaries")
        )

    def _actor_role(self, post: _Post, actor: Hit) -> str | None:
        """"gained_by"/"lost_by" when a marker right before or after says so, else None (unmarked)."""
        before = self._skip_back(post, actor.first - 1, ("fillers",))
        for hit in post.ending_at(before, ("gainer_before", "loser_before")):
            return "gained_by" if hit.kind == "gainer_before" else "lost_by"
        for hit in post.starting_at(actor.last + 1, ("gainer_after", "loser_after")):
            return "gained_by" if hit.kind == "gainer_after" else "lost_by"
        return None

    def _roles(
        self, post: _Post, sentence: _Sentence, verb: Hit, frame: FrameSpec
    ) -> tuple[str | None, str | None, str]:
        clause = post.clause_of[verb.first]
        actors = [a for a in post.kinds("actor") if a.first in sentence.tokens]
        roles = [(a, self._actor_role(post, a)) for a in actors]

        def nearest(candidates: list[Hit]) -> Hit | None:
            if not candidates:
                return None
            return min(candidates, key=lambda a: min(abs(a.first - verb.last), abs(verb.first - a.last)))

        gainer = nearest([a for a, r in roles if r == "gained_by" and post.clause_of[a.first] == clause])
        loser = nearest([a for a, r in roles if r == "lost_by" and post.clause_of[a.first] == clause])
        unmarked_before = [a for a, r in roles if r is None and a.last < verb.first]
        unmarked_after = [a for a, r in roles if r is None and a.first > verb.last and post.clause_of[a.first] == clause]
        gained = gainer.value if gainer else None
        lost = loser.value if loser else None
        source = "marker" if gained else "none"
        if frame.agent == "gained_by" and gained is None and unmarked_before:
            gained, source = unmarked_before[-1].value, "agent"
        if frame.agent == "lost_by" and lost is None and unmarked_before:
            lost = unmarked_before[-1].value
        if frame.patient == "lost_by" and lost is None and unmarked_after:
            lost = unmarked_after[0].value
        if gained is None:
            gained = self._holder(post, sentence, verb)
            if gained is not None:
                source = "state"
        if gained is None and lost is not None:
            gained = self._opponents.get(lost)
            if gained is not None:
                source = "opponent"
        if gained is None and frame.default_gained_by is not None:
            gained, source = frame.default_gained_by, "default"
        if lost == gained:
            lost = None
        return gained, lost, source

    def _holder(self, post: _Post, sentence: _Sentence, verb: Hit) -> str | None:
        """Actor of a state verb elsewhere in the sentence ("…; Taliban now in control")."""
        for other in post.kinds("verb"):
            if other is verb or other.first not in sentence.tokens or not self._frames[other.value].state:
                continue
            clause = post.clause_of[other.first]
            before = [
                a for a in post.kinds("actor")
                if a.last < other.first and post.clause_of[a.first] == clause and self._actor_role(post, a) is None
            ]
            if before:
                return before[-1].value
        return None

    def _hedged(self, post: _Post, in_sentence: range, gained: str | None, lost: str | None) -> bool:
        if any(h.first in in_sentence for h in post.kinds("hedges")):
            return True
        for word in post.kinds("claim_words"):
            if word.first not in in_sentence:
                continue
            claimants = [a for a in post.kinds("actor") if a.first in in_sentence and a.last < word.first]
            claimant = claimants[-1].value if claimants else None
            if claimant is None or claimant not in (gained, lost):
                return True
        return False

    def _post_hedge(self, post: _Post) -> bool:
        """A hedge in a sentence that names no place ("UNCONFIRMED:" on its own line) covers the post."""
        place_sentences = {post.sentence_of[h.first] for h in post.kinds("place")}
        return any(post.sentence_of[h.first] not in place_sentences for h in post.kinds("hedges"))

    # resolution ---------------------------------------------------------------------------------------

    def _resolve(
        self, post: _Post, sentence: _Sentence, target: _Target, home: str | None, trace: _Trace | None
    ) -> DistrictRecord | None:
        """One district for the target, or None when same-named districts cannot be told apart."""
        candidates = target.districts
        if len({(d.name, d.province) for d in candidates}) == 1:
            return candidates[0]
        named_here: set[str] = set()
        named_post: set[str] = set()
        for hit in post.kinds("place"):
            if hit is target.hit or hit.group is None:
                continue
            names = {p.name for p in hit.group.provinces}
            named_post |= names
            if hit.first in sentence.tokens:
                named_here |= names
        for scope, names in (("sentence", named_here), ("post", named_post),
                             ("home province", {home} if home else set())):
            fitting = [d for d in candidates if d.province in names]
            if len({(d.name, d.province) for d in fitting}) == 1:
                if trace:
                    trace.add(f"place {target.surface!r}: resolved to {fitting[0].province} by the {scope}")
                return fitting[0]
        if trace:
            trace.add(f"place {target.surface!r}: ambiguous, nothing names one of its provinces")
        return None

    # explanation --------------------------------------------------------------------------------------

    def _trace_hits(self, post: _Post, trace: _Trace) -> None:
        shown = ("place", "actor", "verb", "hedges", "claim_words", "denials", "history", "ongoing",
                 "predictions", "negations_before", "negations_after")
        for kind in shown:
            for hit in post.kinds(kind):
                detail = hit.value or ""
                if kind == "place" and hit.group is not None:
                    names = [d.name + "/" + d.province for d in hit.group.districts]
                    names += [p.name + " (province)" for p in hit.group.provinces]
                    names += [p.name + f" ({p.kind} in {p.district})" for p in hit.group.places]
                    detail = ", ".join(names) + (f" [{hit.how}]" if hit.how != "exact" else "")
                trace.add(f"{kind}: {post.text_of(hit)!r} {detail}".rstrip())
        for s in post.sentences:
            if s.question:
                trace.add(f"sentence {s.index + 1} is a question")
