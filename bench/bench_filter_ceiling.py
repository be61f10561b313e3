"""How fast could the filter stage go outside Faust's per-event path? A ceiling, not a stage.

    python bench/bench_filter_ceiling.py [--posts 50000] [--seed 7] [--repeat 2]

Why this exists: with the filter as a Faust agent the pipeline passed about 1% of what a bare consumer
reads (``bench_pipeline.py``), and the profile put most of the worker's time in Faust's per-event path.
This measured, before it was written, what a filter reading ``posts.raw`` in batches with a plain
aiokafka consumer would reach — the shape ``districtwatch.agents.filter`` now has: on the embedded
broker, in this process, the baseline of ``bench_pipeline.py`` (read and ``json.loads`` every record)
against read + decode and validate as the filter does (``codec.decode`` into ``Post``) + the filter's
relevance test + produce the relevant posts and wait for their acknowledgement, batch by batch. Nothing
else of the pipeline runs (no dedup key, dedup, extraction, control, metrics, commits): it stays the
filter's upper bound on one core.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka import AIOKafkaProducer

from bench.bench_pipeline import baseline, reading_from_start, records
from bench.synthetic import generate
from districtwatch.codec import decode
from districtwatch.core.extraction import Extractor
from districtwatch.kafka.embedded_broker import EmbeddedBroker
from districtwatch.schemas import Post
from districtwatch.settings import Settings

RAW, RELEVANT = "ceiling.posts.raw", "ceiling.posts.relevant"


async def fill(bootstrap: str, posts: int, seed: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
    await producer.start()
    try:
        for key, value in records(list(generate(posts, seed=seed)), "2021-08-20T00:00:00Z"):
            await producer.send(RAW, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def batch_filter(
    bootstrap: str, expected: int, extractor: Extractor, max_bytes: int
) -> tuple[float, int]:
    """Posts/s of a batch filter (first batch to last record) and how many posts it passed on."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        async with reading_from_start(bootstrap, RAW) as consumer:
            seen, first, started, passed = 0, 0, 0.0, 0
            while seen < expected:
                batch = await consumer.getmany(timeout_ms=1000)
                sends = []
                for messages in batch.values():
                    for message in messages:
                        post = decode(message.value, Post, max_bytes=max_bytes)
                        if extractor.is_relevant(post.text):
                            sends.append(await producer.send(RELEVANT, message.value, key=message.key))
                    seen += len(messages)
                passed += len(sends)
                await asyncio.gather(*sends)
                if not started and seen:
                    first, started = seen, time.perf_counter()
            return (seen - first) / (time.perf_counter() - started), passed
    finally:
        await producer.stop()


async def run(posts: int, seed: int, repeat: int) -> None:
    settings = Settings()
    extractor = Extractor.load(settings.gazetteer, settings.keyword_pack)
    max_bytes = settings.max_post_chars * 4 + 4096
    with EmbeddedBroker() as broker:
        await fill(broker.bootstrap_servers, posts, seed)
        for _ in range(repeat):
            bare = await baseline(broker.bootstrap_servers, RAW, posts)
            filtered, passed = await batch_filter(broker.bootstrap_servers, posts, extractor, max_bytes)
            print(
                f"baseline_posts_per_s={bare:.0f} batch_filter_posts_per_s={filtered:.0f} "
                f"ratio={filtered / bare:.2f} passed={passed}",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(run(args.posts, args.seed, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
