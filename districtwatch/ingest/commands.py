"""The `ingest` and `sources` commands (registered in ``districtwatch.cli``).

`ingest` polls every enabled account of the registry whose source can run, serves ``POST /posts``
and ``/metrics`` on ``ingest_web_port``, and produces to ``posts.raw`` until SIGINT or SIGTERM, when
each poll in progress finishes (produce, ack, checkpoint) before it exits. `sources` lists what is
installed and what each source needs, and which registry accounts use it.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict

import click
from aiohttp import web
from prometheus_client import CollectorRegistry

from districtwatch.core.accounts import AccountRegistry
from districtwatch.errors import ConfigError
from districtwatch.ingest.base import SourceSettings, describe, load_specs, spec_for
from districtwatch.ingest.checkpoints import CheckpointStore
from districtwatch.ingest.errors import SourceSetupError
from districtwatch.ingest.metrics import IngestMetrics
from districtwatch.ingest.poller import PollOutcome, build_ingester
from districtwatch.ingest.push import create_app
from districtwatch.kafka.clients import KafkaError
from districtwatch.kafka.post_sink import KafkaPostSink
from districtwatch.settings import Settings, get_settings


def _settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # pydantic's message names the variable at fault
        raise click.ClickException(f"invalid settings: {exc}") from exc


def _registry(settings: Settings) -> AccountRegistry:
    try:
        return AccountRegistry.load(settings.accounts_file)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command()
@click.option("--once", is_flag=True, help="Poll every account once and exit (no web server).")
def ingest(once: bool) -> None:
    """Poll the registry's accounts and serve POST /posts; produce to posts.raw."""
    settings = _settings()
    if settings.bootstrap_servers is None:
        raise click.ClickException(
            "no broker: set DISTRICTWATCH_BOOTSTRAP_SERVERS (see `districtwatch broker`)"
        )
    registry = _registry(settings)
    if settings.accounts_file is None:
        click.echo("no account registry (DISTRICTWATCH_ACCOUNTS_FILE): nothing to poll", err=True)
    try:
        outcomes = asyncio.run(
            run_ingest(settings, registry, once=once, say=lambda m: click.echo(m, err=True))
        )
    except KafkaError as exc:
        raise click.ClickException(f"broker {settings.bootstrap_servers}: {exc}") from exc
    failed = [o for o in outcomes if o.error is not None]
    for outcome in outcomes:
        if outcome.error is not None:
            click.echo(f"{outcome.account}: {type(outcome.error).__name__}: {outcome.error}", err=True)
        elif outcome.result is not None:
            r = outcome.result
            click.echo(
                f"{outcome.account}: {r.new} new, {r.edited} edited, {len(r.deleted)} deleted", err=True
            )
    if once and failed:
        raise SystemExit(1)


async def run_ingest(
    settings: Settings, registry: AccountRegistry, *, once: bool, say: Callable[[str], None] = print
) -> list[PollOutcome]:
    """Everything `ingest` does, as a coroutine (tests drive it directly)."""
    from districtwatch.kafka.clients import ensure_topics

    assert settings.bootstrap_servers is not None
    echo = say
    topic = settings.topic("posts.raw")
    await ensure_topics(settings.bootstrap_servers, [topic], settings.partitions)
    sink = KafkaPostSink(settings.bootstrap_servers, topic)
    await sink.start()
    metrics_registry = CollectorRegistry()
    metrics = IngestMetrics.create(metrics_registry)
    ingester = build_ingester(
        registry,
        load_specs(),
        SourceSettings.from_settings(settings),
        CheckpointStore(settings.ingest_checkpoint_dir),
        sink,
        metrics,
    )
    for line in ingester.skipped:
        echo(f"not polled: {line}")
    echo(f"polling {len(ingester.pollers)} accounts; producing to {topic}")
    try:
        if once:
            return await ingester.run_once()
        token = settings.api_token.get_secret_value() if settings.api_token else None
        app = create_app(
            sink, metrics, max_body_bytes=settings.max_push_body_bytes, registry=metrics_registry, token=token
        )
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.web_host, settings.ingest_web_port).start()
            echo(f"POST /posts and /metrics on http://{settings.web_host}:{settings.ingest_web_port}")
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with suppress(NotImplementedError):  # not on every platform
                    loop.add_signal_handler(sig, stop.set)
            await asyncio.gather(ingester.run(stop), stop.wait())
            echo("stopped: polls in progress finished, checkpoints saved")
        finally:
            await runner.cleanup()
        return []
    finally:
        await ingester.aclose()
        await sink.stop()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
def sources(as_json: bool) -> None:
    """List the ingest sources: installed or not, what each needs, which accounts use it."""
    settings = _settings()
    specs = load_specs()
    rows = describe(specs, SourceSettings.from_settings(settings))
    users: Counter[str] = Counter()
    unread: list[str] = []
    for account in _registry(settings).accounts if settings.accounts_file else ():
        if not account.enabled:
            continue
        try:
            users[spec_for(account, specs).name] += 1
        except SourceSetupError as exc:
            unread.append(str(exc))
    if as_json:
        for row in rows:
            click.echo(json.dumps({**asdict(row), "accounts": users[row.name]}))
        return
    table = [("source", "platform", "installed", "credentials", "status", "accounts")]
    for row in rows:
        table.append(
            (
                row.name + (" *" if row.default else ""),
                row.platform,
                "yes" if row.installed else f"no: pip install 'districtwatch[{row.extra}]'",
                ", ".join(row.credentials) or "none",
                "ready" if row.ready else (row.problem or ""),
                str(users[row.name]),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    click.echo("* the platform's default source; an account picks another with `source:` in the registry")
    for problem in unread:
        click.echo(f"warning: {problem}", err=True)
