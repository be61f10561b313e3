"""The lexicon: every spelling of the gazetteer and every phrase of the keyword pack, in two automatons.

A post is read as its tokens' exact keys joined by single spaces; pyahocorasick finds every phrase in one
pass and a hit counts only where it starts (and, unless the phrase ends in ``*``, ends) on a word boundary.
The *trigger* automaton holds only the verbs of change: most posts in the stream have none, and for them
that one cheap pass is all the work done.

Place names are also indexed by consonant skeleton (``normalize.skeleton``) to meet spellings that neither
the gazetteer nor the pack lists (a hyphenated transliteration of a joined one, a Dari spelling of a
Pashto one).  Skeletons are lossy, so a skeleton hit is accepted only when the skeleton is unambiguous in
the gazetteer and either long (five symbols or more) or right next to a word like "district"; see
``targets.TargetFinder``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

from districtwatch.core.extraction.gazetteer import DistrictRecord, Gazetteer, PlaceRecord, ProvinceRecord
from districtwatch.core.extraction.keywords import KeywordPack
from districtwatch.core.extraction.normalize import Normalizer, Token, skeleton

__all__ = ["Hit", "Lexicon", "PlaceGroup", "Reading"]

# URLs and @handles are masked (same length, so offsets hold): an account called @<province>_news names no
# place, and a link's path is not prose.
_PUNCT_RE = re.compile(r"[,،;؛:.!?؟\n—–()\[\]\"«»|]")
_MASK_RE = re.compile(r"https?://\S+|www\.\S+|@\w+")
# Short lower-case Latin words that may sit inside a transliterated name (ezafe joiners: "-i-", "-e ").
_EZAFE_MAX = 2
_SKELETON_STANDALONE = 5  # symbols; shorter skeletons collide too often to trust without a district word
_SKELETON_MIN = 3
_WINDOW = 4  # tokens
# Dari writes the ezafe after a final silent heh as heh + ZWNJ + yeh; where the ZWNJ is lost (copied web
# text often loses it) the name and its ezafe run together, so names ending in heh also get that form.
_SILENT_H = "ه"
_EZAFE_YEH = "ی"


@dataclass(frozen=True, slots=True)
class Entry:
    """What one automaton key means: a place spelling, an actor, a verb of a frame, or a listed word."""

    kind: str  # "place", "actor", "verb", or a LanguageSpec list name such as "hedges", "gainer_before"
    value: str  # actor id, frame id, or the place key; "" for plain word lists
    lang: str
    prefix: bool
    words: int


@dataclass(slots=True)
class PlaceGroup:
    """Every gazetteer record sharing one spelling key (same-named districts share a group)."""

    districts: list[DistrictRecord] = field(default_factory=list)
    provinces: list[ProvinceRecord] = field(default_factory=list)
    places: list[PlaceRecord] = field(default_factory=list)
    weak: bool = False

    def referents(self) -> set[str]:
        """Skeletons of what the group points at; one value means the group names one thing."""
        names = {skeleton(d.name.casefold()) for d in self.districts}
        names |= {skeleton(p.name.casefold()) for p in self.provinces}
        names |= {skeleton(p.district.casefold()) for p in self.places}
        return names


@dataclass(slots=True)
class Hit:
    """One match in a post: tokens ``first``..``last`` inclusive."""

    kind: str
    value: str
    lang: str
    first: int
    last: int
    group: PlaceGroup | None = None
    how: str = "exact"

    @property
    def size(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True, slots=True)
class Reading:
    """The tokens of a post and everything the lexicon found in them."""

    text: str
    tokens: list[Token]
    hits: list[Hit]


class Lexicon:
    """Automatons over one gazetteer and one keyword pack, sharing one normalizer."""

    def __init__(self, gazetteer: Gazetteer, pack: KeywordPack) -> None:
        self.normalizer = Normalizer(pack.match_folds)
        self.groups: dict[str, PlaceGroup] = {}
        self._skeletons: dict[str, PlaceGroup | None] = {}
        self._trigger = ahocorasick.Automaton()
        self._full = ahocorasick.Automaton()
        self._trigger_entries: dict[str, list[Entry]] = {}
        self._full_entries: dict[str, list[Entry]] = {}
        self._build_places(gazetteer, pack)
        self._build_keywords(pack)
        for key, entries in self._trigger_entries.items():
            self._trigger.add_word(key, (len(key), tuple(entries)))
        for key, entries in self._full_entries.items():
            self._full.add_word(key, (len(key), tuple(entries)))
        self._trigger.make_automaton()
        self._full.make_automaton()

    # -- building -------------------------------------------------------------------------------------

    def _add(self, phrase: str, kind: str, value: str, lang: str, *, trigger: bool = False) -> None:
        prefix = phrase.endswith("*")
        key = self.normalizer.phrase_key(phrase.rstrip("*"))
        if not key:
            return
        entry = Entry(kind, value or (key if kind == "place" else ""), lang, prefix, key.count(" ") + 1)
        self._full_entries.setdefault(key, []).append(entry)
        if trigger:
            self._trigger_entries.setdefault(key, []).append(entry)

    def _build_places(self, gazetteer: Gazetteer, pack: KeywordPack) -> None:
        weak = {self.normalizer.phrase_key(name) for name in pack.weak_names}
        keywords = {
            self.normalizer.phrase_key(phrase.rstrip("*"))
            for language in pack.languages.values()
            for phrases in (*language.word_lists().values(), *language.verbs.values())
            for phrase in phrases
        }
        keywords |= {
            self.normalizer.phrase_key(name)
            for actor in pack.actors.values()
            for names in actor.names.values()
            for name in names
        }

        def spellings_of(
            record: DistrictRecord | ProvinceRecord | PlaceRecord,
        ) -> Iterable[str]:
            for spelling in record.spellings():
                key = self.normalizer.phrase_key(spelling)
                if not key:
                    continue
                yield key
                if " " in key:
                    yield key.replace(" ", "")  # a ZWNJ-joined or run-together spelling of a multi-word name
                if key.endswith(_SILENT_H):
                    yield key + _EZAFE_YEH  # "ناوه‌ی این ولایت" written without its ZWNJ: "ناوهی"

        def group(key: str) -> PlaceGroup:
            found = self.groups.get(key)
            if found is None:
                base = key[:-1] if key.endswith(_SILENT_H + _EZAFE_YEH) else key
                found = PlaceGroup(weak=base in weak or base in keywords or len(key) <= 2)
                self.groups[key] = found
            return found

        for district in gazetteer.districts:
            for key in set(spellings_of(district)):
                group(key).districts.append(district)
        for province in gazetteer.provinces:
            for key in set(spellings_of(province)):
                group(key).provinces.append(province)
        for place in gazetteer.places:
            for key in set(spellings_of(place)):
                group(key).places.append(place)
        for key in self.groups:
            self._add(key, "place", key, "")
        # Skeleton index: a skeleton shared by groups that name different things is a collision, kept as
        # None so that it never matches.
        merged: dict[str, PlaceGroup] = {}
        for key, grp in self.groups.items():
            if grp.weak:
                continue
            skel = skeleton(key)
            if len(skel) < _SKELETON_MIN:
                continue
            into = merged.setdefault(skel, PlaceGroup())
            for district in grp.districts:
                if district not in into.districts:
                    into.districts.append(district)
            for province in grp.provinces:
                if province not in into.provinces:
                    into.provinces.append(province)
            for place in grp.places:
                if place not in into.places:
                    into.places.append(place)
        for skel, grp in merged.items():
            self._skeletons[skel] = grp if len(grp.referents()) == 1 else None

    def _build_keywords(self, pack: KeywordPack) -> None:
        for actor_id, actor in pack.actors.items():
            for lang, names in actor.names.items():
                for name in names:
                    self._add(name, "actor", actor_id, lang)
        for lang, language in pack.languages.items():
            for frame, phrases in language.verbs.items():
                for phrase in phrases:
                    self._add(phrase, "verb", frame, lang, trigger=True)
            for list_name, phrases in language.word_lists().items():
                for phrase in phrases:
                    self._add(phrase, list_name, "", lang)

    # -- reading --------------------------------------------------------------------------------------

    @staticmethod
    def mask(text: str) -> str:
        """``text`` with URLs and @handles blanked out, same length so that offsets hold."""
        if "@" in text or "http" in text or "www." in text:
            return _MASK_RE.sub(lambda m: " " * len(m.group()), text)
        return text

    def triggered(self, keys: list[str]) -> bool:
        """True when a verb of change occurs: the cheap first question asked of every post."""
        return any(True for _ in self._matches(self._trigger, keys))

    def read(self, text: str, tokens: list[Token]) -> Reading:
        """All hits in ``tokens``: places (exact and skeleton), actors, verbs and listed words."""
        breaks = {
            i for i in range(1, len(tokens)) if _PUNCT_RE.search(text, tokens[i - 1].end, tokens[i].start)
        }
        # A phrase never runs across punctuation: "Jalrez district; Governor now…" has no "district governor".
        hits = [
            hit
            for hit in self._matches(self._full, [t.key for t in tokens])
            if not any(i in breaks for i in range(hit.first + 1, hit.last + 1))
        ]
        for hit in hits:
            if hit.kind == "place":
                hit.group = self.groups[hit.value]
        hits.extend(self.skeleton_hits(tokens, hits, breaks))
        return Reading(text, tokens, hits)

    @staticmethod
    def _matches(automaton: ahocorasick.Automaton, keys: list[str]) -> Iterable[Hit]:
        if not keys:
            return
        joined = " ".join(keys)
        starts: list[int] = []
        offset = 0
        for key in keys:
            starts.append(offset)
            offset += len(key) + 1
        index = {start: i for i, start in enumerate(starts)}
        size = len(joined)
        for end, (key_len, entries) in automaton.iter(joined):
            first = index.get(end - key_len + 1)
            if first is None:  # not on a word start
                continue
            whole = end + 1 == size or joined[end + 1] == " "
            last = bisect_right(starts, end) - 1
            for entry in entries:
                if whole or entry.prefix:
                    yield Hit(entry.kind, entry.value, entry.lang, first, last)

    def skeleton_hits(self, tokens: list[Token], hits: list[Hit], breaks: set[int]) -> list[Hit]:
        """Place names met only through their consonant skeleton, in tokens no other hit covers."""
        covered: set[int] = set()
        for hit in hits:
            covered.update(range(hit.first, hit.last + 1))
        found: list[Hit] = []
        i = 0
        count = len(tokens)
        while i < count:
            best: Hit | None = None
            for j in range(min(count, i + _WINDOW) - 1, i - 1, -1):
                window = tokens[i : j + 1]
                if not _name_like(window) or any(k in covered for k in range(i, j + 1)):
                    continue
                if any(k in breaks for k in range(i + 1, j + 1)):
                    continue
                skel = skeleton(" ".join(t.key for t in window))
                if len(skel) < _SKELETON_MIN:
                    continue
                grp = self._skeletons.get(skel)
                if grp is None:
                    continue
                best = Hit("place", skel, "", i, j, grp, "skeleton")
                break
            if best is not None:
                found.append(best)
                i = best.last + 1
            else:
                i += 1
        return found

    @staticmethod
    def skeleton_is_short(hit: Hit) -> bool:
        """A skeleton hit too short to trust without a district or city word next to it."""
        return hit.how == "skeleton" and len(hit.value) < _SKELETON_STANDALONE


def _name_like(window: list[Token]) -> bool:
    """Could these tokens be a proper name?  Arabic script: any; Latin: capitalized ends, short joiners."""
    if window[0].arabic:
        return all(t.arabic for t in window)
    if any(t.arabic for t in window):
        return False
    if not (window[0].capitalized and window[-1].capitalized):
        return False
    return all(t.capitalized or len(t.key) <= _EZAFE_MAX for t in window)
