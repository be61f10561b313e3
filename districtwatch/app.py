"""The Faust application: one per process, configured from the installed settings.

The agents in ``districtwatch.agents`` and the web views in ``districtwatch.web`` register themselves
on this app; the worker finds them by autodiscovery, so this module imports none of them. Records are
carried as raw bytes and decoded by ``districtwatch.codec`` inside the agents, so that a bad record
becomes a dead letter with its reason instead of an exception inside Faust's deserializer.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from prometheus_client import CollectorRegistry

from districtwatch.kafka.faust_transport import Transport
from districtwatch.kafka.table_recovery import SeekBeforeResumeTableManager
from districtwatch.metrics import Metrics
from districtwatch.settings import Settings, get_settings

if TYPE_CHECKING:
    from districtwatch.core.accounts import AccountRegistry
    from districtwatch.core.extraction import Extractor


def broker_urls(bootstrap_servers: str | None) -> str:
    """Faust's broker URL list for a Kafka bootstrap string 'host:port[,host:port]'."""
    hosts = [h.strip() for h in (bootstrap_servers or "localhost:9092").split(",") if h.strip()]
    return ";".join(f"kafka://{host}" for host in hosts)


def create_app(settings: Settings) -> faust.App:
    """A Faust app for ``settings``; at-least-once processing (see the README on guarantees)."""
    app = faust.App(
        settings.app_id,
        broker=broker_urls(settings.bootstrap_servers),
        autodiscover=[
            "districtwatch.agents",
            "districtwatch.web",
            "districtwatch.watchdog",
            "districtwatch.livemap",
        ],
        origin="districtwatch",
        datadir=str(settings.data_dir),
        store="memory://",  # tables are rebuilt from their changelog topics on start
        topic_partitions=settings.partitions,
        topic_replication_factor=1,
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        # A new group's first join waits about the rebalance timeout on the embedded broker; Kafka
        # users with slow rebalances raise it (DISTRICTWATCH_REBALANCE_TIMEOUT_S).
        broker_rebalance_timeout=settings.rebalance_timeout_s,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 3),
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        web_enabled=True,
        TableManager=SeekBeforeResumeTableManager,
        processing_guarantee=settings.processing_guarantee,
    )
    app.transport = Transport(app.conf.broker_consumer, app)
    return app


settings = get_settings()
app = create_app(settings)
registry = CollectorRegistry()
setup_prometheus_sensors(app, pattern="/metrics", registry=registry, name_prefix="faust")
metrics = Metrics.create(registry)


@cache
def extractor() -> Extractor:
    """The claim extractor for the configured gazetteer and keyword pack, loaded on first use."""
    from districtwatch.core.extraction import Extractor

    return Extractor.load(settings.gazetteer, settings.keyword_pack)


@cache
def accounts() -> AccountRegistry:
    """The account registry of the configured file (empty where none is configured)."""
    from districtwatch.core.accounts import AccountRegistry

    return AccountRegistry.load(settings.accounts_file)
