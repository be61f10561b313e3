"""docker-compose.yml and the Dockerfile: what the stack must contain, and that Compose accepts it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from .promql import REPO

COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
SERVICES = {"kafka", "worker", "ingester", "prometheus", "grafana"}


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return data


def compose_command() -> list[str] | None:
    """``docker compose`` (the plugin), else a standalone Compose v2 ``docker-compose``; None if neither."""
    docker = shutil.which("docker")
    if docker is not None:
        plugin = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, check=False)
        if plugin.returncode == 0:
            return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    if standalone is not None:
        version = subprocess.run([standalone, "version"], capture_output=True, text=True, check=False)
        if re.search(r"\bv?2\.\d+", version.stdout):
            return [standalone]
    return None


def test_compose_accepts_the_file() -> None:
    """`docker compose config -q` (no engine needed) validates the file against the Compose specification."""
    command = compose_command()
    if command is None:
        pytest.skip(
            "no Docker Compose v2: neither the docker client's compose plugin nor a docker-compose v2"
        )
    result = subprocess.run(
        [*command, "--project-directory", str(REPO), "-f", str(COMPOSE_FILE), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        # the file alone decides: no COMPOSE_FILE, COMPOSE_PROFILES or GRAFANA_ADMIN_PASSWORD of the caller's
        env={k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "GRAFANA_"))},
    )
    # stderr too: a wrapper script may lose the exit code, and a valid file gives no warning either
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), result.stderr


def test_every_service_is_there_with_a_healthcheck() -> None:
    """Kafka, worker, ingester, Prometheus and Grafana, each with a healthcheck the others can wait on."""
    services = compose()["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        test = service["healthcheck"]["test"]
        assert test, name
        assert test[0] in {"CMD", "CMD-SHELL"}, name


def test_services_start_in_order_of_health() -> None:
    """The worker and the ingester wait for a healthy Kafka; Grafana for a healthy Prometheus."""
    services = compose()["services"]
    for name, dependency in (("worker", "kafka"), ("ingester", "kafka"), ("grafana", "prometheus")):
        assert services[name]["depends_on"][dependency]["condition"] == "service_healthy", name


def test_kafka_is_the_official_image_in_kraft_mode() -> None:
    kafka = compose()["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["CLUSTER_ID"]
    assert "kafka-data:/var/lib/kafka/data" in kafka["volumes"]
    assert env["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]


def test_the_service_containers_reach_kafka_and_serve_metrics() -> None:
    """Both run the project's image against the compose Kafka; ports match Prometheus' scrape config."""
    data = compose()
    services = data["services"]
    prometheus_config = yaml.safe_load(
        (REPO / "deploy/prometheus/prometheus.yml").read_text(encoding="utf-8")
    )
    scraped = {
        sd["names"][0]: sd["port"]
        for job in prometheus_config["scrape_configs"]
        for sd in job.get("dns_sd_configs", [])
    }
    assert scraped == {"worker": 6066, "ingester": 6067}
    for name, command, port_variable in (
        ("worker", ["districtwatch", "worker"], "DISTRICTWATCH_WEB_PORT"),
        ("ingester", ["districtwatch", "ingest"], "DISTRICTWATCH_INGEST_WEB_PORT"),
    ):
        service = services[name]
        assert service["build"] == "."
        assert service["command"] == command
        env = service["environment"]
        assert env["DISTRICTWATCH_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert int(env[port_variable]) == scraped[name]


def test_prometheus_and_grafana_mount_the_repository_config() -> None:
    services = compose()["services"]
    prometheus = services["prometheus"]["volumes"]
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus
    assert "./deploy/prometheus/rules:/etc/prometheus/rules:ro" in prometheus
    grafana = services["grafana"]["volumes"]
    assert "./deploy/grafana/provisioning/datasources:/etc/grafana/provisioning/datasources:ro" in grafana
    assert "./deploy/grafana/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro" in grafana
    assert services["grafana"]["environment"]["PROMETHEUS_URL"] == "http://prometheus:9090"


def test_named_volumes_keep_state_across_restarts() -> None:
    """Kafka's log, the ingester's checkpoints, Prometheus' data, Grafana's database outlive `down`."""
    data = compose()
    assert set(data["volumes"]) == {"kafka-data", "ingest-checkpoints", "prometheus-data", "grafana-data"}
    used = {
        volume.split(":")[0] for service in data["services"].values() for volume in service.get("volumes", [])
    }
    assert set(data["volumes"]) <= used


def test_host_ports_are_bound_to_localhost_only() -> None:
    """Grafana's default password and the worker's API are not offered to the network by default."""
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"


def test_dockerfile_runs_the_worker_as_a_non_root_user_with_a_healthcheck() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert stages
    assert all(image.startswith("python:3.11-slim") for image in stages)
    final = text[text.rindex("\nFROM ") :]
    assert re.search(r"^USER districtwatch$", final, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n?.*/status", final, re.MULTILINE)
    assert 'CMD ["districtwatch", "worker"]' in final
    assert (
        "DISTRICTWATCH_WEB_HOST=0.0.0.0" in final
    )  # the worker's default, 127.0.0.1, is unreachable from Prometheus
