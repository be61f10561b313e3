"""Which destinations an alert goes to, and that a broken notifiers file stops with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from districtwatch.errors import ConfigError
from districtwatch.notifiers.base import UpdateMode
from districtwatch.notifiers.destinations import check_secrets, shared_rates
from districtwatch.notifiers.routing import (
    SLACK_CHANNEL_RATE,
    TELEGRAM_BOT_RATE,
    TELEGRAM_CHAT_RATE,
    NotifiersConfig,
    Rate,
    load_config,
    route,
)
from districtwatch.notifiers.secrets import read_secret
from districtwatch.samples import sample_file
from districtwatch.schemas import AlertStatus
from districtwatch.settings import Settings

from .notifier_alerts import make_alert

CONFIG = NotifiersConfig.model_validate(
    {
        "destinations": {
            "alerts": {"kind": "slack-bot", "channel": "#alerts"},
            "alerts-quiet": {"kind": "slack-bot", "channel": "#alerts-quiet"},
            "north": {"kind": "telegram", "chat_id": -1001234},
            "taliban-watch": {"kind": "telegram", "chat_id": "@tw", "rate": {"count": 1, "per_seconds": 3}},
        },
        "rules": [
            {"match": {"statuses": ["confirmed", "contested", "retracted"]}, "to": ["alerts"]},
            {"match": {"statuses": ["reported"]}, "to": ["alerts-quiet"]},
            {"match": {"provinces": ["baghlan", "Panjshir"], "min_confidence": 0.5}, "to": ["north"]},
            {"match": {"actors": ["Taliban"], "statuses": ["confirmed"]}, "to": ["taliban-watch", "alerts"]},
        ],
    }
)


def test_confirmed_and_reported_alerts_go_to_different_channels() -> None:
    assert route(make_alert(status=AlertStatus.CONFIRMED, province="Kunduz"), CONFIG) == [
        "alerts",
        "taliban-watch",
    ]
    assert route(make_alert(status=AlertStatus.REPORTED, province="Kunduz"), CONFIG) == ["alerts-quiet"]


def test_provinces_match_case_insensitively_and_confidence_gates() -> None:
    assert "north" in route(make_alert(province="Baghlan", confidence=0.5), CONFIG)
    assert "north" not in route(make_alert(province="Baghlan", confidence=0.4), CONFIG)
    assert "north" not in route(make_alert(province="Kabul"), CONFIG)


def test_actor_matches_the_side_that_gained_or_lost() -> None:
    gained = make_alert(gained_by="taliban", lost_by="resistance", province="Kabul")
    lost = make_alert(gained_by="resistance", lost_by="taliban", province="Kabul")
    neither = make_alert(gained_by="resistance", lost_by="government", province="Kabul")
    assert "taliban-watch" in route(gained, CONFIG)
    assert "taliban-watch" in route(lost, CONFIG)
    assert "taliban-watch" not in route(neither, CONFIG)


def test_each_destination_appears_once_in_rule_order() -> None:
    assert route(make_alert(province="Baghlan"), CONFIG) == ["alerts", "north", "taliban-watch"]


def test_stop_ends_the_search() -> None:
    config = NotifiersConfig.model_validate(
        {
            "destinations": {
                "a": {"kind": "slack-bot", "channel": "C1"},
                "b": {"kind": "slack-bot", "channel": "C2"},
            },
            "rules": [{"match": {"districts": ["Pul-e-Hesar"]}, "to": ["a"], "stop": True}, {"to": ["b"]}],
        }
    )
    assert route(make_alert(), config) == ["a"]
    assert route(make_alert(district="Banu"), config) == ["b"]


def test_platform_default_rates_and_overrides() -> None:
    assert CONFIG.destinations["alerts"].effective_rate == SLACK_CHANNEL_RATE == Rate(count=1, per_seconds=1)
    assert CONFIG.destinations["north"].effective_rate == TELEGRAM_CHAT_RATE == Rate(count=20, per_seconds=60)
    assert CONFIG.telegram_rate == TELEGRAM_BOT_RATE == Rate(count=30, per_seconds=1)
    assert CONFIG.destinations["taliban-watch"].effective_rate == Rate(count=1, per_seconds=3)
    assert CONFIG.destinations["north"].chat_id == "-1001234"  # type: ignore[union-attr]


def test_destinations_on_one_channel_share_its_strictest_limit() -> None:
    config = NotifiersConfig.model_validate(
        {
            "destinations": {
                "a": {"kind": "slack-bot", "channel": "#x"},
                "b": {"kind": "slack-bot", "channel": "#x", "rate": {"count": 1, "per_seconds": 5}},
            }
        }
    )
    assert shared_rates(config) == {"slack:#x": Rate(count=1, per_seconds=5)}


@pytest.mark.parametrize(
    ("yaml_text", "says"),
    [
        (
            "destinations: {a: {kind: slack-bot, channel: '#a'}}\nrules: [{to: [b]}]",
            "unknown destinations ['b']",
        ),
        ("destinations: {a: {kind: pager, channel: '#a'}}", "destinations.a"),
        ("destinations: {a: {kind: telegram}}", "chat_id: field required"),
        ("destinations: {'a|b': {kind: slack-bot, channel: '#a'}}", "destination name 'a|b'"),
        ("destinations: {a: {kind: slack-bot, channel: '#a', colour: red}}", "colour"),
        ("destinations: [", "not valid YAML"),
    ],
)
def test_a_broken_file_is_a_config_error_naming_the_fault(tmp_path: Path, yaml_text: str, says: str) -> None:
    path = tmp_path / "notifiers.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match="notifiers file") as caught:
        load_config(path)
    assert says in str(caught.value)


def test_the_sample_file_loads_and_routes_as_documented() -> None:
    config = load_config(sample_file("notifiers.yaml"))
    assert route(make_alert(status=AlertStatus.CONFIRMED, province="Kabul"), config) == ["alerts"]
    assert route(make_alert(status=AlertStatus.REPORTED, province="Kabul"), config) == ["alerts-quiet"]
    assert route(make_alert(status=AlertStatus.REPORTED, province="Baghlan"), config) == [
        "alerts-quiet",
        "north-telegram",
    ]
    assert config.destinations["north-telegram"].updates is UpdateMode.EDIT


def test_secrets_come_from_settings_or_the_secrets_dir(tmp_path: Path) -> None:
    (tmp_path / "DISTRICTWATCH_TELEGRAM_BOT_TOKEN").write_text("123:from-file\n", encoding="utf-8")
    (tmp_path / "DISTRICTWATCH_SLACK_BOT_TOKEN").write_text("xoxb-from-file", encoding="utf-8")
    settings = Settings.model_validate({"secrets_dir": str(tmp_path), "slack_bot_token": "xoxb-from-env"})
    slack = read_secret(settings, "DISTRICTWATCH_SLACK_BOT_TOKEN")
    telegram = read_secret(settings, "DISTRICTWATCH_TELEGRAM_BOT_TOKEN")
    assert slack is not None
    assert slack.get_secret_value() == "xoxb-from-env"  # the setting wins
    assert telegram is not None
    assert telegram.get_secret_value() == "123:from-file"
    assert read_secret(settings, "DISTRICTWATCH_SLACK_WEBHOOK_URL") is None
    with pytest.raises(ConfigError):
        read_secret(settings, "../etc/passwd")


def test_missing_secrets_are_named_per_destination() -> None:
    with pytest.raises(ConfigError) as caught:
        check_secrets(CONFIG.destinations, Settings.model_validate({"slack_bot_token": "xoxb-1"}))
    assert "north needs DISTRICTWATCH_TELEGRAM_BOT_TOKEN" in str(caught.value)
    assert "alerts needs" not in str(caught.value)
