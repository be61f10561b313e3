"""Which place mentions could be what changed hands.

A place name in a post is a *target* unless the words around it say it is something else:

* a province qualifying a district ("X district in Y", "Y's X"), or any
  province named with a province word ("Y province");
* a facility named after the place ("X Bank", "X pass", "بند X"), or a gazetteer place of a
  kind that is not a town (dams, airfields, passes), or an area ("X area", "منطقه X");
* a location rather than the object ("in X", "near X", "په X کې");
* a piece of a longer hyphenated name ("X" in "X-e-Y");
* an actor's modifier ("X police");
* a name that is also a common word (the pack's ``weak_names``) or a short skeleton match, unless a
  district or city word stands next to it or it is listed alongside a target ("ولسوالی های X، Y و Z").

A province with a capital word ("capital of Y", "د Y مرکز", "the provincial capital of Afghanistan's northern
Y province", "the capital cities of Y and Z provinces") or a city word ("Y city") stands for its capital
district; a town, port or seat of government from the gazetteer's places for its district.  A seat of power
named in a town ("the governor's compound in X", "X's police headquarters") makes X the target even after
"in" or "'s".  A region that spans several districts (a gazetteer place of a ``region_place_kinds`` kind)
is the same-named district only with a district word.  An anaphor ("the city", «این شهرستان») is a target
standing for the town named last before it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

from districtwatch.core.extraction.document import Document, Trace
from districtwatch.core.extraction.gazetteer import DistrictRecord, Gazetteer
from districtwatch.core.extraction.lexicon import Hit, Lexicon

__all__ = ["Target", "TargetFinder"]

_KIND_WORDS = ("district_words", "city_words")
_SILENT = Trace(enabled=False)
_LIST = ("list_joiners", "district_words")
_WEAK = "weak"  # _classify: the name needs a district word or a listed neighbour to count


@dataclass(slots=True)
class Target:
    """A place mention that may have changed hands; ``districts`` has several entries for shared names."""

    hit: Hit
    surface: str
    districts: list[DistrictRecord]
    provinces_named: set[str]
    how: str  # exact | skeleton | capital | place


class TargetFinder:
    """Turns a document's place hits into targets, with the reason for every mention it drops."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        lexicon: Lexicon,
        claimable_kinds: set[str],
        region_kinds: set[str] | None = None,
    ) -> None:
        self._gazetteer = gazetteer
        self._lexicon = lexicon
        self._claimable = claimable_kinds
        self._regions = region_kinds or set()

    def find(self, doc: Document, trace: Trace) -> list[Target]:
        """Targets of the document, in text order."""
        targets: list[Target] = []
        weak: list[Hit] = []
        accepted_weak: set[int] = set()
        for hit in doc.kinds("place"):
            found = self._classify(doc, hit, trace, allow_weak=False)
            if isinstance(found, Target):
                targets.append(found)
            elif found == _WEAK:
                weak.append(hit)
        # A weak name listed next to an accepted one inherits its standing ("ولسوالی های X، Y و Z"):
        # one pass each way carries the standing along a list in either direction.
        firsts = [t.hit.first for t in targets]
        for order in (weak, list(reversed(weak))):
            for hit in order:
                if id(hit) in accepted_weak:
                    continue
                index = bisect_left(firsts, hit.first)
                if any(doc.joined(hit, t.hit, _LIST) for t in targets[max(0, index - 1) : index + 1]):
                    accepted_weak.add(id(hit))
                    found = self._classify(doc, hit, trace, allow_weak=True)
                    if isinstance(found, Target):
                        targets.insert(index, found)
                        firsts.insert(index, hit.first)
        for hit in weak:
            if id(hit) not in accepted_weak:
                trace.add(
                    f"place {doc.text_of(hit)!r}: not a target: a common word or a short skeleton, "
                    "and no district/city word next to it"
                )
        kept = self._drop_qualifiers(doc, targets, trace)
        if doc.kinds("anaphors"):
            kept = sorted([*kept, *self._anaphors(doc, trace)], key=lambda t: t.hit.first)
        return kept

    def _anaphors(self, doc: Document, trace: Trace) -> list[Target]:
        """ "the city", «این شهرستان», «دا ښار»: the town or district named last before it, in its sentence or
        the one before, whatever role that mention had ("No fighting took place in Nilli. … Taliban are now
        in control of the city")."""
        found: list[Target] = []
        places = doc.kinds("place")
        tokens = doc.reading.tokens
        for word in doc.kinds("anaphors"):
            if self._locative(doc, word) or tokens[word.last].possessive:
                trace.add(f"{doc.text_of(word)!r}: a location or a possessive ('the city's streets')")
                continue
            if doc.after(word, ("place",), skipping=("seat_links", "fillers")):
                continue  # "the city of X", "the district X": a name follows, no reference back
            town = any(
                h.kind == "city_words" for i in range(word.first, word.last + 1) for h in doc.at_token[i]
            )
            here = doc.sentence_of[word.first]
            for place in reversed([p for p in places if p.last < word.first]):
                if doc.sentence_of[place.first] < here - 1:
                    break
                named = self._classify(doc, place, _SILENT, allow_weak=True, antecedent=True)
                if isinstance(named, Target) and (not town or self._a_town(doc, named)):
                    trace.add(f"{doc.text_of(word)!r}: refers back to {named.surface!r}")
                    found.append(
                        Target(word, doc.text_of(word), named.districts, named.provinces_named, "anaphor")
                    )
                    break
        return found

    def _a_town(self, doc: Document, target: Target) -> bool:
        """Can "the city" refer to this mention: a capital, a town of the gazetteer, or a name with a city
        word beside it (not a province named as a qualifier, "Balkh provincial council")?"""
        grp = target.hit.group
        return (
            target.how == "capital"
            or _beside(doc, target.hit, ("city_words",))
            or (grp is not None and any(p.kind in self._claimable for p in grp.places))
            or any(self._gazetteer.capital_district(d.province) == d for d in target.districts)
        )

    def _classify(
        self, doc: Document, hit: Hit, trace: Trace, *, allow_weak: bool, antecedent: bool = False
    ) -> Target | str | None:
        """A target, ``_WEAK`` (counts only with a neighbour's standing), or None.  As the ``antecedent``
        of "the city", a place counts whatever its role ("in X", "X's")."""
        grp = hit.group
        if grp is None:
            return None
        surface = doc.text_of(hit)
        tokens = doc.reading.tokens

        def reject(reason: str) -> None:
            trace.add(f"place {surface!r}: not a target: {reason}")

        kind_word = _beside(doc, hit, _KIND_WORDS)
        city_word = _beside(doc, hit, ("city_words",))
        province_word = _beside(doc, hit, ("province_words",)) or _listed_as_provinces(doc, hit)
        if not _beside(doc, hit, ("district_words",)) and _same_span(doc, hit, "district_words"):
            reject("the word for district itself (Iranian «شهرستان»), not the district of that name")
            return None
        capital = _capital_marked(doc, hit)
        seat = _seat_of(doc, hit)
        provinces = {p.name for p in grp.provinces}
        if (grp.weak or self._lexicon.skeleton_is_short(hit)) and not (kind_word or capital or allow_weak):
            return _WEAK
        if hit.how == "skeleton" and not tokens[hit.first].arabic and not tokens[hit.first].capitalized:
            reject("lower-case Latin words met only by skeleton")
            return None
        if _hyphen_compound(doc, hit):
            reject("part of a longer hyphenated name")
            return None
        if doc.after(hit, ("not_district_after",)) or doc.before(hit, ("not_district_before",)):
            reject("names a facility, not the district")
            return None
        if capital and provinces:
            return Target(hit, surface, self._capitals(provinces), provinces, "capital")
        if province_word and provinces and not doc.next_to(hit, ("district_words",)):
            reject("a province (it only helps to resolve same-named districts)")
            return None
        if not doc.next_to(hit, ("district_words",)) and any(p.kind in self._regions for p in grp.places):
            reject("a region spanning several districts; only 'X district' is the district")
            return None
        if doc.before(hit, ("area_before",)) or (not kind_word and doc.after(hit, ("area_after",))):
            reject("an area of that name ('X area', «منطقه X»), not the district")
            return None
        if _qualifies_an_area(doc, hit):
            reject("the district an area named before it lies in («منطقه X ولسوالی Y»)")
            return None
        districts = list(grp.districts)
        how = hit.how
        area = bool(doc.after(hit, ("area_after",)) or doc.before(hit, ("area_before",)))
        for place in grp.places:
            if place.kind in self._claimable and not area:
                record = self._gazetteer.district(place.province, place.district)
                if record is not None and record not in districts:
                    districts.append(record)
                    how = "place" if how == "exact" else how
        if not districts and city_word and provinces:
            return Target(hit, surface, self._capitals(provinces), provinces, "capital")
        if not districts:
            reject(
                "a province (it only helps to resolve same-named districts)"
                if provinces
                else "not a district (a place of another kind, or an area)"
            )
            return None
        if antecedent:
            return Target(hit, surface, districts, provinces, how)
        if tokens[hit.last].possessive and not seat:
            reject("possessive: qualifies what follows")
            return None
        if not seat and self._locative(doc, hit):
            reject("a location ('in X', 'near X'), not what was taken")
            return None
        if not tokens[hit.last].arabic and doc.after(hit, ("actor",)):
            reject("modifies the actor named right after it ('X police')")
            return None
        return Target(hit, surface, districts, provinces, how)

    def _capitals(self, provinces: set[str]) -> list[DistrictRecord]:
        found = (self._gazetteer.capital_district(name) for name in sorted(provinces))
        return [d for d in found if d is not None]

    @staticmethod
    def _locative(doc: Document, hit: Hit) -> bool:
        skip = ("district_words", "city_words", "fillers", "capital_after", "place_modifiers")
        found = doc.before(hit, ("locative_before",), skipping=skip) + doc.after(
            hit, ("locative_after",), skipping=skip
        )
        # "from" in "withdrew from X" belongs to the verb: X is what was left, not where
        return any(not doc.inside(marker, "verb") for marker in found)

    @staticmethod
    def _drop_qualifiers(doc: Document, targets: list[Target], trace: Trace) -> list[Target]:
        """A name that is both a province and a district, next to a district of that province in the same
        sentence, qualifies it ("Y's X", "ولسوالی X Y") unless a district word says
        otherwise."""
        provinces_in: dict[int, Counter[str]] = {}
        for target in targets:
            counts = provinces_in.setdefault(doc.sentence_of[target.hit.first], Counter())
            counts.update({d.province for d in target.districts})
        kept: list[Target] = []
        for target in targets:
            if (
                target.provinces_named
                and target.how != "capital"
                and not doc.next_to(target.hit, _KIND_WORDS)
            ):
                counts = provinces_in[doc.sentence_of[target.hit.first]]
                own = {d.province for d in target.districts}
                if any(counts[p] - (p in own) > 0 for p in target.provinces_named):
                    trace.add(f"place {target.surface!r}: a province qualifying another district here")
                    continue
            kept.append(target)
        return kept


_CAPITAL_SKIP = ("province_words", "fillers", "place_modifiers")
_CAPITAL_REACH = 4  # "the capital of the northeastern province of X": three words between
_LIST_REACH = 6  # names a capital word reaches along a list


_PROVINCE_LIST = ("list_joiners", "fillers")


def _listed_as_provinces(doc: Document, hit: Hit) -> bool:
    """A province word before or after a list covers every name in it: "the three northern provinces of
    Kunduz, Baghlan and Balkh", «کندهار، هلمند، بادغیس او غور ولایتونه»."""
    first = last = hit
    for _ in range(_LIST_REACH):
        previous = doc.before(first, ("place",), skipping=_PROVINCE_LIST)
        if not previous:
            break
        first = previous[0]
    for _ in range(_LIST_REACH):
        following = doc.after(last, ("place",), skipping=_PROVINCE_LIST)
        if not following:
            break
        last = following[0]
    if first is hit and last is hit:
        return False  # not in a list: only a word right beside it says "province"
    return bool(
        doc.before(first, ("province_words",), skipping=("place_modifiers", "fillers"))
        or doc.after(last, ("province_words",))
    )


def _capital_marked(doc: Document, hit: Hit) -> bool:
    """Does a capital word make this province name stand for its capital?  "capital of X", "X provincial
    capital", "the provincial capital of Afghanistan's northern X province", and every name listed after
    the marked one: "the capital cities of X and Y provinces"."""
    for _ in range(_LIST_REACH):
        if doc.before(hit, ("capital_before",), skipping=_CAPITAL_SKIP, reach=_CAPITAL_REACH) or doc.after(
            hit, ("capital_after",), skipping=("province_words",)
        ):
            return True
        previous = doc.before(hit, ("place",), skipping=("list_joiners", "province_words"))
        if not previous:
            return False
        hit = previous[0]
    return False


_SEAT_SKIP = ("seat_links", "fillers", "city_words", "district_words", "place_modifiers")


def _seat_of(doc: Document, hit: Hit) -> bool:
    """Is the place named as the town of a seat of power ("the governor's compound in X", "X's police
    headquarters")?  Taking the seat is taking the place, so "in X" and "X's" do not disqualify it here."""
    if doc.before(hit, ("seat_words",), skipping=_SEAT_SKIP, reach=3):
        return True
    return doc.reading.tokens[hit.last].possessive and bool(
        doc.after(hit, ("seat_words",), skipping=("fillers", "place_modifiers"))
    )


_JOINING = frozenset(" \t\u200c-")


def _beside(doc: Document, hit: Hit, kinds: tuple[str, ...]) -> bool:
    """A hit of ``kinds`` right before or after ``hit`` with nothing but spaces between: "the city,”
    Sherin" does not make Sherin a city."""
    text, tokens = doc.reading.text, doc.reading.tokens
    for other in doc.before(hit, kinds):
        if set(text[tokens[other.last].end : tokens[hit.first].start]) <= _JOINING:
            return True
    for other in doc.after(hit, kinds):
        if set(text[tokens[hit.last].end : tokens[other.first].start]) <= _JOINING:
            return True
    return False


def _same_span(doc: Document, hit: Hit, kind: str) -> bool:
    return any(
        h.kind == kind and h.first == hit.first and h.last == hit.last for h in doc.at_token[hit.first]
    )


def _qualifies_an_area(doc: Document, hit: Hit) -> bool:
    """ "منطقه X ولسوالی Y": Y is where the area X lies, so what changed hands is X, not Y."""
    for word in doc.before(hit, ("district_words",)):
        for area in doc.before(word, ("place",)):
            if doc.before(area, ("area_before",)) or doc.after(area, ("area_after",)):
                return True
    return False


def _hyphen_compound(doc: Document, hit: Hit) -> bool:
    """True when the name runs on past the match through a hyphen ("X" in "X-e-Y")."""
    text, tokens = doc.reading.text, doc.reading.tokens
    start, end = tokens[hit.first].start, tokens[hit.last].end
    after, before = text[end : end + 2], text[max(0, start - 2) : start]
    return (len(after) == 2 and after[0] == "-" and after[1].isalpha()) or (
        len(before) == 2 and before[1] == "-" and before[0].isalpha()
    )
