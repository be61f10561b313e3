"""The Faust application: one per process, configured from the installed settings.

The agents in ``districtwatch.agents`` and the web views in ``districtwatch.web`` register themselves
on this app; the worker finds them by autodiscovery, so this module imports none of them. Records are
carried as raw bytes and decoded by ``districtwatch.codec`` inside the agents, so that a bad record
becomes a dead letter with its reason instead of an exception inside Faust's deserializer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import TYPE_CHECKING, cast

import faust
from aiokafka import AIOKafkaConsumer
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from prometheus_client import CollectorRegistry

from districtwatch.metrics import Metrics
from districtwatch.recovery import SeekBeforeResumeTableManager, seek_to_committed_or_start
from districtwatch.settings import Settings, get_settings

if TYPE_CHECKING:
    from districtwatch.accounts import AccountRegistry
    from districtwatch.extraction import Extractor


def broker_urls(bootstrap_servers: str | None) -> str:
    """Faust's broker URL list for a Kafka bootstrap string 'host:port[,host:port]'."""
    hosts = [h.strip() for h in (bootstrap_servers or "localhost:9092").split(",") if h.strip()]
    return ";".join(f"kafka://{host}" for host in hosts)


#: How long a fetch waits on the broker for new records. Faust hard-codes 1500 ms. Apache Kafka answers
#: a waiting fetch as soon as records arrive, so there this only sets how often an idle consumer asks
#: again; the embedded broker (Tansu) lets it run out, which made every stage a hop of up to 1.5 s
#: (post → alert p50 about 0.9 s at 500 posts/s, see bench/README.md).
FETCH_MAX_WAIT_MS = 50


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: faust_aiokafka.Transport) -> AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # read by AIOKafkaConsumer.start() when it builds its Fetcher; Faust offers no setting for it
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer

    async def seek_to_committed_or_start(self, leave: Collection[str]) -> Mapping[TP, int]:
        consumer = self._ensure_consumer()
        return await self.call_thread(seek_to_committed_or_start, consumer, leave=leave)  # type: ignore[no-any-return]


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def seek_to_committed(self) -> Mapping[TP, int]:
        """Committed offsets, and the start of partitions never committed (see
        :func:`districtwatch.recovery.seek_to_committed_or_start` for why)."""
        if self.app.conf.consumer_auto_offset_reset != "earliest":
            return await super().seek_to_committed()
        thread = cast(_ConsumerThread, self._thread)
        return await thread.seek_to_committed_or_start(leave=self.app.tables.changelog_topics)


class Transport(faust_aiokafka.Transport):
    """Faust's aiokafka transport with a short fetch wait (:data:`FETCH_MAX_WAIT_MS`)."""

    Consumer = _Consumer


def create_app(settings: Settings) -> faust.App:
    """A Faust app for ``settings``; at-least-once processing (see the README on guarantees)."""
    app = faust.App(
        settings.app_id,
        broker=broker_urls(settings.bootstrap_servers),
        autodiscover=["districtwatch.agents", "districtwatch.web", "districtwatch.watchdog"],
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
    from districtwatch.extraction import Extractor

    return Extractor.load(settings.gazetteer, settings.keyword_pack)


@cache
def accounts() -> AccountRegistry:
    """The account registry of the configured file (empty where none is configured)."""
    from districtwatch.accounts import AccountRegistry

    return AccountRegistry.load(settings.accounts_file)
