"""The account registry names the line of a bad entry; sources are found, described and chosen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from districtwatch import settings as settings_module
from districtwatch.core.accounts import Account, AccountRegistry
from districtwatch.errors import ConfigError
from districtwatch.ingest import commands
from districtwatch.ingest.base import (
    BUILTIN_SOURCES,
    SourceSettings,
    SourceSpec,
    describe,
    load_specs,
    spec_for,
)
from districtwatch.ingest.errors import SourceSetupError
from districtwatch.samples import sample_file
from districtwatch.settings import Settings

REGISTRY = """\
# monitored accounts
accounts:
  - platform: telegram
    handle: afghan_voice
    languages: [fa, ps]
  - platform: mastodon
    handle: kabulreport@mastodon.example
    poll_interval_s: {interval}
    trust: normal
"""


def test_the_sample_registry_has_the_accounts_of_the_sample_story() -> None:
    """@AsvakaNews and @PanjshirProvin1 are seeded, with examples of every source kind."""
    registry = AccountRegistry.load(sample_file("accounts.yaml"))
    assert registry.get("twitter", "@AsvakaNews") is not None
    assert registry.home_province("twitter", "PanjshirProvin1") == "Panjshir"
    platforms = {a.platform for a in registry.accounts}
    assert platforms == {"twitter", "telegram", "mastodon"}
    assert any(a.source == "telegram-telethon" for a in registry.accounts)


def test_a_bad_value_is_reported_at_its_own_line() -> None:
    """The error names the file, the line of the faulty field, the account and what is wrong."""
    with pytest.raises(ConfigError) as caught:
        AccountRegistry.parse(REGISTRY.format(interval=-5), source="accounts.yaml")
    message = str(caught.value)
    assert message.startswith("accounts.yaml:8: account #2 (mastodon/kabulreport@mastodon.example): ")
    assert "poll_interval_s: input should be greater than 0" in message


def test_an_unknown_field_is_reported_at_its_line() -> None:
    """A typo in a field name is caught (extra fields are forbidden), at the typo's line."""
    text = REGISTRY.format(interval=60).replace("    trust: normal", "    trusted: yes")
    with pytest.raises(ConfigError, match=r"accounts.yaml:9: account #2 .*trusted: extra inputs"):
        AccountRegistry.parse(text, source="accounts.yaml")


def test_a_missing_handle_and_a_bad_language_code_are_reported() -> None:
    with pytest.raises(ConfigError, match=r"<accounts>:2: account #1: handle: field required"):
        AccountRegistry.parse("accounts:\n  - platform: telegram\n")
    with pytest.raises(ConfigError, match=r":4: account #1 \(telegram/x\): languages: .*farsi"):
        AccountRegistry.parse("accounts:\n  - platform: telegram\n    handle: x\n    languages: [farsi]\n")


def test_a_duplicate_account_names_both_lines() -> None:
    text = "accounts:\n  - {platform: telegram, handle: chan}\n  - {platform: Telegram, handle: '@Chan'}\n"
    with pytest.raises(ConfigError, match=r":3: @Chan is listed twice \(see line 2\)"):
        AccountRegistry.parse(text)


def test_numeric_options_are_accepted_as_text() -> None:
    """YAML reads `backfill: 5` as a number; sources parse options from text."""
    text = (
        "accounts:\n  - platform: telegram\n    handle: c\n    options: {backfill: 5, base_url: http://x}\n"
    )
    (account,) = AccountRegistry.parse(text).accounts
    assert account.options == {"backfill": "5", "base_url": "http://x"}


def test_every_builtin_source_is_found_with_what_it_needs() -> None:
    specs = load_specs(include_entry_points=False)
    assert set(specs) == {"telegram-snscrape", "mastodon", "twitter-twscrape", "telegram-telethon"}
    assert len(BUILTIN_SOURCES) == 4
    rows = {r.name: r for r in describe(specs, SourceSettings())}
    assert rows["telegram-snscrape"].credentials == ()
    assert rows["mastodon"].credentials == ()
    assert rows["twitter-twscrape"].credentials == ("twscrape_accounts_db",)
    assert not rows["twitter-twscrape"].ready
    assert "DISTRICTWATCH_TWSCRAPE_ACCOUNTS_DB" in (rows["twitter-twscrape"].problem or "")
    assert "DISTRICTWATCH_TELEGRAM_SESSION" in (rows["telegram-telethon"].problem or "")


def test_an_account_gets_its_platforms_default_source_unless_it_names_one() -> None:
    specs = load_specs(include_entry_points=False)
    assert spec_for(Account(platform="telegram", handle="c"), specs).name == "telegram-snscrape"
    assert spec_for(Account(platform="twitter", handle="c"), specs).name == "twitter-twscrape"
    named = Account(platform="telegram", handle="c", source="telegram-telethon")
    assert spec_for(named, specs).name == "telegram-telethon"
    with pytest.raises(SourceSetupError, match="no source named 'rss'"):
        spec_for(Account(platform="web", handle="c", source="rss"), specs)
    with pytest.raises(SourceSetupError, match="no source reads platform 'bluesky'"):
        spec_for(Account(platform="bluesky", handle="c"), specs)


def test_a_source_whose_library_is_missing_says_which_extra_installs_it() -> None:
    spec = SourceSpec(
        name="bluesky",
        platform="bluesky",
        summary="",
        factory=lambda settings: None,  # type: ignore[arg-type,return-value]
        requires=("districtwatch_no_such_module",),
        extra="bluesky",
    )
    (row,) = describe({"bluesky": spec}, SourceSettings())
    assert not row.installed
    assert row.problem is not None
    assert "pip install 'districtwatch[bluesky]'" in row.problem
    with pytest.raises(SourceSetupError, match="not installed"):
        spec.build(SourceSettings())


PLUGIN = """
from districtwatch.ingest.base import SourceSpec

class RssSource:
    def __init__(self, settings):
        self.settings = settings
    async def fetch(self, account, since):
        raise NotImplementedError
    async def aclose(self):
        return None

SPEC = SourceSpec(name="rss", platform="rss", summary="feeds", factory=RssSource, default=True)
"""


def test_a_source_from_another_distribution_is_found_through_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new source is one module plus an entry point in group districtwatch.sources."""
    (tmp_path / "dw_rss_plugin.py").write_text(PLUGIN, encoding="utf-8")
    dist = tmp_path / "dw_rss_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: dw-rss-plugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        "[districtwatch.sources]\nrss = dw_rss_plugin:SPEC\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    specs = load_specs()
    assert "rss" in specs
    assert spec_for(Account(platform="rss", handle="news.example/feed"), specs).name == "rss"


def test_sources_command_lists_each_source_and_what_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    """`districtwatch sources` shows installed or not, credentials, and the registry's accounts per source."""
    monkeypatch.setattr(settings_module, "_installed", Settings(accounts_file=sample_file("accounts.yaml")))
    result = CliRunner().invoke(commands.sources, [])
    as_json = CliRunner().invoke(commands.sources, ["--json"])
    assert result.exit_code == 0, result.output
    assert "telegram-snscrape *" in result.output
    assert "needs credentials: DISTRICTWATCH_TWSCRAPE_ACCOUNTS_DB" in result.output
    rows = {row["name"]: row for row in map(json.loads, as_json.output.splitlines())}
    assert rows["twitter-twscrape"]["accounts"] == 3  # AsvakaNews, PanjshirProvin1, kabul_watch
    assert rows["telegram-snscrape"]["accounts"] == 1
    assert rows["mastodon"]["ready"] is True


def test_source_settings_are_read_from_the_service_settings_by_name() -> None:
    """Fields the settings have (as name or ingest_<name>) are taken; the others keep their defaults."""

    class Service:
        telegram_preview_url = "http://127.0.0.1:8080"
        ingest_backfill = 5
        twscrape_accounts_db = None

    settings = SourceSettings.from_settings(Service())
    assert settings.telegram_preview_url == "http://127.0.0.1:8080"
    assert settings.backfill == 5
    assert settings.twscrape_accounts_db is None
    assert settings.max_pages == SourceSettings().max_pages
