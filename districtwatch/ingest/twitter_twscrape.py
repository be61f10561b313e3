"""X (Twitter) accounts through twscrape, which needs logged-in X accounts; optional.

X has shown nothing to anonymous clients since 30 June 2023 (snscrape #996), so this source reads the
user timeline through twscrape's pool of logged-in accounts: its SQLite database, filled with
``twscrape add_accounts`` and ``twscrape login_accounts``, is named by ``twscrape_accounts_db``.
Without it the source is not built and the accounts on X are listed as skipped.

One poll reads the newest ``page_size`` tweets (default 40). The timeline cannot be walked forward
from a tweet id, so a backlog larger than that is reported as a gap. An edited tweet is a new tweet
on X with the ids of all its versions in ``editControl``: the first of them is the post's id and
sequence number, so an edit is produced again under the same id. ``created_at`` is read from that
first id (X ids carry their creation time). A retweet becomes a post with the retweeted text and
``repost_of``. The timeline mixes in a pinned tweet, so deletions are not inferred on X.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from districtwatch.core.accounts import Account
from districtwatch.ingest.base import Checkpoint, FetchResult, Item, SourceSettings, SourceSpec, int_option
from districtwatch.ingest.errors import AccountUnavailable, RateLimited, SourceSetupError, SourceUnavailable
from districtwatch.ingest.window import reconcile
from districtwatch.schemas import Post

PLATFORM = "twitter"
PAGE_SIZE = 40
TWITTER_EPOCH_MS = 1288834974657  # the instant X's snowflake ids count from
UNDETERMINED_LANGS = {"und", "zxx", "qme", "qht", "qam", "art"}  # X's codes for "no language"


class TwscrapeSource:
    """A Source over twscrape's async API; one instance serves every X account."""

    def __init__(self, settings: SourceSettings) -> None:
        db = settings.twscrape_accounts_db
        if db is None or not Path(db).is_file():
            raise SourceSetupError(
                f"twitter-twscrape: no twscrape accounts database at {db} "
                "(set DISTRICTWATCH_TWSCRAPE_ACCOUNTS_DB; create it with `twscrape add_accounts`)"
            )
        from twscrape import API

        self.settings = settings
        self.api = API(str(db), raise_when_no_account=True)
        self._user_ids: dict[str, int] = {}
        self._checked = False

    async def aclose(self) -> None:
        return None

    async def fetch(self, account: Account, since: Checkpoint | None) -> FetchResult:
        import httpx
        from twscrape import NoAccountError

        handle = account.handle.removeprefix("@")
        where = f"twitter/{handle}"
        limit = int_option(account, "page_size", PAGE_SIZE)
        try:
            await self._check_pool()
            user_id = self._user_ids.get(handle.lower())
            if user_id is None:
                user = await self.api.user_by_login(handle)
                if user is None:
                    raise AccountUnavailable(f"{where}: no such user, or suspended")
                user_id = self._user_ids[handle.lower()] = int(user.id)
            tweets = [t async for t in self.api.user_tweets(user_id, limit=limit)]
        except NoAccountError as exc:
            raise RateLimited(f"{where}: every logged-in X account is rate-limited or locked") from exc
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{where}: {exc}") from exc
        items = [tweet_item(t, handle) for t in tweets]
        gap = since is not None and len(items) >= limit and min(i.seq for i in items) > since.last_seq
        backfill = int_option(account, "backfill", self.settings.backfill)
        return reconcile(items, since, backfill=backfill, covered=None, gap=gap)

    async def _check_pool(self) -> None:
        if self._checked:
            return
        stats: dict[str, Any] = await self.api.pool.stats()
        if not stats.get("active"):
            raise SourceSetupError(
                "twitter-twscrape: no active logged-in X account in the twscrape database "
                "(`twscrape add_accounts` then `twscrape login_accounts`)"
            )
        self._checked = True


def snowflake_time(tweet_id: int) -> datetime:
    """When an X id was minted: its top bits are milliseconds since X's epoch."""
    return datetime.fromtimestamp(((tweet_id >> 22) + TWITTER_EPOCH_MS) / 1000, UTC)


def tweet_item(tweet: Any, handle: str) -> Item:
    """One twscrape ``Tweet`` as an Item; attributes are read by name, so a look-alike works too."""
    edit = tweet.editControl or {}
    versions = [int(v) for v in edit.get("edit_tweet_ids") or []]
    first = versions[0] if versions else int(tweet.id)
    edited = len(versions) > 1 and int(tweet.id) != first
    original = tweet.retweetedTweet
    source = original if original is not None else tweet
    lang = source.lang if source.lang and source.lang not in UNDETERMINED_LANGS else None
    post = Post(
        id=f"twitter:{first}",
        platform=PLATFORM,
        account=handle,
        created_at=snowflake_time(first) if edited else tweet.date,
        text=source.rawContent,
        url=tweet.url,
        lang=lang,
        repost_of=f"twitter:{original.id}" if original is not None else None,
        repost_of_account=original.user.username if original is not None else None,
    )
    return Item(first, post, str(tweet.id), edited_at=tweet.date if edited else None)


SPEC = SourceSpec(
    name="twitter-twscrape",
    platform=PLATFORM,
    summary="X user timelines via twscrape; needs logged-in X accounts in a twscrape database",
    factory=TwscrapeSource,
    requires=("twscrape",),
    extra="twitter",
    credentials=("twscrape_accounts_db",),
    licence="MIT (twscrape, optional extra)",
    default=True,
)
