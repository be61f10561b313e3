"""The `districtwatch` command: broker, worker, replay, alerts, demo, extract, schemas.

Commands read the settings once (environment and .env) and pass them on; `worker` installs them
before the Faust app is imported, so that the app sees the embedded broker's address when it starts
one itself.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from districtwatch.settings import Settings, derive, get_settings, use_settings


def _settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # pydantic's message names the variable at fault
        raise click.ClickException(f"invalid settings: {exc}") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="districtwatch")
def cli() -> None:
    """Watch social-media accounts and alert when a district changes hands."""


@cli.command()
@click.option(
    "--port", type=int, default=9092, show_default=True, help="Port on 127.0.0.1 (0: any free port)."
)
@click.option(
    "--kafka",
    is_flag=True,
    help="Run Apache Kafka (KRaft, one node; needs Java 17+, and Maven once) instead.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --kafka: keep topics and offsets here across runs (default: a temporary directory).",
)
@click.option(
    "--partitions",
    type=int,
    default=1,
    show_default=True,
    help="With --kafka: partitions of auto-created topics.",
)
def broker(port: int, kafka: bool, data_dir: Path | None, partitions: int) -> None:
    """Run the embedded Kafka-protocol broker (Tansu, in memory), or Apache Kafka, until Ctrl-C."""
    if kafka:
        from districtwatch.cli.broker_kafka import broker_kafka

        broker_kafka(port=port, data_dir=data_dir, partitions=partitions)
        return
    from districtwatch.kafka.embedded_broker import EmbeddedBroker

    with EmbeddedBroker(port=port) as running:
        click.echo(f"embedded broker on {running.bootstrap_servers} (in memory; Ctrl-C stops it)", err=True)
        click.echo(f"export DISTRICTWATCH_BOOTSTRAP_SERVERS={running.bootstrap_servers}")
        with contextlib.suppress(KeyboardInterrupt):
            signal.sigwait({signal.SIGINT, signal.SIGTERM})


@cli.command()
def worker() -> None:
    """Run the Faust worker; with no bootstrap servers configured, start the embedded broker too."""
    settings = _settings()
    embedded = None
    if settings.bootstrap_servers is None:
        from districtwatch.kafka.embedded_broker import EmbeddedBroker

        embedded = EmbeddedBroker().start()
        settings = derive(settings, bootstrap_servers=embedded.bootstrap_servers)
        click.echo(
            f"no bootstrap servers configured: embedded broker on {embedded.bootstrap_servers}", err=True
        )
    use_settings(settings)
    import faust

    from districtwatch.app import app
    from districtwatch.cli.demo import run_async
    from districtwatch.kafka.clients import ensure_topics
    from districtwatch.topics import STAGE_TOPICS

    # Every pipeline topic with the configured partitions before the first record flows: a topic a
    # broker auto-creates on first produce gets its own default, and Faust refuses tables whose
    # changelog and source topic differ.
    assert settings.bootstrap_servers is not None
    run_async(
        ensure_topics(
            settings.bootstrap_servers, [settings.topic(t) for t in STAGE_TOPICS], settings.partitions
        )
    )

    import_stages()
    try:
        faust.Worker(app, loglevel=settings.log_level, redirect_stdouts=False).execute_from_commandline()
    finally:
        if embedded is not None:
            embedded.stop()


def import_stages() -> None:
    """Import every agent and web module now, so a broken one stops the worker with its traceback.

    Faust's autodiscovery (venusian) skips a module whose import fails, which would leave a stage
    silently missing from the pipeline.
    """
    import importlib
    import pkgutil

    import districtwatch.agents

    for module in pkgutil.iter_modules(districtwatch.agents.__path__):
        importlib.import_module(f"districtwatch.agents.{module.name}")
    importlib.import_module("districtwatch.web")
    importlib.import_module("districtwatch.watchdog")
    importlib.import_module("districtwatch.livemap.routes")


def _posts_records(path: Path) -> Iterator[tuple[bytes | None, bytes]]:
    """(key, value) per line: the account as key where the line is a JSON object; the bytes as read.

    Lines that are not valid JSON are sent as they are, so the worker dead-letters them with a reason.
    A valid post without ``ingested_at`` gets the replay time, from which latency is measured.
    """
    now = datetime.now(UTC).isoformat()
    with open(path, "rb") as lines:
        for raw in lines:
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                yield None, line
                continue
            if not isinstance(record, dict):
                yield None, line
                continue
            record.setdefault("ingested_at", now)
            account = record.get("account")
            key = str(account).encode() if account else None
            yield key, json.dumps(record, ensure_ascii=False).encode("utf-8")


def replay_file(settings: Settings, path: Path, *, progress: bool) -> int:
    """Publish a JSONL file of posts to posts.raw; returns how many records were sent."""
    from districtwatch.cli.demo import run_async
    from districtwatch.kafka.clients import ensure_topics, produce

    assert settings.bootstrap_servers is not None
    topic = settings.topic("posts.raw")
    run_async(ensure_topics(settings.bootstrap_servers, [topic], settings.partitions))
    records = list(_posts_records(path))
    if progress:
        with click.progressbar(length=len(records), label=f"replaying to {topic}", file=sys.stderr) as bar:
            sent = run_async(produce(settings.bootstrap_servers, topic, _counting(records, bar)))
    else:
        sent = run_async(produce(settings.bootstrap_servers, topic, records))
    return int(sent)


def _counting(records: list[tuple[bytes | None, bytes]], bar: object) -> Iterator[tuple[bytes | None, bytes]]:
    for record in records:
        yield record
        bar.update(1)  # type: ignore[attr-defined]  # click's ProgressBar is not exported as a type


def _require_bootstrap(settings: Settings) -> Settings:
    if settings.bootstrap_servers is None:
        raise click.ClickException(
            "no broker: set DISTRICTWATCH_BOOTSTRAP_SERVERS (see `districtwatch broker`)"
        )
    return settings


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--progress/--no-progress", default=True, show_default=True)
def replay(file: Path, progress: bool) -> None:
    """Publish the posts of a JSONL FILE to posts.raw, in order."""
    settings = _require_bootstrap(_settings())
    sent = replay_file(settings, file, progress=progress)
    click.echo(f"replayed {sent} records to {settings.topic('posts.raw')}", err=True)


def read_alerts(bootstrap_servers: str, topic: str) -> list[object]:
    """Every alert on the topic so far, decoded."""
    from districtwatch.cli.demo import run_async
    from districtwatch.codec import decode
    from districtwatch.kafka.clients import read_topic
    from districtwatch.schemas import Alert

    async def collect() -> list[object]:
        return [decode(value, Alert) async for value in read_topic(bootstrap_servers, topic)]

    result: list[object] = run_async(collect())
    return result


@cli.command()
@click.option("--follow", "-f", is_flag=True, help="Keep waiting for new alerts (Ctrl-C stops).")
@click.option("--json", "as_json", is_flag=True, help="One JSON alert per line.")
def alerts(follow: bool, as_json: bool) -> None:
    """Print the alerts on the alerts topic."""
    from districtwatch.cli.alert_text import alert_line
    from districtwatch.cli.demo import run_async
    from districtwatch.codec import decode
    from districtwatch.kafka.clients import read_topic
    from districtwatch.schemas import Alert

    settings = _require_bootstrap(_settings())
    assert settings.bootstrap_servers is not None

    async def tail() -> None:
        async for value in read_topic(
            settings.bootstrap_servers or "", settings.topic("alerts"), follow=follow
        ):
            alert = decode(value, Alert)
            click.echo(alert.model_dump_json() if as_json else alert_line(alert))

    with contextlib.suppress(KeyboardInterrupt):
        run_async(tail())


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Exactly one JSON alert per line on stdout.")
@click.option(
    "--posts", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Another JSONL stream."
)
@click.option(
    "--timeout", type=float, default=90.0, show_default=True, help="Seconds to wait for the pipeline."
)
@click.option("--serve", is_flag=True, help="Keep broker and worker running for the live map until Ctrl-C.")
def demo(as_json: bool, posts: Path | None, timeout: float, serve: bool) -> None:
    """Broker, worker and a replay of the bundled 20 Aug 2021 Baghlan sample; prints the alerts."""
    from districtwatch.cli.alert_text import alert_table
    from districtwatch.cli.demo import run_demo
    from districtwatch.samples import sample_file
    from districtwatch.testing.worker import WorkerProcess

    settings = _settings()
    started = time.monotonic()

    def say(message: str) -> None:
        click.echo(f"[{time.monotonic() - started:5.1f}s] {message}", err=True)

    def replay(bootstrap: str, path: Path) -> int:
        return replay_file(derive(settings, bootstrap_servers=bootstrap), path, progress=not as_json)

    def show(found: list[Any]) -> None:
        if as_json:
            for alert in found:
                click.echo(alert.model_dump_json())
            return
        say(f"{len(found)} alerts")
        click.echo(alert_table(found))

    def keep_serving(worker: WorkerProcess, found: list[Any]) -> None:
        show(found)
        say(f"live map on http://127.0.0.1:{worker.web_port}/map; Ctrl-C stops broker and worker")
        while True:
            time.sleep(3600)

    try:
        found = run_demo(
            posts_file=posts or sample_file("baghlan-2021-08-20.jsonl"),
            accounts_file=sample_file("accounts.yaml"),
            baseline_file=sample_file("baseline-2021-08-16.json"),
            replay=replay,
            read_alerts=lambda bootstrap: read_alerts(bootstrap, settings.topic("alerts")),
            say=say,
            timeout=timeout,
            then=keep_serving if serve else None,
        )
    except KeyboardInterrupt:
        click.echo("interrupted; broker and worker stopped", err=True)
        sys.exit(130)
    show(found)


def _worker_url(settings: Settings, url: str | None) -> str:
    return (url or f"http://{settings.web_host}:{settings.web_port}").rstrip("/")


def _http_json(url: str, settings: Settings, *, body: bytes | None = None) -> object:
    """GET (or POST ``body``) and decode the JSON answer; 4xx/5xx become a ClickException."""
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if settings.api_token is not None:
        headers["Authorization"] = f"Bearer {settings.api_token.get_secret_value()}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.load(reply)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        raise click.ClickException(f"{url}: HTTP {exc.code}: {detail}") from exc
    except OSError as exc:
        raise click.ClickException(f"{url}: is the worker running? ({exc})") from exc


@cli.command()
@click.option("--url", help="Worker web server (default: from settings).")
@click.option("--layer", type=click.Choice(["assessed", "claimed"]), default="assessed", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Every district, not only those with news.")
@click.option("--json", "as_json", is_flag=True, help="The GeoJSON as the worker serves it.")
def control(url: str | None, layer: str, show_all: bool, as_json: bool) -> None:
    """Print who holds each district (the worker's control table)."""
    settings = _settings()
    body = _http_json(f"{_worker_url(settings, url)}/control?layer={layer}", settings)
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False))
        return
    features = body["features"] if isinstance(body, dict) else []
    rows = [("district", "province", "controller", "since", "conf", "pending")]
    for feature in features:
        props = feature["properties"]
        if not show_all and not props["pending"] and not props["last_alert"]:
            continue
        rows.append(
            (
                props["district"],
                props["province"],
                props["controller"] or "?",
                (props["since"] or "")[:16],
                f"{props['confidence']:.2f}",
                props["pending"] or "",
            )
        )
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@cli.command()
@click.argument("alert_id")
@click.argument("decision", type=click.Choice(["confirm", "reject"]))
@click.option("--by", required=True, help="Who decides (name or handle).")
@click.option("--reason", default="", help="Why, for the record.")
@click.option("--url", help="Worker web server (default: from settings).")
def verdict(alert_id: str, decision: str, by: str, reason: str, url: str | None) -> None:
    """Confirm or reject an alert as an analyst (sent on the verdicts topic)."""
    settings = _settings()
    body = json.dumps({"verdict": decision, "by": by, "reason": reason}).encode()
    answer = _http_json(f"{_worker_url(settings, url)}/alerts/{alert_id}/verdict", settings, body=body)
    click.echo(json.dumps(answer))


@cli.command()
@click.option("--explain", is_flag=True, help="Show which spans matched and which rule decided.")
def extract(explain: bool) -> None:
    """Read posts (JSON lines) on stdin, print one line of claims per post."""
    from districtwatch.core.extraction import Extractor
    from districtwatch.core.extraction.stdio import extract_lines

    settings = _settings()
    extractor = Extractor.load(settings.gazetteer, settings.keyword_pack)
    stdin = click.get_text_stream("stdin", encoding="utf-8", errors="replace")
    for line in extract_lines(stdin, extractor, explain=explain):
        click.echo(line)


@cli.command()
@click.option("--write", is_flag=True, help="Rewrite schemas/json from the models.")
def schemas(write: bool) -> None:
    """Check (or --write) the exported JSON Schema files of the topic records."""
    from districtwatch.schemas.export import export_dir, stale_files, write_all

    if write:
        for path in write_all():
            click.echo(f"wrote {path}")
        return
    stale = stale_files()
    if stale:
        raise click.ClickException(f"out of date in {export_dir()}: {', '.join(stale)} (run with --write)")
    click.echo("schemas/json is up to date")


def _register_commands() -> None:
    """Commands that live beside their subsystem."""
    from districtwatch.ingest.commands import ingest, sources
    from districtwatch.notifiers.commands import notify_test

    cli.add_command(ingest)
    cli.add_command(sources)
    cli.add_command(notify_test)


_register_commands()


def main() -> None:
    cli(prog_name="districtwatch")
