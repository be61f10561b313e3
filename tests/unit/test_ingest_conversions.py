"""The credentialed sources (twscrape for X, Telethon for Telegram) turn the library's objects into Posts.

Neither can be run against its live service here (no network, no accounts), so these tests build the
libraries' own objects by hand, in the shape the libraries produce, and check the conversion, plus
the clear error each source gives when its credentials are missing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from districtwatch.ingest.base import SourceSettings
from districtwatch.ingest.errors import SourceSetupError
from districtwatch.ingest.twitter_twscrape import snowflake_time

T = datetime(2021, 8, 20, 6, 12, 31, tzinfo=UTC)


def test_x_ids_carry_their_creation_time() -> None:
    """The example tweet of X's API documentation: id 1050118621198921728, Wed Oct 10 20:19:24 2018."""
    assert snowflake_time(1050118621198921728).replace(microsecond=0) == datetime(
        2018, 10, 10, 20, 19, 24, tzinfo=UTC
    )


def _tweet(tweet_id: int, text: str, username: str = "AsvakaNews", **fields: object) -> object:
    models = pytest.importorskip("twscrape.models")
    user = models.User(
        id=1398000000000000000,
        id_str="1398000000000000000",
        url=f"https://x.com/{username}",
        username=username,
        displayname="Asvaka News Agency",
        rawDescription="",
        created=datetime(2021, 5, 27, tzinfo=UTC),
        followersCount=1,
        friendsCount=1,
        statusesCount=1,
        favouritesCount=0,
        listedCount=0,
        mediaCount=0,
        location="",
        profileImageUrl="",
    )
    values: dict[str, object] = {
        "id": tweet_id,
        "id_str": str(tweet_id),
        "url": f"https://x.com/{username}/status/{tweet_id}",
        "date": snowflake_time(tweet_id),
        "user": user,
        "lang": "fa",
        "rawContent": text,
        "replyCount": 0,
        "retweetCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "bookmarkedCount": 0,
        "conversationId": tweet_id,
        "conversationIdStr": str(tweet_id),
        "hashtags": [],
        "cashtags": [],
        "mentionedUsers": [],
        "links": [],
        "media": models.Media(),
    }
    values.update(fields)
    return models.Tweet(**values)


def test_a_tweet_becomes_a_post_with_its_id_language_and_time() -> None:
    from districtwatch.ingest.twitter_twscrape import tweet_item

    tweet = _tweet(1428625440447963137, "ولسوالی پل حصار به دست نیروهای مقاومت افتاد")
    item = tweet_item(tweet, "AsvakaNews")
    assert item.seq == 1428625440447963137
    assert item.post.id == "twitter:1428625440447963137"
    assert item.post.account == "AsvakaNews"
    assert item.post.lang == "fa"
    assert item.post.created_at == snowflake_time(1428625440447963137)
    assert item.post.repost_of is None
    assert item.edited_at is None


def test_a_retweet_carries_the_retweeted_text_and_points_at_it() -> None:
    from districtwatch.ingest.twitter_twscrape import tweet_item

    original = _tweet(
        1428600000000000000, "Puli Hisar district taken by resistance forces.", "PanjshirProvin1", lang="en"
    )
    retweet = _tweet(
        1428625440447963140, "RT @PanjshirProvin1: Puli Hisar district taken by…", retweetedTweet=original
    )
    item = tweet_item(retweet, "AsvakaNews")
    assert item.post.repost_of == "twitter:1428600000000000000"
    assert item.post.repost_of_account == "PanjshirProvin1"  # the evidence is the original author's
    assert item.post.account == "AsvakaNews"
    assert item.post.text == "Puli Hisar district taken by resistance forces."
    assert item.post.lang == "en"


def test_an_edited_tweet_keeps_the_first_versions_id_so_the_edit_replaces_it() -> None:
    """X gives each edit a new id; the first id (editControl) keeps the post's id stable."""
    from districtwatch.ingest.twitter_twscrape import tweet_item

    first, latest = 1428625440447963137, 1428630000000000000
    edit = {"edit_tweet_ids": [str(first), str(latest)], "editable_until_msecs": "0", "edits_remaining": "4"}
    item = tweet_item(_tweet(latest, "Correction: Dih Salah, not Banu.", editControl=edit, lang="und"), "x")
    assert item.seq == first
    assert item.post.id == f"twitter:{first}"
    assert item.post.created_at == snowflake_time(first)
    assert item.edited_at == snowflake_time(latest)
    assert item.version == str(latest)
    assert item.post.lang is None  # "und": X could not tell


def test_twscrape_source_without_an_accounts_database_says_what_to_set(tmp_path: Path) -> None:
    pytest.importorskip("twscrape")
    from districtwatch.ingest.twitter_twscrape import TwscrapeSource

    with pytest.raises(SourceSetupError, match="DISTRICTWATCH_TWSCRAPE_ACCOUNTS_DB"):
        TwscrapeSource(SourceSettings())
    with pytest.raises(SourceSetupError, match="no twscrape accounts database"):
        TwscrapeSource(SourceSettings(twscrape_accounts_db=tmp_path / "missing.db"))


def _message(**fields: object) -> object:
    types = pytest.importorskip("telethon.tl.types")
    values: dict[str, object] = {
        "id": 2210,
        "peer_id": types.PeerChannel(1001234567),
        "date": T,
        "message": "د بغلان ولایت د دېه صلاح ولسوالۍ مرکز د مقاومت ځواکونو ونیو.",
        "post": True,
    }
    values.update(fields)
    return types.Message(**values)


def test_a_telegram_message_becomes_a_post_with_the_same_id_as_the_preview_source() -> None:
    """Telethon and the preview source name a message alike, so an account can switch sources."""
    from districtwatch.ingest.telegram_telethon import message_item

    item = message_item(_message(), "Panjshir_Online")
    assert item.post.id == "telegram:panjshir_online/2210"
    assert item.post.url == "https://t.me/Panjshir_Online/2210"
    assert item.post.created_at == T
    assert item.seq == 2210
    assert item.edited_at is None


def test_forwards_and_edits_of_telegram_messages() -> None:
    types = pytest.importorskip("telethon.tl.types")
    from districtwatch.ingest.telegram_telethon import message_item

    linked = types.MessageFwdHeader(date=T, from_id=types.PeerChannel(1009876543), channel_post=77)
    forwarded = message_item(_message(fwd_from=linked), "c").post
    assert (forwarded.repost_of, forwarded.repost_of_account) == ("telegram:c1009876543/77", "c1009876543")
    hidden = types.MessageFwdHeader(date=T, from_name="Andarab Resistance Media")
    from_hidden = message_item(_message(fwd_from=hidden), "c").post
    assert from_hidden.repost_of == "telegram:hidden/Andarab Resistance Media"
    assert from_hidden.repost_of_account == "Andarab Resistance Media"
    assert message_item(_message(), "c").post.repost_of_account is None
    edited_at = datetime(2021, 8, 20, 7, 0, tzinfo=UTC)
    edited = message_item(_message(edit_date=edited_at), "c")
    assert edited.edited_at == edited_at
    assert message_item(_message(edit_date=edited_at, edit_hide=True), "c").edited_at is None


def test_telethon_source_without_credentials_says_which_are_missing() -> None:
    pytest.importorskip("telethon")
    from districtwatch.ingest.telegram_telethon import TelethonSource

    with pytest.raises(
        SourceSetupError, match=r"DISTRICTWATCH_TELEGRAM_API_ID.*DISTRICTWATCH_TELEGRAM_SESSION"
    ):
        TelethonSource(SourceSettings(telegram_api_id=12345))
