"""Which of the posts a source read are new, edited or gone since the checkpoint: pure, no I/O.

Every source reads the newest page of an account (plus older pages while catching up) and calls
:func:`reconcile`. The rules, in one place so that every platform behaves the same:

* **new**: a post whose sequence number is above the checkpoint's. Produced oldest first. On an
  account's first poll (no checkpoint) only the newest ``backfill`` posts are produced, so adding an
  account does not replay its history.
* **edited**: a post already produced (it is in the checkpoint's ``recent`` list) whose version
  changed. It is produced again with the same id and the new text, after the new posts.
* **deleted**: a post in ``recent`` whose number lies in the range the source read completely
  (``covered``) but that was not there. It is not produced (the Post schema has no tombstone); it is
  reported, counted and forgotten.

The checkpoint that follows remembers the last ``keep`` produced posts with their versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from districtwatch.ingest.base import Checkpoint, FetchResult, Item, Seen, mark_edited

KEEP_RECENT = 200


def reconcile(
    items: Iterable[Item],
    since: Checkpoint | None,
    *,
    backfill: int,
    covered: int | None = None,
    more: bool = False,
    gap: bool = False,
    keep: int = KEEP_RECENT,
) -> FetchResult:
    """Compare what a source read with the checkpoint.

    ``covered``: the lowest sequence number from which the source read every post up to the newest;
    None when it cannot tell (no deletion is inferred then).
    """
    by_seq: dict[int, Item] = {}
    for item in items:
        by_seq.setdefault(item.seq, item)  # a post seen twice (pages overlapping) counts once
    fetched = sorted(by_seq.values(), key=lambda i: i.seq)
    recent: dict[str, Seen] = dict(since.recent) if since else {}

    if since is None:
        new = fetched[-backfill:] if backfill > 0 else []
    else:
        new = [i for i in fetched if i.seq > since.last_seq]
    edited = [
        i
        for i in fetched
        if since is not None
        and i.seq <= since.last_seq
        and i.post.id in recent
        and recent[i.post.id].version != i.version
    ]
    present = {i.post.id for i in fetched}
    deleted = tuple(
        post_id
        for post_id, seen in sorted(recent.items(), key=lambda kv: kv[1].seq)
        if covered is not None and seen.seq >= covered and post_id not in present
    )

    for post_id in deleted:
        del recent[post_id]
    for item in (*new, *edited):
        recent[item.post.id] = Seen(item.seq, item.version)
    # a first poll that produces nothing (backfill 0) still starts from the newest post it saw
    top = new or (fetched[-1:] if since is None else [])
    checkpoint = _advance(since, top, _newest(recent, keep))
    posts = tuple(mark_edited(i.post, i.edited_at) for i in (*new, *edited))
    return FetchResult(
        posts=posts,
        checkpoint=checkpoint,
        fetched=len(fetched),
        new=len(new),
        edited=len(edited),
        deleted=deleted,
        more=more,
        gap=gap,
    )


def _advance(since: Checkpoint | None, top: list[Item], recent: Mapping[str, Seen]) -> Checkpoint | None:
    if not top:
        if since is None:
            return None
        return Checkpoint(since.last_seq, since.last_id, recent, since.newest_post_at)
    last = top[-1]
    return Checkpoint(last.seq, last.post.id, recent, last.post.created_at)


def _newest(recent: Mapping[str, Seen], keep: int) -> dict[str, Seen]:
    ordered = sorted(recent.items(), key=lambda kv: kv[1].seq)[-keep:]
    return dict(ordered)
