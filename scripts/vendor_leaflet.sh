#!/usr/bin/env bash
# Copy Leaflet's built files and licence from the npm registry into the live map's static folder.
# Why vendored: the map must work offline (no CDN); the npm tarball is the published build, checked
# against the registry's integrity hash by npm itself.
set -euo pipefail
VERSION="${1:-1.9.4}"
cd "$(dirname "$0")/.."
dest=districtwatch/livemap/static/vendor/leaflet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "leaflet@$VERSION" >/dev/null && tar xzf "leaflet-$VERSION.tgz")
rm -rf "$dest" && mkdir -p "$dest/images"
cp "$work/package/dist/leaflet.js" "$work/package/dist/leaflet.css" "$work/package/LICENSE" "$dest/"
cp "$work/package/dist/images/"*.png "$dest/images/"
echo "$VERSION" > "$dest/VERSION"
cp "$work/package/LICENSE" LICENSES/leaflet-BSD-2-Clause.txt
echo "leaflet $VERSION -> $dest"
