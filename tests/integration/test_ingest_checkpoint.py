"""Stopping and restarting the ingester between polls neither misses nor repeats a post on posts.raw.

Real pieces throughout: the embedded broker, snscrape and Mastodon.py against a local server serving
hand-written Telegram and Mastodon pages, checkpoints on disk. Between runs the pages change the way
a channel does: new posts, an edit, a deletion.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from districtwatch.codec import decode
from districtwatch.core.accounts import AccountRegistry
from districtwatch.ingest.base import SourceSettings, load_specs
from districtwatch.ingest.checkpoints import CheckpointStore
from districtwatch.ingest.commands import run_ingest
from districtwatch.ingest.metrics import IngestMetrics
from districtwatch.ingest.poller import build_ingester
from districtwatch.ingest.push import create_app
from districtwatch.ingest.testing import FixtureServer
from districtwatch.kafka.clients import ensure_topics
from districtwatch.kafka.post_sink import KafkaPostSink
from districtwatch.schemas import Post
from districtwatch.settings import Settings

pytestmark = pytest.mark.integration
pytest.importorskip("snscrape", reason="the snscrape extra is not installed")
pytest.importorskip("mastodon", reason="the mastodon extra is not installed")

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
JSON = "application/json; charset=utf-8"
STATUSES = "/api/v1/accounts/109384756201938475/statuses"
M = "mastodon:https://mastodon.example/users/kabulreport/statuses/10679000100000000"


def serve(server: FixtureServer, *, later: bool) -> None:
    """The two accounts as first seen, or later (new posts, one edit and one deletion each)."""
    telegram = FIXTURES / "telegram"
    server.route("/s/afghan_voice", telegram / ("afghan_voice-later.html" if later else "afghan_voice.html"))
    server.route("/s/afghan_voice", telegram / "afghan_voice-before-105.html", query={"before": "105"})
    mastodon = FIXTURES / "mastodon"
    server.route(
        "/api/v1/accounts/lookup", mastodon / "account.json", query={"acct": "kabulreport"}, content_type=JSON
    )
    server.route(
        STATUSES, mastodon / ("statuses-later.json" if later else "statuses.json"), content_type=JSON
    )


def registry(server: FixtureServer, interval: float = 300) -> AccountRegistry:
    return AccountRegistry.parse(
        "accounts:\n"
        f"  - {{platform: telegram, handle: afghan_voice, poll_interval_s: {interval},"
        f" options: {{base_url: '{server.url}'}}}}\n"
        f"  - {{platform: mastodon, handle: kabulreport@mastodon.example, poll_interval_s: {interval},"
        f" options: {{base_url: '{server.url}'}}}}\n"
    )


async def read_posts(settings: Settings) -> list[tuple[str, Post]]:
    """(key, post) of every record on the test's posts.raw, in partition order."""
    assert settings.bootstrap_servers is not None
    topic = settings.topic("posts.raw")
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # fetch the metadata
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        assert partitions, f"no topic {topic}"
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records: list[tuple[str, Post]] = []

        async def behind() -> bool:
            return any([await consumer.position(tp) < end[tp] for tp in partitions])

        while await behind():
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(((r.key or b"").decode(), decode(r.value, Post)) for r in batch)
        return records
    finally:
        await consumer.stop()


EXPECTED_IDS = [
    *(f"telegram:afghan_voice/{n}" for n in (105, 106, 107, 108, 109, 110)),
    *(f"{M}{n}" + ("/activity" if n == 2 else "") for n in (1, 2, 3, 4, 5, 6)),
]
EDITED = {"telegram:afghan_voice/108", f"{M}3"}


def assert_each_post_once_and_each_edit_twice(records: list[tuple[str, Post]]) -> None:
    counts = Counter(post.id for _, post in records)
    assert sorted(counts) == sorted(EXPECTED_IDS)
    assert {i: c for i, c in counts.items() if c != 1} == dict.fromkeys(EDITED, 2)
    for edited in EDITED:
        first, second = [p.text for _, p in records if p.id == edited]
        assert first != second
    assert {key for key, post in records if post.platform == "telegram"} == {"afghan_voice"}
    assert {key for key, post in records if post.platform == "mastodon"} == {"kabulreport@mastodon.example"}
    assert all(post.ingested_at is not None for _, post in records)


async def test_ingest_once_restarted_between_polls_produces_each_post_once(
    pipeline_factory: Callable[..., object], tmp_path: Path
) -> None:
    """`districtwatch ingest --once` four times: first pages, unchanged, changed, unchanged."""
    settings: Settings = pipeline_factory(ingest_checkpoint_dir=str(tmp_path / "checkpoints")).settings  # type: ignore[attr-defined]
    async with FixtureServer() as server:
        serve(server, later=False)
        accounts = registry(server)
        runs = []
        for later in (False, False, True, True):
            serve(server, later=later)
            outcomes = await run_ingest(settings, accounts, once=True, say=lambda _: None)
            assert all(o.error is None for o in outcomes), outcomes
            runs.append(sum(o.result.new + o.result.edited for o in outcomes if o.result))
    assert runs == [8, 0, 6, 0]
    records = await read_posts(settings)
    assert len(records) == 14
    assert_each_post_once_and_each_edit_twice(records)  # the deleted posts too: produced once, before


async def test_a_running_ingester_stopped_and_restarted_between_polls_loses_and_repeats_nothing(
    pipeline_factory: Callable[..., object], tmp_path: Path
) -> None:
    """Long-running pollers: stop cleanly, change the pages, start a new ingester on the same checkpoints."""
    settings: Settings = pipeline_factory().settings  # type: ignore[attr-defined]
    assert settings.bootstrap_servers is not None
    topic = settings.topic("posts.raw")
    await ensure_topics(settings.bootstrap_servers, [topic], settings.partitions)
    checkpoints = tmp_path / "checkpoints"

    async def run_until_polled(server: FixtureServer, polls: int) -> None:
        sink = KafkaPostSink(settings.bootstrap_servers or "", topic)
        await sink.start()
        prometheus = CollectorRegistry()
        metrics = IngestMetrics.create(prometheus)
        ingester = build_ingester(
            registry(server, interval=0.05),
            load_specs(),
            SourceSettings(),
            CheckpointStore(checkpoints),
            sink,
            metrics,
        )

        def count(name: str, poller: object) -> float:
            labels = {"source": poller.source_name, "account": poller.account.handle}  # type: ignore[attr-defined]
            return prometheus.get_sample_value(name, labels) or 0.0

        stop = asyncio.Event()
        running = asyncio.create_task(ingester.run(stop))
        try:
            async with asyncio.timeout(30):
                while min(count("districtwatch_ingest_polls_total", p) for p in ingester.pollers) < polls:  # noqa: ASYNC110  # polling a metric, no event to wait on
                    await asyncio.sleep(0.02)
        finally:
            stop.set()
            await running
            await ingester.aclose()
            await sink.stop()
        failed = [
            sample
            for family in prometheus.collect()
            if family.name == "districtwatch_ingest_poll_errors"
            for sample in family.samples
            if sample.name.endswith("_total")
        ]
        assert failed == []

    async with FixtureServer() as server:
        serve(server, later=False)
        await run_until_polled(server, polls=3)
        serve(server, later=True)
        await run_until_polled(server, polls=3)
    records = await read_posts(settings)
    assert len(records) == 14
    assert_each_post_once_and_each_edit_twice(records)


async def test_pushed_posts_reach_posts_raw_keyed_by_account(pipeline_factory: Callable[..., object]) -> None:
    """POST /posts with JSON lines: 202 once the broker acknowledged them, then they are on the topic."""
    settings: Settings = pipeline_factory().settings  # type: ignore[attr-defined]
    assert settings.bootstrap_servers is not None
    topic = settings.topic("posts.raw")
    await ensure_topics(settings.bootstrap_servers, [topic], settings.partitions)
    sink = KafkaPostSink(settings.bootstrap_servers, topic)
    await sink.start()
    body = (
        '{"id": "rss-1", "platform": "rss", "account": "news.example", "created_at": "2021-08-20T09:00:00Z",'
        ' "text": "Banu district centre under resistance control."}\n'
        '{"id": "rss-2", "platform": "rss", "account": "news.example", "created_at": "2021-08-20T09:05:00Z",'
        ' "text": "ولسوالی بانو"}\n'
    ).encode()
    try:
        app = create_app(
            sink, IngestMetrics.create(CollectorRegistry()), max_body_bytes=settings.max_push_body_bytes
        )
        async with TestClient(TestServer(app)) as client:
            reply = await client.post("/posts", data=body, headers={"Content-Type": "application/x-ndjson"})
            assert reply.status == 202
            assert await reply.json() == {"accepted": 2}
    finally:
        await sink.stop()
    records = await read_posts(settings)
    assert [(key, post.id) for key, post in records] == [("news.example", "rss-1"), ("news.example", "rss-2")]
    assert records[1][1].text == "ولسوالی بانو"
