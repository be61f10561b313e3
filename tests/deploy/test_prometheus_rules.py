"""The Prometheus configuration and alerting rules, checked by promtool as Prometheus would load them."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .prometheus_server import CONFIG, MISSING_PROMTOOL, PROMTOOL, RULE_TESTS, RULES, local_config
from .promql import allowed_metric_names, metric_names

needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason=MISSING_PROMTOOL)

ALERTS = {
    "TargetDown",
    "PipelineStalled",
    "ConsumerLagGrowing",
    "NotifierFailing",
    "DeadLetterRateHigh",
    "AccountSilent",
    "EventLoopStalls",
}


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"]]


@needs_promtool
def test_compose_config_is_valid_and_loads_the_rules() -> None:
    """promtool accepts deploy/prometheus/prometheus.yml, and its rule_files glob finds the rules file."""
    result = promtool("check", "config", CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout, result.stdout


@needs_promtool
def test_local_config_derived_for_the_tests_is_valid(tmp_path: Path) -> None:
    """The 127.0.0.1 variant the integration test runs is a valid configuration too."""
    config = tmp_path / "prometheus.yml"
    config.write_text(
        yaml.safe_dump(
            local_config(
                {"districtwatch-worker": ["127.0.0.1:6066"], "districtwatch-ingester": ["127.0.0.1:6067"]}
            )
        ),
        encoding="utf-8",
    )
    result = promtool("check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_rules_parse() -> None:
    """Every rule's expression parses and its templates are valid."""
    result = promtool("check", "rules", RULES)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_rule_unit_tests_pass() -> None:
    """Each alert fires when it should (with its labels and rendered annotations) and not otherwise."""
    result = promtool("test", "rules", RULE_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_there_with_severity_and_annotations() -> None:
    """The issue's alerts all exist; each says how bad it is and what it means to a person on call."""
    by_name = {rule["alert"]: rule for rule in rules() if "alert" in rule}
    assert set(by_name) == ALERTS
    for name, rule in by_name.items():
        assert rule["labels"]["severity"] in {"page", "warning"}, name
        annotations = rule["annotations"]
        assert set(annotations) >= {"summary", "description"}, name


def test_every_alert_has_a_firing_unit_test() -> None:
    """No alert goes untested: each is in a case that expects it to fire and in one that expects silence."""
    tests = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))["tests"]
    fires: set[str] = set()
    silent: set[str] = set()
    for test in tests:
        for case in test.get("alert_rule_test", []):
            (fires if case.get("exp_alerts") else silent).add(case["alertname"])
    assert fires == ALERTS
    assert silent == ALERTS


def test_rules_read_only_metrics_the_service_exports() -> None:
    """A renamed metric breaks this test, not an alert that would then never fire."""
    allowed = allowed_metric_names()
    for rule in rules():
        names = metric_names(str(rule["expr"]))
        assert names, rule
        assert names <= allowed, f"{rule.get('alert')}: {sorted(names - allowed)} are not exported"
