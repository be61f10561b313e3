"""Metric names: the ones the service's code registers, and the ones a PromQL expression reads.

``exported_metric_names`` builds every metric object the worker and the ingester serve on
``/metrics`` on a fresh registry, exactly as they do, and lists the series names Prometheus will
see (``_total`` for counters, ``_bucket``/``_sum``/``_count`` for histograms...). Dashboards and
alert rules may only read those, so a renamed metric breaks a test instead of a panel.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from prometheus_client import CollectorRegistry

REPO = Path(__file__).resolve().parents[2]

# Series Prometheus adds itself to every scrape.
PROMETHEUS_SERIES = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})

# The notifiers' series as announced, allowed only where districtwatch/notifiers/metrics.py is missing
# (a checkout from before the notifiers); where it exists, its own metrics are the authority.
ANNOUNCED_NOTIFIER_SERIES = frozenset(
    {
        "districtwatch_notifier_deliveries_total",
        "districtwatch_notifier_retries_total",
        "districtwatch_notifier_rate_limit_wait_seconds_sum",
        "districtwatch_notifier_alert_to_delivery_seconds_bucket",
    }
)

_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
    "info": ("_info",),
    "stateset": ("",),
    "gaugehistogram": ("_bucket", "_gcount", "_gsum"),
    "unknown": ("",),
}


def notifier_metrics_module() -> object | None:
    try:
        return importlib.import_module("districtwatch.notifiers.metrics")
    except ModuleNotFoundError:
        return None


def _register_module(module: object, registry: CollectorRegistry) -> None:
    """Call ``create(registry)`` of every metrics class the module defines (one per module, by convention)."""
    for value in vars(module).values():
        create = getattr(value, "create", None)
        if (
            isinstance(value, type)
            and value.__module__ == getattr(module, "__name__", None)
            and callable(create)
        ):
            create(registry)


def exported_metric_names() -> frozenset[str]:
    """Every series name the worker's and the ingester's ``/metrics`` can show."""
    from faust.sensors.prometheus import FaustMetrics

    from districtwatch.ingest.metrics import IngestMetrics
    from districtwatch.metrics import Metrics

    registry = CollectorRegistry()
    Metrics.create(registry)
    FaustMetrics.create(
        registry, "faust"
    )  # the worker's app.py: setup_prometheus_sensors(name_prefix="faust")
    ingest = CollectorRegistry()
    IngestMetrics.create(ingest)
    notifiers = notifier_metrics_module()
    if notifiers is not None:
        _register_module(notifiers, registry)

    names: set[str] = set()
    for source in (registry, ingest):
        for family in source.collect():
            names.update(family.name + suffix for suffix in _SUFFIXES[family.type])
    return frozenset(names)


def allowed_metric_names() -> frozenset[str]:
    """What dashboards and rules may read: the exported names, Prometheus' own, the announced ones."""
    allowed = exported_metric_names() | PROMETHEUS_SERIES
    if notifier_metrics_module() is None:
        allowed |= ANNOUNCED_NOTIFIER_SERIES
    return allowed


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_MODIFIERS = re.compile(r"\b(?:offset\s+-?[0-9a-z]+|@\s*\S+)", re.IGNORECASE)
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", re.IGNORECASE)
_NUMBER = re.compile(
    r"(?<![A-Za-z_:])(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
)
_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_KEYWORDS = frozenset(
    {
        "and",
        "or",
        "unless",
        "bool",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "inf",
        "nan",
    }
)


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (functions, keywords, labels and numbers removed)."""
    text = _STRING.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _MODIFIERS.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    text = _GROUPING.sub(" ", text)  # `on (a) group_left (b)`: the second clause follows the first
    text = _NUMBER.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        word = match.group()
        if word.lower() in _KEYWORDS:
            continue
        if text[match.end() :].lstrip().startswith("("):
            continue  # a function or an aggregation
        names.add(word)
    return names


# Grafana's variables, replaced by plain values so promtool can parse dashboard queries.
GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "1m",
    "$__range": "1h",
    "$layer": "assessed",
}


def without_grafana_variables(expr: str) -> str:
    for variable, value in sorted(GRAFANA_VARIABLES.items(), key=lambda item: -len(item[0])):
        expr = expr.replace(variable, value)
    return expr
