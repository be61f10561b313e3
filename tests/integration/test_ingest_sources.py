"""Each source's real parsing code against a local HTTP server serving hand-written pages.

snscrape's TelegramChannelScraper and Mastodon.py make real HTTP requests to a FixtureServer on
loopback; the pages are written in each platform's format (Telegram's t.me/s preview HTML, Mastodon's
REST JSON) with Dari, Pashto and English posts, forwards and reblogs, edits, deletions and broken
pages. Nothing is patched.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from districtwatch.core.accounts import Account, AccountRegistry
from districtwatch.ingest.base import Checkpoint, SourceSettings, load_specs
from districtwatch.ingest.checkpoints import CheckpointStore
from districtwatch.ingest.errors import (
    AccountUnavailable,
    MalformedPage,
    RateLimited,
    SourceUnavailable,
)
from districtwatch.ingest.metrics import IngestMetrics
from districtwatch.ingest.poller import build_ingester
from districtwatch.ingest.testing import FixtureServer, MemorySink

pytest.importorskip("snscrape", reason="the snscrape extra is not installed")
pytest.importorskip("mastodon", reason="the mastodon extra is not installed")

from districtwatch.ingest.mastodon import MastodonSource  # after the extras check
from districtwatch.ingest.telegram_snscrape import TelegramPreviewSource

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
TELEGRAM = FIXTURES / "telegram"
MASTODON = FIXTURES / "mastodon"
JSON = "application/json; charset=utf-8"
ACCOUNT_ID = "109384756201938475"
STATUSES = f"/api/v1/accounts/{ACCOUNT_ID}/statuses"


@pytest.fixture
async def server() -> AsyncIterator[FixtureServer]:
    async with FixtureServer() as running:
        yield running


def telegram(server: FixtureServer) -> tuple[TelegramPreviewSource, Account]:
    source = TelegramPreviewSource(SourceSettings(telegram_preview_url=server.url))
    return source, Account(platform="telegram", handle="@afghan_voice")


def serve_channel(server: FixtureServer, newest: str = "afghan_voice.html") -> None:
    server.route("/s/afghan_voice", TELEGRAM / newest)
    server.route("/s/afghan_voice", TELEGRAM / "afghan_voice-before-105.html", query={"before": "105"})


async def test_telegram_first_poll_reads_the_newest_page_in_dari_pashto_and_english(
    server: FixtureServer,
) -> None:
    """Text keeps its line breaks, forwards name their origin (linked or hidden), times are UTC."""
    serve_channel(server)
    source, account = telegram(server)
    result = await source.fetch(account, None)
    assert server.requests == ["/s/afghan_voice"]
    assert [p.id for p in result.posts] == [f"telegram:afghan_voice/{n}" for n in (105, 106, 107, 108)]
    dari, pashto, hidden, english = result.posts
    assert dari.text == "🔴 فوری\nولسوالی پل حصار بغلان به دست نیروهای مقاومت افتاد.\n#بغلان #پل_حصار"
    assert dari.created_at.isoformat() == "2021-08-20T06:12:31+00:00"
    assert dari.url == "https://t.me/afghan_voice/105"
    assert dari.account == "afghan_voice"
    assert dari.repost_of is None
    assert pashto.text == "د بغلان ولایت د دېه صلاح ولسوالۍ مرکز د مقاومت ځواکونو ونیو."
    assert pashto.repost_of == "telegram:panjshir_online/2210"
    assert pashto.repost_of_account == "panjshir_online"  # the evidence is the original channel's
    assert hidden.repost_of == "telegram:hidden/Andarab Resistance Media"
    assert hidden.repost_of_account == "Andarab Resistance Media"
    assert dari.repost_of_account is None
    assert english.text == "Fighting reported near Dih Salah. More soon."
    assert result.checkpoint is not None
    assert result.checkpoint.last_seq == 108


async def test_telegram_follows_older_pages_back_to_the_checkpoint(server: FixtureServer) -> None:
    """More new posts than one page holds: snscrape's ?before= paging reads back, nothing skipped."""
    serve_channel(server)
    source, account = telegram(server)
    result = await source.fetch(account, Checkpoint(102, "telegram:afghan_voice/102"))
    assert server.requests == ["/s/afghan_voice", "/s/afghan_voice?before=105"]
    assert [p.id for p in result.posts] == [f"telegram:afghan_voice/{n}" for n in range(103, 109)]
    photo_only = result.posts[0]
    assert photo_only.text == ""  # a photo without caption is still a post of the account
    assert not result.gap


async def test_telegram_edits_deletions_replies_and_captions_on_the_next_poll(server: FixtureServer) -> None:
    """108 edited → produced again with its new text; 107 gone → reported; a reply keeps only its own text."""
    serve_channel(server)
    source, account = telegram(server)
    first = await source.fetch(account, None)
    serve_channel(server, "afghan_voice-later.html")
    later = await source.fetch(account, first.checkpoint)
    assert [(p.id, p.text[:24]) for p in later.posts] == [
        ("telegram:afghan_voice/109", "تصویر: پرچم مقاومت بر فر"),
        ("telegram:afghan_voice/110", "Confirmed by elders of P"),
        ("telegram:afghan_voice/108", "Update: Dih Salah distri"),
    ]
    assert later.deleted == ("telegram:afghan_voice/107",)
    assert (later.new, later.edited) == (2, 1)
    reply = later.posts[1]
    assert reply.text == (
        "Confirmed by elders of Puli Hisar: the district centre changed hands this morning."
        " example.org/puli-hisar"
    )
    again = await source.fetch(account, later.checkpoint)
    assert again.posts == ()
    assert again.deleted == ()


async def test_telegram_malformed_pages_are_clear_errors(server: FixtureServer) -> None:
    source = TelegramPreviewSource(SourceSettings(telegram_preview_url=server.url))
    server.route("/s/broken_channel", TELEGRAM / "broken_channel.html")
    with pytest.raises(MalformedPage, match=r"/s/broken_channel: a message bubble lacks its date link"):
        await source.fetch(Account(platform="telegram", handle="broken_channel"), None)
    server.route("/s/challenge", TELEGRAM / "not_a_preview.html")
    with pytest.raises(MalformedPage, match="no channel preview in the page"):
        await source.fetch(Account(platform="telegram", handle="challenge"), None)


async def test_telegram_http_failures_become_retriable_or_final_errors(server: FixtureServer) -> None:
    source = TelegramPreviewSource(SourceSettings(telegram_preview_url=server.url))
    server.route("/s/busy", "slow down", status=429, headers={"Retry-After": "30"})
    with pytest.raises(RateLimited) as limited:
        await source.fetch(Account(platform="telegram", handle="busy"), None)
    assert limited.value.retry_after == 30.0
    assert limited.value.retriable
    server.route("/s/down", "oops", status=502)
    with pytest.raises(SourceUnavailable, match="HTTP 502"):
        await source.fetch(Account(platform="telegram", handle="down"), None)
    # a channel without a public preview: t.me redirects /s/<name> to the channel's card
    server.route("/s/private_chan", "", status=302, headers={"Location": "/private_chan"})
    server.route("/private_chan", "<html><body><div class='tgme_page'>Private</div></body></html>")
    with pytest.raises(AccountUnavailable, match="no public preview"):
        await source.fetch(Account(platform="telegram", handle="private_chan"), None)
    closed = TelegramPreviewSource(
        SourceSettings(telegram_preview_url="http://127.0.0.1:9", http_timeout_s=2)
    )
    with pytest.raises(SourceUnavailable):
        await closed.fetch(Account(platform="telegram", handle="x"), None)


async def test_a_malformed_page_fails_its_account_and_the_other_accounts_are_produced(
    server: FixtureServer, tmp_path: Path
) -> None:
    """One broken channel: an error for it, posts for the others, and it recovers once fixed."""
    serve_channel(server)
    server.route("/s/broken_channel", TELEGRAM / "broken_channel.html")
    registry = AccountRegistry.parse(
        "accounts:\n"
        f"  - {{platform: telegram, handle: broken_channel, options: {{base_url: '{server.url}'}}}}\n"
        f"  - {{platform: telegram, handle: afghan_voice, options: {{base_url: '{server.url}'}}}}\n"
    )
    sink = MemorySink()
    ingester = build_ingester(
        registry,
        load_specs(include_entry_points=False),
        SourceSettings(),
        CheckpointStore(tmp_path),
        sink,
        IngestMetrics.create(CollectorRegistry()),
    )
    outcomes = {o.account: o for o in await ingester.run_once()}
    assert isinstance(outcomes["telegram/broken_channel"].error, MalformedPage)
    assert outcomes["telegram/afghan_voice"].error is None
    assert len(sink.posts) == 4
    time = '<time datetime="2021-08-20T09:00:00+00:00">09:00</time>'
    fixed = (
        (TELEGRAM / "broken_channel.html")
        .read_text(encoding="utf-8")
        .replace(
            f'<div class="tgme_widget_message_meta_v2">{time}</div>',
            '<div class="tgme_widget_message_footer"><span class="tgme_widget_message_meta">'
            f'<a class="tgme_widget_message_date" href="https://t.me/broken_channel/7">{time}</a></span></div>',
        )
    )
    server.route("/s/broken_channel", fixed)
    outcomes = {o.account: o for o in await ingester.run_once()}
    assert outcomes["telegram/broken_channel"].error is None
    assert sink.posts[-1].id == "telegram:broken_channel/7"
    await ingester.aclose()


def mastodon(server: FixtureServer, **options: str) -> tuple[MastodonSource, Account]:
    server.route(
        "/api/v1/accounts/lookup", MASTODON / "account.json", query={"acct": "kabulreport"}, content_type=JSON
    )
    account = Account(
        platform="mastodon",
        handle="kabulreport@mastodon.example",
        options={"base_url": server.url, **options},
    )
    return MastodonSource(SourceSettings()), account


async def test_mastodon_statuses_become_posts_with_text_from_html(server: FixtureServer) -> None:
    """Paragraphs and <br> survive, shortened links come out whole, a reblog points at its original."""
    source, account = mastodon(server)
    server.route(STATUSES, MASTODON / "statuses.json", content_type=JSON)
    result = await source.fetch(account, None)
    await source.aclose()
    assert server.requests == ["/api/v1/accounts/lookup?acct=kabulreport", f"{STATUSES}?limit=40"]
    dari, reblog, edited, pashto = result.posts
    assert dari.id == "mastodon:https://mastodon.example/users/kabulreport/statuses/106790001000000001"
    assert dari.text == (
        "فوری: ولسوالی پل حصار ولایت بغلان به دست نیروهای مقاومت افتاد.\n\n"
        "منابع محلی می‌گویند طالبان عقب‌نشینی کرده‌اند. #بغلان"
    )
    assert (dari.lang, dari.created_at.isoformat()) == ("fa", "2021-08-20T06:15:44+00:00")
    assert (
        reblog.repost_of == "mastodon:https://social.example/users/andarabwatch/statuses/106789990000000777"
    )
    assert reblog.repost_of_account == "andarabwatch@social.example"
    assert dari.repost_of_account is None
    assert reblog.text.endswith("#Baghlan https://news.example/2021/08/20/baghlan-puli-hisar-resistance")
    assert reblog.url == "https://social.example/@andarabwatch/106789990000000777"
    assert reblog.lang == "en"
    assert (
        edited.text
        == "Dih Salah: resistance forces say they hold the district centre.\nNot independently confirmed yet."
    )
    assert pashto.text == "جنگ / war\n\nد بانو ولسوالۍ مرکز د مقاومت ځواکونو تر کنټرول لاندې دی."
    assert pashto.lang == "ps"


async def test_mastodon_edit_and_deletion_on_the_next_poll(server: FixtureServer) -> None:
    """An edited status (edited_at) is produced again under its id; a deleted one is reported."""
    source, account = mastodon(server)
    server.route(STATUSES, MASTODON / "statuses.json", content_type=JSON)
    first = await source.fetch(account, None)
    server.route(STATUSES, MASTODON / "statuses-later.json", content_type=JSON)
    later = await source.fetch(account, first.checkpoint)
    await source.aclose()
    prefix = "mastodon:https://mastodon.example/users/kabulreport/statuses/"
    assert [p.id.removeprefix(prefix) for p in later.posts] == [
        "106790001000000005",
        "106790001000000006",
        "106790001000000003",
    ]
    assert (
        later.posts[-1].text
        == "Dih Salah: resistance forces hold the district centre.\nConfirmed by two local sources."
    )
    assert later.deleted == (f"{prefix}106790001000000004",)
    assert server.requests.count("/api/v1/accounts/lookup?acct=kabulreport") == 1  # the id is remembered


async def test_mastodon_walks_forward_from_the_checkpoint_when_the_newest_page_does_not_reach_it(
    server: FixtureServer,
) -> None:
    """With pages of two, the statuses between the checkpoint and the newest page are read with min_id."""
    later = json.loads((MASTODON / "statuses-later.json").read_text(encoding="utf-8"))
    by_id = {s["id"][-1]: s for s in later}  # "1", "2", "3", "5", "6"
    source, account = mastodon(server, page_size="2")
    server.route(STATUSES, json.dumps([by_id["6"], by_id["5"]]), query={"limit": "2"}, content_type=JSON)
    server.route(
        STATUSES,
        json.dumps([by_id["3"], by_id["2"]]),
        query={"min_id": "106790001000000001", "limit": "2"},
        content_type=JSON,
    )
    server.route(
        STATUSES,
        json.dumps([by_id["6"], by_id["5"]]),
        query={"min_id": "106790001000000003", "limit": "2"},
        content_type=JSON,
    )
    since = Checkpoint(106790001000000001, "mastodon:…/106790001000000001")
    result = await source.fetch(account, since)
    await source.aclose()
    assert [p.id.split("statuses/")[1][17] for p in result.posts] == ["2", "3", "5", "6"]
    assert not result.more
    assert server.requests[1:] == [
        f"{STATUSES}?limit=2",
        f"{STATUSES}?min_id=106790001000000001&limit=2",
        f"{STATUSES}?min_id=106790001000000003&limit=2",
    ]


async def test_mastodon_errors(server: FixtureServer) -> None:
    """Unknown account, rate limit, server error and a non-JSON page each give their own error."""
    source, account = mastodon(server)
    server.route(
        "/api/v1/accounts/lookup",
        MASTODON / "not_found.json",
        query={"acct": "gone"},
        status=404,
        content_type=JSON,
    )
    with pytest.raises(AccountUnavailable, match="not found on the instance"):
        await source.fetch(
            Account(platform="mastodon", handle="gone@x", options={"base_url": server.url}), None
        )

    limits = {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "2099-01-01T00:00:00Z",
    }
    server.route(STATUSES, MASTODON / "rate_limited.json", status=429, content_type=JSON, headers=limits)
    with pytest.raises(RateLimited) as limited:
        await source.fetch(account, None)
    assert limited.value.retry_after is not None
    assert limited.value.retry_after > 0

    fresh, _ = mastodon(server)
    server.route(STATUSES, '{"error": "upstream"}', status=503, content_type=JSON)
    with pytest.raises(SourceUnavailable):
        await fresh.fetch(account, None)
    server.route(STATUSES, "<html><body>Maintenance</body></html>", content_type="text/html")
    with pytest.raises(MalformedPage, match="not Mastodon's JSON"):
        await fresh.fetch(account, None)
    server.route(STATUSES, '[{"id": "1", "content": "<p>no uri, no date</p>"}]', content_type=JSON)
    with pytest.raises(MalformedPage, match="not in Mastodon's format"):
        await fresh.fetch(account, None)
    await source.aclose()
    await fresh.aclose()
