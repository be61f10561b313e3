"""`districtwatch demo`: the whole pipeline on one machine, for the bundled sample stream.

Starts the embedded broker and a worker process, replays the sample, waits until every stage has
drained (the worker's /status counters), prints the alerts and stops everything in order — also on
Ctrl-C, so no process is left behind.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from districtwatch.errors import BrokerError
from districtwatch.kafka.embedded_broker import EmbeddedBroker, free_port

PIPELINE = ("filter", "dedup", "extract", "control")


def sample_file(name: str) -> Path:
    """Path of a file bundled in districtwatch/samples."""
    return Path(str(resources.files("districtwatch.samples").joinpath(name)))


@dataclass
class WorkerProcess:
    """A `districtwatch worker` child process and the address of its web server."""

    process: subprocess.Popen[bytes]
    web_port: int

    def status(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/status", timeout=2) as reply:
                body: dict[str, Any] = json.load(reply)
                return body
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def stop(self, timeout: float = 20.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def worker_env(base: dict[str, str], **settings: str) -> dict[str, str]:
    """The environment of a worker child: ``base`` plus DISTRICTWATCH_* settings."""
    env = dict(base)
    env.update({f"DISTRICTWATCH_{name.upper()}": value for name, value in settings.items()})
    return env


@contextmanager
def running_worker(
    env: dict[str, str], web_port: int, log: Path, timeout: float = 60.0
) -> Iterator[WorkerProcess]:
    """Start a worker child, wait until it is ready (partitions held, tables recovered); stop it on exit."""
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "districtwatch", "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    worker = WorkerProcess(process, web_port)
    try:
        deadline = time.monotonic() + timeout
        while not (worker.status() or {}).get("ready"):
            if process.poll() is not None:
                raise BrokerError(f"worker exited with code {process.returncode}; see {log}")
            if time.monotonic() > deadline:
                raise BrokerError(f"worker not ready on port {web_port} within {timeout:.0f} s; see {log}")
            time.sleep(0.2)
        yield worker
    finally:
        worker.stop()


def drained(status: dict[str, Any] | None, posts: int) -> bool:
    """True when the filter read every post and each stage read all that the one before it sent."""
    if status is None:
        return False
    stages = status.get("stages", {})

    def count(stage: str, field: str) -> float:
        return float(stages.get(stage, {}).get(field, 0.0))

    if count("filter", "in") < posts:
        return False
    return all(count(after, "in") >= count(before, "out") for before, after in itertools.pairwise(PIPELINE))


def wait_until_drained(worker: WorkerProcess, posts: int, timeout: float, settle: float = 1.5) -> bool:
    """Poll /status until drained and unchanged for ``settle`` seconds, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] | None = None
    stable_since = None
    while time.monotonic() < deadline:
        status = worker.status()
        if drained(status, posts):
            if status == last and stable_since is not None and time.monotonic() - stable_since >= settle:
                return True
            if status != last:
                stable_since = time.monotonic()
        last = status
        time.sleep(0.25)
    return False


def run_demo(
    *,
    posts_file: Path,
    accounts_file: Path,
    baseline_file: Path | None,
    replay: Callable[[str, Path], int],
    read_alerts: Callable[[str], list[Any]],
    say: Callable[[str], None],
    timeout: float = 90.0,
    then: Callable[[WorkerProcess, list[Any]], None] | None = None,
) -> list[Any]:
    """Run the pipeline over ``posts_file`` and return the alerts it emitted; ``then`` is called with
    the worker and the alerts before anything stops (to look at the live map, say)."""
    with tempfile.TemporaryDirectory(prefix="districtwatch-demo-") as workdir, EmbeddedBroker() as broker:
        say(f"embedded broker on {broker.bootstrap_servers}")
        web_port = free_port()
        env = worker_env(
            dict(os.environ),
            bootstrap_servers=broker.bootstrap_servers,
            web_port=str(web_port),
            data_dir=str(Path(workdir) / "data"),
            accounts_file=str(accounts_file),
            **({"baseline_file": str(baseline_file)} if baseline_file else {}),
        )
        log = Path(workdir) / "worker.log"
        say("starting the worker (filter → dedup → extract → control)")
        try:
            with running_worker(env, web_port, log) as worker:
                count = replay(broker.bootstrap_servers, posts_file)
                say(f"replayed {count} posts; waiting for the pipeline to drain")
                if not wait_until_drained(worker, count, timeout):
                    say(f"the pipeline did not drain within {timeout:.0f} s; alerts so far follow")
                found = read_alerts(broker.bootstrap_servers)
                if then is not None:
                    then(worker, found)
                return found
        except Exception:
            if log.exists():
                sys.stderr.write(log.read_text(encoding="utf-8", errors="replace")[-3000:])
            raise


def run_async(coro: Any) -> Any:
    """Run a coroutine to completion in a fresh event loop (commands are synchronous)."""
    return asyncio.run(coro)
