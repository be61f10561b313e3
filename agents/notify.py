"""notify: alerts → Slack channels and Telegram chats, each alert at most once per destination.

One agent per destination of the notifiers file (``notify-<name>``), all reading the alerts topic:
Faust gives each its own stream buffer, so a destination that is down, slow or rate-limited holds
up only its own agent. The upstream stages never wait for notifiers (nothing upstream reads the
alerts topic), and the others go on; Faust would pause fetching an alerts partition only once one
agent were some 3,000 alerts behind (its buffer's high-water mark), and each alert costs a down
destination a bounded time (``delivery`` policy) before it is dead-lettered.

Each agent keeps the alerts routed to its destination (``districtwatch.notifiers.routing``) and
hands them, in partition order, to a :class:`DestinationRunner`. Alerts are keyed by district, so
every alert of a change arrives on one partition, in order, and the tables below — keyed
``"{destination}|{alert_id}"`` and ``"{destination}|{change_id}"`` — live with them:

    notify-deliveries   sending → delivered (with the platform's message ref) or failed
    notify-threads      the first message of each change, which later alerts thread under or edit

Alerts a destination refused (4xx), could not be delivered within the retry policy, or whose
delivery a crash interrupted go to ``alerts.deadletter`` with the reason and the alert's bytes.

Without a notifiers file (DISTRICTWATCH_NOTIFIERS_FILE) this module registers nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from faust.types import EventT, TableT, TopicT

from districtwatch import topics
from districtwatch.app import app, registry, settings
from districtwatch.codec import decode
from districtwatch.deadletters import dead_letter
from districtwatch.errors import DecodeError
from districtwatch.notifiers.base import MessageRef
from districtwatch.notifiers.destinations import Destinations, build, check_secrets
from districtwatch.notifiers.dispatch import DestinationRunner, delivery_key, thread_key
from districtwatch.notifiers.metrics import NotifierMetrics
from districtwatch.notifiers.routing import NotifiersConfig, load_config, route
from districtwatch.schemas import Alert

STAGE = "notify"
log = logging.getLogger(__name__)


class TableStore:
    """The DeliveryStore of the worker: two changelog-backed tables co-partitioned with alerts."""

    def __init__(self, deliveries: TableT[str, dict[str, Any]], threads: TableT[str, dict[str, Any]]) -> None:
        self._deliveries = deliveries
        self._threads = threads

    def delivery(self, destination: str, alert_id: str) -> dict[str, Any] | None:
        value = self._deliveries.get(delivery_key(destination, alert_id))
        return dict(value) if value else None

    def set_delivery(self, destination: str, alert_id: str, record: dict[str, Any]) -> None:
        self._deliveries[delivery_key(destination, alert_id)] = record

    def thread(self, destination: str, change_id: str) -> MessageRef | None:
        return MessageRef.from_dict(self._threads.get(thread_key(destination, change_id)))

    def set_thread(self, destination: str, change_id: str, ref: MessageRef) -> None:
        self._threads[thread_key(destination, change_id)] = ref.to_dict()

    async def persist(self) -> None:
        # The 'sending' mark must be on the broker before the request leaves, or a crash during the
        # send would look, after recovery, like an alert never sent (and it would be sent twice).
        await app.producer.flush()


def _register(config: NotifiersConfig) -> None:
    """Tables, the dead-letter topic and one agent per destination."""
    check_secrets(config.destinations, settings)  # a missing token stops the worker at start
    # value_type stays None (JSON, decoded to plain dicts): with value_type=dict, Faust's changelog
    # recovery calls dict.from_data and the restarted worker never becomes ready.
    deliveries = app.Table(
        "notify-deliveries",
        default=None,
        key_type=str,
        help="'destination|alert_id' → delivery state, time, platform message ref or failure reason.",
    )
    threads = app.Table(
        "notify-threads",
        default=None,
        key_type=str,
        help="'destination|change_id' → the change's first message at that destination.",
    )
    store = TableStore(deliveries, threads)
    deadletters = app.topic(settings.topic("alerts.deadletter"), key_type=bytes, value_type=bytes)
    metrics = NotifierMetrics.create(registry)
    built: list[Destinations] = []

    def destinations() -> Destinations:
        if not built:  # in the loop, on the first agent's start: aiohttp wants a running loop
            built.append(build(config, settings))
        return built[0]

    async def close(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        for each in built:
            await each.aclose()

    app.on_before_shutdown.connect(close)
    first = next(iter(config.destinations))

    def agent_for(name: str) -> None:
        async def notify(stream: Any) -> None:
            running = destinations()
            runner = DestinationRunner(
                notifier=running.notifiers[name],
                limits=running.limits[name],
                policy=config.delivery,
                metrics=metrics,
                store=store,
                secrets=running.secrets,
            )
            async for event in stream.events():
                try:
                    alert = decode(event.value, Alert)
                except DecodeError as exc:
                    if name == first:  # one dead letter per bad record, not one per destination
                        await _dead_letter(deadletters, "all", "decode", f"decode: {exc}", event)
                    continue
                if name not in route(alert, config):
                    continue
                outcome = await runner.handle(alert)
                log.debug("%s → %s: %s", alert.alert_id, name, outcome.outcome.value)
                if outcome.dead_letter:
                    kind, why = outcome.outcome.value, outcome.reason
                    await _dead_letter(deadletters, name, kind, f"{name}: {kind}: {why}", event)

        app.agent(topics.alerts, name=f"notify-{name}")(notify)

    for name in config.destinations:
        agent_for(name)


async def _dead_letter(topic: TopicT, destination: str, kind: str, reason: str, event: EventT[bytes]) -> None:
    """An alert kept on ``alerts.deadletter``, keyed by its destination (``all``: a record no
    destination could read); ``kind`` (decode, rejected, gave_up, interrupted) labels the metric."""
    await dead_letter(STAGE, kind, reason, event, to=topic, key=destination.encode())


if settings.notifiers_file is not None:
    _register(load_config(settings.notifiers_file))
