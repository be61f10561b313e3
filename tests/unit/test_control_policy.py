"""The corroboration policy: reported, confirmed, contested, no change; on event time only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from districtwatch.core.control.policy import (
    DistrictState,
    Place,
    Policy,
    apply_claim,
    apply_verdict,
    claimed_controller,
)
from districtwatch.errors import RecordError
from districtwatch.schemas import Alert, AlertStatus, Claim, Verdict
from districtwatch.testing.records import make_claim

POLICY = Policy()
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def run(
    claims: list[Claim],
    *,
    trusted: set[str] = frozenset(),
    controller: str | None = "taliban",
    now: datetime = NOW,
) -> tuple[DistrictState, list[Alert]]:
    state = DistrictState(district="Puli Hisar", province="Baghlan", controller=controller)
    emitted: list[Alert] = []
    for claim in claims:
        state, alerts = apply_claim(
            state,
            claim,
            policy=POLICY,
            is_trusted=lambda _p, a: a in trusted,
            place=Place(35.6, 69.3),
            now=now,
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
    _, alerts = run(
        [
            make_claim(account="a", hedged=True),
            make_claim(account="b", minutes=1),
            make_claim(account="c", hedged=True, minutes=2),
        ]
    )
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONFIRMED]


def test_repeating_the_current_controller_is_no_change() -> None:
    state, alerts = run([make_claim(gained_by="taliban", account="a")])
    assert alerts == []
    assert state.controller == "taliban"


def test_denial_or_opposite_claim_inside_the_window_contests_a_report() -> None:
    _, alerts = run(
        [make_claim(account="a"), make_claim(kind="denial", gained_by=None, account="b", minutes=30)]
    )
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONTESTED]
    _, alerts = run(
        [
            make_claim(account="a", gained_by="government"),
            make_claim(account="b", gained_by="resistance", minutes=30),
        ]
    )
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONTESTED]


def test_an_older_claim_for_the_previous_controller_does_not_contest_in_either_order() -> None:
    """Taliban hold it; "the Taliban took it" at 00:00 and "the government retook it" at 00:05 give
    one report of the government whichever arrives first (a crash can redeliver the older one late)."""
    older = make_claim(account="a", gained_by="taliban", minutes=0)
    newer = make_claim(account="b", gained_by="government", minutes=5)
    for order in ([older, newer], [newer, older]):
        state, alerts = run(order)
        assert [(a.status, a.gained_by) for a in alerts] == [(AlertStatus.REPORTED, "government")]
        assert state.pending is not None
        assert state.pending.status is AlertStatus.REPORTED
    _, later = run([newer, make_claim(account="a", gained_by="taliban", minutes=30)])
    assert [a.status for a in later] == [AlertStatus.REPORTED, AlertStatus.CONTESTED]


def test_corroboration_outside_the_window_starts_a_new_report() -> None:
    state, alerts = run([make_claim(account="a"), make_claim(account="b", minutes=25 * 60)])
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.REPORTED]
    assert alerts[0].change_id != alerts[1].change_id
    assert state.controller == "taliban"


def test_redelivered_claim_resends_the_same_alert_and_changes_nothing() -> None:
    first = make_claim(account="a")
    state, alerts = run([first, make_claim(account="b", minutes=3)])
    again, resent = apply_claim(
        state, first, policy=POLICY, is_trusted=lambda *_: False, place=Place(None, None), now=NOW
    )
    assert again == state
    assert [a.alert_id for a in resent] == [alerts[0].alert_id]


def test_alert_ids_do_not_depend_on_the_wall_clock() -> None:
    claims = [make_claim(account="a", post_id="x1"), make_claim(account="b", minutes=9, post_id="x2")]
    _, early = run(claims, now=datetime(2021, 8, 20, tzinfo=UTC))
    _, late = run(claims, now=datetime(2031, 8, 20, tzinfo=UTC))
    assert [a.model_dump(exclude={"emitted_at"}) for a in early] == [
        a.model_dump(exclude={"emitted_at"}) for a in late
    ]


def test_unknown_controller_reads_as_unknown_loser() -> None:
    _, alerts = run([make_claim(account="a")], controller=None)
    assert alerts[0].lost_by is None


def test_a_claim_naming_only_the_loser_corroborates_a_change_away_from_it() -> None:
    """'X was taken back from the Taliban' supports 'resistance took X' (the Dari post of the story)."""
    state, alerts = run(
        [
            make_claim(account="AsvakaNews"),
            make_claim(account="PanjshirProvin1", gained_by=None, lost_by="taliban", minutes=50),
        ]
    )
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONFIRMED]
    assert alerts[-1].gained_by == "resistance"
    assert state.controller == "resistance"


def test_a_loser_only_claim_alone_reports_but_never_hands_over() -> None:
    state, alerts = run(
        [
            make_claim(account="a", gained_by=None, lost_by="taliban"),
            make_claim(account="b", gained_by=None, lost_by="taliban", minutes=5),
        ]
    )
    assert [a.status for a in alerts] == [AlertStatus.REPORTED]
    assert alerts[0].gained_by is None
    assert state.controller == "taliban"


def _verdict(alert: Alert, verdict: str, by: str = "analyst@desk") -> Verdict:
    from districtwatch.core.control.policy import verdict_id

    return Verdict(
        verdict_id=verdict_id(alert.alert_id, verdict, by),
        alert_id=alert.alert_id,
        district=alert.district,
        province=alert.province,
        verdict=verdict,
        by=by,
        reason="checked",
        at=NOW,
    )


def test_rejecting_a_confirmed_change_reverts_the_district_and_retracts() -> None:
    state, alerts = run([make_claim(account="a"), make_claim(account="b", minutes=5)])
    assert state.controller == "resistance"
    state, retracted = apply_verdict(state, _verdict(alerts[-1], "reject"), now=NOW)
    assert [a.status for a in retracted] == [AlertStatus.RETRACTED]
    assert retracted[0].analyst is not None
    assert retracted[0].analyst.by == "analyst@desk"
    assert state.controller == "taliban"
    assert state.history[-1].status is AlertStatus.RETRACTED


def test_confirming_a_report_hands_over_with_full_confidence() -> None:
    state, alerts = run([make_claim(account="a")])
    state, confirmed = apply_verdict(state, _verdict(alerts[0], "confirm"), now=NOW)
    assert [a.status for a in confirmed] == [AlertStatus.CONFIRMED]
    assert confirmed[0].confidence == 1.0
    assert state.controller == "resistance"
    assert state.analyst is not None


def test_a_redelivered_verdict_changes_nothing_and_resends_its_alert() -> None:
    state, alerts = run([make_claim(account="a")])
    verdict = _verdict(alerts[0], "reject")
    once, first = apply_verdict(state, verdict, now=NOW)
    twice, second = apply_verdict(once, verdict, now=NOW)
    assert twice == once
    assert [a.alert_id for a in second] == [a.alert_id for a in first]


def test_a_verdict_on_an_unknown_alert_is_a_record_error() -> None:
    state, alerts = run([make_claim(account="a")])
    bogus = _verdict(alerts[0], "confirm").model_copy(update={"alert_id": "nope"})
    with pytest.raises(RecordError, match="not among the recent alerts"):
        apply_verdict(state, bogus, now=NOW)


def test_claimed_layer_shows_open_reports_assessed_layer_does_not() -> None:
    state, _ = run([make_claim(account="a")])
    assert claimed_controller(state) == "resistance"
    assert state.controller == "taliban"


def test_a_denial_of_another_change_does_not_contest() -> None:
    _, alerts = run(
        [
            make_claim(account="a", gained_by="resistance"),
            make_claim(kind="denial", gained_by="government", account="b", minutes=30),
        ]
    )
    assert [a.status for a in alerts] == [AlertStatus.REPORTED]


def test_a_denial_arriving_before_its_report_still_contests_it() -> None:
    """Partitions interleave: the denial (event time 30) may reach the control stage before the report (0)."""
    _, alerts = run(
        [make_claim(kind="denial", gained_by=None, account="b", minutes=30), make_claim(account="a")]
    )
    assert [a.status for a in alerts] == [AlertStatus.REPORTED, AlertStatus.CONTESTED]


def test_a_kept_denial_from_before_the_report_does_not_contest_it() -> None:
    _, alerts = run(
        [
            make_claim(kind="denial", gained_by=None, account="b", minutes=0),
            make_claim(account="a", minutes=60),
        ]
    )
    assert [a.status for a in alerts] == [AlertStatus.REPORTED]


@pytest.mark.parametrize("same_account", [False, True])
def test_a_report_arriving_after_a_later_one_is_not_told_again(same_account: bool) -> None:
    """Arrival is not event order (partitions interleave): the later post is told first as a report;
    when the earlier one arrives it belongs to the same change, so that change is not reported again
    under a new id — with a second account it is now confirmed, with the same account nothing is new."""
    earlier = make_claim(account="AsvakaNews")
    later = make_claim(account="AsvakaNews" if same_account else "PanjshirProvin1", minutes=50)
    state, alerts = run([later, earlier])
    expected = [AlertStatus.REPORTED] if same_account else [AlertStatus.REPORTED, AlertStatus.CONFIRMED]
    assert [a.status for a in alerts] == expected
    assert len({a.change_id for a in alerts}) == 1
    assert state.controller == ("taliban" if same_account else "resistance")
