"""Exact-duplicate fingerprints ignore what reposting adds and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from districtwatch.core.dedup import RecentPost, fingerprint, judge, normalize_for_dedup, signature

ORIGINAL = "Pol-e-Hesar, Deh Salah and Banu districts in #Baghlan have been captured by the Resistance"


def test_retweet_prefix_urls_mentions_hashtags_and_emoji_do_not_change_the_fingerprint() -> None:
    variants = [
        f"RT @AsvakaNews: {ORIGINAL}",
        f"{ORIGINAL} https://t.co/abc123 🔥🔥",
        f"@someone {ORIGINAL.replace('#Baghlan', 'Baghlan')}",
        f"  {ORIGINAL.upper()}  ",
    ]
    assert {fingerprint(v) for v in variants} == {fingerprint(ORIGINAL)}


def test_different_claims_have_different_fingerprints() -> None:
    assert fingerprint(ORIGINAL) != fingerprint(ORIGINAL.replace("Banu", "Nahrin"))


def test_persian_text_survives_normalization() -> None:
    text = "ولسوالی پل‌حصار از طالبان پس گرفته شد"
    assert "پل" in normalize_for_dedup(text)
    assert fingerprint(text) == fingerprint(f"RT @PanjshirProvin1: {text}")


@given(st.text(max_size=300))
def test_normalization_is_idempotent(text: str) -> None:
    once = normalize_for_dedup(text)
    assert normalize_for_dedup(once) == once


def _recent(post_id: str, text: str, minutes: float = 0) -> RecentPost:
    return RecentPost(
        post_id,
        datetime(2021, 8, 20, tzinfo=UTC) + timedelta(minutes=minutes),
        fingerprint(text),
        signature(text),
    )


WINDOW = timedelta(hours=48)


def test_near_duplicate_with_a_different_prefix_is_linked_to_its_original() -> None:
    first = _recent("d034", "#فوری Taliban captured #Nahrin district of Baghlan")
    second = _recent("d035", "BREAKING: Taliban captured Nahrin district of Baghlan", minutes=3)
    seen = judge(first, (), window=WINDOW, threshold=0.7)
    again = judge(second, seen.recent, window=WINDOW, threshold=0.7)
    assert (seen.kind, again.kind, again.dup_of) == ("unique", "near", "d034")


def test_opposite_claim_about_the_same_place_is_not_a_duplicate() -> None:
    first = _recent("a", "Taliban captured Nahrin district of Baghlan")
    other = _recent("b", "Government recaptured Nahrin district of Baghlan", minutes=60)
    assert (
        judge(other, judge(first, (), window=WINDOW, threshold=0.7).recent, window=WINDOW, threshold=0.7).kind
        == "unique"
    )


def test_exact_copy_and_redelivery_and_window_expiry() -> None:
    first = _recent("a", "Taliban captured Nahrin district of Baghlan")
    recent = judge(first, (), window=WINDOW, threshold=0.7).recent
    assert (
        judge(
            _recent("b", "RT @x: Taliban captured Nahrin district of Baghlan", 5),
            recent,
            window=WINDOW,
            threshold=0.7,
        ).kind
        == "exact"
    )
    assert judge(first, recent, window=WINDOW, threshold=0.7).kind == "redelivered"
    late = judge(
        _recent("c", "Taliban captured Nahrin district of Baghlan", 49 * 60),
        recent,
        window=WINDOW,
        threshold=0.7,
    )
    assert late.kind == "unique"
    assert [r.post_id for r in late.recent] == ["c"]  # the first fell out of the window


def test_the_list_per_key_stays_bounded() -> None:
    from districtwatch.core.dedup import MAX_RECENT

    recent: tuple[RecentPost, ...] = ()
    for i in range(MAX_RECENT + 50):
        recent = judge(
            _recent(f"p{i}", f"post number {i} " + "x" * (i % 7) + str(i * 7919), i),
            recent,
            window=WINDOW,
            threshold=0.99,
        ).recent
    assert len(recent) == MAX_RECENT


def test_records_survive_the_table_round_trip() -> None:
    post = _recent("a", "Taliban captured Nahrin district of Baghlan")
    assert RecentPost.from_json(post.to_json()) == post


def test_retweet_prefix_names_the_original_author() -> None:
    from districtwatch.core.dedup import repost_author

    assert repost_author("RT @AsvakaNews: Pol-e-Hesar captured") == "AsvakaNews"
    assert repost_author("Pol-e-Hesar captured, says @AsvakaNews") is None


def test_an_original_arriving_after_its_copy_is_passed_on_and_supersedes_it() -> None:
    copy = _recent("copy", "RT @a: Taliban captured Nahrin district of Baghlan", minutes=5)
    original = _recent("original", "Taliban captured Nahrin district of Baghlan")
    after_copy = judge(copy, (), window=WINDOW, threshold=0.7)
    late_original = judge(original, after_copy.recent, window=WINDOW, threshold=0.7)
    assert (late_original.kind, late_original.dup_of, late_original.supersedes) == ("unique", None, ("copy",))
    # redelivered, it names the same copies (the first send may not have reached the broker)
    again = judge(original, late_original.recent, window=WINDOW, threshold=0.7)
    assert (again.kind, again.supersedes) == ("redelivered", ("copy",))
    # a third copy, later than the original, is its duplicate whatever else arrived first
    third = judge(
        _recent("third", "Taliban captured Nahrin district of Baghlan", 9),
        again.recent,
        window=WINDOW,
        threshold=0.7,
    )
    assert (third.kind, third.dup_of) == ("exact", "original")


@given(st.permutations(range(4)))
def test_which_posts_count_does_not_depend_on_arrival_order(order: list[int]) -> None:
    """Passed on and not superseded: the earliest copy, in any arrival order."""
    posts = [_recent(f"p{i}", f"RT @x{i}: Taliban captured Nahrin district of Baghlan", i) for i in range(4)]
    recent: tuple[RecentPost, ...] = ()
    passed: set[str] = set()
    withdrawn: set[str] = set()
    for i in order:
        judgement = judge(posts[i], recent, window=WINDOW, threshold=0.7)
        recent = judgement.recent
        if judgement.dup_of is None:
            passed.add(posts[i].post_id)
            withdrawn.update(judgement.supersedes)
    assert passed - withdrawn == {"p0"}
