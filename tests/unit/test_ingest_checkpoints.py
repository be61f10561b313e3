"""Checkpoints survive restarts, are replaced atomically, and a damaged one is an error, not a reset."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from districtwatch.core.accounts import Account
from districtwatch.ingest.base import Checkpoint, Seen
from districtwatch.ingest.checkpoints import CheckpointError, CheckpointStore

ACCOUNT = Account(platform="mastodon", handle="kabulreport@mastodon.example")
CHECKPOINT = Checkpoint(
    last_seq=106790001000000004,
    last_id="mastodon:https://mastodon.example/users/kabulreport/statuses/106790001000000004",
    recent={
        "mastodon:x/1": Seen(106790001000000001, "a1b2"),
        "mastodon:x/4": Seen(106790001000000004, "c3d4"),
    },
    newest_post_at=datetime(2021, 8, 20, 7, 45, 12, tzinfo=UTC),
)


def test_a_saved_checkpoint_loads_back_equal_in_a_new_store(tmp_path: Path) -> None:
    """What one ingester process saved, the next one reads (ids beyond 2**53 intact)."""
    CheckpointStore(tmp_path).save(ACCOUNT, CHECKPOINT)
    assert CheckpointStore(tmp_path).load(ACCOUNT) == CHECKPOINT


def test_no_checkpoint_yet_is_none(tmp_path: Path) -> None:
    assert CheckpointStore(tmp_path / "missing").load(ACCOUNT) is None


def test_saving_replaces_the_file_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    """Write-then-rename: after two saves there is exactly one file, holding the second."""
    store = CheckpointStore(tmp_path)
    store.save(ACCOUNT, Checkpoint(1, "a"))
    store.save(ACCOUNT, CHECKPOINT)
    assert [p.name for p in tmp_path.iterdir()] == [store.path(ACCOUNT).name]
    assert store.load(ACCOUNT) == CHECKPOINT


def test_a_failed_save_keeps_the_previous_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the rename never happens (crash, full disk), the old checkpoint is still whole."""
    store = CheckpointStore(tmp_path)
    store.save(ACCOUNT, CHECKPOINT)

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        store.save(ACCOUNT, Checkpoint(1, "newer"))
    monkeypatch.undo()
    assert store.load(ACCOUNT) == CHECKPOINT
    assert len(list(tmp_path.iterdir())) == 1


def test_a_damaged_checkpoint_is_an_error_naming_the_file(tmp_path: Path) -> None:
    """Silently starting over would re-emit or skip posts; the operator is told which file to fix."""
    store = CheckpointStore(tmp_path)
    store.save(ACCOUNT, CHECKPOINT)
    store.path(ACCOUNT).write_text('{"format": 1, "last_seq": "oops"', encoding="utf-8")
    with pytest.raises(CheckpointError, match=str(store.path(ACCOUNT).name)):
        store.load(ACCOUNT)


def test_handles_that_look_alike_get_their_own_files(tmp_path: Path) -> None:
    """Characters replaced in file names must not make two accounts share a checkpoint."""
    store = CheckpointStore(tmp_path)
    one = Account(platform="mastodon", handle="a.b@x.example")
    other = Account(platform="mastodon", handle="a_b@x.example")
    assert store.path(one) != store.path(other)
    assert store.path(Account(platform="telegram", handle="@Chan")) == store.path(
        Account(platform="telegram", handle="chan")
    )
