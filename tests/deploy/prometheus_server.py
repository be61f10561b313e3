"""A real Prometheus (the Debian package's binary) for tests, configured from deploy/prometheus/.

``local_config`` turns the compose configuration into one for processes on 127.0.0.1: the same jobs,
scrape path and alerting rules, with the DNS service discovery of the compose service names replaced
by static targets and a short scrape interval.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from districtwatch.kafka.embedded_broker import free_port

from .promql import REPO

PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
CONFIG = PROMETHEUS_DIR / "prometheus.yml"
RULES = PROMETHEUS_DIR / "rules" / "districtwatch.rules.yml"
RULE_TESTS = PROMETHEUS_DIR / "rules" / "districtwatch.rules.test.yml"

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
MISSING_PROMETHEUS = "the prometheus binary is missing (Debian: apt-get install prometheus)"
MISSING_PROMTOOL = "promtool is missing (Debian: apt-get install prometheus)"


def local_config(targets: dict[str, list[str]], scrape_interval: str = "1s") -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml with ``targets`` (job → host:port) in place of service discovery.

    Jobs not in ``targets`` are left out; rule files become absolute paths.
    """
    config: dict[str, Any] = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    unknown = set(targets) - set(jobs)
    if unknown:
        raise KeyError(f"no such job in {CONFIG}: {sorted(unknown)}")
    scrape_configs = []
    for name, addresses in targets.items():
        job = {key: value for key, value in jobs[name].items() if not key.endswith("_sd_configs")}
        job["static_configs"] = [{"targets": addresses}]
        job["scrape_interval"] = scrape_interval
        scrape_configs.append(job)
    config["scrape_configs"] = scrape_configs
    config["global"] = {
        **config.get("global", {}),
        "scrape_interval": scrape_interval,
        "evaluation_interval": "1s",
    }
    config["rule_files"] = [str(CONFIG.parent / pattern) for pattern in config.get("rule_files", [])]
    return config


class PrometheusServer:
    """``prometheus`` on a free port of 127.0.0.1 with a config file and storage in ``workdir``."""

    def __init__(self, config: dict[str, Any], workdir: Path) -> None:
        assert PROMETHEUS is not None, MISSING_PROMETHEUS
        self.workdir = workdir
        self.config_path = workdir / "prometheus.yml"
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "prometheus.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrometheusServer:
        assert PROMETHEUS is not None
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    PROMETHEUS,
                    f"--config.file={self.config_path}",
                    f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 30
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"prometheus did not become ready; log:\n{self.log()}")
            time.sleep(0.2)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as reply:
                return bool(reply.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def api(self, path: str, **params: str) -> Any:
        url = f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=10) as reply:
            body = json.load(reply)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Instant query: ``[{"metric": {labels}, "value": [time, "text"]}, ...]``."""
        data = self.api("query", query=expr)
        assert data["resultType"] == "vector", data
        result: list[dict[str, Any]] = data["result"]
        return result

    def targets(self) -> list[dict[str, Any]]:
        active: list[dict[str, Any]] = self.api("targets")["activeTargets"]
        return active
