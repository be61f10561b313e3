"""Who holds each district: the corroboration policy as pure transitions, no Faust.

A district's state is a :class:`DistrictState`; each claim (or denial) about it goes through
:func:`apply_claim`, which returns the new state and the alerts the claim causes. Everything is decided
on event time (the posts' ``created_at``), never the wall clock, so a replay gives the same alerts.

The policy, with its thresholds in :class:`Policy`:

- a claim that the district changed hands to someone other than its controller opens a *pending*
  change and emits ``reported``;
- independent accounts (one weight per account, however often it posts) add up: an unhedged claim
  weighs 1, a hedged one half, one from a trusted account the whole threshold; reaching the threshold
  within the corroboration window emits ``confirmed`` and hands the district over;
- a claim of a different change, or a denial, inside the window of a ``reported`` change emits
  ``contested``;
- a claim that only repeats the current controller is no change.

Claims reach the stage in arrival order, which is not event order: with several partitions the
claims about one district come from several extract streams, and a worker that takes over a dead
one's partitions re-reads them late. The policy itself is order-sensitive (a report opens a change
that later claims confirm or contest), so the state keeps the recent claims in event-time order
(``log``) and the state they start from (``settled``): a claim that arrives in order is one step; an
earlier one is inserted and the log is replayed from ``settled``. The outcome is then the outcome of
event order whatever the arrival order, as long as a claim is not older than the log's horizon (two
corroboration windows, or the last ``LOG_LIMIT`` claims); older ones are applied on top of the
settled state, as a late report. Alerts already sent (``emitted``) are not sent again; alerts sent
for an arrival order the replay no longer has stay sent (they were true of what was known).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from districtwatch.errors import RecordError
from districtwatch.schemas import Alert, AlertSource, AlertStatus, Claim, Verdict
from districtwatch.schemas.alert import AnalystCheck

HISTORY_LIMIT = 50
EVIDENCE_LIMIT = 20
EXCERPT_CHARS = 280
RECENT_LIMIT = 10
LOG_LIMIT = 64
EMITTED_LIMIT = 256


class Evidence(BaseModel):
    """One post counted for (or against) a pending change."""

    model_config = ConfigDict(frozen=True)

    post_id: str
    account: str
    platform: str
    via: str | None = None
    url: str | None = None
    excerpt: str
    created_at: datetime
    weight: float


class PendingChange(BaseModel):
    """A change of hands under corroboration."""

    model_config = ConfigDict(frozen=True)

    change_id: str
    gained_by: str | None = Field(description="None while only the loser is known.")
    lost_by: str | None
    status: AlertStatus
    first_seen: datetime
    first_post_id: str
    evidence: tuple[Evidence, ...] = ()
    against: tuple[Evidence, ...] = ()


class HistoryEntry(BaseModel):
    """A change of controller (or its reversal), as the control map shows it."""

    model_config = ConfigDict(frozen=True)

    controller: str | None
    since: datetime
    alert_id: str
    change_id: str
    status: AlertStatus
    analyst: AnalystCheck | None = None


class Told(BaseModel):
    """An alert already sent, as much of it as recognises the same news told again."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    change_id: str
    status: AlertStatus
    gained_by: str | None
    lost_by: str | None
    first_post_id: str


class DistrictState(BaseModel):
    """Everything known about one district's control; the control table's value."""

    model_config = ConfigDict(frozen=True)

    district: str
    province: str
    controller: str | None = None
    since: datetime | None = None
    confidence: float = 0.0
    last_alert_id: str | None = None
    analyst: AnalystCheck | None = Field(None, description="Verdict behind the current controller, if any.")
    pending: PendingChange | None = None
    history: tuple[HistoryEntry, ...] = ()
    denials: tuple[Evidence, ...] = Field(
        default=(),
        description="Denials that came with no report to contest: a later-arriving report meets them.",
    )
    recent: tuple[tuple[str, Alert], ...] = Field(
        default=(), description="The last alerts with the post that caused each, to re-send on redelivery."
    )
    log: tuple[Claim, ...] = Field(
        default=(), description="Recent claims in event-time order, replayed when an earlier one arrives."
    )
    settled: DistrictState | None = Field(
        None, description="The state before the claims of ``log`` (without its own log and alerts)."
    )
    emitted: tuple[Told, ...] = Field(default=(), description="The alerts already sent, latest last.")


@dataclass(frozen=True)
class Policy:
    """Thresholds of the corroboration policy (from settings)."""

    confirm_threshold: float = 2.0
    window: timedelta = timedelta(hours=24)
    hedged_weight: float = 0.5


@dataclass(frozen=True)
class Place:
    """Where a district is, for the alert."""

    lat: float | None
    lon: float | None


def district_key(province: str, district: str) -> str:
    """The key of a district in topics and tables: 'Province/District'."""
    return f"{province}/{district}"


def _digest(*parts: str | None) -> str:
    joined = "\x1f".join(part or "" for part in parts)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=10).hexdigest()


def _evidence(claim: Claim, weight: float) -> Evidence:
    post = claim.post
    return Evidence(
        post_id=post.id,
        account=post.account,
        platform=post.platform,
        via=post.via,
        url=post.url,
        excerpt=post.excerpt[:EXCERPT_CHARS],
        created_at=post.created_at,
        weight=weight,
    )


def independent_weight(evidence: tuple[Evidence, ...]) -> float:
    """Sum over accounts of each account's heaviest post: reposting oneself adds nothing."""
    best: dict[tuple[str, str], float] = {}
    for item in evidence:
        key = (item.platform.lower(), item.account.lower())
        best[key] = max(best.get(key, 0.0), item.weight)
    return sum(best.values())


def confidence(status: AlertStatus, weight: float, policy: Policy) -> float:
    """Confidence in [0, 1]: below 0.5 while reported, 0.7 to 1 once confirmed, halved if contested."""
    threshold = policy.confirm_threshold
    if status is AlertStatus.CONFIRMED:
        return round(0.7 + 0.3 * min(1.0, (weight - threshold) / threshold), 3)
    base = round(0.5 * min(weight, threshold) / threshold, 3)
    if status is AlertStatus.CONTESTED:
        return round(base / 2, 3)
    return min(base, 0.49)


def _alert(
    state: DistrictState,
    pending: PendingChange,
    status: AlertStatus,
    policy: Policy,
    place: Place,
    now: datetime,
) -> Alert:
    key = district_key(state.province, state.district)
    evidence = sorted(pending.evidence + pending.against, key=lambda e: (e.created_at, e.post_id))
    return Alert(
        alert_id=_digest(key, pending.gained_by, pending.lost_by, status.value, pending.first_post_id),
        change_id=pending.change_id,
        status=status,
        district=state.district,
        province=state.province,
        lat=place.lat,
        lon=place.lon,
        gained_by=pending.gained_by,
        lost_by=pending.lost_by,
        confidence=confidence(status, independent_weight(pending.evidence), policy),
        sources=[
            AlertSource(
                account=e.account,
                platform=e.platform,
                via=e.via,
                url=e.url,
                excerpt=e.excerpt,
                created_at=e.created_at,
            )
            for e in evidence[:EVIDENCE_LIMIT]
        ],
        first_seen=pending.first_seen,
        emitted_at=now,
    )


def _with_alert(state: DistrictState, alert: Alert, cause: str, **changes: object) -> DistrictState:
    return state.model_copy(
        update={
            "last_alert_id": alert.alert_id,
            "recent": (*state.recent, (cause, alert))[-RECENT_LIMIT:],
            **changes,
        }
    )


def _confirm(
    state: DistrictState, pending: PendingChange, cause: str, policy: Policy, place: Place, now: datetime
) -> tuple[DistrictState, Alert]:
    confirmed = pending.model_copy(update={"status": AlertStatus.CONFIRMED})
    alert = _alert(state, confirmed, AlertStatus.CONFIRMED, policy, place, now)
    entry = HistoryEntry(
        controller=confirmed.gained_by,
        since=pending.first_seen,
        alert_id=alert.alert_id,
        change_id=pending.change_id,
        status=alert.status,
    )
    new_state = _with_alert(
        state,
        alert,
        cause,
        controller=pending.gained_by,
        since=pending.first_seen,
        confidence=alert.confidence,
        analyst=None,
        pending=confirmed,
        history=(*state.history, entry)[-HISTORY_LIMIT:],
    )
    return new_state, alert


def _step(
    state: DistrictState,
    claim: Claim,
    *,
    policy: Policy,
    is_trusted: Callable[[str, str], bool],
    place: Place,
    now: datetime,
) -> tuple[DistrictState, list[Alert]]:
    """One claim on top of ``state``, as if it were the latest in event time; the alerts it causes."""
    at = claim.post.created_at
    pending = state.pending
    counted = pending.evidence + pending.against if pending else ()
    if any(e.post_id == claim.post.id for e in counted):
        # The same post again (at-least-once redelivery): nothing new, but re-send what it caused,
        # in case the crash came between the table update and the send. Alert ids make it harmless.
        return state, [alert for cause, alert in state.recent if cause == claim.post.id]
    if pending is not None and at - pending.first_seen > policy.window:
        pending = None  # the window closed; what was not confirmed by then stays a report
        state = state.model_copy(update={"pending": None})

    if claim.kind == "denial":
        if pending is None or pending.status is AlertStatus.CONFIRMED:
            # Nothing open to contest yet: the report may still arrive (partitions interleave), so
            # the denial is kept for the window and contests a report it falls inside.
            if any(d.post_id == claim.post.id for d in state.denials):
                return state, []  # redelivered
            kept = (*_within(state.denials, at, policy.window), _evidence(claim, 1.0))
            return state.model_copy(update={"denials": kept[-EVIDENCE_LIMIT:]}), []
        if claim.gained_by not in (None, pending.gained_by):
            return state, []  # denies some other change than the one reported
        return _contest(state, pending, claim, policy, place, now)
    if claim.gained_by is None and claim.lost_by is None:
        return state, []  # says nothing about who holds it
    if pending is not None and pending.status is AlertStatus.CONFIRMED and _same_change(pending, claim):
        # More evidence for a change already confirmed: kept (so the evidence does not depend on
        # arrival order), no new alert.
        grown = _grow(pending, claim, policy, is_trusted)
        since = grown.first_seen if state.controller == grown.gained_by else state.since
        return state.model_copy(update={"pending": grown, "since": since}), []
    if pending is None or pending.status is AlertStatus.CONFIRMED:
        if claim.gained_by is not None and claim.gained_by == state.controller:
            return state, []  # repeats the current controller: no change
        state, alerts = _open(state, claim, policy, is_trusted, place, now)
        return _contest_by_kept_denial(state, claim, alerts, policy, place, now)
    if not _same_change(pending, claim):
        if at < pending.first_seen and claim.gained_by is not None and claim.gained_by == pending.lost_by:
            # Older than the report and naming the side that held the district before it: it tells
            # of the state the change starts from, not against the change. Arriving before the
            # report it would have repeated the controller and been dropped; so it is dropped now
            # too, or the outcome would depend on arrival order (and on a redelivery after a crash).
            return state, []
        return _contest(state, pending, claim, policy, place, now)

    grown = _grow(pending, claim, policy, is_trusted)
    state = state.model_copy(update={"pending": grown})
    if grown.gained_by is not None and independent_weight(grown.evidence) >= policy.confirm_threshold:
        state, alert = _confirm(state, grown, claim.post.id, policy, place, now)
        return state, [alert]
    return state, []


def _grow(
    pending: PendingChange, claim: Claim, policy: Policy, is_trusted: Callable[[str, str], bool]
) -> PendingChange:
    return pending.model_copy(
        update={
            "evidence": (*pending.evidence, _evidence(claim, _weight(claim, policy, is_trusted)))[
                -EVIDENCE_LIMIT:
            ],
            "gained_by": pending.gained_by or claim.gained_by,
            "lost_by": pending.lost_by or claim.lost_by,
            # event time, not arrival order: a late-arriving earlier post moves the start back
            "first_seen": min(pending.first_seen, claim.post.created_at),
        }
    )


def _same_change(pending: PendingChange, claim: Claim) -> bool:
    """Whether ``claim`` supports the pending change: the same winner, or the same loser where the
    claim names no winner ("X was taken back from the Taliban")."""
    gained: str | None = claim.gained_by
    lost: str | None = claim.lost_by
    if gained is not None and pending.gained_by is not None:
        return gained == pending.gained_by
    if gained is None:
        return lost == pending.lost_by
    return gained != pending.lost_by


def _weight(claim: Claim, policy: Policy, is_trusted: Callable[[str, str], bool]) -> float:
    if is_trusted(claim.post.platform, claim.post.account):
        return policy.confirm_threshold
    return policy.hedged_weight if claim.hedged else 1.0


def _open(
    state: DistrictState,
    claim: Claim,
    policy: Policy,
    is_trusted: Callable[[str, str], bool],
    place: Place,
    now: datetime,
) -> tuple[DistrictState, list[Alert]]:
    weight = _weight(claim, policy, is_trusted)
    key = district_key(state.province, state.district)
    pending = PendingChange(
        change_id=_digest(key, claim.gained_by, claim.post.id),
        gained_by=claim.gained_by,
        lost_by=claim.lost_by or state.controller,
        status=AlertStatus.REPORTED,
        first_seen=claim.post.created_at,
        first_post_id=claim.post.id,
        evidence=(_evidence(claim, weight),),
    )
    if pending.gained_by is not None and weight >= policy.confirm_threshold:
        state, alert = _confirm(state, pending, claim.post.id, policy, place, now)
        return state, [alert]
    alert = _alert(state, pending, AlertStatus.REPORTED, policy, place, now)
    return _with_alert(state, alert, claim.post.id, pending=pending), [alert]


def _contest(
    state: DistrictState,
    pending: PendingChange | None,
    claim: Claim,
    policy: Policy,
    place: Place,
    now: datetime,
) -> tuple[DistrictState, list[Alert]]:
    if pending is None or pending.status is not AlertStatus.REPORTED:
        if pending is not None and pending.status is AlertStatus.CONTESTED:
            more = pending.model_copy(
                update={"against": (*pending.against, _evidence(claim, 1.0))[-EVIDENCE_LIMIT:]}
            )
            return state.model_copy(update={"pending": more}), []
        return state, []
    contested = pending.model_copy(
        update={"status": AlertStatus.CONTESTED, "against": (*pending.against, _evidence(claim, 1.0))}
    )
    alert = _alert(state, contested, AlertStatus.CONTESTED, policy, place, now)
    return _with_alert(state, alert, claim.post.id, pending=contested), [alert]


def _within(evidence: tuple[Evidence, ...], at: datetime, window: timedelta) -> tuple[Evidence, ...]:
    return tuple(e for e in evidence if abs(at - e.created_at) <= window)


def _contest_by_kept_denial(
    state: DistrictState, claim: Claim, alerts: list[Alert], policy: Policy, place: Place, now: datetime
) -> tuple[DistrictState, list[Alert]]:
    """A report just opened is contested at once by a kept denial of it from inside its window."""
    pending = state.pending
    if pending is None or pending.status is not AlertStatus.REPORTED:
        return state, alerts
    start = pending.first_seen
    for denial in state.denials:
        if start <= denial.created_at <= start + policy.window:
            denied = state.model_copy(update={"denials": tuple(d for d in state.denials if d is not denial)})
            as_claim = claim.model_copy(
                update={
                    "kind": "denial",
                    "post": claim.post.model_copy(
                        update={
                            "id": denial.post_id,
                            "account": denial.account,
                            "platform": denial.platform,
                            "via": denial.via,
                            "url": denial.url,
                            "excerpt": denial.excerpt,
                            "created_at": denial.created_at,
                        }
                    ),
                }
            )
            contested, more = _contest(denied, pending, as_claim, policy, place, now)
            return contested, [*alerts, *more]
    return state, alerts


Step = Callable[[DistrictState, Claim], tuple[DistrictState, list[Alert]]]


def _order(claim: Claim) -> tuple[datetime, str]:
    return claim.post.created_at, claim.claim_id


def apply_claim(
    state: DistrictState,
    claim: Claim,
    *,
    policy: Policy,
    is_trusted: Callable[[str, str], bool],
    place: Place,
    now: datetime,
) -> tuple[DistrictState, list[Alert]]:
    """The district's state after ``claim``, and the alerts to send for it (usually none or one).

    Decided in event order whatever the arrival order (see the module's docstring). ``now`` is only
    written into ``emitted_at``; no decision depends on it.
    """

    def step(current: DistrictState, one: Claim) -> tuple[DistrictState, list[Alert]]:
        return _step(current, one, policy=policy, is_trusted=is_trusted, place=place, now=now)

    if any(logged.claim_id == claim.claim_id for logged in state.log):
        # The same claim again (at-least-once redelivery): nothing new, but re-send what it caused,
        # in case the crash came between the table update and the send. Alert ids make it harmless.
        return state, [alert for cause, alert in state.recent if cause == claim.post.id]
    settled = state.settled if state.log and state.settled is not None else _bare(state)
    withdrawn = _withdrawn(state.log)
    if claim.post.id in withdrawn:
        # A later copy of a post already counted (see ``Claim.post.supersedes``): logged, not counted.
        new_state, candidates = state, list[Candidate]()
        log = tuple(sorted((*state.log, claim), key=_order))
    elif (not state.log or _order(claim) >= _order(state.log[-1])) and not _withdraws(claim, state.log):
        new_state, candidates = _told_step(step, state, claim)
        log = (*state.log, claim)
    else:
        log = tuple(sorted((*state.log, claim), key=_order))
        new_state, candidates = _replay(settled, log, step, _withdrawn(log))
    candidates = _counting_whole_changes(candidates, new_state)
    alerts, told, renames = _news(candidates, state.emitted, _superseded_by(log))
    settled, log = _fold(settled, log, policy, step)
    return _renamed(new_state, renames).model_copy(
        update={
            "recent": (*state.recent, *((claim.post.id, a) for a in alerts))[-RECENT_LIMIT:],
            "log": log,
            "settled": settled if log else None,
            "emitted": (*state.emitted, *told)[-EMITTED_LIMIT:],
        }
    ), alerts


Candidate = tuple[Alert, frozenset[str], str]


def _withdrawn(log: tuple[Claim, ...]) -> set[str]:
    """Posts whose claims do not count: later copies of an original that arrived after them."""
    return {post_id for logged in log for post_id in logged.post.supersedes}


def _withdraws(claim: Claim, log: tuple[Claim, ...]) -> bool:
    return any(logged.post.id in claim.post.supersedes for logged in log)


def _told_step(step: Step, state: DistrictState, claim: Claim) -> tuple[DistrictState, list[Candidate]]:
    """One step, each alert with the posts counted for its change and the change's first post."""
    new_state, alerts = step(state, claim)
    pending = new_state.pending
    out: list[Candidate] = []
    for alert in alerts:
        if pending is not None and pending.change_id == alert.change_id:
            counted = frozenset(e.post_id for e in pending.evidence + pending.against)
            out.append((alert, counted, pending.first_post_id))
        else:
            out.append((alert, frozenset(), ""))
    return new_state, out


def _counting_whole_changes(candidates: list[Candidate], final: DistrictState) -> list[Candidate]:
    """Each candidate with every post its change counts once this claim is applied, not only those
    counted at the step that raised it.

    Why: a change told from a later post and re-derived when an earlier post arrives late is raised
    at the step of the earlier post, before the later one is counted again; measured by that step
    alone it would not count the told alert's first post, and would be reported a second time under a
    new id (seen with the sample story when the filter read a batch partition by partition).
    """
    pending = final.pending
    if pending is None:
        return candidates
    counted = frozenset(e.post_id for e in pending.evidence + pending.against)
    return [
        (alert, posts | counted if alert.change_id == pending.change_id else posts, first)
        for alert, posts, first in candidates
    ]


def _superseded_by(log: tuple[Claim, ...]) -> dict[str, tuple[str, ...]]:
    return {c.post.id: c.post.supersedes for c in log if c.post.supersedes}


def _news(
    candidates: list[Candidate], told: tuple[Told, ...], superseded_by: dict[str, tuple[str, ...]]
) -> tuple[list[Alert], list[Told], dict[str, str]]:
    """The alerts not told yet, their records, and the ids of told ones a candidate repeats.

    A candidate repeats a told alert when it has its id, or the same status and sides and either counts
    the told change's first post (or an original of which that post was a copy) — the same change,
    re-derived after an earlier post arrived late (which moves its first evidence, so its id) — or
    belongs to the told change by id (a change told under a renamed id that a later replay splits in
    two: the part that keeps the id has nothing new to tell). It is not sent again, and the state names
    it as told.
    """
    sent: list[Alert] = []
    new: list[Told] = []
    renames: dict[str, str] = {}
    for alert, posts, first_post_id in candidates:
        counted = posts.union(*(superseded_by.get(post_id, ()) for post_id in posts))
        change_id = renames.get(alert.change_id, alert.change_id)  # as it would be told
        match = next(
            (
                t
                for t in (*told, *new)
                if t.alert_id == alert.alert_id
                or (
                    t.status is alert.status
                    and (t.gained_by, t.lost_by) == (alert.gained_by, alert.lost_by)
                    and (t.first_post_id in counted or t.change_id == change_id)
                )
            ),
            None,
        )
        if match is not None:
            renames[alert.alert_id] = match.alert_id
            renames[alert.change_id] = match.change_id
            continue
        alert = alert.model_copy(update={"change_id": change_id})
        sent.append(alert)
        new.append(
            Told(
                alert_id=alert.alert_id,
                change_id=alert.change_id,
                status=alert.status,
                gained_by=alert.gained_by,
                lost_by=alert.lost_by,
                first_post_id=first_post_id,
            )
        )
    return sent, new, renames


def _renamed(state: DistrictState, renames: dict[str, str]) -> DistrictState:
    """The state with the alerts and changes it names called as they were told."""
    if not renames:
        return state

    def name(value: str | None) -> str | None:
        return None if value is None else renames.get(value, value)

    pending = state.pending
    if pending is not None:
        pending = pending.model_copy(update={"change_id": renames.get(pending.change_id, pending.change_id)})
    history = tuple(
        entry.model_copy(
            update={
                "alert_id": renames.get(entry.alert_id, entry.alert_id),
                "change_id": renames.get(entry.change_id, entry.change_id),
            }
        )
        for entry in state.history
    )
    return state.model_copy(
        update={"pending": pending, "history": history, "last_alert_id": name(state.last_alert_id)}
    )


def _bare(state: DistrictState) -> DistrictState:
    """What a replay starts from: the state without its log; its recent alerts are not needed."""
    return state.model_copy(update={"log": (), "settled": None, "emitted": (), "recent": ()})


def _replay(
    settled: DistrictState, claims: tuple[Claim, ...], step: Step, withdrawn: set[str]
) -> tuple[DistrictState, list[Candidate]]:
    """``claims`` applied in order from ``settled``, but those of withdrawn copies; with what each caused."""
    state, candidates = settled, []
    for claim in claims:
        if claim.post.id not in withdrawn:
            state, caused = _told_step(step, state, claim)
            candidates.extend(caused)
    return state, candidates


def _fold(
    settled: DistrictState, log: tuple[Claim, ...], policy: Policy, step: Step
) -> tuple[DistrictState, tuple[Claim, ...]]:
    """Move the claims past the horizon from the log into the settled state (in halves, so that the
    cost of a fold is spread over many claims)."""
    horizon = log[-1].post.created_at - 2 * policy.window if log else None
    old = sum(1 for claim in log if horizon is not None and claim.post.created_at < horizon)
    if len(log) > LOG_LIMIT:
        old = max(old, len(log) - LOG_LIMIT // 2)
    if old == 0:
        return settled, log
    folded, _ = _replay(settled, log[:old], step, _withdrawn(log))
    return _bare(folded), log[old:]


def settle(state: DistrictState) -> DistrictState:
    """The state with its log folded in: what an analyst's verdict applies to (verdicts are anchors,
    claims older than one are applied on top of it)."""
    return state.model_copy(update={"log": (), "settled": None})


def claimed_controller(state: DistrictState) -> str | None:
    """The map's 'claimed' layer: who the latest open report says holds the district."""
    pending = state.pending
    if pending is not None and pending.status is not AlertStatus.CONFIRMED and pending.gained_by:
        return pending.gained_by
    return state.controller


def verdict_id(alert_id: str, verdict: str, by: str) -> str:
    """Deterministic id of a verdict: the same analyst deciding the same twice is one verdict."""
    return _digest(alert_id, verdict, by.strip().lower())


def apply_verdict(
    state: DistrictState, verdict: Verdict, *, now: datetime
) -> tuple[DistrictState, list[Alert]]:
    """The district's state after an analyst's verdict on one of its recent alerts, and the alert it causes.

    ``confirm`` makes the change final (confidence 1, marked analyst-confirmed); ``reject`` reverts the
    district to the controller before the change and emits ``retracted``. A verdict on an alert the
    district no longer remembers is a RecordError (dead-lettered with that reason).
    """
    already = [alert for cause, alert in state.recent if cause == verdict.verdict_id]
    if already:
        return state, already  # redelivered verdict
    state = settle(state)
    target = next((alert for _, alert in state.recent if alert.alert_id == verdict.alert_id), None)
    if target is None:
        raise RecordError(f"alert {verdict.alert_id} is not among the recent alerts of {state.district}")
    check = AnalystCheck(verdict=verdict.verdict, by=verdict.by, reason=verdict.reason, at=verdict.at)
    key = district_key(state.province, state.district)
    pending = state.pending if state.pending and state.pending.change_id == target.change_id else None
    is_current = pending is not None or (state.history and state.history[-1].change_id == target.change_id)
    if not is_current:
        raise RecordError(f"alert {verdict.alert_id} concerns a change of {state.district} superseded since")

    if verdict.verdict == "confirm":
        status, confidence_now = AlertStatus.CONFIRMED, 1.0
    else:
        status, confidence_now = AlertStatus.RETRACTED, 0.0
    alert = target.model_copy(
        update={
            "alert_id": _digest(key, target.change_id, status.value, "analyst", verdict.verdict_id),
            "status": status,
            "confidence": confidence_now,
            "analyst": check,
            "emitted_at": now,
        }
    )
    if verdict.verdict == "confirm":
        controller = target.gained_by if target.gained_by is not None else state.controller
        since = target.first_seen
        closed = pending.model_copy(update={"status": AlertStatus.CONFIRMED}) if pending else state.pending
        analyst: AnalystCheck | None = check
    else:
        changed_hands = state.controller == target.gained_by and target.gained_by is not None
        controller = target.lost_by if changed_hands else state.controller
        since = verdict.at if changed_hands else state.since
        closed = None
        analyst = check if changed_hands else state.analyst
    entry = HistoryEntry(
        controller=controller,
        since=since or verdict.at,
        alert_id=alert.alert_id,
        change_id=target.change_id,
        status=status,
        analyst=check,
    )
    new_state = state.model_copy(
        update={
            "controller": controller,
            "since": since,
            "confidence": confidence_now if verdict.verdict == "confirm" else state.confidence,
            "analyst": analyst,
            "pending": closed,
            "history": (*state.history, entry)[-HISTORY_LIMIT:],
            "last_alert_id": alert.alert_id,
            "recent": (*state.recent, (verdict.verdict_id, alert))[-RECENT_LIMIT:],
        }
    )
    return new_state, [alert]
