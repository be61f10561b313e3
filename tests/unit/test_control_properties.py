"""Replays shuffled within the corroboration window end in the same control state as ordered ones."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from districtwatch.core.control.policy import DistrictState, Place, Policy, apply_claim
from districtwatch.schemas import Alert, AlertStatus
from districtwatch.testing.records import make_claim

POLICY = Policy()
NOW = datetime(2030, 1, 1, tzinfo=UTC)

# Claims of one change from several accounts, all inside one window (minutes 0..600 of 1440).
claims_of_one_change = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e"]),  # account
        st.integers(min_value=0, max_value=600),  # minutes after T0
        st.booleans(),  # hedged
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda t: (t[0], t[1]),
)


def final_state(items: list[tuple[str, int, bool]]) -> DistrictState:
    state = DistrictState(district="Puli Hisar", province="Baghlan", controller="taliban")
    for account, minutes, hedged in items:
        claim = make_claim(account=account, minutes=minutes, hedged=hedged, post_id=f"{account}-{minutes}")
        state, _ = apply_claim(
            state, claim, policy=POLICY, is_trusted=lambda *_: False, place=Place(None, None), now=NOW
        )
    return state


@settings(max_examples=200, deadline=None)
@given(claims_of_one_change, st.randoms(use_true_random=False))
def test_controller_since_and_evidence_do_not_depend_on_arrival_order(
    items: list[tuple[str, int, bool]], rng: object
) -> None:
    ordered = final_state(sorted(items, key=lambda t: t[1]))
    shuffled_items = list(items)
    rng.shuffle(shuffled_items)  # type: ignore[attr-defined]
    shuffled = final_state(shuffled_items)
    assert shuffled.controller == ordered.controller
    assert shuffled.since == ordered.since
    evidence = lambda s: {e.post_id for e in s.pending.evidence} if s.pending else set()  # noqa: E731
    assert evidence(shuffled) == evidence(ordered)


# Claims of every kind about one district, from both sides and denials, over two days: the policy
# opens, confirms and contests changes, so arrival order matters to it; the ordered log must not.
mixed_claims = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),  # account
        st.integers(min_value=0, max_value=2 * 1440),  # minutes after T0
        st.sampled_from(["resistance", "taliban", "government", "loser-only", "denial"]),
        st.booleans(),  # hedged
    ),
    min_size=1,
    max_size=14,
    unique_by=lambda t: (t[0], t[1]),
)


def mixed_run(items: list[tuple[str, int, str, bool]]) -> tuple[DistrictState, list[Alert]]:
    state = DistrictState(district="Puli Hisar", province="Baghlan", controller="taliban")
    sent: list[Alert] = []
    for account, minutes, what, hedged in items:
        claim = make_claim(
            account=account,
            minutes=minutes,
            hedged=hedged,
            post_id=f"{account}-{minutes}",
            gained_by=None if what in ("loser-only", "denial") else what,
            lost_by="taliban" if what == "loser-only" else None,
            kind="denial" if what == "denial" else "change",
        )
        state, alerts = apply_claim(
            state, claim, policy=POLICY, is_trusted=lambda _p, a: a == "d", place=Place(None, None), now=NOW
        )
        sent.extend(alerts)
    return state, sent


def decided(state: DistrictState) -> dict[str, object]:
    """Everything the map, the history and the next decision depend on; not the ids, which name a
    change after the evidence that was first told (and that depends on arrival)."""
    return state.model_dump(
        exclude={
            "recent": True,
            "emitted": True,
            "log": True,
            "settled": True,
            "last_alert_id": True,
            "pending": {"change_id", "first_post_id"},
            "history": {"__all__": {"alert_id", "change_id"}},
        }
    )


def news(alert: Alert) -> tuple[str, str | None, str | None]:
    return alert.status.value, alert.gained_by, alert.lost_by


@settings(max_examples=300, deadline=None)
@given(mixed_claims, st.randoms(use_true_random=False))
def test_the_outcome_of_any_arrival_order_is_the_outcome_of_event_order(
    items: list[tuple[str, int, str, bool]], rng: object
) -> None:
    ordered_state, ordered_sent = mixed_run(sorted(items, key=lambda t: (t[1], f"{t[0]}-{t[1]}")))
    shuffled_items = list(items)
    rng.shuffle(shuffled_items)  # type: ignore[attr-defined]
    shuffled_state, shuffled_sent = mixed_run(shuffled_items)
    assert decided(shuffled_state) == decided(ordered_state)
    assert {news(a) for a in ordered_sent} <= {news(a) for a in shuffled_sent}, "news never sent"
    ids = [a.alert_id for a in shuffled_sent]
    assert len(ids) == len(set(ids)), "an alert was sent twice"
    told = [(a.change_id, *news(a)) for a in shuffled_sent]
    assert len(told) == len(set(told)), "a change was announced twice with the same status"


def test_a_claim_arriving_twice_late_is_one_claim() -> None:
    late = make_claim(account="a", minutes=5, post_id="late")
    items = [make_claim(account="b", minutes=10), late, make_claim(account="c", minutes=20), late]
    state = DistrictState(district="Puli Hisar", province="Baghlan", controller="taliban")
    for claim in items:
        state, _ = apply_claim(
            state, claim, policy=POLICY, is_trusted=lambda *_: False, place=Place(None, None), now=NOW
        )
    assert [c.post.id for c in state.log].count("late") == 1
    assert state.controller == "resistance"


@settings(max_examples=20, deadline=None)
@given(st.permutations(range(2)))
def test_claims_of_superseded_copies_do_not_count(order: list[int]) -> None:
    """Dedup passed on a later copy before the original (which names it): in either arrival order at
    the control stage the claim counts once, at the original's time, and is reported once."""
    original = make_claim(account="a", minutes=0, post_id="original")
    original = original.model_copy(
        update={"post": original.post.model_copy(update={"supersedes": ("copy",)})}
    )
    claims = [original, make_claim(account="b", minutes=5, post_id="copy")]
    state = DistrictState(district="Puli Hisar", province="Baghlan", controller="taliban")
    sent = []
    for i in order:
        state, alerts = apply_claim(
            state, claims[i], policy=POLICY, is_trusted=lambda *_: False, place=Place(None, None), now=NOW
        )
        sent.extend(alerts)
    assert [a.status for a in sent] == [AlertStatus.REPORTED]  # the copy's report was the original's
    assert state.controller == "taliban"  # one account: reported, not confirmed
    assert state.pending is not None
    assert {e.post_id for e in state.pending.evidence} == {"original"}
    assert state.pending.first_seen == original.post.created_at
