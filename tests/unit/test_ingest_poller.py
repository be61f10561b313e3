"""The poller's order of work and its failure handling, with an in-process source and sink.

The sources' own parsing is tested against a local HTTP server (tests/integration); here a scripted
source stands in so each failure can be produced exactly when wanted.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry

from districtwatch.core.accounts import Account, AccountRegistry
from districtwatch.ingest.base import Checkpoint, FetchResult, Item, SourceSettings, SourceSpec, load_specs
from districtwatch.ingest.checkpoints import CheckpointStore
from districtwatch.ingest.errors import MalformedPage, RateLimited, SourceSetupError, SourceUnavailable
from districtwatch.ingest.metrics import IngestMetrics
from districtwatch.ingest.poller import AccountPoller, Backoff, Ingester, build_ingester
from districtwatch.ingest.testing import MemorySink
from districtwatch.ingest.window import reconcile
from districtwatch.schemas import Post

T0 = datetime(2021, 8, 20, 6, 0, tzinfo=UTC)


@dataclass
class ScriptedSource:
    """Serves a growing list of posts per account; `failures` are raised by the next fetches."""

    posts: dict[str, list[int]] = field(default_factory=dict)
    failures: list[Exception] = field(default_factory=list)
    calls: int = 0

    async def fetch(self, account: Account, since: Checkpoint | None) -> FetchResult:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        items = [
            Item(n, Post(id=f"t:{account.handle}/{n}", platform="t", account=account.handle,
                         created_at=T0 + timedelta(minutes=n), text=f"post {n}"), f"post {n}")
            for n in self.posts.get(account.handle, [])
        ]  # fmt: skip
        return reconcile(items, since, backfill=20)

    async def aclose(self) -> None:
        return None


def poller(source: ScriptedSource, sink: MemorySink, tmp_path: Path, handle: str = "chan") -> AccountPoller:
    return AccountPoller(
        account=Account(platform="t", handle=handle, poll_interval_s=0.01),
        source_name="scripted",
        source=source,
        store=CheckpointStore(tmp_path),
        sink=sink,
        metrics=IngestMetrics.create(CollectorRegistry()),
        backoff=Backoff(first_s=1.0, cap_s=60.0),
        rng=random.Random(7),
    )


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    """Each step lies between half and all of first·2^(n-1), and never beyond the cap."""
    backoff, rng = Backoff(first_s=5, cap_s=60), random.Random(1)
    for failures, step in [(1, 5), (2, 10), (3, 20), (4, 40), (5, 60), (12, 60)]:
        delays = [backoff.delay(failures, rng) for _ in range(200)]
        assert all(step / 2 <= d <= step for d in delays)
        assert max(delays) - min(delays) > step / 4  # jitter spreads them


async def test_a_batch_the_broker_did_not_acknowledge_is_sent_again_and_the_checkpoint_waits(
    tmp_path: Path,
) -> None:
    """Produce, then save: a failed send leaves the checkpoint where it was, so nothing is lost."""
    source, sink = ScriptedSource({"chan": [1, 2]}), MemorySink(fail_next=1)
    one = poller(source, sink, tmp_path)
    failed = await one.poll_once()
    assert failed.error is not None
    assert CheckpointStore(tmp_path).load(one.account) is None
    assert 0.5 <= failed.delay <= 1.0  # retriable: the first backoff step
    ok = await one.poll_once()
    assert ok.error is None
    assert [p.id for p in sink.posts] == ["t:chan/1", "t:chan/2"]
    assert all(p.ingested_at is not None for p in sink.posts)
    assert CheckpointStore(tmp_path).load(one.account) == one.checkpoint
    assert (await one.poll_once()).result == FetchResult((), one.checkpoint, fetched=2)
    assert len(sink.posts) == 2


async def test_rate_limits_wait_as_long_as_the_platform_asks(tmp_path: Path) -> None:
    source = ScriptedSource(failures=[RateLimited("429", retry_after=42.0)])
    outcome = await poller(source, MemorySink(), tmp_path).poll_once()
    assert outcome.delay == 42.0


async def test_retriable_errors_back_off_step_by_step_and_others_go_to_the_longest_delay(
    tmp_path: Path,
) -> None:
    source = ScriptedSource(
        failures=[SourceUnavailable("503"), SourceUnavailable("503"), MalformedPage("bad")]
    )
    one = poller(source, MemorySink(), tmp_path)
    first, second, malformed = [await one.poll_once() for _ in range(3)]
    assert 0.5 <= first.delay <= 1.0
    assert 1.0 <= second.delay <= 2.0
    assert 30.0 <= malformed.delay <= 60.0
    ok = await one.poll_once()
    assert ok.error is None
    assert one.failures == 0
    assert 0.009 <= ok.delay <= 0.011  # back to the poll interval (±10 % jitter)


async def test_an_unexpected_exception_in_a_source_is_a_failed_poll_not_a_dead_poller(tmp_path: Path) -> None:
    source = ScriptedSource({"chan": [1]}, failures=[KeyError("tgme_widget_message_date")])
    one = poller(source, MemorySink(), tmp_path)
    assert isinstance((await one.poll_once()).error, KeyError)
    assert (await one.poll_once()).error is None


async def test_one_account_that_cannot_run_stops_alone_while_the_others_keep_polling(tmp_path: Path) -> None:
    """A source setup error ends that account's task; the other account is polled on and on."""
    good_source = ScriptedSource({"good": [1]})
    bad_source = ScriptedSource(failures=[SourceSetupError("needs credentials: X")])
    sink = MemorySink()
    good = poller(good_source, sink, tmp_path / "g", "good")
    bad = poller(bad_source, sink, tmp_path / "b", "bad")
    stop = asyncio.Event()
    run = asyncio.create_task(Ingester([good, bad], {}).run(stop))
    await _until(lambda: good_source.calls >= 5)
    stop.set()
    await asyncio.wait_for(run, timeout=5)
    assert bad_source.calls == 1
    assert [p.id for p in sink.posts] == ["t:good/1"]


async def test_stopping_lets_the_poll_in_progress_finish_and_save(tmp_path: Path) -> None:
    """A stop between produce and save would repeat posts on restart; the poll completes first."""

    class SlowSink(MemorySink):
        async def send(self, posts: object) -> None:
            await asyncio.sleep(0.2)
            await super().send(posts)  # type: ignore[arg-type]

    sink = SlowSink()
    one = poller(ScriptedSource({"chan": [1, 2, 3]}), sink, tmp_path)
    stop = asyncio.Event()
    run = asyncio.create_task(one.run(stop))
    await asyncio.sleep(0.05)  # inside the slow send
    stop.set()
    await asyncio.wait_for(run, timeout=5)
    saved = CheckpointStore(tmp_path).load(one.account)
    assert saved is not None
    assert saved.last_seq == 3
    assert len(sink.posts) == 3


def test_accounts_whose_source_cannot_run_are_listed_as_not_polled(tmp_path: Path) -> None:
    """X accounts without a twscrape database are skipped with the reason; the others get pollers."""
    text = (
        "accounts:\n"
        "  - {platform: twitter, handle: AsvakaNews}\n"
        "  - {platform: telegram, handle: afghan_voice}\n"
        "  - {platform: mastodon, handle: kabulreport@mastodon.example, enabled: false}\n"
        "  - {platform: telegram, handle: other, source: nothing-like-this}\n"
    )
    ingester = build_ingester(
        AccountRegistry.parse(text),
        load_specs(include_entry_points=False),
        SourceSettings(),
        CheckpointStore(tmp_path),
        MemorySink(),
        IngestMetrics.create(CollectorRegistry()),
    )
    assert [p.name for p in ingester.pollers] == ["telegram/afghan_voice"]
    assert len(ingester.skipped) == 2
    assert "twitter/AsvakaNews" in ingester.skipped[0]
    assert "DISTRICTWATCH_TWSCRAPE_ACCOUNTS_DB" in ingester.skipped[0]
    assert "no source named 'nothing-like-this'" in ingester.skipped[1]


def test_a_source_is_built_once_and_shared_by_its_accounts(tmp_path: Path) -> None:
    built: list[SourceSettings] = []

    def factory(settings: SourceSettings) -> ScriptedSource:
        built.append(settings)
        return ScriptedSource()

    spec = SourceSpec(name="scripted", platform="t", summary="", factory=factory, default=True)
    registry = AccountRegistry.parse(
        "accounts:\n  - {platform: t, handle: a}\n  - {platform: t, handle: b}\n"
    )
    ingester = build_ingester(
        registry, {"scripted": spec}, SourceSettings(), CheckpointStore(tmp_path), MemorySink(),
        IngestMetrics.create(CollectorRegistry()),
    )  # fmt: skip
    assert len(built) == 1
    assert ingester.pollers[0].source is ingester.pollers[1].source


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110  # the condition is a counter of the source, not an event
            await asyncio.sleep(0.01)
