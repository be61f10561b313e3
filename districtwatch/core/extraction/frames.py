"""What a sentence says about a target: which verb governs it, and who gained and lost by it.

The verb's *frame* (from the keyword pack) says how to read the actors around it:

* an actor right after a gainer marker ("to", "by", "به دست", "د … لاس ته") gained; one after a loser
  marker ("from", "از", "له … څخه") lost — markers are read before word order, because they are explicit;
* otherwise the nearest unmarked actor before the verb is its subject, and the frame's ``agent`` gives its
  role (a capture verb's subject gained, a loss verb's subject lost); an expel verb's object lost;
* when nobody is named as gainer: a state verb elsewhere in the sentence ("…; <party> now in control"),
  then the loser's opponent, then the frame's default (in the shipped pack, a district that "fell" fell
  to one named party).

Also here: negation (a negated change is a denial), passive voice (switches the frame), predictions
(a threat or plan before the verb; after a noun of change too), history (a year before the post's own),
follow verbs ("X fell; Y followed" repeats the earlier clause's change), counter-statements ("…; the
government says fighting is ongoing" hedges the claim it answers) and the hedge policy described in
``claims``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from districtwatch.core.extraction.document import Document, Sentence, Trace
from districtwatch.core.extraction.keywords import FrameSpec, KeywordPack, actor_at
from districtwatch.core.extraction.lexicon import Hit
from districtwatch.core.extraction.targets import Target

__all__ = ["FrameReader", "Verdict"]

_YEAR_RE = re.compile(r"^(1[34]\d\d|19\d\d|20\d\d)$")  # Gregorian, and Solar Hijri years 1300-1499
_NEGATION_REACH = 3  # tokens between a negation and its verb ("has not yet fallen")
_NEGATION_AFTER_REACH = 2
_PASSIVE_REACH = 2  # tokens between an auxiliary and its verb ("was reportedly captured")
_EXPLICIT = ("marker", "agent", "state")
_LISTED = ("list_joiners", "district_words", "city_words", "province_words", "adverbs", "fillers", "place")


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a sentence speaks of one target."""

    gained_by: str | None
    lost_by: str | None
    hedged: bool
    kind: Literal["change", "denial"]
    rule: str


class FrameReader:
    """Applies the pack's frames, markers and sentence-level words to one target at a time."""

    def __init__(self, pack: KeywordPack) -> None:
        self._frames: dict[str, FrameSpec] = dict(pack.frames)
        self._opponents = {name: actor.opponent for name, actor in pack.actors.items()}

    def verdict(
        self,
        doc: Document,
        target: Target,
        clause_targets: list[Target],
        post_hedged: bool,
        trace: Trace,
        at: datetime | None = None,
    ) -> Verdict | None:
        """The change (or denial) ``target``'s sentence states, or None with the reason traced;
        ``clause_targets`` are all the targets of its clause (itself included)."""
        sentence = doc.sentences[doc.sentence_of[target.hit.first]]
        label = f"place {target.surface!r}"
        if self._history(doc, sentence, at):
            trace.add(f"{label}: the sentence is about the past (history marker or 'in <year>')")
            return None
        if doc.in_sentence("off_topic", sentence):
            trace.add(f"{label}: the sentence is about something else (sport, weather, a disaster)")
            return None
        verb = self._verb_for(doc, sentence, target.hit)
        if verb is None:
            trace.add(f"{label}: no verb of change in its clause")
            return None
        said = doc.text_of(verb)
        if not self._attached(doc, target, verb, clause_targets):
            trace.add(f"{label}: not attached to {said!r}: other words stand between, and it is in no list")
            return None
        negated = self._negated(doc, verb)
        clause = doc.clause_of[target.hit.first]
        # A denial governs the change it precedes or shares a clause with ("denied that X fell", "reports
        # that X fell are false"); in a later clause of its own it answers a claim: "X fell; officials
        # deny it" is a hedged change.
        denials = doc.in_sentence("denials", sentence)
        answering = [h for h in denials if h.first > verb.last and doc.clause_of[h.first] > clause]
        denied = len(answering) < len(denials)
        kind: Literal["change", "denial"] = "denial" if (negated or denied) else "change"
        if kind == "change":
            if any(doc.clause_of[h.first] == clause for h in doc.in_sentence("ongoing", sentence)):
                trace.add(f"{label}: its clause tells of fighting or a siege, not a change")
                return None
            if any(
                clause in (doc.clause_of[h.first], doc.clause_of[h.last])
                for h in doc.kinds("past_references")
            ):
                trace.add(f"{label}: its clause refers back to an earlier change ('since the fall of')")
                return None
            if self._predicted(doc, verb):
                trace.add(f"{label}: a threat, plan or prediction governs {said!r}")
                return None
            if sentence.question:
                trace.add(f"{label}: the sentence is a question")
                return None
        governing, governed_sentence = verb, sentence
        if self._frames[verb.value].follows:
            found = self._antecedent(doc, verb)
            if found is None:
                trace.add(f"{label}: {said!r} follows no earlier change")
                return None
            governing = found
            governed_sentence = doc.sentences[doc.sentence_of[found.first]]
        frame_name = governing.value
        frame = self._frames[frame_name]
        passive = self._passive(doc, governing)
        if passive and frame.passive:
            frame_name = frame.passive
            frame = self._frames[frame_name]
        gained, lost, source = self._roles(doc, governed_sentence, governing, frame, at)
        if source == "default" and not doc.only_known_between(target.hit, verb):
            if kind == "change":
                trace.add(
                    f"{label}: {said!r} names no gainer, and other words stand between it and the place"
                )
                return None
            gained, source = None, "none"
        if kind == "change":
            if frame.requires_gainer and source not in _EXPLICIT:
                trace.add(f"{label}: {said!r} counts only with a named gainer, and none is named")
                return None
            if frame.requires_loser and lost is None:
                trace.add(f"{label}: {said!r} counts only with a named loser, and none is named")
                return None
            if gained is None and lost is None:
                trace.add(f"{label}: {said!r}, but no party gained or lost")
                return None
        hedged = (
            post_hedged
            or bool(answering)
            or self._hedged(doc, sentence, clause, gained, lost)
            or self._countered(doc, sentence, clause)
        )
        rule = (
            f"{verb.lang}.{frame_name}{'.passive' if passive and verb.value != frame_name else ''}:{source}"
        )
        if kind == "denial":
            rule += ":negated" if negated else ":denied"
        trace.add(f"{label}: verb {said!r} -> {rule}")
        return Verdict(gained, lost, hedged, kind, rule)

    def post_hedged(self, doc: Document) -> bool:
        """A hedge in a sentence that names no place ("UNCONFIRMED" on a line of its own) covers the post."""
        place_sentences = {doc.sentence_of[h.first] for h in doc.kinds("place")}
        return any(doc.sentence_of[h.first] not in place_sentences for h in doc.kinds("hedges"))

    # -- sentence-level -------------------------------------------------------------------------------

    @staticmethod
    def _history(doc: Document, sentence: Sentence, at: datetime | None) -> bool:
        """History words, or a dated year ("in 2015", "۱۳۷۵ کال") before the post's own year: a dateline
        ("22nd March, 2021") or "since May 2021" in a post of 2021 is today's news."""
        if doc.in_sentence("history", sentence):
            return True
        tokens = doc.reading.tokens
        return any(
            _YEAR_RE.match(tokens[i].key)
            and _before_the_post(int(tokens[i].key), at)
            and (
                doc.ending_at(i - 1, ("history_year_before",))
                or doc.starting_at(i + 1, ("history_year_after",))
            )
            for i in sentence.tokens
        )

    @staticmethod
    def _hedged(doc: Document, sentence: Sentence, clause: int, gained: str | None, lost: str | None) -> bool:
        """Hedge words always hedge; a claim word hedges unless its claimant is a party to the change, and
        only up to a contrast ("<party> claimed X was retaken, but Y has since fallen": Y is told, not
        claimed)."""
        if doc.in_sentence("hedges", sentence):
            return True
        contrasts = [doc.clause_of[h.first] for h in doc.in_sentence("contrasts", sentence)]
        for word in doc.in_sentence("claim_words", sentence):
            said = doc.clause_of[word.first]
            if any(min(said, clause) < c <= max(said, clause) for c in contrasts):
                continue
            claimants = [a for a in doc.in_sentence("actor", sentence) if a.last < word.first]
            claimant = claimants[-1].value if claimants else None
            if claimant is None or claimant not in (gained, lost):
                return True
        return False

    @staticmethod
    def _countered(doc: Document, sentence: Sentence, clause: int) -> bool:
        """A counter-statement answers the claim: "<party> captured X; the government says fighting is
        ongoing".  It must stand in another clause of the sentence, or in a sentence of the post, that names
        no place of its own ("…; fighting continues in Y" is news about Y, not an answer)."""
        with_place = doc.clauses_with("place")
        place_sentences = {doc.sentence_of[h.first] for h in doc.kinds("place")}
        for hit in doc.kinds("counter_statements"):
            where = doc.clause_of[hit.first]
            if where == clause or where in with_place:
                continue
            told_in = doc.sentence_of[hit.first]
            if told_in == sentence.index or told_in not in place_sentences:
                return True
        return False

    # -- the verb -------------------------------------------------------------------------------------

    def _antecedent(self, doc: Document, verb: Hit) -> Hit | None:
        """The change a "followed" verb repeats: the nearest verb of change before its clause, in its
        sentence or the one before ("X fell on Monday; Tulak followed hours later")."""
        clause = doc.clause_of[verb.first]
        here = doc.sentence_of[verb.first]
        earlier = [
            v
            for v in doc.kinds("verb")
            if v.last < verb.first
            and doc.clause_of[v.first] < clause
            and here - 1 <= doc.sentence_of[v.first] <= here
            and not self._frames[v.value].follows
        ]
        return earlier[-1] if earlier else None

    @staticmethod
    def _verb_for(doc: Document, sentence: Sentence, place: Hit) -> Hit | None:
        """Nearest verb in the place's clause; else in the next clause, when a clause-break word opens it
        and it names no place ("X district, which had been besieged for weeks, fell to <party>").
        A clause opened by punctuation is never borrowed from ("X — <party> took the palace"), except
        by a clause of bare names after it: "<party> capture a third provincial capital: X"."""
        clause = doc.clause_of[place.first]
        verbs = [v for v in doc.in_sentence("verb", sentence) if not doc.after(v, ("not_change_after",))]
        candidates = [v for v in verbs if doc.clause_of[v.first] == clause]
        if not candidates:
            following = [v for v in verbs if doc.clause_of[v.first] == clause + 1]
            opener = next((i for i in sentence.tokens if doc.clause_of[i] == clause + 1), None)
            if (
                following
                and opener is not None
                and doc.starting_at(opener, ("clause_breaks",))
                and clause + 1 not in doc.clauses_with("place")
            ):
                candidates = following
            elif _bare_names(doc, sentence, clause):
                candidates = [
                    v
                    for v in verbs
                    if doc.clause_of[v.first] == clause - 1 and clause - 1 not in doc.clauses_with("place")
                ]
        if not candidates:
            return None
        return min(candidates, key=lambda v: (_distance(v, place), v.first))

    @staticmethod
    def _attached(doc: Document, target: Target, verb: Hit, clause_targets: list[Target]) -> bool:
        """Is the target what the verb is about?  Targets with only known words between them and the verb
        are; so are targets listed with those ("Bangi, Chal and Namak Ab").  A target separated from the
        verb by unknown words, while another target is not, is about something else ("The fall of X
        ... shocked Y").  When no target is close, all are kept: words unknown to the pack are not
        evidence enough to drop a claim."""
        close = [t for t in clause_targets if doc.only_known_between(t.hit, verb)]
        if not close or any(t is target for t in close):
            return True
        reached = list(close)
        pending = [t for t in clause_targets if all(t is not c for c in close)]
        while pending:
            joined = [t for t in pending if any(doc.joined(t.hit, r.hit, _LISTED) for r in reached)]
            if not joined:
                return False
            if any(t is target for t in joined):
                return True
            reached.extend(joined)
            pending = [t for t in pending if all(t is not j for j in joined)]
        return False

    @staticmethod
    def _negated(doc: Document, verb: Hit) -> bool:
        clause = doc.clause_of[verb.first]
        if any(
            verb.first - _NEGATION_REACH <= h.last < verb.first and doc.clause_of[h.first] == clause
            for h in doc.kinds("negations_before")
        ):
            return True
        return any(
            verb.last < h.first <= verb.last + _NEGATION_AFTER_REACH and doc.clause_of[h.first] == clause
            for h in doc.kinds("negations_after")
        )

    def _predicted(self, doc: Document, verb: Hit) -> bool:
        """A threat, plan or modal before the verb in its clause; after it too for a noun of change ("the
        fall of X would be a major turning point")."""
        clause = doc.clause_of[verb.first]
        nominal = self._frames[verb.value].nominal
        # h.first, not h.last: a prediction may end with the verb itself ("to retake")
        return any(
            (h.first < verb.first or nominal) and doc.clause_of[h.first] == clause and not _a_date(doc, h)
            for h in doc.kinds("predictions")
        )

    @staticmethod
    def _passive(doc: Document, verb: Hit) -> bool:
        return any(
            verb.first - _PASSIVE_REACH <= h.last < verb.first for h in doc.kinds("passive_auxiliaries")
        )

    # -- the actors -----------------------------------------------------------------------------------

    @staticmethod
    def _marked_role(doc: Document, actor: Hit) -> str | None:
        """ "gained_by" / "lost_by" when a marker right before or after the actor says so, "oblique" for a
        party the change was fought with ("with government forces", «با نیروهای دولتی»), else None."""
        for hit in doc.before(actor, _MARKERS_BEFORE, skipping=("fillers",)):
            return _ROLE_OF[hit.kind]
        for hit in doc.after(actor, _MARKERS_AFTER):
            return _ROLE_OF[hit.kind]
        return None

    def _roles(
        self, doc: Document, sentence: Sentence, verb: Hit, frame: FrameSpec, at: datetime | None
    ) -> tuple[str | None, str | None, str]:
        clause = doc.clause_of[verb.first]
        roles = [(a, self._marked_role(doc, a)) for a in doc.in_sentence("actor", sentence)]
        # "with Taliban fighters taking control of the city": the party right before the verb is its subject
        # (English word order only: in Dari the verb ends the clause, «با نیروهای دولتی تصرف کرد»)
        if not doc.reading.tokens[verb.first].arabic:
            roles = [(a, None if r == "oblique" and a.last + 1 == verb.first else r) for a, r in roles]
        in_clause = [(a, r) for a, r in roles if doc.clause_of[a.first] == clause]
        gainer = _nearest([a for a, r in in_clause if r == "gained_by"], verb)
        loser = _nearest([a for a, r in in_clause if r == "lost_by"], verb)
        gained = gainer.value if gainer else None
        lost = loser.value if loser else None
        source = "marker" if gained else "none"
        subjects = [a for a, r in roles if r is None and a.last < verb.first]
        objects = [a for a, r in in_clause if r is None and a.first > verb.last]
        subject = _owner(doc, _head(doc, subjects)) if subjects else None
        relative = _relative_subject(doc, verb)
        if relative is not None:
            subject = relative
        # The subject of an active verb of gain gained; a "to <party>" after the verb is about something
        # else ("captured X, in what would be a major blow to government forces").
        if frame.agent == "gained_by" and subject and (gainer is None or gainer.first > verb.last):
            gained, source = subject, "agent"
        if frame.agent == "lost_by" and lost is None and subject:
            lost = subject
        if frame.patient == "lost_by" and lost is None and objects:
            lost = objects[0].value
        if gained is None:
            gained = self._holder(doc, sentence, verb)
            source = "state" if gained else source
        if gained is None and lost is not None:
            gained = actor_at(self._opponents.get(lost), at)
            source = "opponent" if gained else source
        if gained is None and frame.default_gained_by is not None:
            gained, source = actor_at(frame.default_gained_by, at), "default"
        if lost == gained:
            lost = None
        return gained, lost, source

    def _holder(self, doc: Document, sentence: Sentence, verb: Hit) -> str | None:
        """The subject of a state verb elsewhere in the sentence ("…; <party> now in control")."""
        for other in doc.in_sentence("verb", sentence):
            if other is verb or not self._frames[other.value].state:
                continue
            clause = doc.clause_of[other.first]
            subjects = [
                a
                for a in doc.in_sentence("actor", sentence)
                if a.last < other.first
                and doc.clause_of[a.first] == clause
                and self._marked_role(doc, a) is None
            ]
            if subjects:
                return subjects[-1].value
        return None


_SOLAR_HIJRI_END = 1500  # years below are Solar Hijri (1400 began in March 2021)
_SOLAR_HIJRI_OFFSET = 622  # a Solar Hijri year plus this is the Gregorian year it ends in


def _before_the_post(year: int, at: datetime | None) -> bool:
    """Is the year earlier than the post's (every year is, when the post's time is unknown)?"""
    if at is None:
        return True
    gregorian = year + _SOLAR_HIJRI_OFFSET if year < _SOLAR_HIJRI_END else year
    return gregorian < at.year


def _a_date(doc: Document, word: Hit) -> bool:
    """A modal that is a month's name in a date: "on May 21", "in May", "21 May" (no prediction)."""
    tokens = doc.reading.tokens
    after = tokens[word.last + 1].key if word.last + 1 < len(tokens) else ""
    before = tokens[word.first - 1].key if word.first > 0 else ""
    return after.isdigit() or before.isdigit() or bool(doc.ending_at(word.first - 1, ("month_before",)))


_MARKERS_BEFORE = ("gainer_before", "loser_before", "oblique_before")
_MARKERS_AFTER = ("gainer_after", "loser_after", "oblique_after")
_ROLE_OF = {
    "gainer_before": "gained_by",
    "gainer_after": "gained_by",
    "loser_before": "lost_by",
    "loser_after": "lost_by",
    "oblique_before": "oblique",
    "oblique_after": "oblique",
}


def _head(doc: Document, subjects: list[Hit]) -> Hit:
    """The first of coordinated subjects: "ANDSF and Public Uprising Forces liberated X" names the army
    first, and the army is the party the claim is about."""
    head = subjects[-1]
    text, tokens = doc.reading.text, doc.reading.tokens
    for previous in reversed(subjects[:-1]):
        between = text[tokens[previous.last].end : tokens[head.first].start]
        # a comma ends the pair: "…between Taliban and government forces, and the militants seize X"
        if "," in between or "،" in between or not doc.joined(previous, head, ("list_joiners", "fillers")):
            break
        head = previous
    return head


def _relative_subject(doc: Document, verb: Hit) -> str | None:
    """ "…a deal with the Taliban, which has taken control of X": the party right before "which" is the
    subject of the relative clause, whatever marked it in the clause before."""
    clause = doc.clause_of[verb.first]
    first = next((i for i in range(verb.first, -1, -1) if doc.clause_of[i] != clause), -1) + 1
    if first == 0 or not doc.starting_at(first, ("relatives",)):
        return None
    for actor in doc.ending_at(first - 1, ("actor",)):
        return actor.value
    return None


def _owner(doc: Document, actor: Hit) -> str:
    """The party an actor belongs to: "the Taliban's Ministry of Defense" is the Taliban."""
    if actor.first > 0 and doc.reading.tokens[actor.first - 1].possessive:
        for owner in doc.ending_at(actor.first - 1, ("actor",)):
            return owner.value
    return actor.value


def _distance(a: Hit, b: Hit) -> int:
    return max(a.first - b.last, b.first - a.last, 0)


def _nearest(candidates: list[Hit], verb: Hit) -> Hit | None:
    return min(candidates, key=lambda a: _distance(a, verb)) if candidates else None


_NAME_PARTS = (
    "place",
    "list_joiners",
    "district_words",
    "province_words",
    "city_words",
    "fillers",
    "capital_before",
    "capital_after",
    "place_modifiers",
)


def _bare_names(doc: Document, sentence: Sentence, clause: int) -> bool:
    """True when the clause holds nothing but place names and the words that join or label them
    ("Sharana, the regional capital of Paktika, and …"); a capitalized word the gazetteer does not know
    counts as a name too ("… Imam Sahib, Gul Tapa, and Dasht-e-Archi")."""
    members = [i for i in sentence.tokens if doc.clause_of[i] == clause]
    tokens = doc.reading.tokens
    return bool(members) and all(
        any(h.kind in _NAME_PARTS for h in doc.at_token.get(i, ()))
        or (i not in doc.covered and tokens[i].capitalized and not tokens[i].arabic)
        for i in members
    )
