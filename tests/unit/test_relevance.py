"""The filter's decision about one raw post: dead-letter reasons, relevance, the dedup key, labels."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest

from districtwatch.core.accounts import AccountRegistry
from districtwatch.core.dedup import RecentPost, fingerprint, judge, signature
from districtwatch.core.extraction import Extractor
from districtwatch.core.relevance import Passed, Rejected, Screen
from districtwatch.schemas import Post

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


def key_of(text: str, account: str = "AsvakaNews", registry: AccountRegistry = REGISTRY) -> bytes | None:
    outcome = screen(registry=registry)(raw(text, account))
    assert isinstance(outcome, Passed)
    return outcome.key


def test_a_claim_passes_keyed_by_what_it_claims() -> None:
    outcome = screen()(raw(CLAIM))
    assert isinstance(outcome, Passed)
    assert outcome.key == b"Baghlan/Dih Salah:change:taliban>resistance"


def test_copies_that_word_a_claim_differently_share_the_key_and_other_claims_do_not() -> None:
    other_wording = "Taliban lost Deh Salah district (Baghlan) to the resistance forces today"
    other_district = CLAIM.replace("Deh Salah", "Banu")
    assert key_of(other_wording) == key_of(CLAIM)
    assert key_of(other_district) != key_of(CLAIM)


ARGHANDAB = "Taliban captured Arghandab district"  # a district of Zabul, and one of Kandahar
HOMES = AccountRegistry.parse(
    "accounts:\n"
    "  - {platform: twitter, handle: ZabulNews, home_province: Zabul}\n"
    "  - {platform: twitter, handle: KandaharNews, home_province: Kandahar}\n"
)


def test_the_same_words_from_accounts_of_two_home_provinces_get_through_as_two_claims() -> None:
    """The key is read with the account's home province, as the extract stage reads the post: the same
    words about a district name two provinces share, from a Zabul and a Kandahar account, are two
    claims that dedup never compares, not one post and its copy."""
    recent: dict[bytes, tuple[RecentPost, ...]] = {}
    claims: list[tuple[str, str]] = []
    for n, account in enumerate(("ZabulNews", "KandaharNews")):
        outcome = screen(registry=HOMES)(raw(ARGHANDAB, account, id=f"p{n}"))
        assert isinstance(outcome, Passed)
        assert outcome.key is not None, f"{account}'s post judged irrelevant"
        post = outcome.post
        this = RecentPost(post.id, post.created_at, fingerprint(post.text), signature(post.text))
        judgement = judge(this, recent.get(outcome.key, ()), window=timedelta(hours=48), threshold=0.8)
        recent[outcome.key] = judgement.recent
        assert judgement.dup_of is None, f"{account}'s post judged a copy of {judgement.dup_of}"
        claims += [(c.province, c.district) for c in extract_stage_reading(post).claims]
    assert claims == [("Zabul", "Arghandab"), ("Kandahar", "Arghandab")]


def extract_stage_reading(post: Post) -> Any:
    """What the extract stage reads from a post (its inputs written out, so the test runs on any version)."""
    home = HOMES.home_province(post.platform, post.account)
    return extractor().extract(post.text, home_province=home, at=post.created_at)


def test_the_filter_and_the_extract_stage_read_a_post_with_one_function() -> None:
    """One reading of a post: the key the filter sends it by names what the extract stage then claims."""
    from districtwatch.core.relevance import claims_key, read_post

    post = Post.model_validate(
        {
            "id": "1",
            "platform": "twitter",
            "account": "ZabulNews",
            "text": ARGHANDAB,
            "created_at": datetime(2021, 8, 12, 9, 0).isoformat() + "Z",
        }
    )
    reading = read_post(extractor(), HOMES, post)
    assert reading == extract_stage_reading(post)
    assert claims_key(reading) == b"Zabul/Arghandab:change:>taliban"
    assert key_of(ARGHANDAB, "ZabulNews", HOMES) == claims_key(reading)


def test_a_name_left_ambiguous_keys_by_its_candidates_not_by_nothing() -> None:
    """From an account with no home province the name stays ambiguous (extract dead-letters it): such
    posts meet their own copies, not every post that claims nothing."""
    assert key_of(ARGHANDAB, "stranger", HOMES) == b"?Kandahar/Arghandab,Zabul/Arghandab"
    assert key_of("Taliban captured Kabul", "stranger", HOMES) != key_of(ARGHANDAB, "stranger", HOMES)


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
