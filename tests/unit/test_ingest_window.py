"""What counts as new, edited and deleted since a checkpoint: the rules every source shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from districtwatch.ingest.base import Checkpoint, Item, Seen
from districtwatch.ingest.window import reconcile
from districtwatch.schemas import Post

T0 = datetime(2021, 8, 20, 6, 0, tzinfo=UTC)


def item(seq: int, text: str = "", *, edited: bool = False) -> Item:
    post = Post(
        id=f"telegram:chan/{seq}",
        platform="telegram",
        account="chan",
        created_at=T0 + timedelta(minutes=seq),
        text=text or f"post {seq}",
    )
    return Item(seq, post, version=text or f"post {seq}", edited_at=T0 if edited else None)


def test_first_poll_produces_only_the_newest_backfill_posts_oldest_first() -> None:
    """Adding an account does not replay its history: the newest `backfill` posts, in order."""
    result = reconcile([item(5), item(3), item(4), item(2)], None, backfill=2)
    assert [p.id for p in result.posts] == ["telegram:chan/4", "telegram:chan/5"]
    assert result.checkpoint is not None
    assert result.checkpoint.last_seq == 5
    assert set(result.checkpoint.recent) == {"telegram:chan/4", "telegram:chan/5"}
    assert result.fetched == 4


def test_first_poll_with_backfill_zero_starts_at_the_newest_post_without_producing() -> None:
    """backfill 0 means "from now on": nothing produced, but the next poll starts after the newest."""
    result = reconcile([item(1), item(2)], None, backfill=0)
    assert result.posts == ()
    assert result.checkpoint is not None
    assert result.checkpoint.last_seq == 2


def test_an_empty_first_poll_leaves_no_checkpoint() -> None:
    """An account with no posts yet stays on its first poll."""
    assert reconcile([], None, backfill=20).checkpoint is None


def test_only_posts_above_the_checkpoint_are_new() -> None:
    """Posts at or below last_seq are not produced again, whatever order the source gave."""
    since = Checkpoint(3, "telegram:chan/3", {"telegram:chan/3": Seen(3, "post 3")})
    result = reconcile([item(5), item(2), item(3), item(4)], since, backfill=20)
    assert [p.id for p in result.posts] == ["telegram:chan/4", "telegram:chan/5"]
    assert result.new == 2
    assert result.checkpoint is not None
    assert result.checkpoint.last_seq == 5
    assert result.checkpoint.newest_post_at == T0 + timedelta(minutes=5)


def test_an_edit_of_a_produced_post_is_produced_again_with_the_same_id_after_the_new_ones() -> None:
    """A changed version re-emits the post (same id, new text); unchanged ones stay quiet."""
    since = Checkpoint(
        3, "telegram:chan/3", {"telegram:chan/2": Seen(2, "post 2"), "telegram:chan/3": Seen(3, "post 3")}
    )
    result = reconcile([item(2), item(3, "corrected", edited=True), item(4)], since, backfill=20)
    assert [(p.id, p.text) for p in result.posts] == [
        ("telegram:chan/4", "post 4"),
        ("telegram:chan/3", "corrected"),
    ]
    assert result.edited == 1
    assert result.checkpoint is not None
    assert result.checkpoint.recent["telegram:chan/3"] == Seen(3, "corrected")


def test_a_produced_post_missing_from_the_covered_range_is_reported_deleted_and_forgotten() -> None:
    """Deletion is inferred only where the source read every post (covered), never below it."""
    recent = {f"telegram:chan/{n}": Seen(n, f"post {n}") for n in (1, 2, 3, 4)}
    since = Checkpoint(4, "telegram:chan/4", recent)
    result = reconcile([item(2), item(4), item(5)], since, backfill=20, covered=2)
    assert result.deleted == ("telegram:chan/3",)  # 1 is below the covered range: unknown, kept
    assert [p.id for p in result.posts] == ["telegram:chan/5"]
    assert result.checkpoint is not None
    assert "telegram:chan/3" not in result.checkpoint.recent
    assert "telegram:chan/1" in result.checkpoint.recent


def test_without_a_covered_range_nothing_is_inferred_deleted() -> None:
    """A source that cannot tell (X's timeline with a pinned tweet) reports no deletions."""
    since = Checkpoint(4, "telegram:chan/4", {"telegram:chan/3": Seen(3, "post 3")})
    assert reconcile([item(4)], since, backfill=20).deleted == ()


def test_the_checkpoint_remembers_a_bounded_number_of_recent_posts() -> None:
    """The recent list keeps the newest `keep` posts, so checkpoint files stay small."""
    result = reconcile([item(n) for n in range(1, 11)], None, backfill=10, keep=3)
    assert result.checkpoint is not None
    assert sorted(s.seq for s in result.checkpoint.recent.values()) == [8, 9, 10]


def test_a_post_read_twice_in_one_poll_counts_once() -> None:
    """Overlapping pages (newest page plus a walk forward) do not produce a post twice."""
    since = Checkpoint(1, "telegram:chan/1")
    result = reconcile([item(2), item(3), item(3), item(2)], since, backfill=20)
    assert [p.id for p in result.posts] == ["telegram:chan/2", "telegram:chan/3"]
