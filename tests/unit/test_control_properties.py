"""Replays shuffled within the corroboration window end in the same control state as ordered ones."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from districtwatch.control import DistrictState, Place, Policy, apply_claim
from districtwatch.testing import make_claim

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
