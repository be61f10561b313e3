"""Fixtures shared by every test folder: the embedded broker and real worker processes.

The embedded broker comes from PyPI with the project, so broker tests never skip. Each test gets its
own topic prefix and consumer group (uuid), so tests sharing the session's broker cannot see each
other's records.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest

from districtwatch.kafka.embedded_broker import EmbeddedBroker, free_port
from districtwatch.samples import sample_file
from districtwatch.settings import Settings
from districtwatch.testing.worker import WorkerProcess, running_worker, worker_env


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("districtwatch")
    group.addoption(
        "--kill-loops",
        type=int,
        default=1,
        help="run the Kafka kill test this many times, each on fresh topics (to reproduce a rare hang)",
    )
    group.addoption(
        "--kill-timeout",
        type=float,
        default=240.0,
        help="seconds the kill test's survivor has to reach the calm run's outcome (shorter when looping)",
    )


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(log_path=log) as running:
        yield running


@dataclass
class Pipeline:
    """Where one test's pipeline lives: its settings (prefix, group) and how to start workers."""

    settings: Settings
    env: dict[str, str]
    workdir: Path

    def worker(self, name: str = "worker") -> AbstractContextManager[WorkerProcess]:
        port = free_port()
        env = dict(
            self.env, DISTRICTWATCH_WEB_PORT=str(port), DISTRICTWATCH_DATA_DIR=str(self.workdir / name)
        )
        return running_worker(env, port, self.workdir / f"{name}.log")

    def topic(self, stage: str) -> str:
        return self.settings.topic(stage)


def pipelines_on(bootstrap_servers: str, workdir: Path) -> Callable[..., Pipeline]:
    """A factory of pipelines on a broker: each call a fresh prefix and group, settings overridden."""

    def make(**overrides: str | None) -> Pipeline:
        tag = uuid.uuid4().hex[:10]
        values = {
            "bootstrap_servers": bootstrap_servers,
            "app_id": f"dw-test-{tag}",
            "topic_prefix": f"t{tag}.",
            "partitions": "2",
            "accounts_file": str(sample_file("accounts.yaml")),
            "baseline_file": str(sample_file("baseline-2021-08-16.json")),
            **overrides,
        }
        values = {k: v for k, v in values.items() if v is not None}  # None: leave the setting unset
        env = worker_env(dict(os.environ), **values)
        settings = Settings.model_validate(values)
        return Pipeline(settings=settings, env=env, workdir=workdir)

    return make


@pytest.fixture
def pipeline_factory(broker: EmbeddedBroker, tmp_path: Path) -> Callable[..., Pipeline]:
    return pipelines_on(broker.bootstrap_servers, tmp_path)
