"""Notifiers: alerts delivered to Slack and Telegram, routed by rules, at most once per destination.

::

    format        Alert → AlertMessage → Slack Block Kit / Telegram HTML        (pure)
    routing       the notifiers file (pydantic) and route(alert, config)        (pure)
    ratelimit     sliding-window limits per channel/chat and per Telegram bot
    slack         chat.postMessage / chat.update (bot token), incoming webhooks (slack-sdk)
    telegram      Bot API sendMessage / editMessageText (aiohttp)
    delivery      one message, one destination: limit, send, retry, give up → an outcome
    dispatch      one alert, one destination, at most once: the deliveries and threads store
    destinations  building notifiers and limits from the file and the secrets
    secrets       tokens from the settings or the secrets dir
    metrics       districtwatch_notifier_* metrics on an injected registry
    commands      `districtwatch notify-test`

The worker's side is ``districtwatch.agents.notify``: one agent per destination on the alerts topic.
"""

from __future__ import annotations

from districtwatch.notifiers.base import (
    DeliveryError,
    DeliveryReceipt,
    DeliveryRejected,
    DestinationUnavailable,
    MessageRef,
    Notifier,
    NotifierSetupError,
    RateLimited,
    UpdateMode,
)
from districtwatch.notifiers.delivery import DeliveryOutcome, Outcome, deliver
from districtwatch.notifiers.format import AlertMessage, compose, slack_message, telegram_html
from districtwatch.notifiers.routing import NotifiersConfig, load_config, route

__all__ = [
    "AlertMessage",
    "DeliveryError",
    "DeliveryOutcome",
    "DeliveryReceipt",
    "DeliveryRejected",
    "DestinationUnavailable",
    "MessageRef",
    "Notifier",
    "NotifierSetupError",
    "NotifiersConfig",
    "Outcome",
    "RateLimited",
    "UpdateMode",
    "compose",
    "deliver",
    "load_config",
    "route",
    "slack_message",
    "telegram_html",
]
