"""The notifiers against local servers speaking Slack's Web API and Telegram's Bot API.

The real clients (slack-sdk's AsyncWebClient and AsyncWebhookClient, aiohttp for Telegram) are
pointed at the fakes through the settings' base URLs; nothing is patched. Each destination runs as
the worker runs it: its own sequential runner, all destinations at once.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from click.testing import CliRunner
from prometheus_client import CollectorRegistry

from districtwatch.notifiers import commands
from districtwatch.notifiers.delivery import DeliveryOutcome, Outcome
from districtwatch.notifiers.destinations import build
from districtwatch.notifiers.dispatch import SENDING, DestinationRunner, MemoryStore
from districtwatch.notifiers.format import PDI, RLI
from districtwatch.notifiers.metrics import NotifierMetrics
from districtwatch.notifiers.routing import NotifiersConfig, route
from districtwatch.schemas import Alert, AlertStatus
from districtwatch.settings import Settings
from tests.unit.notifier_alerts import DARI, make_alert, make_source

from .notifier_fakes import FakeSlack, FakeTelegram, max_in_window

SLACK_TOKEN = "xoxb-1111-2222-notarealtokenvalue"
TELEGRAM_TOKEN = "123456:AAnotarealtelegramtokenvalue"
HOSTILE = 'Tom & Jerry <b>bold</b> 1 < 2 > 0 "q"'
FAST_RETRIES = {"backoff_base_seconds": 0.02, "backoff_max_seconds": 0.1, "max_attempts": 3}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(SLACK_TOKEN)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TELEGRAM_TOKEN)
    fake.start()
    yield fake
    fake.stop()


def settings_for(slack: FakeSlack, telegram: FakeTelegram, **changes: Any) -> Settings:
    values = {
        "slack_bot_token": SLACK_TOKEN,
        "slack_api_url": slack.api_url,
        "slack_webhook_url": slack.webhook_url,
        "telegram_bot_token": TELEGRAM_TOKEN,
        "telegram_api_url": telegram.api_url,
        **changes,
    }
    return Settings.model_validate(values)


def config_of(
    destinations: dict[str, Any], rules: list[dict[str, Any]] | None = None, **more: Any
) -> NotifiersConfig:
    everything = [{"to": list(destinations)}]
    return NotifiersConfig.model_validate(
        {"destinations": destinations, "rules": rules if rules is not None else everything, **more}
    )


@dataclass
class Run:
    outcomes: dict[str, list[DeliveryOutcome]] = field(default_factory=dict)
    finished_at: dict[str, float] = field(default_factory=dict)
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def of(self, destination: str) -> list[Outcome]:
        return [o.outcome for o in self.outcomes.get(destination, [])]

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0


async def deliver_all(
    config: NotifiersConfig, settings: Settings, alerts: Sequence[Alert], store: MemoryStore | None = None
) -> Run:
    """What the worker's agents do: route each alert; each destination delivers its alerts in order."""
    run = Run()
    metrics = NotifierMetrics.create(run.registry)
    built = build(config, settings)
    store = store if store is not None else MemoryStore()
    queues: dict[str, list[Alert]] = {name: [] for name in config.destinations}
    for alert in alerts:
        for name in route(alert, config):
            queues[name].append(alert)

    async def destination(name: str) -> None:
        runner = DestinationRunner(
            built.notifiers[name], built.limits[name], config.delivery, metrics, store, secrets=built.secrets
        )
        results = run.outcomes.setdefault(name, [])
        for alert in queues[name]:
            results.append(await runner.handle(alert))
        run.finished_at[name] = time.monotonic()

    try:
        await asyncio.gather(*(destination(name) for name in config.destinations))
    finally:
        await built.aclose()
    return run


ALL_THREE = {
    "alerts": {"kind": "slack-bot", "channel": "#alerts"},
    "hook": {"kind": "slack-webhook"},
    "north": {"kind": "telegram", "chat_id": "@districtwatch_north"},
}


async def test_messages_reach_both_platforms_with_user_text_escaped_and_rtl_intact(
    slack: FakeSlack, telegram: FakeTelegram
) -> None:
    """Slack gets Block Kit with the excerpt literal; Telegram gets HTML it can parse, showing the same."""
    alert = make_alert(sources=[make_source("Tom&Jerry", HOSTILE), make_source("PanjshirProvin1", DARI)])
    run = await deliver_all(config_of(ALL_THREE), settings_for(slack, telegram), [alert])
    assert run.of("alerts") == run.of("hook") == run.of("north") == [Outcome.DELIVERED]

    [posted] = slack.calls("chat.postMessage")
    assert posted.headers["Authorization"] == f"Bearer {SLACK_TOKEN}"
    assert posted.body["channel"] == "#alerts"
    assert (
        posted.body["blocks"][0]["text"]["text"] == "Taliban → Resistance: Pul-e-Hesar, Baghlan — confirmed"
    )
    quotes = [
        element["elements"][0]["text"]
        for block in posted.body["blocks"]
        if block["type"] == "rich_text"
        for element in block["elements"]
        if element["type"] == "rich_text_quote"
    ]
    assert quotes == [HOSTILE, f"{RLI}{DARI}{PDI}"]
    assert posted.body["text"] == "Taliban → Resistance: Pul-e-Hesar, Baghlan — confirmed (confidence 85%)"
    [hooked] = slack.calls("webhook")
    assert hooked.body["blocks"] == posted.body["blocks"]

    [sent] = telegram.calls("sendMessage")
    assert sent.body["parse_mode"] == "HTML"
    assert sent.answered == 200  # the fake parses it as Telegram does: every < and & escaped
    shown = telegram.messages[(-1001, 1)]
    assert HOSTILE in shown
    assert f"{RLI}{DARI}{PDI}" in shown
    assert "Taliban → Resistance: Pul-e-Hesar, Baghlan — confirmed" in shown
    assert "openstreetmap.org/?mlat=35.60000&mlon=69.30000#map=11/35.60000/69.30000" in sent.body[
        "text"
    ].replace("&amp;", "&")


async def test_routing_sends_confirmed_reported_and_provinces_to_their_channels(
    slack: FakeSlack, telegram: FakeTelegram
) -> None:
    """confirmed → #alerts, reported → #alerts-quiet, Baghlan also → the Telegram channel."""
    config = config_of(
        {
            "alerts": {"kind": "slack-bot", "channel": "#alerts"},
            "quiet": {"kind": "slack-bot", "channel": "#alerts-quiet"},
            "north": {"kind": "telegram", "chat_id": "@districtwatch_north"},
        },
        rules=[
            {"match": {"statuses": ["confirmed"]}, "to": ["alerts"]},
            {"match": {"statuses": ["reported"]}, "to": ["quiet"]},
            {"match": {"provinces": ["Baghlan"]}, "to": ["north"]},
        ],
    )
    confirmed_kabul = make_alert(province="Kabul", district="Paghman")
    reported_baghlan = make_alert(status=AlertStatus.REPORTED, district="Banu")
    await deliver_all(config, settings_for(slack, telegram), [confirmed_kabul, reported_baghlan])
    posted = {c.body["channel"]: c.body["text"] for c in slack.calls("chat.postMessage")}
    assert set(posted) == {"#alerts", "#alerts-quiet"}
    assert "Paghman" in posted["#alerts"]
    assert "Banu" in posted["#alerts-quiet"]
    [sent] = telegram.calls("sendMessage")
    assert "Banu, Baghlan" in sent.body["text"]


async def test_a_confirmation_threads_under_the_report_or_edits_it(
    slack: FakeSlack, telegram: FakeTelegram
) -> None:
    """Same change_id: Slack replies in the first message's thread (broadcast); Telegram replies or edits."""
    config = config_of(
        {
            "alerts": {"kind": "slack-bot", "channel": "#alerts"},
            "edited": {"kind": "telegram", "chat_id": "@districtwatch_north", "updates": "edit"},
            "replied": {"kind": "telegram", "chat_id": "-1002"},
        }
    )
    reported = make_alert(status=AlertStatus.REPORTED, change_id="change-puli-hisar")
    confirmed = make_alert(status=AlertStatus.CONFIRMED, change_id="change-puli-hisar")
    run = await deliver_all(config, settings_for(slack, telegram), [reported, confirmed])
    assert run.of("alerts") == run.of("edited") == run.of("replied") == [Outcome.DELIVERED] * 2

    first, second = slack.calls("chat.postMessage")
    assert "thread_ts" not in first.body
    first_ts = run.outcomes["alerts"][0].receipt.ref.message_id  # type: ignore[union-attr]
    assert second.body["thread_ts"] == first_ts
    assert second.body["reply_broadcast"] is True

    [edit] = telegram.calls("editMessageText")
    assert edit.body["chat_id"] == -1001
    assert "— confirmed" in telegram.messages[(-1001, edit.body["message_id"])]
    replies = [c for c in telegram.calls("sendMessage") if c.body["chat_id"] == -1002]
    assert "reply_parameters" not in replies[0].body
    first_id = run.outcomes["replied"][0].receipt.ref.message_id  # type: ignore[union-attr]
    assert replies[1].body["reply_parameters"] == {
        "message_id": int(first_id),
        "allow_sending_without_reply": True,
    }


async def test_an_edit_of_a_deleted_message_becomes_a_new_message(
    slack: FakeSlack, telegram: FakeTelegram
) -> None:
    config = config_of({"edited": {"kind": "telegram", "chat_id": "-1002", "updates": "edit"}})
    store = MemoryStore()
    reported = make_alert(status=AlertStatus.REPORTED, change_id="c-gone")
    await deliver_all(config, settings_for(slack, telegram), [reported], store)
    telegram.messages.clear()  # someone deleted it in the channel
    confirmed = make_alert(status=AlertStatus.CONFIRMED, change_id="c-gone")
    run = await deliver_all(config, settings_for(slack, telegram), [confirmed], store)
    assert run.of("edited") == [Outcome.DELIVERED]
    assert [c.method for c in telegram.calls()] == ["sendMessage", "editMessageText", "sendMessage"]
    assert store.thread("edited", "c-gone") == run.outcomes["edited"][0].receipt.ref  # type: ignore[union-attr]


@pytest.mark.parametrize("platform", ["slack", "telegram"])
async def test_a_429_is_honoured_for_its_retry_after(
    platform: str, slack: FakeSlack, telegram: FakeTelegram
) -> None:
    """The retry reaches the server no sooner than Retry-After (Slack header, Telegram retry_after)."""
    if platform == "slack":
        slack.fail_next(429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "1"})
        config, fake = config_of({"d": {"kind": "slack-bot", "channel": "#alerts"}}), slack
        method = "chat.postMessage"
    else:
        answer = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1"}
        telegram.fail_next(429, {**answer, "parameters": {"retry_after": 1}})
        config, fake = config_of({"d": {"kind": "telegram", "chat_id": "-1002"}}), telegram  # type: ignore[assignment]
        method = "sendMessage"
    run = await deliver_all(config, settings_for(slack, telegram), [make_alert()])
    assert run.of("d") == [Outcome.DELIVERED]
    limited, accepted = fake.calls(method)
    assert (limited.answered, accepted.answered) == (429, 200)
    assert accepted.at - limited.at >= 1.0
    assert run.metric("districtwatch_notifier_retries_total", destination="d", reason="rate_limited") == 1
    assert run.metric("districtwatch_notifier_rate_limit_wait_seconds_sum", destination="d") >= 0.9


async def test_server_errors_are_retried_then_delivered(slack: FakeSlack, telegram: FakeTelegram) -> None:
    slack.fail_next(500, "<html>Internal Server Error</html>", method="chat.postMessage")
    slack.fail_next(503, {"ok": False, "error": "service_unavailable"}, method="chat.postMessage")
    telegram.fail_next(502, "Bad Gateway", method="sendMessage")
    config = config_of(
        {"s": {"kind": "slack-bot", "channel": "#alerts"}, "t": {"kind": "telegram", "chat_id": "-1002"}},
        delivery=FAST_RETRIES,
    )
    run = await deliver_all(config, settings_for(slack, telegram), [make_alert()])
    assert run.of("s") == run.of("t") == [Outcome.DELIVERED]
    assert [c.answered for c in slack.calls("chat.postMessage")] == [500, 503, 200]
    assert [c.answered for c in telegram.calls("sendMessage")] == [502, 200]
    assert run.metric("districtwatch_notifier_retries_total", destination="s", reason="unavailable") == 2


async def test_server_errors_past_the_attempts_give_up_with_the_reason(
    slack: FakeSlack, telegram: FakeTelegram
) -> None:
    slack.fail_next(500, {"ok": False, "error": "internal_error"}, times=3)
    config = config_of({"s": {"kind": "slack-bot", "channel": "#alerts"}}, delivery=FAST_RETRIES)
    run = await deliver_all(config, settings_for(slack, telegram), [make_alert()])
    [outcome] = run.outcomes["s"]
    assert outcome.outcome is Outcome.GAVE_UP
    assert outcome.dead_letter
    assert outcome.reason == "gave up after 3 attempts: slack chat.postMessage: internal_error (HTTP 500)"
    assert len(slack.calls()) == 3


async def test_client_errors_are_dead_lettered_without_a_retry(
    slack: FakeSlack, telegram: FakeTelegram
) -> None:
    """400s and ok:false refusals are not retried: one request each, reason kept for the dead letter."""
    slack.fail_next(400, "invalid_payload", method="webhook")
    config = config_of(
        {
            "unknown-channel": {"kind": "slack-bot", "channel": "#nowhere"},
            "hook": {"kind": "slack-webhook"},
            "unknown-chat": {"kind": "telegram", "chat_id": "-999"},
        },
        delivery=FAST_RETRIES,
    )
    run = await deliver_all(config, settings_for(slack, telegram), [make_alert()])
    reasons = {name: outcomes[0].reason for name, outcomes in run.outcomes.items()}
    assert all(outcomes[0].outcome is Outcome.REJECTED for outcomes in run.outcomes.values())
    assert reasons == {
        "unknown-channel": "slack chat.postMessage: channel_not_found (HTTP 200)",
        "hook": "slack webhook: invalid_payload (HTTP 400)",
        "unknown-chat": "telegram sendMessage: 400 Bad Request: chat not found",
    }
    assert len(slack.calls()) == 2
    assert len(telegram.calls()) == 1
    assert run.metric("districtwatch_notifier_deliveries_total", destination="hook", outcome="rejected") == 1


async def test_a_restart_does_not_deliver_again(slack: FakeSlack, telegram: FakeTelegram) -> None:
    """Again over the same alerts and store: nothing is sent twice; an interrupted send is not redone."""
    config = config_of(ALL_THREE)
    alerts = [make_alert() for _ in range(3)]
    store = MemoryStore()
    first = await deliver_all(config, settings_for(slack, telegram), alerts, store)
    assert all(
        o == [Outcome.DELIVERED] * 3 for o in (first.of("alerts"), first.of("hook"), first.of("north"))
    )
    before = len(slack.calls()) + len(telegram.calls())
    # the worker died while sending a fourth alert: its 'sending' mark survived, its outcome did not
    fourth = make_alert()
    store.set_delivery("alerts", fourth.alert_id, {"state": SENDING, "at": "2021-08-20T10:00:00+00:00"})
    again = await deliver_all(
        config_of({"alerts": ALL_THREE["alerts"]}), settings_for(slack, telegram), [*alerts, fourth], store
    )
    assert again.of("alerts") == [Outcome.ALREADY_DELIVERED] * 3 + [Outcome.INTERRUPTED]
    assert len(slack.calls()) + len(telegram.calls()) == before
    assert "may have arrived" in (again.outcomes["alerts"][3].reason or "")
    # a later copy of the interrupted alert (control re-sends an alert for a redelivered claim): not sent
    third = await deliver_all(
        config_of({"alerts": ALL_THREE["alerts"]}), settings_for(slack, telegram), [fourth], store
    )
    assert third.of("alerts") == [Outcome.INTERRUPTED]
    assert len(slack.calls()) + len(telegram.calls()) == before


async def test_a_down_destination_does_not_hold_up_the_others(
    slack: FakeSlack, telegram: FakeTelegram
) -> None:
    """Slack's address refuses connections; Telegram finishes all its alerts while Slack still retries."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/api/"  # bound, not listening: refused
        config = config_of(
            {
                "s": {"kind": "slack-bot", "channel": "#alerts", "rate": {"count": 100, "per_seconds": 1}},
                "t": {"kind": "telegram", "chat_id": "-1002", "rate": {"count": 100, "per_seconds": 1}},
            },
            delivery={"backoff_base_seconds": 0.2, "backoff_max_seconds": 0.2, "max_attempts": 3},
        )
        alerts = [make_alert() for _ in range(5)]
        run = await deliver_all(config, settings_for(slack, telegram, slack_api_url=dead), alerts)
    assert run.of("t") == [Outcome.DELIVERED] * 5
    assert run.of("s") == [Outcome.GAVE_UP] * 5
    assert all("ClientConnectorError" in (o.reason or "") for o in run.outcomes["s"])
    assert run.finished_at["t"] < run.finished_at["s"]


async def test_a_thousand_alerts_stay_within_every_rate_limit(
    slack: FakeSlack, telegram: FakeTelegram
) -> None:
    """Two Slack channels and three Telegram chats at scaled-down limits; no window of the server's
    own timestamps holds more than a limit allows, per channel, per chat and for the bot."""
    slack_rate = {"count": 1, "per_seconds": 0.01}
    chat_rate = {"count": 10, "per_seconds": 0.1}
    bot_rate = {"count": 15, "per_seconds": 0.1}
    config = config_of(
        {
            "alerts": {"kind": "slack-bot", "channel": "#alerts", "rate": slack_rate},
            "quiet": {"kind": "slack-bot", "channel": "#alerts-quiet", "rate": slack_rate},
            "t1": {"kind": "telegram", "chat_id": "-1002", "rate": chat_rate},
            "t2": {"kind": "telegram", "chat_id": "-1003", "rate": chat_rate},
            "t3": {"kind": "telegram", "chat_id": "-1004", "rate": chat_rate},
        },
        rules=[
            {"match": {"statuses": ["confirmed"]}, "to": ["alerts"]},
            {"match": {"statuses": ["reported"]}, "to": ["quiet"]},
            {"match": {"provinces": ["P0"]}, "to": ["t1"]},
            {"match": {"provinces": ["P1"]}, "to": ["t2"]},
            {"match": {"provinces": ["P2"]}, "to": ["t3"]},
        ],
        telegram_rate=bot_rate,
    )
    alerts = [
        make_alert(
            status=AlertStatus.CONFIRMED if i % 2 else AlertStatus.REPORTED,
            province=f"P{i % 3}",
            district=f"D{i}",
            sources=[make_source(excerpt=f"{DARI} {i}")],
        )
        for i in range(1000)
    ]
    started = time.monotonic()
    run = await deliver_all(config, settings_for(slack, telegram), alerts)
    elapsed = time.monotonic() - started

    assert sum(len(o) for o in run.outcomes.values()) == 2000
    assert all(o.outcome is Outcome.DELIVERED for outcomes in run.outcomes.values() for o in outcomes)
    slack_calls, telegram_calls = slack.calls("chat.postMessage"), telegram.calls("sendMessage")
    assert len(slack_calls) == len(telegram_calls) == 1000
    observed: dict[str, int] = {}
    for channel in ("#alerts", "#alerts-quiet"):
        observed[channel] = max_in_window([c.at for c in slack_calls if c.body["channel"] == channel], 0.01)
        assert observed[channel] <= 1
    for chat in (-1002, -1003, -1004):
        observed[str(chat)] = max_in_window([c.at for c in telegram_calls if c.body["chat_id"] == chat], 0.1)
        assert observed[str(chat)] <= 10
    observed["bot"] = max_in_window([c.at for c in telegram_calls], 0.1)
    assert observed["bot"] <= 15
    # seen by `pytest -s`: the figures the report quotes
    print(f"\n1000 alerts → 2000 messages in {elapsed:.1f}s; max per window: {observed}")


async def test_tokens_and_webhook_urls_never_reach_logs_or_reasons(
    slack: FakeSlack, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack.fail_next(
        429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "0"}, method="chat.postMessage"
    )
    slack.fail_next(500, "oops", method="webhook")
    slack.fail_next(400, "no_service", method="webhook")
    telegram.fail_next(500, {"ok": False, "error_code": 500, "description": "Internal"})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = config_of(
            {
                "alerts": {"kind": "slack-bot", "channel": "#alerts"},
                "hook": {"kind": "slack-webhook"},
                "north": {"kind": "telegram", "chat_id": "@districtwatch_north"},
            },
            delivery=FAST_RETRIES,
        )
        live = await deliver_all(config, settings_for(slack, telegram), [make_alert()])
        down = await deliver_all(config, settings_for(slack, telegram, telegram_api_url=dead), [make_alert()])
    reasons = [o.reason or "" for run in (live, down) for outcomes in run.outcomes.values() for o in outcomes]
    assert any("ClientConnectorError" in r for r in reasons)
    # werkzeug's lines are the fake server's access log (Telegram puts the token in the path)
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))
    assert "rate limited" in ours  # the failures were logged, without secrets
    assert "gave up" in ours
    for secret in (SLACK_TOKEN, TELEGRAM_TOKEN, "secretwebhookpart"):
        assert secret not in ours
        assert not any(secret in reason for reason in reasons)
        assert secret not in repr(settings_for(slack, telegram))


def test_notify_test_sends_to_each_destination_and_fails_on_any_failure(
    slack: FakeSlack, telegram: FakeTelegram, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notifiers.yaml"
    path.write_text(
        "destinations:\n"
        "  alerts: {kind: slack-bot, channel: '#alerts'}\n"
        "  north: {kind: telegram, chat_id: '@districtwatch_north'}\n"
        "  broken: {kind: telegram, chat_id: '-999'}\n",
        encoding="utf-8",
    )
    settings = settings_for(slack, telegram, notifiers_file=str(path))
    monkeypatch.setattr(commands, "get_settings", lambda: settings)
    result = CliRunner().invoke(commands.notify_test, ["-d", "alerts", "-d", "north"])
    assert result.exit_code == 0, result.output
    assert "alerts: delivered (chat C0ALERTS" in result.output
    assert "north: delivered (chat -1001, message 1)" in result.output
    assert "for alerts" in slack.calls("chat.postMessage")[0].body["text"]
    failed = CliRunner().invoke(commands.notify_test, [])
    assert failed.exit_code == 1
    assert "broken: rejected: telegram sendMessage: 400 Bad Request: chat not found" in failed.output
    assert SLACK_TOKEN not in failed.output
    assert TELEGRAM_TOKEN not in failed.output
