"""The filter's decision about one raw post: dead-letter reasons, relevance, the dedup key, labels."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from districtwatch.accounts import AccountRegistry
from districtwatch.extraction import Extractor
from districtwatch.screening import Passed, Rejected, Screen, claims_key

REGISTRY = AccountRegistry.parse(
    "accounts:\n  - {platform: twitter, handle: AsvakaNews, home_province: Baghlan}\n"
)
CLAIM = "Resistance forces have retaken Deh Salah district of Baghlan from the Taliban."


@cache
def extractor() -> Extractor:
    return Extractor.load()


def screen(unknown_accounts: Any = "accept", registry: AccountRegistry = REGISTRY) -> Screen:
    return Screen(extractor(), registry, max_post_chars=500, unknown_accounts=unknown_accounts)


def raw(text: str, account: str = "AsvakaNews", **fields: Any) -> bytes:
    post = {"id": "1", "platform": "twitter", "account": account, "created_at": "2021-08-20T08:12:00Z"}
    return json.dumps({**post, "text": text, **fields}).encode()


def test_a_claim_passes_keyed_by_what_it_claims() -> None:
    outcome = screen()(raw(CLAIM))
    assert isinstance(outcome, Passed)
    assert outcome.key == b"Baghlan/Dih Salah:change:taliban>resistance"
    assert outcome.key == claims_key(extractor(), CLAIM)


def test_copies_that_word_a_claim_differently_share_the_key_and_other_claims_do_not() -> None:
    other_wording = "Taliban lost Deh Salah district (Baghlan) to the resistance forces today"
    other_district = CLAIM.replace("Deh Salah", "Banu")
    assert claims_key(extractor(), other_wording) == claims_key(extractor(), CLAIM)
    assert claims_key(extractor(), other_district) != claims_key(extractor(), CLAIM)


@pytest.mark.parametrize(
    "text",
    [
        "Heavy rain expected in Kabul tomorrow; roads to Bamyan may close.",  # a place, no change
        "Arsenal took the lead in the second half.",  # a verb of change, no place
    ],
)
def test_a_valid_post_without_a_claim_passes_as_irrelevant(text: str) -> None:
    outcome = screen()(raw(text))
    assert isinstance(outcome, Passed)
    assert outcome.key is None


@pytest.mark.parametrize(
    ("record", "kind", "says"),
    [
        (b"{not json", "decode", "malformed JSON"),
        (None, "decode", "empty record"),
        (b'{"id": "1", "text": "\xff"}', "decode", "not UTF-8"),
        (raw("x", created_at=None), "decode", "created_at"),
        (raw("x" * 501), "too_large", "501 characters, over the limit of 500"),
        (raw("x" * 7000), "decode", "exceeds the limit"),  # too big to be worth decoding at all
    ],
)
def test_bad_records_are_rejected_with_a_reason(record: bytes | None, kind: str, says: str) -> None:
    outcome = screen()(record)
    assert isinstance(outcome, Rejected)
    assert (outcome.kind, says in outcome.reason) == (kind, True), outcome.reason


def test_unknown_accounts_are_rejected_only_when_the_settings_say_so() -> None:
    record = raw(CLAIM, account="someone_else")
    assert isinstance(screen("accept")(record), Passed)
    outcome = screen("deadletter")(record)
    assert outcome == Rejected("unknown_account", "twitter:someone_else is not registered")


def test_a_retweet_prefix_names_the_reposted_author() -> None:
    outcome = screen()(raw(f"RT @PanjshirProvin1: {CLAIM}"))
    assert isinstance(outcome, Passed)
    assert outcome.post.repost_of_account == "PanjshirProvin1"


def test_account_labels_are_bounded_to_the_registry() -> None:
    known = screen()(raw("hello", account="AsvakaNews"))
    stranger = screen()(raw("hello", account="stranger"))
    assert isinstance(known, Passed)
    assert isinstance(stranger, Passed)
    assert screen().account_label(known.post) == "AsvakaNews"
    assert screen().account_label(stranger.post) == "unregistered"
    # with no registry configured, every account is its own label
    assert screen(registry=AccountRegistry(())).account_label(stranger.post) == "stranger"


def test_a_record_the_screen_fails_on_is_rejected_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = Extractor.load()

    def fail(text: str) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(broken, "is_relevant", fail)
    outcome = Screen(broken, REGISTRY, max_post_chars=500, unknown_accounts="accept")(raw(CLAIM))
    assert outcome == Rejected("error", "the filter failed on this record: RuntimeError('boom')")
