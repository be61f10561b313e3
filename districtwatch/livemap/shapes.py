"""The district polygons the map draws: shipped with the package for the bundled gazetteers, or a file.

The bundled file ``data/<gazetteer>.geojson`` is built by ``scripts/build_map_shapes.py`` (see
``data/README.md`` for its source and licence); each feature's id is the district key the worker
uses ('Province/District'). A gazetteer given as a path has no bundled polygons: the map then draws
each district as a point at its centroid, unless the settings name a polygon file.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from districtwatch.errors import ConfigError

EMPTY = b'{"type":"FeatureCollection","features":[]}'


@cache
def district_shapes(gazetteer: str, path: Path | None = None) -> bytes:
    """The GeoJSON bytes of the districts' polygons; an empty collection where there are none."""
    if path is not None:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise ConfigError(f"map shapes {path}: {exc.strerror}") from exc
    if "/" in gazetteer or gazetteer.endswith(".json"):
        return EMPTY
    bundled = resources.files("districtwatch.livemap").joinpath("data", f"{gazetteer}.geojson")
    return bundled.read_bytes() if bundled.is_file() else EMPTY
