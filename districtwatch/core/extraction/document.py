"""A post after lexing: its sentences, its clauses, and its hits indexed for the questions rules ask.

Sentences end at . ! ? ؟ and line breaks; clauses end at ; : dashes, at the pack's clause-break words
("as", "while", "در حالی که", "کله چې") and at a conjunction right after a verb.  The distinction
matters: a hedge, a denial or a date colours a
whole sentence, while a siege or a threat colours only its own clause ("… capture X;
Y under siege").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from districtwatch.core.extraction.lexicon import Hit, Reading

__all__ = ["Document", "Sentence", "Trace", "build_document"]

_SENTENCE_END_RE = re.compile(r"(?<!\d)\.(?!\d)|[!?؟\n\r۔|•]")
_CLAUSE_PUNCT_RE = re.compile(r"[;؛:—–]|\s-\s")
_QUESTION_MARKS = ("?", "؟")
_SKIP_REACH = 2  # how many filler-like hits a marker may reach over
_PREDICATE_KINDS = ("ongoing", "predictions", "denials", "hedges")


@dataclass(slots=True)
class Sentence:
    """Character span of a sentence in the post, its tokens, and whether it asks rather than tells."""

    index: int
    start: int
    end: int
    question: bool
    tokens: range = range(0)


@dataclass(slots=True)
class Document:
    """Tokens, hits by kind and by boundary token, and the sentence and clause of every token."""

    reading: Reading
    sentences: list[Sentence]
    sentence_of: list[int]
    clause_of: list[int] = field(default_factory=list)
    by_kind: dict[str, list[Hit]] = field(default_factory=dict)
    ends_at: dict[int, list[Hit]] = field(default_factory=dict)
    starts_at: dict[int, list[Hit]] = field(default_factory=dict)
    covered: set[int] = field(default_factory=set)
    at_token: dict[int, list[Hit]] = field(default_factory=dict)
    _per_sentence: dict[tuple[str, int], list[Hit]] = field(default_factory=dict)
    _clauses: dict[str, set[int]] = field(default_factory=dict)

    def kinds(self, kind: str) -> list[Hit]:
        """Hits of one kind, in text order."""
        return self.by_kind.get(kind, [])

    def ending_at(self, token: int, kinds: Iterable[str]) -> list[Hit]:
        """Hits of these kinds whose last token is ``token``."""
        wanted = set(kinds)
        return [h for h in self.ends_at.get(token, ()) if h.kind in wanted]

    def starting_at(self, token: int, kinds: Iterable[str]) -> list[Hit]:
        """Hits of these kinds whose first token is ``token``."""
        wanted = set(kinds)
        return [h for h in self.starts_at.get(token, ()) if h.kind in wanted]

    def before(
        self, hit: Hit, kinds: tuple[str, ...], *, skipping: tuple[str, ...] = (), reach: int = _SKIP_REACH
    ) -> list[Hit]:
        """Hits of ``kinds`` right before ``hit``, reaching over up to ``reach`` hits of ``skipping``."""
        token = hit.first - 1
        found = self.ending_at(token, kinds)
        for _ in range(reach if skipping else 0):
            skipped = self.ending_at(token, skipping)
            if found or not skipped:
                break
            token = min(h.first for h in skipped) - 1
            found = self.ending_at(token, kinds)
        return found

    def after(
        self, hit: Hit, kinds: tuple[str, ...], *, skipping: tuple[str, ...] = (), reach: int = _SKIP_REACH
    ) -> list[Hit]:
        """Hits of ``kinds`` right after ``hit``, reaching over up to ``reach`` hits of ``skipping``."""
        token = hit.last + 1
        found = self.starting_at(token, kinds)
        for _ in range(reach if skipping else 0):
            skipped = self.starting_at(token, skipping)
            if found or not skipped:
                break
            token = max(h.last for h in skipped) + 1
            found = self.starting_at(token, kinds)
        return found

    def next_to(self, hit: Hit, kinds: tuple[str, ...]) -> bool:
        """True when a hit of ``kinds`` stands right before or right after ``hit``."""
        return bool(self.before(hit, kinds) or self.after(hit, kinds))

    def inside(self, hit: Hit, kind: str) -> bool:
        """True when ``hit`` lies within a hit of ``kind`` ("from" inside the verb "withdrew from")."""
        return any(
            other is not hit and other.kind == kind and other.first <= hit.first and hit.last <= other.last
            for other in self.at_token.get(hit.first, ())
        )

    def only_known_between(self, a: Hit, b: Hit) -> bool:
        """True when every token between the two hits belongs to some hit (no unknown word between)."""
        left, right = (a, b) if a.last < b.first else (b, a)
        covered = self.covered
        return all(i in covered for i in range(left.last + 1, right.first))

    def joined(self, a: Hit, b: Hit, kinds: tuple[str, ...]) -> bool:
        """True when, in one sentence, only hits of ``kinds`` (and punctuation) stand between ``a`` and ``b``:
        "Bangi, Chal and Namak Ab" are joined by list joiners."""
        if self.sentence_of[a.first] != self.sentence_of[b.first]:
            return False
        left, right = (a, b) if a.last < b.first else (b, a)
        token = left.last + 1
        while token < right.first:
            found = self.starting_at(token, kinds)
            if not found:
                return False
            token = max(h.last for h in found) + 1
        return True

    def in_sentence(self, kind: str, sentence: Sentence) -> list[Hit]:
        """Hits of one kind that start inside ``sentence`` (computed once per kind and sentence)."""
        key = (kind, sentence.index)
        found = self._per_sentence.get(key)
        if found is None:
            found = [h for h in self.kinds(kind) if h.first in sentence.tokens]
            self._per_sentence[key] = found
        return found

    def clauses_with(self, kind: str) -> set[int]:
        """Clauses holding at least one hit of ``kind`` (computed once per kind)."""
        found = self._clauses.get(kind)
        if found is None:
            found = {self.clause_of[h.first] for h in self.kinds(kind)}
            self._clauses[kind] = found
        return found

    def text_of(self, hit: Hit) -> str:
        """The hit's words as written in the post."""
        tokens = self.reading.tokens
        return self.reading.text[tokens[hit.first].start : tokens[hit.last].end]


class Trace:
    """Collects the reason behind every decision, for ``Extractor.explain``; a no-op sink when disabled."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        if self.enabled:
            self.lines.append(line)


def build_document(reading: Reading) -> Document:
    """Split a lexed post into sentences and clauses and index its hits."""
    text, tokens = reading.text, reading.tokens
    ends = [m.start() for m in _SENTENCE_END_RE.finditer(text)]
    sentences: list[Sentence] = []
    sentence_of: list[int] = []
    for position, token in enumerate(tokens):
        index = bisect_right(ends, token.start)
        while len(sentences) <= index:
            i = len(sentences)
            start = ends[i - 1] + 1 if i > 0 else 0
            end = ends[i] + 1 if i < len(ends) else len(text)
            question = i < len(ends) and text[ends[i]] in _QUESTION_MARKS
            sentences.append(Sentence(i, start, end, question, range(position, position)))
        sentence_of.append(index)
        sentence = sentences[index]
        sentence.tokens = range(sentence.tokens.start if len(sentence.tokens) else position, position + 1)
    document = Document(reading, sentences, sentence_of)
    for hit in prune(reading.hits):
        document.by_kind.setdefault(hit.kind, []).append(hit)
        document.ends_at.setdefault(hit.last, []).append(hit)
        document.starts_at.setdefault(hit.first, []).append(hit)
        for position in range(hit.first, hit.last + 1):
            document.covered.add(position)
            document.at_token.setdefault(position, []).append(hit)
    breaks = {
        i for i in range(1, len(tokens)) if _CLAUSE_PUNCT_RE.search(text[tokens[i - 1].end : tokens[i].start])
    }
    breaks.update(hit.first for hit in document.kinds("clause_breaks"))
    # A conjunction joins clauses, not names, when a verb ends before it ("… پس گرفته شد و جنگ …
    # جریان دارد": verb-final languages) or a new predicate starts after it ("captured X and fighting
    # continues in Y"). In a list it stands between names; before a verb it shares the subject
    # ("reached X and took control of it") and stays in the clause.
    breaks.update(
        hit.first
        for hit in document.kinds("list_joiners")
        if document.ending_at(hit.first - 1, ("verb",))
        or document.after(hit, _PREDICATE_KINDS, skipping=("fillers",))
    )
    clause = 0
    for i in range(len(tokens)):
        if i in breaks or (i > 0 and sentence_of[i] != sentence_of[i - 1]):
            clause += 1
        document.clause_of.append(clause)
    return document


def prune(hits: list[Hit]) -> list[Hit]:
    """Keep the longest reading of each span: a verb inside a longer verb ("ونیو" in "بېرته ونیوله"), an
    actor inside a longer actor ("X" in "anti-X forces"), a place inside a longer place ("X" in "X Dam")
    or inside an actor or verb, a word inside a longer place name (the word for government at the start
    of a place name) all go; exact duplicates go.  Linear in the number of hits: a containing hit starts
    at most ``longest`` tokens earlier, so only those starts are looked at."""
    if not hits:
        return []
    longest = max(h.size for h in hits)
    starts: dict[tuple[str, int], list[Hit]] = {}
    for hit in hits:
        family = "word" if hit.kind in ("actor", "verb") else hit.kind
        starts.setdefault((family, hit.first), []).append(hit)
        if family == "word":
            starts.setdefault((hit.kind, hit.first), []).append(hit)

    def contained(hit: Hit, family: str) -> bool:
        for first in range(hit.first, hit.first - longest, -1):
            for other in starts.get((family, first), ()):
                if other.last >= hit.last and other.size > hit.size:
                    return True
        return False

    kept: list[Hit] = []
    seen: set[tuple[str, str, int, int]] = set()
    place_tokens: set[int] = set()
    for hit in sorted(hits, key=lambda h: (-h.size, h.first)):
        identity = (hit.kind, hit.value, hit.first, hit.last)
        if identity in seen:
            continue
        seen.add(identity)
        if hit.kind == "place":
            span = range(hit.first, hit.last + 1)
            if any(t in place_tokens for t in span) or contained(hit, "word"):
                continue  # overlapping names: the longer won; or a name inside an actor or a verb
            place_tokens.update(span)
        elif contained(hit, "place") or contained(hit, hit.kind):
            continue  # a word inside a place name; a verb inside a longer verb
        elif hit.kind == "actor" and contained(hit, "seat_words"):
            continue  # "governor" in "the governor's compound": a building, not a party
        kept.append(hit)
    kept.sort(key=lambda h: (h.first, -h.size))
    return kept
