"""What every districtwatch dashboard shares: the datasource reference, queries and panel ids.

Dashboards name their datasource by uid only (``prometheus``, provisioned by
deploy/grafana/provisioning/datasources/prometheus.yml), so the JSON holds no host and imports into any
Grafana that has a Prometheus datasource with that uid.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Protocol

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.models.dashboard import DataSourceRef, Panel
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

DATASOURCE_UID = "prometheus"
DATASOURCE = DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)

# Dashboards show the pipeline's stages in this order, the order records flow through them.
STAGES = ("filter", "dedup", "extract", "control", "notify")


def prom(
    expr: str, legend: str = "", *, ref: str = "A", instant: bool = False, table: bool = False
) -> Dataquery:
    """A Prometheus query on the provisioned datasource."""
    query = Dataquery().expr(expr).ref_id(ref).datasource(DATASOURCE)
    if legend:
        query = query.legend_format(legend)
    if instant:
        query = query.instant()
    if table:
        query = query.format(PromQueryFormat.TABLE)
    return query


def panel_ids() -> Iterator[int]:
    """Panel ids in build order: stable ids keep links and regenerated JSON steady."""
    return count(1)


class PanelBuilder(Protocol):
    """What every panel type's builder has: an id to set, a panel to build."""

    def id(self, id_val: int) -> Builder[Panel]: ...


def add_panels(board: Dashboard, ids: Iterator[int], *panels: PanelBuilder) -> Dashboard:
    """``board`` with ``panels`` appended in order, each with the next id."""
    for panel in panels:
        board = board.with_panel(panel.id(next(ids)))
    return board
