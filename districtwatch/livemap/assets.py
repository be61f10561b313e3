"""The page's files shipped in ``static/``: which names the worker serves, and their content types.

A fixed list rather than a folder served as it is: nothing but these files can be asked for (no path
tricks), and a test checks that every file the page names is shipped.
"""

from __future__ import annotations

from importlib import resources

#: The page's files, by their name under /map/static/, and their content type.
STATIC = {
    "map.js": "text/javascript",
    "map.css": "text/css",
    "vendor/leaflet/leaflet.js": "text/javascript",
    "vendor/leaflet/leaflet.css": "text/css",
    "vendor/leaflet/images/layers.png": "image/png",
    "vendor/leaflet/images/layers-2x.png": "image/png",
    "vendor/leaflet/images/marker-icon.png": "image/png",
    "vendor/leaflet/images/marker-icon-2x.png": "image/png",
    "vendor/leaflet/images/marker-shadow.png": "image/png",
    "vendor/leaflet/LICENSE": "text/plain",
}


def asset(name: str) -> bytes:
    """The bytes of a file of ``static/`` (the page itself is ``index.html``)."""
    return resources.files("districtwatch.livemap").joinpath("static", name).read_bytes()
