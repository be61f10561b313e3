"""Build the live map's district polygons from geoBoundaries ADM2, simplified, keyed like the gazetteer.

Run from the repository root::

    python scripts/build_map_shapes.py --source ../shared/data/afghanistan \\
        --gazetteer districtwatch/data/gazetteers/afghanistan.json \\
        --out districtwatch/livemap/data/afghanistan.geojson

Why a build step: the geoBoundaries file is 2.8 MB and names districts by its own spelling; the map
needs a few hundred KB that a browser draws at once, each polygon under the id the worker uses for the
district ('Province/District'). The gazetteer already joined every ADM2 polygon to its district by
``shape_id``; this script reuses that join, simplifies all polygons together as one coverage with
shapely's ``coverage_simplify`` (a shared border is simplified once, so neighbours keep meeting: no
gaps or overlaps open between districts, as they do when each polygon is simplified alone), rounds
coordinates and writes deterministic JSON. Shapely (2.1 or newer) is a build-time dependency only (the
``[data]`` extra); the worker serves the file as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

ADM2_FILE = "geoBoundaries-AFG-ADM2_simplified.geojson"
# Roughly the square root of the triangle areas removed, in degrees. At 0.015 the file drops from 2.8 MB
# to about 230 KB (14,500 points), every district keeps at least 90% of its area and its outline is
# recognisable at the zoom a country map is read at.
TOLERANCE = 0.015
# 3 decimals is about 100 m, well below the tolerance.
DECIMALS = 3
ATTRIBUTION = (
    "District boundaries: geoBoundaries AFG ADM2 (2014; Afghanistan Information Management Services, "
    "Esri Disaster Response Program), public domain. Runfola D. et al. (2020) geoBoundaries, "
    "PLoS ONE 15(4): e0231866. Administrative boundaries courtesy of geoBoundaries.org."
)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def simplified(geometries: list[BaseGeometry], tolerance: float) -> list[dict[str, Any]]:
    """The GeoJSON geometries of a polygon coverage, simplified together and rounded."""
    out = []
    for small, original in zip(shapely.coverage_simplify(geometries, tolerance), geometries, strict=True):
        geometry = dict(mapping(original if small.is_empty else small))
        geometry["coordinates"] = _rounded(geometry["coordinates"])
        out.append(geometry)
    return out


def build(source: Path, gazetteer: Path, tolerance: float) -> tuple[dict[str, Any], list[str]]:
    """The FeatureCollection, and the ADM2 shape ids the gazetteer does not know (reported, left out)."""
    adm2 = json.loads((source / ADM2_FILE).read_text(encoding="utf-8"))
    districts = json.loads(gazetteer.read_text(encoding="utf-8"))["districts"]
    by_shape = {d["shape_id"]: d for d in districts if d.get("shape_id")}
    known = [item for item in adm2["features"] if item["properties"]["shapeID"] in by_shape]
    unknown = [item["properties"]["shapeID"] for item in adm2["features"] if item not in known]
    geometries = simplified([shape(item["geometry"]) for item in known], tolerance)
    features = []
    for item, geometry in zip(known, geometries, strict=True):
        district = by_shape[item["properties"]["shapeID"]]
        features.append(
            {
                "type": "Feature",
                "id": f"{district['province']}/{district['name']}",
                "properties": {"district": district["name"], "province": district["province"]},
                "geometry": geometry,
            }
        )
    features.sort(key=lambda f: f["id"])
    collection = {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}
    return collection, unknown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--source", type=Path, required=True, help="folder with the geoBoundaries files")
    parser.add_argument("--gazetteer", type=Path, required=True, help="the gazetteer JSON (shape ids)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args(argv)
    collection, unknown = build(args.source, args.gazetteer, args.tolerance)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(
        f"{len(collection['features'])} district polygons, {len(text.encode()) // 1024} KiB -> {args.out}; "
        f"{len(unknown)} ADM2 shapes not in the gazetteer: {unknown}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
