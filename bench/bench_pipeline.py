"""The whole pipeline against a plain consumer of the same topic, on the same broker.

    python bench/bench_pipeline.py [--posts 1000000] [--rate 500] [--seconds 60] [--kafka]
    python bench/bench_pipeline.py --quick            # 50,000 posts, 20 s of latency; under 2 minutes

On the embedded broker (and Apache Kafka with ``--kafka``, where java and mvn exist), in one process
tree (this process, the broker, one worker; ``--workers N`` starts a group of N):

1. ``--posts`` posts of the synthetic stream (``bench/synthetic.py``) are produced to a ``posts.raw``
   topic of a fresh uuid prefix, before anything reads them;
2. baseline: a plain aiokafka consumer reads the topic and decodes the JSON of every record;
3. throughput: a worker (``python -m districtwatch worker``: every agent, table and metric) works the
   same backlog off, from ``posts.raw`` to ``alerts``. Its start-up is not counted: the clock starts at
   the first change of the filter's ``in`` count on ``/status`` and stops when every stage has drained;
4. latency: the same worker then gets ``--rate`` posts/s for ``--seconds`` seconds, each stamped with
   ``ingested_at`` when sent and a url naming it; an alert's latency is from the send time of its
   newest source to the moment this process reads the alert from the ``alerts`` topic (the worker's
   own ``districtwatch_post_to_alert_seconds`` histogram is printed beside it as a check);
5. memory: the worker's RSS is sampled from /proc every 0.2 s; start is at ready (before any post),
   peak is the kernel's high-water mark (VmHWM). With several workers, counts, CPU and RSS are summed.

The last line reads
``pipeline_posts_per_s=N baseline_posts_per_s=N ratio=R p99_ms=N rss_growth_mb=N`` (embedded broker).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from bench.synthetic import generate
from districtwatch.kafka.clients import ensure_topics
from districtwatch.kafka.embedded_broker import EmbeddedBroker, free_port
from districtwatch.testing.worker import PIPELINE, WorkerProcess, running_worker, worker_env

TARGET_RATIO = 0.30
TARGET_P99_MS = 1000.0
TARGET_RSS_GROWTH_MB = 200.0
URL = "https://bench.invalid/post/"


def say(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------------------------- records


def records(posts: list[dict[str, Any]], ingested_at: str) -> list[tuple[bytes, bytes]]:
    """(key, value) per post, as ``districtwatch replay`` builds them: keyed by account."""
    out = []
    for post in posts:
        post.setdefault("ingested_at", ingested_at)
        out.append((post["account"].encode(), json.dumps(post, ensure_ascii=False).encode("utf-8")))
    return out


async def produce_all(bootstrap: str, topic: str, batch: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=256 * 1024, acks=1)
    await producer.start()
    try:
        pending = []
        for key, value in batch:
            pending.append(await producer.send(topic, value=value, key=key))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


# -------------------------------------------------------------------------------------------- baseline


@asynccontextmanager
async def reading_from_start(bootstrap: str, topic: str) -> AsyncIterator[AIOKafkaConsumer]:
    """A plain consumer (no group, no commits) on every partition of ``topic``, at its start."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        yield consumer
    finally:
        await consumer.stop()


async def baseline(bootstrap: str, topic: str, expected: int) -> float:
    """Posts/s of a plain consumer that decodes every record's JSON, first batch to last record."""
    async with reading_from_start(bootstrap, topic) as consumer:
        seen, first, started = 0, 0, 0.0
        while seen < expected:
            batch = await consumer.getmany(timeout_ms=1000)
            for messages in batch.values():
                for message in messages:
                    json.loads(message.value)
                seen += len(messages)
            if not started and seen:
                first, started = seen, time.perf_counter()
        return (seen - first) / (time.perf_counter() - started)


# ------------------------------------------------------------------------------------------------- RSS


def _proc_kb(pid: int, field_name: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat), in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class RssSampler:
    """The worker's resident set, sampled in a thread: first, last, peak (kernel high-water mark)."""

    pid: int
    every: float = 0.2
    samples: list[tuple[float, int]] = field(default_factory=list)
    peak_kb: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, hwm = _proc_kb(self.pid, "VmRSS"), _proc_kb(self.pid, "VmHWM")
            if rss is not None:
                self.samples.append((time.monotonic(), rss))
            if hwm is not None:
                self.peak_kb = max(self.peak_kb, hwm)
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def at(self, moment: float) -> int:
        """RSS (kB) of the last sample at or before ``moment``."""
        before = [rss for when, rss in self.samples if when <= moment]
        return before[-1] if before else self.samples[0][1]


# ---------------------------------------------------------------------------------------------- worker


def stage_counts(status: dict[str, Any] | None) -> dict[str, dict[str, float]]:
    return (status or {}).get("stages", {})


def is_drained(stages: dict[str, dict[str, float]], posts: int) -> bool:
    def count(stage: str, what: str) -> float:
        return float(stages.get(stage, {}).get(what, 0.0))

    return count("filter", "in") >= posts and all(
        count(after, "in") >= count(before, "out") for before, after in itertools.pairwise(PIPELINE)
    )


@dataclass
class Throughput:
    posts_per_s: float
    seconds: float
    counted_posts: int
    stages: dict[str, dict[str, float]]
    cpu_s: float = 0.0


def time_backlog(worker: Workers, posts: int, timeout: float, progress_every: float = 10.0) -> Throughput:
    """From the first change of the filter's count to drained; polls /status every 0.1 s."""
    deadline = time.monotonic() + timeout
    first: tuple[float, float] | None = None
    cpu_at_first = 0.0
    last_note = time.monotonic()
    while time.monotonic() < deadline:
        now, stages = time.monotonic(), stage_counts(worker.status())
        seen = float(stages.get("filter", {}).get("in", 0.0))
        if first is None and seen > 0:
            first, cpu_at_first = (now, seen), worker.cpu_seconds()
        if first is not None and is_drained(stages, posts):
            cpu = worker.cpu_seconds() - cpu_at_first
            counted = int(posts - first[1])
            return Throughput(counted / (now - first[0]), now - first[0], counted, stages, cpu)
        if now - last_note >= progress_every:
            say(f"    … {int(seen):,} / {posts:,} posts through the filter")
            last_note = now
        if (code := worker.exit_code()) is not None:
            raise RuntimeError(f"a worker exited with code {code}")
        time.sleep(0.1)
    raise RuntimeError(f"the pipeline did not drain {posts:,} posts within {timeout:.0f} s: {stages}")


def wait_drained(worker: Workers, posts: int, timeout: float) -> dict[str, dict[str, float]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stages = stage_counts(worker.status())
        if is_drained(stages, posts):
            return stages
        time.sleep(0.2)
    raise RuntimeError(f"the pipeline did not drain {posts:,} posts within {timeout:.0f} s")


def latency_histogram(web_port: int) -> dict[float, float]:
    """Cumulative bucket counts of districtwatch_post_to_alert_seconds, summed over statuses."""
    with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/metrics", timeout=5) as reply:
        text = reply.read().decode("utf-8")
    buckets: dict[float, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "districtwatch_post_to_alert_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                bound = float(sample.labels["le"])
                buckets[bound] = buckets.get(bound, 0.0) + sample.value
    return buckets


@dataclass
class Workers:
    """The bench's workers (``--workers``, one by default) seen as one: stage counts and CPU summed."""

    members: list[WorkerProcess]

    def status(self) -> dict[str, Any] | None:
        statuses = [member.status() for member in self.members]
        if any(status is None for status in statuses):
            return None
        stages: dict[str, dict[str, float]] = {}
        for status in statuses:
            for stage, counts in stage_counts(status).items():
                for what, value in counts.items():
                    summed = stages.setdefault(stage, {})
                    summed[what] = summed.get(what, 0.0) + value
        return {"stages": stages, "ready": all((status or {}).get("ready") for status in statuses)}

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(member.process.pid) for member in self.members)

    def exit_code(self) -> int | None:
        """The exit code of a worker that has stopped, None while all run."""
        return next((code for m in self.members if (code := m.process.poll()) is not None), None)

    def latency_histogram(self) -> dict[float, float]:
        total: dict[float, float] = {}
        for member in self.members:
            for bound, count in latency_histogram(member.web_port).items():
                total[bound] = total.get(bound, 0.0) + count
        return total


# --------------------------------------------------------------------------------------------- latency


@dataclass
class Latency:
    sent: int
    alerts: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    achieved_rate: float
    worker_histogram: dict[str, float]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


async def steady_load(
    bootstrap: str, raw_topic: str, alerts_topic: str, posts: list[dict[str, Any]], rate: float
) -> tuple[dict[str, float], list[tuple[float, list[str]]], float]:
    """Send ``posts`` at ``rate``/s, stamped when sent; read alerts meanwhile and for 3 s after."""
    sent_at: dict[str, float] = {}
    received: list[tuple[float, list[str]]] = []
    # A short fetch wait, so that the reader itself adds little: the embedded broker answers a fetch
    # only when its wait runs out, even when records arrive meanwhile.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=10
    )
    await consumer.start()
    await consumer.topics()
    parts = [
        TopicPartition(alerts_topic, p) for p in sorted(consumer.partitions_for_topic(alerts_topic) or ())
    ]
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)  # resolve the end offsets now: only alerts from here on count
    done = asyncio.Event()

    async def read() -> None:
        while not done.is_set():
            batch = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for messages in batch.values():
                for message in messages:
                    alert = json.loads(message.value)
                    urls = [s.get("url") or "" for s in alert.get("sources", [])]
                    received.append((now, [u.removeprefix(URL) for u in urls if u.startswith(URL)]))

    reader = asyncio.create_task(read())
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0, acks=1)
    await producer.start()
    tick = 0.01
    pending = []
    started = time.perf_counter()
    for index, post in enumerate(posts):
        due = started + index / rate
        delay = due - time.perf_counter()
        if delay > tick:
            await asyncio.sleep(delay)
        now = time.perf_counter()
        post["ingested_at"] = datetime.now(UTC).isoformat()
        post["url"] = URL + post["id"]
        sent_at[post["id"]] = now
        value = json.dumps(post, ensure_ascii=False).encode("utf-8")
        pending.append(await producer.send(raw_topic, value=value, key=post["account"].encode()))
        if len(pending) >= 1000:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    elapsed = time.perf_counter() - started
    await producer.stop()
    await asyncio.sleep(3.0)
    done.set()
    await reader
    await consumer.stop()
    return sent_at, received, len(posts) / elapsed


def measure_latency(
    worker: Workers, bootstrap: str, prefix: str, posts: list[dict[str, Any]], rate: float, total: int
) -> Latency:
    before = worker.latency_histogram()
    sent_at, received, achieved = asyncio.run(
        steady_load(bootstrap, prefix + "posts.raw", prefix + "alerts", posts, rate)
    )
    wait_drained(worker, total, timeout=120)
    after = worker.latency_histogram()
    latencies = []
    for arrived, ids in received:
        times = [sent_at[i] for i in ids if i in sent_at]
        if times:  # an alert with no source of this phase came from the backlog
            latencies.append((arrived - max(times)) * 1000)
    observed = after.get(float("inf"), 0.0) - before.get(float("inf"), 0.0)
    histogram = {
        f"le_{bound:g}s": round((after.get(bound, 0.0) - before.get(bound, 0.0)) / observed, 4)
        for bound in sorted(after)
        if observed and bound <= 5
    }
    return Latency(
        sent=len(posts),
        alerts=len(latencies),
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies, default=float("nan")),
        achieved_rate=achieved,
        worker_histogram=histogram,
    )


# ----------------------------------------------------------------------------------------------- a run


@dataclass
class Result:
    broker: str
    posts: int
    produce_s: float
    baseline_posts_per_s: float
    pipeline: Throughput
    latency: Latency
    rss_start_mb: float
    rss_warm_mb: float
    rss_end_mb: float
    rss_peak_mb: float
    worker_start_s: float
    workers: int = 1

    @property
    def ratio(self) -> float:
        return self.pipeline.posts_per_s / self.baseline_posts_per_s

    @property
    def rss_growth_mb(self) -> float:
        return self.rss_peak_mb - self.rss_start_mb

    def line(self) -> str:
        return (
            f"pipeline_posts_per_s={self.pipeline.posts_per_s:.0f} "
            f"baseline_posts_per_s={self.baseline_posts_per_s:.0f} ratio={self.ratio:.2f} "
            f"p99_ms={self.latency.p99_ms:.0f} rss_growth_mb={self.rss_growth_mb:.0f}"
        )


def run(name: str, bootstrap: str, args: argparse.Namespace, workdir: Path) -> Result:
    tag = uuid.uuid4().hex[:10]
    prefix = f"bench{tag}."
    say(f"[{name}] broker {bootstrap}, topics {prefix}*, {args.partitions} partitions")
    # posts.raw now, for the backlog; the worker creates the other topics when it starts
    asyncio.run(ensure_topics(bootstrap, [prefix + "posts.raw"], args.partitions))

    stream = list(generate(args.posts + int(args.rate * args.seconds), args.seed))
    backlog, steady = stream[: args.posts], stream[args.posts :]
    started = time.perf_counter()
    asyncio.run(produce_all(bootstrap, prefix + "posts.raw", records(backlog, datetime.now(UTC).isoformat())))
    produce_s = time.perf_counter() - started
    say(f"[{name}] produced {len(backlog):,} posts in {produce_s:.1f} s")

    base = asyncio.run(baseline(bootstrap, prefix + "posts.raw", len(backlog)))
    say(f"[{name}] baseline (aiokafka + json.loads): {base:,.0f} posts/s")

    envs = []
    for index in range(args.workers):
        web_port = free_port()
        env = worker_env(
            dict(os.environ),
            bootstrap_servers=bootstrap,
            app_id=f"bench-{tag}",
            topic_prefix=prefix,
            partitions=str(args.partitions),
            web_port=str(web_port),
            data_dir=str(workdir / f"data-{tag}-{index}"),
        )
        env.update(dict(item.split("=", 1) for item in args.set))
        envs.append((env, web_port, workdir / f"worker-{name}-{index}.log"))
    started = time.perf_counter()
    with ExitStack() as stack:
        # Started together, so that they join the group together: one started alone would take the whole
        # backlog while the next is still joining.
        with ThreadPoolExecutor(len(envs)) as pool:
            members = list(pool.map(lambda each: stack.enter_context(running_worker(*each)), envs))
        worker = Workers(members)
        while not (worker.status() or {}).get("ready"):
            time.sleep(0.2)
        ready = time.monotonic()
        worker_start_s = time.perf_counter() - started
        samplers = [RssSampler(member.process.pid) for member in worker.members]
        first = worker.members[0].process.pid
        profiler = start_profiler(first, args.profile) if args.profile else None
        try:
            pids = ", ".join(str(member.process.pid) for member in worker.members)
            say(
                f"[{name}] {args.workers} worker(s) ready in {worker_start_s:.1f} s (pid {pids}); "
                "timing the backlog"
            )
            timeout = max(300.0, args.posts / 500)
            throughput = time_backlog(worker, len(backlog), timeout)
            drained_at = time.monotonic()
            if profiler is not None:
                stop_profiler(profiler, args.profile)
            say(
                f"[{name}] pipeline: {throughput.posts_per_s:,.0f} posts/s over {throughput.seconds:.1f} s "
                f"(worker CPU {throughput.cpu_s:.1f} s: "
                f"{throughput.counted_posts / throughput.cpu_s:,.0f} posts per CPU-second)"
            )
            say(f"[{name}]   stages: {json.dumps(throughput.stages)}")
            say(f"[{name}] latency: {args.rate:g} posts/s for {args.seconds:g} s")
            latency = measure_latency(worker, bootstrap, prefix, steady, args.rate, len(stream))
        except BaseException:
            if profiler is not None and profiler.poll() is None:
                profiler.terminate()
            for _, _, log in envs:
                sys.stderr.write(log.read_text(encoding="utf-8", errors="replace")[-3000:])
            raise
        finally:
            for sampler in samplers:
                sampler.stop()
    mb = 1 / 1024
    warm_at = ready + 0.05 * (drained_at - ready)
    # With several workers, their sum: the memory the pipeline takes on this machine.
    return Result(
        broker=name,
        posts=len(backlog),
        produce_s=produce_s,
        baseline_posts_per_s=base,
        pipeline=throughput,
        latency=latency,
        rss_start_mb=sum(sampler.at(ready) for sampler in samplers) * mb,
        rss_warm_mb=sum(sampler.at(warm_at) for sampler in samplers) * mb,
        rss_end_mb=sum(sampler.samples[-1][1] for sampler in samplers) * mb,
        rss_peak_mb=sum(sampler.peak_kb for sampler in samplers) * mb,
        worker_start_s=worker_start_s,
        workers=args.workers,
    )


def start_profiler(pid: int, out: Path) -> subprocess.Popen[bytes]:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    fmt = {".json": "speedscope", ".txt": "raw"}.get(out.suffix, "flamegraph")
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--rate", "200", "--format", fmt, "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profiler(profiler: subprocess.Popen[bytes], out: Path) -> None:
    profiler.send_signal(2)  # SIGINT: py-spy writes its output and exits
    profiler.wait(60)
    say(f"profile of the backlog written to {out}")


def report(result: Result) -> None:
    lat = result.latency
    say(f"== {result.broker}: {result.posts:,} posts, {result.workers} worker(s) ==")
    say(f"  baseline (plain aiokafka consumer + json.loads)  {result.baseline_posts_per_s:12,.0f} posts/s")
    say(f"  full pipeline, posts.raw → alerts                 {result.pipeline.posts_per_s:12,.0f} posts/s")
    verdict = "meets" if result.ratio >= TARGET_RATIO else "MISSES"
    say(f"  ratio {result.ratio:.2f} ({verdict} the target of {TARGET_RATIO:.2f}; aim 0.50)")
    say(
        f"  post → alert at {lat.achieved_rate:,.0f} posts/s: "
        f"p50 {lat.p50_ms:.0f} ms, p95 {lat.p95_ms:.0f} ms, "
        f"p99 {lat.p99_ms:.0f} ms, max {lat.max_ms:.0f} ms over {lat.alerts} alerts "
        f"({'meets' if lat.p99_ms < TARGET_P99_MS else 'MISSES'} p99 < {TARGET_P99_MS:.0f} ms)"
    )
    say(f"  worker histogram (share of alerts within): {lat.worker_histogram}")
    say(
        f"  worker RSS{' (sum of the workers)' if result.workers > 1 else ''}: "
        f"start {result.rss_start_mb:.0f} MB, after 5% {result.rss_warm_mb:.0f} MB, "
        f"peak {result.rss_peak_mb:.0f} MB, end {result.rss_end_mb:.0f} MB; "
        f"growth {result.rss_growth_mb:.0f} MB "
        f"({'meets' if result.rss_growth_mb <= TARGET_RSS_GROWTH_MB else 'MISSES'} "
        f"≤ {TARGET_RSS_GROWTH_MB:.0f} MB)"
    )


def brokers(
    use_kafka: bool, partitions: int, workdir: Path
) -> Iterator[tuple[str, AbstractContextManager[Any]]]:
    if use_kafka:
        try:
            from districtwatch.kafka.apache_broker import KafkaBroker, kafka_available
        except ImportError as exc:
            say(f"[kafka] skipped: the launcher cannot be imported ({exc})")
        else:
            reason = kafka_available()
            if reason is None:
                yield "kafka", KafkaBroker(data_dir=workdir / "kafka", partitions=partitions, heap="1g")
            else:
                say(f"[kafka] skipped: {reason}")
    yield "embedded", EmbeddedBroker(log_path=workdir / "tansu.log")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=1_000_000, help="backlog for throughput and RSS")
    parser.add_argument("--rate", type=float, default=500.0, help="steady rate for latency, posts/s")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the steady rate lasts")
    parser.add_argument("--quick", action="store_true", help="50,000 posts and 20 s of steady rate")
    parser.add_argument("--kafka", action="store_true", help="also on Apache Kafka, where it can run")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1, help="worker processes in the group")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment of the worker, e.g. Faust's STREAM_BUFFER_MAXSIZE=16384 (repeatable)",
    )
    parser.add_argument("--profile", type=Path, help="py-spy the worker over the backlog (.svg or .json)")
    args = parser.parse_args()
    if args.quick:
        args.posts, args.seconds = min(args.posts, 50_000), min(args.seconds, 20.0)

    began = time.perf_counter()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="districtwatch-bench-") as tmp:
        workdir = Path(tmp)
        for name, broker in brokers(args.kafka, args.partitions, workdir):
            with broker as running:
                results.append(run(name, running.bootstrap_servers, args, workdir))
    wall = time.perf_counter() - began
    for result in results:
        report(result)
    say(
        f"machine: {os.cpu_count()} cpus, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    say(f"wall time {wall:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                    "command": " ".join(sys.argv),
                    "wall_s": round(wall, 1),
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "results": [
                        dict(asdict(r), ratio=r.ratio, rss_growth_mb=r.rss_growth_mb) for r in results
                    ],
                },
                indent=2,
            )
            + "\n"
        )
    for result in results:
        if result.broker != "embedded":
            say(f"{result.broker}: {result.line()}")
    embedded = next(r for r in results if r.broker == "embedded")
    say(embedded.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
