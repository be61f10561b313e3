"""`districtwatch demo`: the whole pipeline on one machine, for the bundled sample stream.

Starts the embedded broker and a worker process, replays the sample, waits until every stage has
drained (the worker's /status counters), prints the alerts and stops everything in order — also on
Ctrl-C, so no process is left behind. Also the one way a synchronous command runs a coroutine.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from districtwatch.kafka.embedded_broker import EmbeddedBroker, free_port
from districtwatch.testing.worker import WorkerProcess, running_worker, wait_until_drained, worker_env


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
