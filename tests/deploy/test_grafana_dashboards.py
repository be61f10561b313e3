"""The Grafana dashboards: generated from code without drift, loadable as written, reading real metrics."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from districtwatch.core.extraction.keywords import load_keyword_pack

from .prometheus_server import MISSING_PROMTOOL, PROMTOOL
from .promql import (
    ANNOUNCED_NOTIFIER_SERIES,
    REPO,
    allowed_metric_names,
    metric_names,
    notifier_metrics_module,
    without_grafana_variables,
)

GRAFANA = REPO / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
SDK_MISSING = "grafana-foundation-sdk is not installed (pip install -e '.[deploy]')"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, rows' nested panels included."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            yield panel["title"], target


def by_uid(uid: str) -> dict[str, Any]:
    return load(GRAFANA / "dashboards" / f"{uid}.json")


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("districtwatch_grafana_generate", GRAFANA / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_both_dashboards_are_committed() -> None:
    assert [path.name for path in DASHBOARDS] == [
        "districtwatch-control-map.json",
        "districtwatch-pipeline.json",
    ]


def test_regenerating_the_dashboards_changes_nothing() -> None:
    """The committed JSON is exactly what dashboards_src/ generates: nobody edited one without the other."""
    pytest.importorskip("grafana_foundation_sdk", reason=SDK_MISSING)
    generate = generator()
    rendered = generate.render()
    assert generate.stale(rendered) == [], "run: python deploy/grafana/generate.py"
    assert rendered == generate.render(), "generation is not deterministic"


def _contained(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where ``expected`` has something ``actual`` lacks or differs on (``actual`` may add defaults)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [path]
        return [
            p
            for key, value in expected.items()
            for p in _contained(value, actual.get(key, ...), f"{path}.{key}")
        ]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [path]
        return [
            p
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for p in _contained(e, a, f"{path}[{i}]")
        ]
    return [] if expected == actual else [path]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_decodes_into_grafanas_schema_without_losing_anything(path: Path) -> None:
    """Decoded with the SDK's models (generated from Grafana's schema), every field is understood and kept."""
    pytest.importorskip("grafana_foundation_sdk", reason=SDK_MISSING)
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.cog.plugins import register_default_plugins
    from grafana_foundation_sdk.models.dashboard import Dashboard

    register_default_plugins()
    data = load(path)
    decoded = json.loads(JSONEncoder().encode(Dashboard.from_json(data)))
    assert _contained(data, decoded) == []


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_is_well_formed(path: Path) -> None:
    """A uid and title, a Grafana 11 schema version, unique panel ids, panels inside the grid, no overlaps."""
    data = load(path)
    assert data["uid"] == path.stem
    assert 8 <= len(data["uid"]) <= 40
    assert data["title"].startswith("districtwatch")
    assert data["schemaVersion"] >= 39  # Grafana 11
    assert "districtwatch" in data["tags"]
    ids = [panel["id"] for panel in panels(data)]
    assert len(ids) == len(set(ids))
    assert all(isinstance(i, int) and i > 0 for i in ids)
    cells: set[tuple[int, int]] = set()
    for panel in panels(data):
        grid = panel["gridPos"]
        assert min(grid["w"], grid["h"]) > 0, panel["title"]
        assert 0 <= grid["x"] <= grid["x"] + grid["w"] <= 24, panel["title"]
        covered = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not covered & cells, f"{panel['title']} overlaps another panel"
        cells |= covered


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_every_query_uses_the_provisioned_datasource_by_uid(path: Path) -> None:
    """Panels and queries name the datasource by uid only, never by name, so import needs no editing."""
    data = load(path)
    for panel in panels(data):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == DATASOURCE, panel["title"]
        targets = panel["targets"]
        assert targets, panel["title"]
        refs = [target["refId"] for target in targets]
        assert all(refs), panel["title"]
        assert len(set(refs)) == len(refs), panel["title"]
        for target in targets:
            assert target.get("datasource", DATASOURCE) == DATASOURCE, panel["title"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_names_no_host(path: Path) -> None:
    """No address in the JSON: the datasource's URL lives in provisioning, taken from the environment."""
    text = path.read_text(encoding="utf-8")
    for pattern in (
        r"https?://",
        r"\blocalhost\b",
        r"\b127\.0\.0\.1\b",
        r"\b\d{1,3}(\.\d{1,3}){3}\b",
        r":9090\b",
        r":6066\b",
    ):
        assert not re.search(pattern, text), pattern


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_every_query_reads_only_metrics_the_service_exports(path: Path) -> None:
    """Each expression names at least one metric, and only names the worker or ingester really export."""
    allowed = allowed_metric_names()
    for title, target in queries(load(path)):
        names = metric_names(target["expr"])
        assert names, f"{title}: {target['expr']}"
        assert names <= allowed, f"{title}: {sorted(names - allowed)} are not exported"


def test_notifier_panels_read_the_notifiers_own_metrics() -> None:
    """Once districtwatch/notifiers/metrics.py exists, the announced notifier names are checked against it."""
    if notifier_metrics_module() is None:
        pytest.skip(
            "districtwatch/notifiers/metrics.py does not exist yet; notifier panels use the announced names"
        )
    used = {name for path in DASHBOARDS for _, t in queries(load(path)) for name in metric_names(t["expr"])}
    assert used & ANNOUNCED_NOTIFIER_SERIES <= allowed_metric_names()


@pytest.mark.skipif(PROMTOOL is None, reason=MISSING_PROMTOOL)
def test_every_query_parses_as_promql(tmp_path: Path) -> None:
    """Prometheus' parser (promtool, via recording rules) accepts each query, variables filled in."""
    exprs = sorted(
        {without_grafana_variables(t["expr"]) for path in DASHBOARDS for _, t in queries(load(path))}
    )
    assert "$" not in "".join(exprs), "a Grafana variable the test does not know"
    rules = {
        "groups": [
            {
                "name": "dashboards",
                "rules": [{"record": f"dashboard:query{i}", "expr": e} for i, e in enumerate(exprs)],
            }
        ]
    }
    path = tmp_path / "dashboards.rules.yml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    assert PROMTOOL is not None
    result = subprocess.run(
        [PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pipeline_dashboard_covers_rates_lag_latency_errors_and_notifiers() -> None:
    """Pipeline health shows stage rates, lag, p50/p95/p99 latency, dead letters, duplicates and notifiers."""
    exprs = " ".join(t["expr"] for _, t in queries(by_uid("districtwatch-pipeline")))
    for needle in (
        "districtwatch_stage_in_records_total",
        "districtwatch_stage_out_records_total",
        "districtwatch_stage_dropped_records_total",
        "districtwatch_stage_deadlettered_records_total",
        "districtwatch_consumer_lag_records",
        "districtwatch_duplicates_total",
        "districtwatch_notifier_deliveries_total",
        "districtwatch_last_post_timestamp_seconds",
    ):
        assert needle in exprs, needle
    for quantile in ("0.5", "0.95", "0.99"):
        assert (
            f"histogram_quantile({quantile}, sum by (le) (rate(districtwatch_post_to_alert_seconds_bucket"
            in exprs
        )


def test_control_map_colours_districts_by_controller_on_a_geomap() -> None:
    """A Geomap marker at each district's lat/lon labels, coloured by its controller, for every actor."""
    data = by_uid("districtwatch-control-map")
    (geomap,) = [p for p in panels(data) if p["type"] == "geomap"]
    (target,) = geomap["targets"]
    assert metric_names(target["expr"]) == {"districtwatch_district_controller"}
    assert "$layer" in target["expr"]
    assert target["format"] == "table"
    assert target["instant"] is True
    conversions = next(t for t in geomap["transformations"] if t["id"] == "convertFieldType")["options"][
        "conversions"
    ]
    assert {(c["targetField"], c["destinationType"]) for c in conversions} == {
        ("lat", "number"),
        ("lon", "number"),
    }
    (layer,) = geomap["options"]["layers"]
    assert layer["type"] == "markers"
    assert layer["location"] == {"mode": "coords", "latitude": "lat", "longitude": "lon"}
    assert layer["config"]["style"]["color"]["field"] == "controller"
    (override,) = [
        o
        for o in geomap["fieldConfig"]["overrides"]
        if o["matcher"] == {"id": "byName", "options": "controller"}
    ]
    (mappings,) = [p["value"] for p in override["properties"] if p["id"] == "mappings"]
    coloured = set(mappings[0]["options"])
    assert coloured == set(load_keyword_pack("afghanistan").actors) | {"unknown"}
    variables = {v["name"]: v for v in data["templating"]["list"]}
    assert variables["layer"]["query"] == "assessed,claimed"


def test_control_map_lists_recent_changes_newest_first() -> None:
    """A table of districts by the time their controller took them, sorted newest first."""
    (table,) = [p for p in panels(by_uid("districtwatch-control-map")) if p["type"] == "table"]
    (target,) = table["targets"]
    assert "districtwatch_district_controller_since_timestamp_seconds" in metric_names(target["expr"])
    assert target["expr"].startswith("sort_desc(")
    assert table["options"]["sortBy"] == [{"desc": True, "displayName": "Since"}]


def test_datasource_provisioning_has_the_uid_and_no_host() -> None:
    """The provisioned datasource has the uid the dashboards use; its URL comes from the environment."""
    provisioning = yaml.safe_load(
        (GRAFANA / "provisioning/datasources/prometheus.yml").read_text(encoding="utf-8")
    )
    (datasource,) = provisioning["datasources"]
    assert datasource["uid"] == DATASOURCE["uid"]
    assert datasource["type"] == DATASOURCE["type"]
    assert re.fullmatch(r"\$\{?[A-Z_]+\}?", datasource["url"]), datasource["url"]


def test_dashboard_provisioning_reads_the_folder_compose_mounts() -> None:
    """The provider's path is where docker-compose.yml mounts deploy/grafana/dashboards."""
    provisioning = yaml.safe_load(
        (GRAFANA / "provisioning/dashboards/districtwatch.yml").read_text(encoding="utf-8")
    )
    (provider,) = provisioning["providers"]
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    mounts = dict(volume.split(":")[:2] for volume in compose["services"]["grafana"]["volumes"])
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    env = compose["services"]["grafana"]["environment"]
    url_variable = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())[
        "datasources"
    ][0]["url"]
    assert url_variable.strip("${}") in env
