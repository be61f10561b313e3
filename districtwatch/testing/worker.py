"""A `districtwatch worker` as a child process, and waiting until the pipeline has drained.

The demo, the integration tests and the pipeline benchmark all run the real worker in its own process
(so a test can SIGKILL it) and read its /status counters to know when every stage has caught up.
"""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from districtwatch.errors import BrokerError

PIPELINE = ("filter", "dedup", "extract", "control")


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
