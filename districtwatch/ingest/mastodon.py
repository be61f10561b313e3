"""Mastodon accounts through the official REST API, read with Mastodon.py; no login needed.

Public statuses of a public account are readable anonymously on Mastodon 2.7 and later
(``GET /api/v1/accounts/lookup`` then ``GET /api/v1/accounts/:id/statuses``). The handle is
``user@instance`` and the instance is asked directly (option ``base_url`` overrides the address, as
tests do to reach a local server). Mastodon.py is a maintained library (MIT); it is still an
optional extra, so the core installs without it.

Each poll reads the newest page. When the checkpoint is older than that page, it walks forward from
the checkpoint with ``min_id`` (Mastodon's "statuses right after this id") so that nothing between
the two is skipped; after ``max_pages`` pages it stops and polls again at once. Ids are
``mastodon:<status uri>``: the URI is the same on every instance, and the numeric status id is the
sequence number. A reblog becomes a post with the reblogged status's text and ``repost_of`` set to
its id; an edit (``edited_at`` set, content changed) is produced again with the same id.
Content is HTML and is turned into text with BeautifulSoup: paragraphs and line breaks kept.
Statuses deleted since the last poll are missing from the newest page, which is how they are noticed.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
import urllib.parse
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from districtwatch.core.accounts import Account
from districtwatch.ingest.base import (
    Checkpoint,
    FetchResult,
    Item,
    SourceSettings,
    SourceSpec,
    int_option,
    option,
)
from districtwatch.ingest.errors import (
    AccountUnavailable,
    MalformedPage,
    RateLimited,
    SourceError,
    SourceSetupError,
    SourceUnavailable,
)
from districtwatch.ingest.window import reconcile
from districtwatch.schemas import Post

PLATFORM = "mastodon"
PAGE_SIZE = 40  # the API's largest page for account statuses

T = TypeVar("T")


class MastodonSource:
    """A Source over Mastodon.py; one client per account, since its rate-limit state is per client."""

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings
        self._clients: dict[tuple[str, str], Any] = {}
        self._account_ids: dict[tuple[str, str], str] = {}

    async def fetch(self, account: Account, since: Checkpoint | None) -> FetchResult:
        return await asyncio.to_thread(self._fetch, account, since)

    async def aclose(self) -> None:
        for client in self._clients.values():
            client.session.close()
        self._clients.clear()

    def _fetch(self, account: Account, since: Checkpoint | None) -> FetchResult:
        user, base = split_handle(account)
        key = (base, user)
        api = self._client(key)
        where = f"mastodon/{user}@{base.split('://', 1)[-1]}"
        limit = min(PAGE_SIZE, int_option(account, "page_size", PAGE_SIZE))
        account_id = self._account_ids.get(key)
        if account_id is None:
            found = _call(api, where, lambda: api.account_lookup(user))
            account_id = str(_field(found, "id", where))
            self._account_ids[key] = account_id
        try:
            newest = _call(api, where, lambda: api.account_statuses(account_id, limit=limit))
        except AccountUnavailable:
            self._account_ids.pop(key, None)  # moved or deleted: look it up again next time
            raise
        items = _items(newest, account, where)
        covered = min((i.seq for i in items), default=None)
        more = False
        if since is not None and covered is not None and covered > since.last_seq and len(items) >= limit:
            walked, caught_up = self._walk(api, where, account, account_id, since.last_seq, covered, limit)
            if caught_up:
                items = walked + items
            else:
                items, covered, more = walked, None, True
        backfill = int_option(account, "backfill", self.settings.backfill)
        return reconcile(items, since, backfill=backfill, covered=covered, more=more)

    def _walk(
        self, api: Any, where: str, account: Account, account_id: str, after: int, until: int, limit: int
    ) -> tuple[list[Item], bool]:
        """Statuses after ``after`` in pages going forward in time; True if ``until`` was reached."""
        walked: list[Item] = []
        cursor = after
        for _ in range(int_option(account, "max_pages", self.settings.max_pages)):
            statuses = _call(
                api,
                where,
                functools.partial(api.account_statuses, account_id, min_id=str(cursor), limit=limit),
            )
            page = _items(statuses, account, where)
            if not page:
                return walked, True
            walked.extend(page)
            cursor = max(i.seq for i in page)
            if cursor >= until:
                return walked, True
        return walked, False

    def _client(self, key: tuple[str, str]) -> Any:
        client = self._clients.get(key)
        if client is None:
            from mastodon import Mastodon

            client = Mastodon(
                api_base_url=key[0],
                ratelimit_method="throw",  # never sleep in the library: the poller backs off
                request_timeout=self.settings.http_timeout_s,
                version_check_mode="none",
                user_agent="districtwatch",
            )
            self._clients[key] = client
        return client


def split_handle(account: Account) -> tuple[str, str]:
    """(user, API base URL) from ``user@instance`` and the optional ``base_url`` option."""
    user, _, instance = account.handle.removeprefix("@").partition("@")
    base = option(account, "base_url", f"https://{instance}" if instance else "")
    if not user or not base:
        raise SourceSetupError(
            f"mastodon/{account.handle}: the handle must be user@instance (or set options.base_url)"
        )
    return user, base.rstrip("/")


def _items(statuses: Sequence[Any], account: Account, where: str) -> list[Item]:
    try:
        return [status_item(s, account.handle.removeprefix("@")) for s in statuses]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise MalformedPage(
            f"{where}: a status is not in Mastodon's format ({type(exc).__name__}: {exc})"
        ) from exc


def status_item(status: Any, handle: str) -> Item:
    """One status (a Mastodon.py ``Status`` or a dict in the same shape) as an Item."""
    original = status["reblog"] or status
    text = html_to_text(original["content"] or "")
    if original.get("spoiler_text"):
        text = f"{original['spoiler_text']}\n\n{text}".strip()
    post = Post(
        id=f"mastodon:{status['uri']}",
        platform=PLATFORM,
        account=handle,
        created_at=_utc(status["created_at"]),
        text=text,
        url=status.get("url") or original.get("url") or status["uri"],
        lang=original.get("language"),
        repost_of=f"mastodon:{original['uri']}" if status["reblog"] else None,
        repost_of_account=_acct(original["account"]) if status["reblog"] else None,
    )
    edited_at = _utc(original["edited_at"]) if original.get("edited_at") else None
    version = hashlib.sha256(f"{text}\0{edited_at}".encode()).hexdigest()[:16]
    return Item(int(status["id"]), post, version, edited_at=edited_at)


def _acct(author: Any) -> str:
    """``user@instance`` of a status's author (the API omits the instance for its own users)."""
    acct = str(author["acct"])
    if "@" in acct:
        return acct
    host = urllib.parse.urlsplit(str(author.get("url") or "")).hostname
    return f"{acct}@{host}" if host else acct


def html_to_text(html: str) -> str:
    """Mastodon's status HTML as plain text: a blank line between paragraphs, ``<br>`` as a newline.

    Hidden parts of shortened links (``<span class="invisible">``) are kept, so URLs come out whole.
    """
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

    with warnings.catch_warnings():
        # a status whose whole text is a URL looks like a file name to bs4; it is still HTML here
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for paragraph in soup.find_all("p"):
        paragraph.append("\n\n")
    return soup.get_text().strip()


def _utc(value: Any) -> datetime:
    moment = (
        value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    )
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _field(record: Any, name: str, where: str) -> Any:
    try:
        return record[name]
    except (KeyError, TypeError) as exc:
        raise MalformedPage(f"{where}: answer without {name!r}") from exc


def _call(api: Any, where: str, request: Callable[[], T]) -> T:
    """Run one Mastodon.py request; its exceptions become ours, with the account in the message."""
    from mastodon import errors

    try:
        return request()
    except errors.MastodonRatelimitError as exc:
        reset = getattr(api, "ratelimit_reset", None)
        retry_after = max(0.0, float(reset) - time.time()) if reset else None
        raise RateLimited(f"{where}: rate limited", retry_after) from exc
    except errors.MastodonNotFoundError as exc:
        raise AccountUnavailable(f"{where}: not found on the instance (deleted, moved or mistyped?)") from exc
    except errors.MastodonUnauthorizedError as exc:
        raise AccountUnavailable(
            f"{where}: the instance does not show this account's posts without login"
        ) from exc
    except (errors.MastodonNetworkError, errors.MastodonServerError) as exc:
        raise SourceUnavailable(f"{where}: {exc}") from exc
    except errors.MastodonAPIError as exc:
        status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
        if status is None:
            raise MalformedPage(f"{where}: answer is not Mastodon's JSON ({exc.args[0]})") from exc
        if status in (403, 410):
            raise AccountUnavailable(f"{where}: HTTP {status} (suspended or not public)") from exc
        raise SourceError(f"{where}: HTTP {status}: {exc.args[-1]}") from exc


SPEC = SourceSpec(
    name="mastodon",
    platform=PLATFORM,
    summary="public statuses over the official REST API (Mastodon.py); no login",
    factory=MastodonSource,
    requires=("mastodon", "bs4"),
    extra="mastodon",
    licence="MIT (Mastodon.py), MIT (beautifulsoup4)",
    default=True,
)
