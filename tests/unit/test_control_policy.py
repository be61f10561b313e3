"""The corroboration policy: reported, confirmed, contested, no change; on event time only."""

from __future__ import annotations

from datetime import UTC, datetime

from districtwatch.control import DistrictState, Place, Policy, apply_claim
from districtwatch.schemas import Alert, AlertStatus, Claim
from districtwatch.testing import make_claim

POLICY = Policy()
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def run(claims: list[Claim], *, trusted: set[str] = frozenset(), controller: str | None = "taliban",
        now: datetime = NOW) -> tuple[DistrictState, list[Alert]]:
    state = DistrictState(district="Puli Hisar", province="Baghlan", controller=controller)
    emitted: list[Alert] = []
    for claim in claims:
        state, alerts = apply_claim(
            state, claim, policy=POLICY, is_trusted=lambda _p, a: a in trusted, place=Place(35.6, 69.3), now=now
        )
        emitted.extend(alerts)
    return state, emitted


def test_one_account_reports_two_independent_accounts_confirm() -> None:
    state, alerts = run([make_claim(account="AsvakaNews"), make_claim(account="PanjshirProvin1", minutes=50)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONFIRMED]
    assert state.controller == "resistance"
    assert alerts[1].lost_by == "taliban"
    assert {s.account for s in alerts[1].sources} == {"AsvakaNews", "PanjshirProvin1"}
    assert alerts[0].change_id == alerts[1].change_id
    assert alerts[0].confidence < 0.5 <= alerts[1].confidence


def test_the_same_account_twice_does_not_confirm() -> None:
    state, alerts = run([make_claim(account="a"), make_claim(account="a", minutes=5)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED]
    assert state.controller == "taliban"


def test_a_trusted_account_confirms_alone() -> None:
    state, alerts = run([make_claim(account="MoD")], trusted={"MoD"})
    assert [a.status for a in alerts] == [AlertStatus.CONFIRMED]
    assert state.controller == "resistance"


def test_hedged_claims_count_half() -> None:
    _, alerts = run([make_claim(account="a", hedged=True), make_claim(account="b", hedged=True, minutes=1)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED]
    _, alerts = run([make_claim(account="a", hedged=True), make_claim(account="b", minutes=1),
                     make_claim(account="c", hedged=True, minutes=2)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONFIRMED]


def test_repeating_the_current_controller_is_no_change() -> None:
    state, alerts = run([make_claim(gained_by="taliban", account="a")])
    assert alerts == []
    assert state.controller == "taliban"


def test_denial_or_opposite_claim_inside_the_window_contests_a_report() -> None:
    _, alerts = run([make_claim(account="a"), make_claim(kind="denial", gained_by=None, account="b", minutes=30)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONTESTED]
    _, alerts = run([make_claim(account="a", gained_by="government"),
                     make_claim(account="b", gained_by="resistance", minutes=30)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONTESTED]


def test_corroboration_outside_the_window_starts_a_new_report() -> None:
    state, alerts = run([make_claim(account="a"), make_claim(account="b", minutes=25 * 60)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.REPORTED]
    assert alerts[0].change_id != alerts[1].change_id
    assert state.controller == "taliban"


def test_redelivered_claim_resends_the_same_alert_and_changes_nothing() -> None:
    first = make_claim(account="a")
    state, alerts = run([first, make_claim(account="b", minutes=3)])
    again, resent = apply_claim(state, first, policy=POLICY, is_trusted=lambda *_: False, place=Place(None, None), now=NOW)
    assert again == state
    assert [a.alert_id for a in resent] == [alerts[0].alert_id]


def test_alert_ids_do_not_depend_on_the_wall_clock() -> None:
    claims = [make_claim(account="a", post_id="x1"), make_claim(account="b", minutes=9, post_id="x2")]
    _, early = run(claims, now=datetime(2021, 8, 20, tzinfo=UTC))
    _, late = run(claims, now=datetime(2031, 8, 20, tzinfo=UTC))
    assert [a.model_dump(exclude={"emitted_at"}) for a in early] == [a.model_dump(exclude={"emitted_at"}) for a in late]


def test_unknown_controller_reads_as_unknown_loser() -> None:
    _, alerts = run([make_claim(account="a")], controller=None)
    assert alerts[0].lost_by is None


def test_a_claim_naming_only_the_loser_corroborates_a_change_away_from_it() -> None:
    """'X was taken back from the Taliban' supports 'resistance took X' (the Dari post of the story)."""
    state, alerts = run([make_claim(account="AsvakaNews"),
                         make_claim(account="PanjshirProvin1", gained_by=None, lost_by="taliban", minutes=50)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONFIRMED]
    assert alerts[-1].gained_by == "resistance"
    assert state.controller == "resistance"


def test_a_loser_only_claim_alone_reports_but_never_hands_over() -> None:
    state, alerts = run([make_claim(account="a", gained_by=None, lost_by="taliban"),
                         make_claim(account="b", gained_by=None, lost_by="taliban", minutes=5)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED]
    assert alerts[0].gained_by is None
    assert state.controller == "taliban"
