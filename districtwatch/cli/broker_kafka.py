"""`districtwatch broker --kafka`: Apache Kafka (KRaft, one node) on loopback until Ctrl-C.

For running the worker against the broker users deploy, not the in-memory embedded one. The command
lives here, not in cli.py, so that the launcher's imports stay out of every other command.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

import click

from districtwatch.errors import BrokerError
from districtwatch.kafka.apache_broker import KAFKA_VERSION, KafkaBroker, kafka_available


def broker_kafka(port: int, data_dir: Path | None, partitions: int) -> None:
    """Run Apache Kafka (KRaft, one node; needs Java 17+, and Maven once) until Ctrl-C.

    ``districtwatch broker --kafka`` calls it; its options live on that command.
    """
    reason = kafka_available()
    if reason is not None:
        raise click.ClickException(f"Apache Kafka cannot run here: {reason}")
    click.echo(
        f"starting Apache Kafka {KAFKA_VERSION} (a first run also fetches its jars with Maven)", err=True
    )
    try:
        with KafkaBroker(port=port, data_dir=data_dir, partitions=partitions) as running:
            kept = f"data in {data_dir}" if data_dir else "temporary data"
            click.echo(
                f"Apache Kafka {running.version} on {running.bootstrap_servers} ({kept}; "
                f"log {running.log_path}; Ctrl-C stops it)",
                err=True,
            )
            click.echo(f"export DISTRICTWATCH_BOOTSTRAP_SERVERS={running.bootstrap_servers}")
            with stop_signals_held() as stop_signals:
                signal.sigwait(stop_signals)
                click.echo("stopping Apache Kafka", err=True)
                running.close()
    except BrokerError as exc:
        raise click.ClickException(str(exc)) from exc


@contextlib.contextmanager
def stop_signals_held() -> Iterator[set[signal.Signals]]:
    """Hold SIGINT and SIGTERM pending inside the block, for sigwait to take, and release them after.

    Held, SIGTERM cannot end the process by its default action and leave the JVM running in its own
    session, and a second Ctrl-C cannot cut the broker's shutdown short.
    """
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        yield stop_signals
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
