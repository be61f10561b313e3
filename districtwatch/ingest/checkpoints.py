"""Per-account checkpoints on disk: one small JSON file each, replaced atomically.

The poller saves a checkpoint only after the broker acknowledged every post it covers, so a crash
loses nothing (posts between the ack and the save are produced again on restart and the dedup stage
recognises them by id) and a clean stop repeats nothing. A file is written beside its final name,
flushed to disk, then renamed over it: a reader sees the old checkpoint or the new one, never half.
A checkpoint that cannot be read is an error for its account, not a silent restart from scratch.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from districtwatch.core.accounts import Account
from districtwatch.errors import ConfigError
from districtwatch.ingest.base import Checkpoint, Seen

FORMAT = 1


class CheckpointError(ConfigError):
    """A checkpoint file exists but cannot be read; the message names it."""


class CheckpointStore:
    """Checkpoints of every account under one directory, named after platform and handle."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, account: Account) -> Path:
        platform, handle = account.key
        readable = re.sub(r"[^a-z0-9_.-]+", "_", f"{platform}-{handle}")[:80]
        # handles differing only in characters replaced above must not share a file
        digest = hashlib.sha256(f"{platform}\0{handle}".encode()).hexdigest()[:8]
        return self.directory / f"{readable}-{digest}.json"

    def load(self, account: Account) -> Checkpoint | None:
        path = self.path(account)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CheckpointError(f"checkpoint {path}: {exc.strerror}") from exc
        try:
            return from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"checkpoint {path} is unreadable ({exc}); fix or delete it") from exc

    def save(self, account: Account, checkpoint: Checkpoint) -> None:
        path = self.path(account)
        self.directory.mkdir(parents=True, exist_ok=True)
        data = json.dumps(to_json(account, checkpoint), ensure_ascii=False, indent=1).encode("utf-8")
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.directory)


def to_json(account: Account, checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "platform": account.platform,
        "handle": account.handle,
        "last_seq": checkpoint.last_seq,
        "last_id": checkpoint.last_id,
        "newest_post_at": checkpoint.newest_post_at.isoformat() if checkpoint.newest_post_at else None,
        "recent": {post_id: [seen.seq, seen.version] for post_id, seen in checkpoint.recent.items()},
    }


def from_json(data: dict[str, Any]) -> Checkpoint:
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown format {data.get('format')!r}")
    newest = data.get("newest_post_at")
    return Checkpoint(
        last_seq=int(data["last_seq"]),
        last_id=str(data["last_id"]),
        recent={str(k): Seen(int(v[0]), str(v[1])) for k, v in data.get("recent", {}).items()},
        newest_post_at=datetime.fromisoformat(newest) if newest else None,
    )


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
