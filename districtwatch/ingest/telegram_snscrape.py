"""Telegram public channels through their web preview (``t.me/s/<channel>``), read by snscrape.

No login and no API key: the preview is the page anyone's browser sees. snscrape's
``TelegramChannelScraper`` fetches and pages through it (newest first, ``?before=`` links) and parses
each message bubble. snscrape is GPL-3.0 and unmaintained since June 2023, so it is an optional
extra, imported only when this source is built, and everything it does is wrapped here:

* requests go to ``telegram_preview_url`` (or the account option ``base_url``) instead of
  ``https://t.me``, by rewriting the URL in the scraper's one request method, so tests point it at a
  local server serving pages in the real markup;
* HTTP statuses become our errors (429 with its Retry-After, 5xx, 404) before snscrape sees them;
  snscrape's own blocking retries are switched off because the poller backs off instead;
* each bubble snscrape parsed is read again for what it leaves out: the forward header, the
  "edited" mark, and the text with its line breaks (snscrape's ``content`` glues lines together);
* a bubble snscrape cannot parse (markup changed) becomes :class:`MalformedPage` naming the page.

Ids are ``telegram:<channel>/<message id>``, the message id being the sequence number. A message
deleted from the channel just disappears from the preview: it is noticed when its number falls in
the newest page and is missing.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import urllib.parse
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

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
from districtwatch.ingest.errors import AccountUnavailable, MalformedPage, RateLimited, SourceUnavailable
from districtwatch.ingest.window import reconcile
from districtwatch.schemas import Post

if TYPE_CHECKING:
    from bs4 import Tag

TME = "https://t.me"
PLATFORM = "telegram"


@dataclass(frozen=True)
class Bubble:
    """One message of the preview: what snscrape parsed plus what we read beside it."""

    data_post: str  # "<channel>/<message id>" as Telegram writes it
    date: datetime
    text: str
    edited: bool
    forwarded_from: str | None  # "<channel>/<id>" or "<channel>" when linked, else the name shown
    forward_linked: bool
    page: int
    last_on_page: bool

    @property
    def seq(self) -> int:
        return int(self.data_post.rsplit("/", 1)[1])


class TelegramPreviewSource:
    """A Source reading public channel previews; one scraper per poll, run in a worker thread."""

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings

    async def fetch(self, account: Account, since: Checkpoint | None) -> FetchResult:
        return await asyncio.to_thread(self._fetch, account, since)

    async def aclose(self) -> None:
        return None

    def _fetch(self, account: Account, since: Checkpoint | None) -> FetchResult:
        channel = account.handle.removeprefix("@")
        base = option(account, "base_url", self.settings.telegram_preview_url).rstrip("/")
        max_pages = int_option(account, "max_pages", self.settings.max_pages)
        scraper = _scraper_class()(channel, base_url=base, timeout=self.settings.http_timeout_s)
        observed = datetime.now(UTC)
        items: list[Item] = []
        covered: int | None = None
        gap = False
        try:
            for bubble in scraper.get_items():
                items.append(_item(bubble, account, observed))
                if bubble.page == 0:
                    covered = bubble.seq if covered is None else min(covered, bubble.seq)
                if bubble.last_on_page:
                    if since is None or bubble.seq <= since.last_seq:
                        break  # the first poll reads one page; later ones read back to the checkpoint
                    if bubble.page + 1 >= max_pages:
                        gap = True
                        break
            if not items and "/s/" not in scraper.landed_url():
                raise AccountUnavailable(f"telegram/{channel}: the channel has no public preview")
        finally:
            scraper.close()
        backfill = int_option(account, "backfill", self.settings.backfill)
        return reconcile(items, since, backfill=backfill, covered=covered, gap=gap)


def _item(bubble: Bubble, account: Account, observed: datetime) -> Item:
    channel, _ = bubble.data_post.rsplit("/", 1)
    repost_of = author = None
    if bubble.forwarded_from is not None and bubble.forward_linked:
        repost_of = f"telegram:{bubble.forwarded_from.lower()}"
        author = bubble.forwarded_from.split("/", 1)[0]
    elif bubble.forwarded_from is not None:
        repost_of = f"telegram:hidden/{bubble.forwarded_from}"
        author = bubble.forwarded_from  # the name shown: the author hid the link to the channel
    post = Post(
        id=f"telegram:{bubble.data_post.lower()}",
        platform=PLATFORM,
        account=account.handle.removeprefix("@"),
        created_at=bubble.date,
        text=bubble.text,
        url=f"{TME}/{channel}/{bubble.seq}",
        lang=None,  # the preview does not say
        repost_of=repost_of,
        repost_of_account=author,
    )
    digest = hashlib.sha256(f"{bubble.text}\0{bubble.forwarded_from}".encode()).hexdigest()[:16]
    # The preview marks a message as edited but not when: the first time we see the mark stands in.
    return Item(bubble.seq, post, digest, edited_at=observed if bubble.edited else None)


def message_text(bubble: Tag) -> str:
    """The message's own text with its line breaks (a reply's quoted text is left out)."""
    for div in bubble.find_all("div", class_="tgme_widget_message_text"):
        if div.find_parent(class_="tgme_widget_message_reply") is None:
            return _text_with_breaks(div).strip()
    return ""


def _text_with_breaks(node: Tag) -> str:
    from bs4.element import NavigableString, Tag

    parts: list[str] = []
    for piece in node.descendants:
        if isinstance(piece, NavigableString):
            parts.append(str(piece))
        elif isinstance(piece, Tag) and piece.name == "br":
            parts.append("\n")
    return "".join(parts)


def forward_of(bubble: Tag) -> tuple[str | None, bool]:
    """Where a forwarded message comes from: ("<channel>/<id>", True) when linked, (name, False) if hidden."""
    from bs4 import Tag

    header = bubble.find("div", class_="tgme_widget_message_forwarded_from")
    if not isinstance(header, Tag):
        return None, False
    name = header.find(class_="tgme_widget_message_forwarded_from_name")
    if isinstance(name, Tag) and name.name == "a" and name.get("href"):
        path = urllib.parse.urlsplit(str(name["href"])).path.strip("/")
        if path.startswith("s/"):
            path = path[2:]
        if path:
            return path, True
    shown = (name or header).get_text(" ", strip=True).removeprefix("Forwarded from").strip()
    return shown or "unknown", False


def is_edited(bubble: Tag) -> bool:
    from bs4 import Tag

    meta = bubble.find("span", class_="tgme_widget_message_meta")
    return isinstance(meta, Tag) and "edited" in meta.get_text(" ", strip=True).split()


@functools.cache
def _scraper_class() -> type[Any]:
    """snscrape's channel scraper, adapted; built on first use so that snscrape stays optional."""
    with warnings.catch_warnings():
        # snscrape's module loader uses importlib APIs deprecated in 3.11 (snscrape #782)
        warnings.simplefilter("ignore", DeprecationWarning)
        import snscrape.base
        from snscrape.modules.telegram import TelegramChannelScraper

    class PreviewScraper(TelegramChannelScraper):  # type: ignore[misc]  # snscrape ships no type hints
        def __init__(self, name: str, *, base_url: str, timeout: float) -> None:
            super().__init__(name, retries=0)
            self._base_url = base_url
            self._timeout = timeout
            self._pages_read = 0

        def close(self) -> None:
            self._session.close()  # private hook: snscrape's requests.Session, which it never closes

        def landed_url(self) -> str:
            response, _ = self._initial_page()  # private hook: the first page fetch, redirects followed
            return str(response.url)

        # private hook: snscrape's one HTTP call, where the base URL, the timeout and the status map go
        def _request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if url.startswith(TME):
                url = self._base_url + url[len(TME) :]
            kwargs["timeout"] = self._timeout
            try:
                response = super()._request(method, url, *args, **kwargs)
            except snscrape.base.ScraperException as exc:  # connection refused, timeout, DNS
                raise SourceUnavailable(f"{url}: {exc}") from exc
            status = response.status_code
            if status == 429:
                raise RateLimited(f"{url}: HTTP 429", _retry_after(response.headers.get("Retry-After")))
            if status >= 500:
                raise SourceUnavailable(f"{url}: HTTP {status}")
            if status == 404:
                raise AccountUnavailable(f"{url}: HTTP 404")
            if status != 200:
                raise MalformedPage(f"{url}: unexpected HTTP {status}")
            return response

        # private hook: snscrape's parse of one page, where a page it cannot read becomes MalformedPage
        def _soup_to_items(
            self, soup: Any, pageUrl: str, onlyUsername: bool = False
        ) -> Iterator[Any]:  # snscrape's names
            if onlyUsername:
                yield from super()._soup_to_items(soup, pageUrl, onlyUsername)
                return
            page = self._pages_read
            self._pages_read += 1
            divs = soup.find_all("div", attrs={"class": "tgme_widget_message", "data-post": True})
            if page == 0 and not divs and soup.find("div", class_="tgme_channel_info") is None:
                raise MalformedPage(
                    f"{pageUrl}: no channel preview in the page (no messages, no channel info)"
                )
            try:
                parsed = list(super()._soup_to_items(soup, pageUrl))
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                raise MalformedPage(
                    f"{pageUrl}: a message bubble lacks its date link or time ({type(exc).__name__}: {exc})"
                ) from exc
            newest_first = list(reversed(divs))
            for index, (div, post) in enumerate(zip(newest_first, parsed, strict=True)):
                data_post = str(div["data-post"])
                if not data_post.rpartition("/")[2].isdigit():
                    raise MalformedPage(f"{pageUrl}: message id {data_post!r} is not a number")
                forwarded, linked = forward_of(div)
                yield Bubble(
                    data_post=data_post,
                    date=post.date.astimezone(UTC),
                    text=message_text(div),
                    edited=is_edited(div),
                    forwarded_from=forwarded,
                    forward_linked=linked,
                    page=page,
                    last_on_page=index == len(parsed) - 1,
                )

    return PreviewScraper


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


SPEC = SourceSpec(
    name="telegram-snscrape",
    platform=PLATFORM,
    summary="public channels via their web preview t.me/s/<channel> (snscrape); no login",
    factory=TelegramPreviewSource,
    requires=("snscrape.modules.telegram",),
    extra="snscrape",
    licence="GPL-3.0 (snscrape, optional extra)",
    default=True,
)
