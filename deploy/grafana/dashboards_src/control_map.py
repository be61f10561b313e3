"""The control map dashboard: who holds which district now, and what changed last.

The map is a Geomap of one marker per district from ``districtwatch_district_controller`` (value 1
for the current controller; the district's coordinates are labels), coloured by the ``controller``
label. Its ``layer`` variable switches between the assessed map (changes that were confirmed) and the
claimed map (the latest open report counts too). Marker colours come from the actors of the keyword
pack, in the pack's order, so another conflict's pack gets its own legend without code changes.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import bargauge, geomap, stat, table, timeseries
from grafana_foundation_sdk.builders.common import (
    FrameGeometrySource,
    MapLayerOptions,
    ReduceDataOptions,
    StackingConfig,
    TableSortByFieldState,
    VizLegendOptions,
)
from grafana_foundation_sdk.builders.dashboard import CustomVariable, Dashboard, DashboardLink
from grafana_foundation_sdk.models.common import (
    BigValueGraphMode,
    FrameGeometrySourceMode,
    GraphDrawStyle,
    LegendDisplayMode,
    LegendPlacement,
    StackingMode,
    VizOrientation,
)
from grafana_foundation_sdk.models.dashboard import (
    DashboardLinkType,
    DataTransformerConfig,
    DynamicConfigValue,
    GridPos,
    ValueMap,
    ValueMappingResult,
    VariableOption,
)
from grafana_foundation_sdk.models.geomap import TooltipMode

from districtwatch.core.extraction.keywords import load_keyword_pack

from .common import DATASOURCE, add_panels, panel_ids, prom

UID = "districtwatch-control-map"

# Distinct, colour-blind-friendlier hues first; actors past the sixth repeat the palette.
PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#bcbd22")
UNKNOWN = "unknown"  # what the control stage exports for a district whose controller is not known
UNKNOWN_COLOUR = "#8c8c8c"

CONTROLLER_GAUGE = 'districtwatch_district_controller{layer="$layer"}'


# Stat and bar-gauge panels show each series' latest value (instant queries have only one).
LAST = ReduceDataOptions().calcs(["lastNotNull"]).values(False)


def actor_colours(keyword_pack: str) -> dict[str, str]:
    """Controller label value → marker colour, for the actors of ``keyword_pack`` and ``unknown``."""
    actors = list(load_keyword_pack(keyword_pack).actors)
    colours = {actor: PALETTE[i % len(PALETTE)] for i, actor in enumerate(actors)}
    colours[UNKNOWN] = UNKNOWN_COLOUR
    return colours


def _colour_mappings(colours: dict[str, str]) -> ValueMap:
    return ValueMap(
        options={
            actor: ValueMappingResult(color=colour, index=i)
            for i, (actor, colour) in enumerate(colours.items())
        }
    )


def _layer_variable() -> CustomVariable:
    assessed = VariableOption(text="assessed", value="assessed", selected=True)
    claimed = VariableOption(text="claimed", value="claimed", selected=False)
    return (
        CustomVariable("layer")
        .label("Map layer")
        .description("assessed: confirmed changes only; claimed: the latest open report counts too.")
        .values("assessed,claimed")
        .current(assessed)
        .options([assessed, claimed])
    )


def _map(colours: dict[str, str]) -> geomap.Panel:
    markers = (
        MapLayerOptions()
        .type("markers")
        .name("Districts")
        .config(
            {
                "showLegend": True,
                "style": {
                    "color": {"field": "controller", "fixed": UNKNOWN_COLOUR},
                    "opacity": 0.85,
                    "size": {"fixed": 7, "min": 2, "max": 15},
                    "symbol": {"mode": "fixed", "fixed": "img/icons/marker/circle.svg"},
                    "symbolAlign": {"horizontal": "center", "vertical": "center"},
                    "rotation": {"fixed": 0, "min": -360, "max": 360, "mode": "mod"},
                },
            }
        )
        .location(FrameGeometrySource().mode(FrameGeometrySourceMode.COORDS).latitude("lat").longitude("lon"))
        .tooltip(True)
    )
    return (
        geomap.Panel()
        .title("Who holds each district ($layer)")
        .description(
            "One marker per district of the gazetteer the worker knows, coloured by its controller. "
            "Hover a marker for the district, province and controller."
        )
        .datasource(DATASOURCE)
        .with_target(prom(CONTROLLER_GAUGE, instant=True, table=True))
        .with_transformation(
            DataTransformerConfig(
                id_val="convertFieldType",
                options={
                    "fields": {},
                    "conversions": [
                        {"targetField": "lat", "destinationType": "number"},
                        {"targetField": "lon", "destinationType": "number"},
                    ],
                },
            )
        )
        .with_transformation(
            DataTransformerConfig(
                id_val="organize",
                options={
                    "excludeByName": {
                        "Time": True,
                        "Value": True,
                        "__name__": True,
                        "instance": True,
                        "job": True,
                    },
                    "indexByName": {
                        "district": 0,
                        "province": 1,
                        "controller": 2,
                        "layer": 3,
                        "lat": 4,
                        "lon": 5,
                    },
                    "renameByName": {},
                },
            )
        )
        .override_by_name(
            "controller",
            [
                DynamicConfigValue(id_val="mappings", value=[_colour_mappings(colours)]),
                DynamicConfigValue(id_val="color", value={"mode": "fixed", "fixedColor": UNKNOWN_COLOUR}),
            ],
        )
        .view(geomap.MapViewConfig().id("fit").all_layers(True).padding(5).lat(0).lon(0).zoom(5).max_zoom(12))
        .controls(geomap.ControlsOptions().show_zoom(True).mouse_wheel_zoom(True).show_attribution(True))
        .basemap(MapLayerOptions().type("default").name("Basemap").config({}))
        .layers([markers])
        .tooltip(geomap.TooltipOptions().mode(TooltipMode.DETAILS))
        .grid_pos(GridPos(h=20, w=16, x=0, y=0))
    )


def _per_controller(colours: dict[str, str]) -> bargauge.Panel:
    panel = (
        bargauge.Panel()
        .title("Districts per controller ($layer)")
        .datasource(DATASOURCE)
        .with_target(
            prom(f"sort_desc(count by (controller) ({CONTROLLER_GAUGE}))", "{{controller}}", instant=True)
        )
        .unit("none")
        .min(0)
        .decimals(0)
        .orientation(VizOrientation.HORIZONTAL)
        .reduce_options(LAST)
        .grid_pos(GridPos(h=8, w=8, x=16, y=0))
    )
    for actor, colour in colours.items():
        panel = panel.override_by_name(
            actor, [DynamicConfigValue(id_val="color", value={"mode": "fixed", "fixedColor": colour})]
        )
    return panel


def _alert_counts() -> stat.Panel:
    return (
        stat.Panel()
        .title("Alerts in the time range")
        .description("Alerts emitted by the control stage, by status.")
        .datasource(DATASOURCE)
        .with_target(
            prom(
                "sum by (status) (increase(districtwatch_alerts_total[$__range]))", "{{status}}", instant=True
            )
        )
        .unit("none")
        .decimals(0)
        .graph_mode(BigValueGraphMode.NONE)
        .reduce_options(LAST)
        .grid_pos(GridPos(h=4, w=8, x=16, y=8))
    )


def _alerts_over_time() -> timeseries.Panel:
    return (
        timeseries.Panel()
        .title("Alerts by status")
        .datasource(DATASOURCE)
        .with_target(
            prom("sum by (status) (increase(districtwatch_alerts_total[$__rate_interval]))", "{{status}}")
        )
        .unit("none")
        .min(0)
        .draw_style(GraphDrawStyle.BARS)
        .fill_opacity(80)
        .stacking(StackingConfig().mode(StackingMode.NORMAL))
        .legend(
            VizLegendOptions()
            .display_mode(LegendDisplayMode.LIST)
            .placement(LegendPlacement.BOTTOM)
            .show_legend(True)
        )
        .grid_pos(GridPos(h=8, w=8, x=16, y=12))
    )


def _recent_changes(colours: dict[str, str]) -> table.Panel:
    # since × the assessed controller (value 1): one row per district with its controller's label.
    since_ms = (
        "1000 * (districtwatch_district_controller_since_timestamp_seconds"
        " * on (province, district) group_left (controller)"
        ' districtwatch_district_controller{layer="assessed"})'
    )
    return (
        table.Panel()
        .title("Latest changes of control (assessed)")
        .description(
            "The 50 districts whose current controller took them most recently (event time of the change); "
            "districts never changed show the baseline's date."
        )
        .datasource(DATASOURCE)
        .with_target(prom(f"sort_desc(topk(50, {since_ms}))", instant=True, table=True))
        .with_transformation(
            DataTransformerConfig(
                id_val="organize",
                options={
                    "excludeByName": {"Time": True, "__name__": True, "instance": True, "job": True},
                    "indexByName": {"Value": 0, "district": 1, "province": 2, "controller": 3},
                    "renameByName": {"Value": "Since"},
                },
            )
        )
        .override_by_name("Since", [DynamicConfigValue(id_val="unit", value="dateTimeAsIso")])
        .override_by_name(
            "controller",
            [
                DynamicConfigValue(id_val="mappings", value=[_colour_mappings(colours)]),
                DynamicConfigValue(id_val="custom.cellOptions", value={"type": "color-text"}),
            ],
        )
        .sort_by([TableSortByFieldState().display_name("Since").desc(True)])
        .grid_pos(GridPos(h=12, w=24, x=0, y=20))
    )


def dashboard(keyword_pack: str = "afghanistan") -> Dashboard:
    colours = actor_colours(keyword_pack)
    ids = panel_ids()
    board = (
        Dashboard("districtwatch — control map")
        .uid(UID)
        .description("Who holds each district, as the posts tell it, and the latest changes.")
        .tags(["districtwatch"])
        .time("now-24h", "now")
        .refresh("1m")
        .timezone("utc")
        .with_variable(_layer_variable())
        .link(
            DashboardLink("districtwatch")
            .type(DashboardLinkType.DASHBOARDS)
            .tags(["districtwatch"])
            .as_dropdown(False)
            .include_vars(False)
            .keep_time(True)
            .target_blank(False)
            .icon("external link")
            .tooltip("")
            .url("")
        )
    )
    # Explicit grid positions: the map spans two rows of the smaller panels beside it.
    board = add_panels(
        board,
        ids,
        _map(colours),
        _per_controller(colours),
        _alert_counts(),
        _alerts_over_time(),
        _recent_changes(colours),
    )
    return board
