"""Building the configured destinations: notifiers with their secrets, and the limits they share.

:func:`check_secrets` runs where the worker starts, so a destination without its token stops the
worker with a message naming the destination and the secret, instead of dead-lettering every
alert. :func:`build` runs inside the event loop (it opens the aiohttp session all notifiers share).
Destinations posting to the same Slack channel or Telegram chat share one limiter, at the strictest
rate any of them names; every Telegram destination also passes the bot-wide limiter.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import aiohttp
from pydantic import SecretStr

from districtwatch.notifiers.base import Notifier, NotifierSetupError
from districtwatch.notifiers.ratelimit import Clock, LimiterRegistry, Limits, Sleep
from districtwatch.notifiers.routing import (
    Destination,
    NotifiersConfig,
    Rate,
    SlackBotDestination,
    SlackWebhookDestination,
    TelegramDestination,
)
from districtwatch.notifiers.secrets import read_secret
from districtwatch.notifiers.slack import SlackBotNotifier, SlackWebhookNotifier, web_client
from districtwatch.notifiers.telegram import TelegramNotifier
from districtwatch.settings import Settings

SLACK_BOT_TOKEN = "DISTRICTWATCH_SLACK_BOT_TOKEN"
TELEGRAM_BOT_TOKEN = "DISTRICTWATCH_TELEGRAM_BOT_TOKEN"
TELEGRAM_BOT_LIMIT = "telegram:bot"


@dataclass
class Destinations:
    """The notifiers of the configured destinations and the limits each send passes."""

    notifiers: dict[str, Notifier]
    limits: dict[str, Limits]
    session: aiohttp.ClientSession
    #: every secret value in use, so unexpected errors can be redacted before they are logged
    secrets: tuple[str, ...] = field(default=(), repr=False)

    async def aclose(self) -> None:
        for notifier in self.notifiers.values():
            await notifier.aclose()
        await self.session.close()


def secret_name(destination: Destination) -> str:
    """Which secret a destination needs."""
    if isinstance(destination, SlackBotDestination):
        return SLACK_BOT_TOKEN
    if isinstance(destination, SlackWebhookDestination):
        return destination.url_secret
    return TELEGRAM_BOT_TOKEN


def check_secrets(destinations: Mapping[str, Destination], settings: Settings) -> dict[str, SecretStr]:
    """Each secret the destinations need, by name; NotifierSetupError names every one missing."""
    found: dict[str, SecretStr] = {}
    missing: list[str] = []
    for name, destination in destinations.items():
        wanted = secret_name(destination)
        value = found.get(wanted) or read_secret(settings, wanted)
        if value is None:
            missing.append(f"{name} needs {wanted}")
        else:
            found[wanted] = value
    if missing:
        where = f" or a file in {settings.secrets_dir}" if settings.secrets_dir else " (or set secrets_dir)"
        raise NotifierSetupError(f"notifier secrets missing: {'; '.join(missing)}; set the variables{where}")
    return found


def shared_rates(config: NotifiersConfig) -> dict[str, Rate]:
    """The rate of each limit key: the strictest of the destinations that share it."""
    rates: dict[str, Rate] = {}
    for destination in config.destinations.values():
        rate, key = destination.effective_rate, destination.limit_key
        if key not in rates or rate.per_second < rates[key].per_second:
            rates[key] = rate
    return rates


def build(
    config: NotifiersConfig,
    settings: Settings,
    *,
    only: Iterable[str] | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> Destinations:
    """Notifiers and limits for the destinations (all, or those named in ``only``); call in the loop."""
    names = list(config.destinations) if only is None else list(only)
    unknown = [name for name in names if name not in config.destinations]
    if unknown:
        raise NotifierSetupError(
            f"no such destination: {', '.join(unknown)} (have: {', '.join(config.destinations)})"
        )
    secrets = check_secrets({name: config.destinations[name] for name in names}, settings)
    registry = LimiterRegistry(clock=clock, sleep=sleep)
    rates = shared_rates(config)
    bot_limiter = registry.get(TELEGRAM_BOT_LIMIT, config.telegram_rate)
    limits: dict[str, Limits] = {}
    for name in names:
        destination = config.destinations[name]
        own = registry.get(destination.limit_key, rates[destination.limit_key])
        shared = (bot_limiter,) if isinstance(destination, TelegramDestination) else ()
        limits[name] = Limits(own, shared)
    # last: nothing below raises, so the session cannot leak from a failed build
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=config.delivery.timeout_seconds))
    notifiers: dict[str, Notifier] = {}
    for name in names:
        destination = config.destinations[name]
        secret = secrets[secret_name(destination)]
        if isinstance(destination, SlackBotDestination):
            client = web_client(secret, settings.slack_api_url, session)
            notifiers[name] = SlackBotNotifier(name, destination.channel, client, updates=destination.updates)
        elif isinstance(destination, SlackWebhookDestination):
            notifiers[name] = SlackWebhookNotifier(name, secret, session)
        else:
            notifiers[name] = TelegramNotifier(
                name,
                destination.chat_id,
                token=secret,
                api_url=settings.telegram_api_url,
                session=session,
                updates=destination.updates,
            )
    values = tuple(secret.get_secret_value() for secret in secrets.values())
    return Destinations(notifiers=notifiers, limits=limits, session=session, secrets=values)
