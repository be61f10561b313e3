"""`districtwatch notify-test`: send a test message to each configured destination (registered in cli).

It goes through the same notifiers, limits and retry policy as the worker's deliveries, so a
success here means tokens, channel ids and network path work; it prints one line per destination
and exits 1 if any failed. Tokens are never printed: failures show the platform's error word.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import click
from prometheus_client import CollectorRegistry

from districtwatch.errors import ConfigError
from districtwatch.notifiers.delivery import DeliveryOutcome, Outcome, deliver
from districtwatch.notifiers.destinations import build
from districtwatch.notifiers.format import notify_test_message
from districtwatch.notifiers.metrics import NotifierMetrics
from districtwatch.notifiers.routing import NotifiersConfig, load_config
from districtwatch.settings import Settings, get_settings


async def send_test_messages(
    config: NotifiersConfig, settings: Settings, destinations: list[str] | None = None
) -> list[DeliveryOutcome]:
    """A test message to each destination (all, or those named), one after another."""
    built = build(config, settings, only=destinations)
    metrics = NotifierMetrics.create(CollectorRegistry())
    outcomes = []
    try:
        for name, notifier in built.notifiers.items():
            message = notify_test_message(name, datetime.now(UTC))
            outcomes.append(
                await deliver(
                    notifier,
                    message,
                    thread=None,
                    limits=built.limits[name],
                    policy=config.delivery,
                    metrics=metrics,
                )
            )
    finally:
        await built.aclose()
    return outcomes


@click.command("notify-test")
@click.option(
    "--destination", "-d", "destinations", multiple=True, help="Only this destination (repeatable)."
)
def notify_test(destinations: tuple[str, ...]) -> None:
    """Send a test message to each configured notifier destination; exit 1 if any fails."""
    try:
        settings = get_settings()
    except Exception as exc:  # pydantic's message names the variable at fault
        raise click.ClickException(f"invalid settings: {exc}") from exc
    if settings.notifiers_file is None:
        raise click.ClickException("no notifiers file: set DISTRICTWATCH_NOTIFIERS_FILE")
    try:
        config = load_config(settings.notifiers_file)
        outcomes = asyncio.run(send_test_messages(config, settings, list(destinations) or None))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    failed = 0
    for outcome in outcomes:
        if outcome.outcome is Outcome.DELIVERED:
            ref = outcome.receipt.ref if outcome.receipt else None
            where = f" (chat {ref.chat}, message {ref.message_id})" if ref else ""
            click.echo(f"{outcome.destination}: delivered{where}")
        else:
            failed += 1
            click.echo(f"{outcome.destination}: {outcome.outcome.value}: {outcome.reason}", err=True)
    if failed:
        raise SystemExit(1)
