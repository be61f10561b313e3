"""Every private Faust, aiokafka and snscrape hook our code overrides or reads still exists, as we use it.

None of them is public API: an upgrade may rename or drop one without a word, and the code using it
would then stop adjusting the library (an override nobody calls) or fail only at run time, on a
rebalance. Each use is marked "private hook" in its module, with why; this fails naming the hook
and the module, so an upgrade that removes one is seen here, not in production.
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class Hook:
    """A library attribute we rely on: where it lives, who uses it, and the parameters we pass it."""

    owner: str  # "package.module:Class"
    name: str
    used_in: str
    params: tuple[str, ...] | None = None  # its leading parameters after self, in order
    keywords: tuple[str, ...] = ()  # parameters we pass by name

    def __str__(self) -> str:
        return f"{self.owner.replace(':', '.')}.{self.name} (relied on by {self.used_in})"


def resolve(owner: str) -> Any:
    module, _, qualname = owner.partition(":")
    with warnings.catch_warnings():  # snscrape's module loader uses APIs deprecated in 3.11 (snscrape #782)
        warnings.simplefilter("ignore", DeprecationWarning)
        found: Any = importlib.import_module(module)
    for part in qualname.split(".") if qualname else ():
        found = getattr(found, part)
    return found


FAUST_AIOKAFKA = "faust.transport.drivers.aiokafka"
HOOKS = [
    Hook(
        f"{FAUST_AIOKAFKA}:AIOKafkaConsumerThread",
        "_create_worker_consumer",
        "districtwatch.kafka.faust_transport",
        ("transport",),
    ),
    Hook(
        f"{FAUST_AIOKAFKA}:AIOKafkaConsumerThread",
        "_ensure_consumer",
        "districtwatch.kafka.faust_transport",
        (),
    ),
    Hook(
        f"{FAUST_AIOKAFKA}:AIOKafkaConsumerThread",
        "call_thread",
        "districtwatch.kafka.faust_transport",
        ("fun",),
    ),
    Hook(
        f"{FAUST_AIOKAFKA}:AIOKafkaConsumerThread",
        "verify_event_path",
        "districtwatch.kafka.faust_transport",
        ("now", "tp"),
    ),
    Hook(
        "aiokafka.consumer.subscription_state:Assignment",
        "state_value",
        "districtwatch.kafka.faust_transport",
        ("tp",),
    ),
    Hook(
        "aiokafka.consumer.group_coordinator:GroupCoordinator",
        "request_rejoin",
        "districtwatch.kafka.faust_transport",
        (),
    ),
    Hook(f"{FAUST_AIOKAFKA}:Consumer", "_new_consumer_thread", "districtwatch.kafka.faust_transport", ()),
    Hook(f"{FAUST_AIOKAFKA}:Consumer", "seek_to_committed", "districtwatch.kafka.faust_transport", ()),
    Hook(
        "faust.transport.consumer:TransactionManager",
        "send",
        "districtwatch.kafka.faust_transport",
        ("topic", "key", "value", "partition", "timestamp", "headers"),
        ("transactional_id",),
    ),
    Hook(
        "faust.tables.recovery:Recovery",
        "_resume_streams",
        "districtwatch.kafka.table_recovery",
        (),
        ("generation_id",),
    ),
    Hook(
        "faust.tables.recovery:Recovery",
        "on_recovery_completed",
        "districtwatch.kafka.table_recovery",
        (),
        ("generation_id",),
    ),
    Hook("faust.tables.recovery:Recovery", "_is_changelog_tp", "districtwatch.kafka.table_recovery", ("tp",)),
    Hook("faust.tables.recovery:Recovery", "_wait", "districtwatch.watchdog", ("coro",)),
    Hook("faust.transport.consumer:Consumer", "_get_active_partitions", "districtwatch.web", ()),
    Hook(
        "faust.transport.consumer:Consumer",
        "resume_partitions",
        "districtwatch.kafka.table_recovery",
        ("tps",),
    ),
    Hook(
        "faust.transport.consumer:Consumer",
        "pause_partitions",
        "districtwatch.kafka.table_recovery",
        ("tps",),
    ),
    Hook("faust.transport.consumer:Consumer", "perform_seek", "districtwatch.kafka.table_recovery", ()),
    Hook("aiokafka.client:AIOKafkaClient", "add_topic", "districtwatch.kafka", ("topic",)),
    Hook(
        "snscrape.base:Scraper",
        "_request",
        "districtwatch.ingest.telegram_snscrape",
        ("method", "url"),
        ("timeout",),
    ),
    Hook(
        "snscrape.modules.telegram:TelegramChannelScraper",
        "_soup_to_items",
        "districtwatch.ingest.telegram_snscrape",
        ("soup", "pageUrl", "onlyUsername"),
    ),
    Hook(
        "snscrape.modules.telegram:TelegramChannelScraper",
        "_initial_page",
        "districtwatch.ingest.telegram_snscrape",
        (),
    ),
]


@pytest.mark.parametrize("hook", HOOKS, ids=str)
def test_every_library_method_we_override_or_call_is_still_there_with_our_parameters(hook: Hook) -> None:
    """The method exists on its class, and takes the parameters we pass or override it with."""
    owner = resolve(hook.owner)
    method = getattr(owner, hook.name, None)
    assert callable(method), f"{hook} is gone: an upgrade removed it; see the 'private hook' comment there"
    if hook.params is None and not hook.keywords:
        return
    names = [p for p in inspect.signature(method).parameters if p != "self"]
    if hook.params is not None:
        assert tuple(names[: len(hook.params)]) == hook.params, (
            f"{hook} now takes {names}, not {list(hook.params)} first: our override or call no longer fits"
        )
    missing = [k for k in hook.keywords if k not in names]
    assert not missing, f"{hook} no longer takes {missing}: our override or call no longer fits"


def source(function: Any) -> str:
    return inspect.getsource(function)


def test_the_private_state_of_faust_and_aiokafka_objects_we_read_or_set_is_still_there() -> None:
    """Instance attributes, on the worker's real objects (the app is built, nothing is started)."""
    from aiokafka import AIOKafkaConsumer
    from faust.tables.recovery import Recovery

    from districtwatch.app import app
    from districtwatch.kafka.faust_transport import _ConsumerThread
    from districtwatch.kafka.table_recovery import SeekBeforeResumeRecovery

    consumer: Any = app.consumer
    for loop in (app.loop, getattr(consumer._thread, "thread_loop", None)):
        if loop is not None:
            loop.close()  # built with the consumer, never run: closed so they do not leak past the test
    problems = []
    if not isinstance(getattr(consumer, "_thread", None), _ConsumerThread):
        problems.append(
            "faust Consumer._thread is not our _ConsumerThread (districtwatch.kafka.faust_transport)"
        )
    for name in ("_paused_partitions", "_buffered_partitions"):
        if not isinstance(getattr(consumer, name, None), set):
            problems.append(f"faust Consumer.{name} is no longer a set (districtwatch.web's /status)")
    if not hasattr(consumer, "__dict__") or "resume_partitions" in vars(consumer):
        problems.append(
            "faust Consumer.resume_partitions can no longer be shadowed on the instance "
            "(districtwatch.kafka.table_recovery._streams_paused)"
        )
    for name in ("_resume_streams", "on_recovery_completed"):
        if "consumer.resume_partitions(" not in source(getattr(Recovery, name)):
            problems.append(
                f"faust Recovery.{name} no longer resumes through consumer.resume_partitions, which "
                "districtwatch.kafka.table_recovery holds back until recovery has settled"
            )
    if not hasattr(app.tables, "_recovery"):
        problems.append(
            "faust TableManager._recovery is gone"
            " (districtwatch.kafka.table_recovery builds our Recovery there)"
        )
    if not isinstance(app.tables.recovery, SeekBeforeResumeRecovery):  # type: ignore[attr-defined]
        problems.append(
            "app.tables.recovery is not districtwatch.kafka.table_recovery's SeekBeforeResumeRecovery"
        )
    if "self._fetch_max_wait_ms" not in source(AIOKafkaConsumer.start):
        problems.append(
            "aiokafka AIOKafkaConsumer.start() no longer reads self._fetch_max_wait_ms, which "
            "districtwatch.kafka.faust_transport sets (FETCH_MAX_WAIT_MS)"
        )
    if "self._client =" not in source(AIOKafkaConsumer.__init__):
        problems.append(
            "aiokafka AIOKafkaConsumer._client is gone (districtwatch.kafka.clients.topic_partitions)"
        )
    for name in ("_fetcher", "_coordinator"):
        if f"self.{name} =" not in source(AIOKafkaConsumer.start):
            problems.append(
                f"aiokafka AIOKafkaConsumer.{name} is no longer set by start()"
                " (districtwatch.kafka.faust_transport)"
            )
    state = resolve("aiokafka.consumer.subscription_state:TopicPartitionState")
    if not isinstance(getattr(state, "has_valid_position", None), property):
        problems.append(
            "aiokafka TopicPartitionState.has_valid_position is gone (districtwatch.kafka.faust_transport)"
        )
    if ".assignment.state_value(" not in source(
        resolve(f"{FAUST_AIOKAFKA}:AIOKafkaConsumerThread").verify_event_path
    ):
        problems.append(
            "faust AIOKafkaConsumerThread.verify_event_path no longer reads aiokafka's partition state "
            "as districtwatch.kafka.faust_transport's guard does"
        )
    recovery: Any = app.tables.recovery  # type: ignore[attr-defined]
    if not hasattr(recovery.signal_recovery_start, "set") or "signal_recovery_start" not in source(
        Recovery._wait
    ):
        problems.append(
            "faust Recovery.signal_recovery_start no longer restarts a waiting recovery "
            "(districtwatch.watchdog's restart_recovery)"
        )
    if not hasattr(recovery, "active_offsets") or not hasattr(recovery, "completed"):
        problems.append(
            "faust Recovery.active_offsets / .completed are gone (districtwatch.watchdog's progress)"
        )
    if "self._session =" not in source(resolve("snscrape.base:Scraper").__init__):
        problems.append(
            "snscrape Scraper._session is gone (districtwatch.ingest.telegram_snscrape closes it)"
        )
    assert not problems, "private hooks changed by an upgrade:\n" + "\n".join(problems)
