"""Build districtwatch's Afghanistan gazetteer from two public datasets and our hand-written aliases.

Run from the repository root::

    python scripts/build_gazetteer.py --source ../shared/data/afghanistan \\
        --out districtwatch/data/gazetteers/afghanistan.json

Why a build step rather than hand-edited JSON: the district list, provinces and coordinates come from
geoBoundaries polygons, the Dari and Pashto names from a second, noisy dataset, and the spellings people
actually use from our aliases file plus spelling rules. Joining them by hand would drift; joining them here
is repeatable, and the report on stderr shows every judgement the join had to make.

The geometry (shapely), fuzzy matching (rapidfuzz) and YAML (pyyaml) are build-time dependencies only:
the runtime package reads the generated JSON and needs none of this.

Pipeline, one small step per function group below:

1. load the sources (geoBoundaries ADM1/ADM2, provinces-and-districts.json, the aliases YAML);
2. match the JSON's provinces to the ADM1 provinces;
3. match the JSON's districts to ADM2 districts (name similarity plus "the JSON point lies in the polygon");
4. give each ADM2 district its province: largest overlap, unless the matched JSON entry files it under
   another province that the district also overlaps (the 2007 ADM1 layer is coarser than the 2014
   districts) and no matched entry backs the largest overlap;
5. apply the aliases file's decisions on the JSON entries rules cannot place: newer districts (Banu,
   split from Andarab), other names of known districts, and entries to leave out;
6. generate spelling variants by documented rules, add the curated ones, find ambiguous names;
7. write deterministic JSON and print the report.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

ADM1_FILE = "geoBoundaries-AFG-ADM1_simplified.geojson"
ADM2_FILE = "geoBoundaries-AFG-ADM2_simplified.geojson"
JSON_FILE = "provinces-and-districts.json"
JSON_LICENCE_FILE = "LICENSE-provinces-and-districts.txt"
DEFAULT_ALIASES = Path(__file__).resolve().parent / "gazetteer_sources" / "afghanistan_aliases.yaml"

SOURCE_GEOBOUNDARIES = "geoBoundaries"
SOURCE_JSON = "provinces-and-districts.json"

# geoBoundaries misspells one province; the canonical name is the geoBoundaries spelling otherwise.
PROVINCE_SPELLING_FIXES = {"Ghanzi": "Ghazni"}

# Afghanistan's bounding box, generous by a little; a JSON point outside it is a placeholder (0, 0).
LAT_RANGE = (29.0, 39.0)
LON_RANGE = (60.0, 75.5)

COORD_DECIMALS = 5
MAX_VARIANTS = 40
MIN_VARIANT_LETTERS = 3

# Name similarity (0-100) needed to accept a JSON district as the same place as an ADM2 district.
MATCH_THRESHOLD = 80.0
# ... and the lower bar when the JSON point lies inside the ADM2 polygon, which is strong evidence.
MATCH_THRESHOLD_WITH_POINT = 60.0
POINT_BONUS = 15.0
# Share of a district's area that must lie in a province before the JSON may file it there. Small on
# purpose: the 2007 ADM1 layer is coarse (it puts most of Rukha in Kapisa and Unaba outside Panjshir), so
# any real overlap plus a matched JSON entry is better evidence than the largest overlap alone.
JSON_OVERRIDE_MIN_OVERLAP = 0.01
# Share of a district's area in a province for it to be a candidate at all when matching names.
CANDIDATE_MIN_OVERLAP = 0.01

# JSON district entries that are city sub-districts, centres or placeholders, not districts.
JSON_NOISE = re.compile(
    r"^(n/ ?a\.?|na)$|\bpd\b|\bdistrict\b|^center of\b|^markaz\W*(e\W*)?shaha?r$"
    r"|^nahia|^zone\b|^provincial$|^\d",
    re.IGNORECASE,
)

ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
ARABIC_DIACRITICS = re.compile(r"[\u064B-\u065F\u0670\u0640]")  # harakat, superscript alef, tatweel
INVISIBLES = re.compile(r"[\u200E\u200F\u202A-\u202E\uFEFF]")  # direction marks; ZWNJ is kept
ZWNJ = "\u200c"


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Province:
    """An ADM1 province: the canonical spelling, its geometry and where it lies."""

    name: str
    shape_id: str
    iso: str
    geometry: BaseGeometry
    lat: float
    lon: float


@dataclass(frozen=True)
class JsonDistrict:
    """One district entry of provinces-and-districts.json, cleaned but not yet trusted."""

    id: int
    name: str
    name_fa: str
    name_ps: str
    point: tuple[float, float] | None  # (lat, lon), None where the file has a placeholder
    json_province: str  # the province name as the JSON spells it
    province: str | None  # the ADM1 province it maps to; None for the JSON's 'N/A' entry


@dataclass
class District:
    """A district of the gazetteer while it is being assembled."""

    name: str
    source: str
    lat: float
    lon: float
    province: str = ""
    shape_id: str | None = None
    geometry: BaseGeometry | None = None
    overlaps: list[tuple[float, str]] = field(default_factory=list)  # (area share, province), best first
    json_matches: list[tuple[float, JsonDistrict]] = field(default_factory=list)  # (score, entry)
    name_fa: str = ""
    name_ps: str = ""
    extra_latin: list[str] = field(default_factory=list)  # spellings from linked JSON entries
    extra_arabic: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # extra output fields (split_from, coords)


@dataclass
class Report:
    """Everything the build wants a human to look at, printed to stderr at the end."""

    lines: list[str] = field(default_factory=list)

    def section(self, title: str, items: Sequence[str]) -> None:
        self.lines.append(f"{title}: {len(items)}")
        self.lines.extend(f"  - {item}" for item in items)

    def note(self, line: str) -> None:
        self.lines.append(line)


# --------------------------------------------------------------------------------------------------
# Text cleaning
# --------------------------------------------------------------------------------------------------


def clean_latin_name(raw: str) -> str:
    """Remove stray whitespace: the sources carry trailing newlines, doubled spaces, 'Qala-I- Naw'."""
    text = " ".join(raw.split())
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\(\s+", "(", text)
    return re.sub(r"\s+\)", ")", text)


def clean_arabic_name(raw: str) -> str:
    """Drop direction marks and collapse spaces; the JSON has a stray left-to-right mark or two."""
    return " ".join(INVISIBLES.sub("", raw).split())


def is_arabic_script(text: str) -> bool:
    return bool(ARABIC_LETTER.search(text))


def letter_count(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


ARABIC_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "آ": "ا", "أ": "ا", "إ": "ا"})


def fold_key(text: str) -> str:
    """Key for detecting ambiguous names: case, spaces/ZWNJ and Arabic letter variants do not count.

    Folding the Arabic-script letter variants too means two districts are reported as sharing a name even
    when the variant cap kept the Arabic-yeh spelling for one of them and not for the other.
    """
    text = ARABIC_DIACRITICS.sub("", unicodedata.normalize("NFC", text)).translate(ARABIC_FOLD)
    return re.sub(r"[\s\u200c]+", "", text.casefold())


# --------------------------------------------------------------------------------------------------
# Loading the sources
# --------------------------------------------------------------------------------------------------


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def rounded_centroid(geometry: BaseGeometry) -> tuple[float, float]:
    centroid = geometry.centroid
    return round(centroid.y, COORD_DECIMALS), round(centroid.x, COORD_DECIMALS)


def canonical_province_name(raw: str) -> str:
    name = clean_latin_name(raw)
    return PROVINCE_SPELLING_FIXES.get(name, name)


def load_provinces(source: Path) -> list[Province]:
    """ADM1 provinces, sorted by canonical name; ISO codes normalised to 'AF-XXX'."""
    provinces = []
    for feature in read_json(source / ADM1_FILE)["features"]:
        props = feature["properties"]
        geometry = shape(feature["geometry"])
        lat, lon = rounded_centroid(geometry)
        provinces.append(
            Province(
                name=canonical_province_name(props["shapeName"]),
                shape_id=props["shapeID"],
                iso=props["shapeISO"].replace("_", "-"),
                geometry=geometry,
                lat=lat,
                lon=lon,
            )
        )
    return sorted(provinces, key=lambda p: p.name)


def load_adm2_districts(source: Path, provinces: Sequence[Province]) -> list[District]:
    """ADM2 districts with their overlap share in each province, largest first."""
    districts = []
    for feature in read_json(source / ADM2_FILE)["features"]:
        props = feature["properties"]
        geometry = shape(feature["geometry"])
        lat, lon = rounded_centroid(geometry)
        district = District(
            name=clean_latin_name(props["shapeName"]),
            source=SOURCE_GEOBOUNDARIES,
            lat=lat,
            lon=lon,
            shape_id=props["shapeID"],
            geometry=geometry,
            overlaps=province_overlaps(geometry, provinces),
        )
        districts.append(district)
    return sorted(districts, key=lambda d: (d.name, d.shape_id or ""))


def province_overlaps(geometry: BaseGeometry, provinces: Sequence[Province]) -> list[tuple[float, str]]:
    """Share of the district's area inside each province it touches, rounded so output is stable."""
    shares = []
    for province in provinces:
        share = geometry.intersection(province.geometry).area / geometry.area
        if share > 0.0005:
            shares.append((round(share, 4), province.name))
    return sorted(shares, key=lambda s: (-s[0], s[1]))


def parse_point(lat: str | None, lon: str | None) -> tuple[float, float] | None:
    """The JSON writes coordinates as strings and uses 0,0 for 'unknown'."""
    try:
        point = (float(lat or ""), float(lon or ""))
    except ValueError:
        return None
    if not (LAT_RANGE[0] <= point[0] <= LAT_RANGE[1] and LON_RANGE[0] <= point[1] <= LON_RANGE[1]):
        return None
    return point


def load_json_provinces(source: Path) -> list[dict[str, Any]]:
    data = read_json(source / JSON_FILE)
    return sorted(data, key=lambda entry: int(entry["id"]))


def json_districts(entries: Sequence[dict[str, Any]], province_map: dict[str, str]) -> list[JsonDistrict]:
    """Flatten the JSON's districts; Dari/Pashto fields that hold Latin text are dropped as noise."""
    flat = []
    for entry in entries:
        for raw in sorted(entry["districts"], key=lambda d: int(d["id"])):
            name_fa = clean_arabic_name(raw.get("nameFa") or "")
            name_ps = clean_arabic_name(raw.get("namePa") or "")
            flat.append(
                JsonDistrict(
                    id=int(raw["id"]),
                    name=clean_latin_name(raw["name"]).rstrip("."),
                    name_fa=name_fa if is_arabic_script(name_fa) else "",
                    name_ps=name_ps if is_arabic_script(name_ps) else "",
                    point=parse_point(raw.get("latitude"), raw.get("longitude")),
                    json_province=entry["name"],
                    province=province_map.get(entry["name"]),
                )
            )
    return flat


def rename_json_entries(
    entries: Sequence[JsonDistrict], aliases: dict[str, Any], report: Report
) -> list[JsonDistrict]:
    """Repair JSON English names the aliases file marks as garbled ('Chal  ahib'), before matching."""
    renames = {(d["in"], d["json"]): str(d["rename"]) for d in aliases["json_entries"] if "rename" in d}
    out, done = [], []
    for entry in entries:
        new = renames.get((entry.province or entry.json_province, entry.name))
        if new is not None:
            done.append(f"{entry.province}/{entry.name!r} -> {new!r}")
            entry = replace(entry, name=new)
        out.append(entry)
    report.section("JSON names repaired by the aliases file", done)
    return out


def load_aliases(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    for key in ("provinces", "districts", "json_entries", "places"):
        data.setdefault(key, {} if key in ("provinces", "districts") else [])
    return dict(data)


# --------------------------------------------------------------------------------------------------
# Name matching
# --------------------------------------------------------------------------------------------------

# Romanisations differ mostly in vowels, izafe joins and doubled letters; this key removes exactly those
# differences so that "Pul-e-Hesar", "Puli Hisar" and "Pol i Hissar" compare as equal.
_KEY_REWRITES = (
    (re.compile(r"ou|oo"), "u"),
    (re.compile(r"ee|ie"), "i"),
    (re.compile(r"[eé]"), "i"),
    (re.compile(r"o"), "u"),
    (re.compile(r"kh"), "x"),
    (re.compile(r"(?<=[a-z])(ai|ay|ey|ei)$"), "ayi"),
    (re.compile(r"(khail|khil|kheyl|xail|xil|xayl)$"), "xil"),
    (re.compile(r"(.)\1+"), r"\1"),
)


def match_key(name: str) -> str:
    """A lowercase consonant-skeleton-ish key for fuzzy comparison of Latin spellings."""
    words = [w for w in re.split(r"[^a-z]+", name.lower()) if w]
    words = [w for w in words if w not in {"i", "e", "ye", "y", "wa", "o", "va"}]
    # A word-final -i on a non-final word is usually the izafe ("Puli Hisar" = "Pul-i Hisar").
    words = [
        w[:-1] if i < len(words) - 1 and len(w) > 3 and w.endswith("i") else w for i, w in enumerate(words)
    ]
    keyed = []
    for word in words:
        for pattern, repl in _KEY_REWRITES:
            word = pattern.sub(repl, word)
        keyed.append(word)
    return "".join(keyed)


def match_keys(name: str) -> set[str]:
    """Keys for the whole name, the name without its parenthesis, and the parenthesised alias."""
    keys = {match_key(name)}
    outside = re.sub(r"\(.*?\)", " ", name)
    keys.add(match_key(outside))
    keys.update(match_key(inner) for inner in re.findall(r"\((.*?)\)", name))
    return {k for k in keys if len(k) >= 3}


def name_similarity(left: Iterable[str], right: Iterable[str]) -> float:
    """Best rapidfuzz ratio between any spelling on the left and any on the right (0-100)."""
    left_keys = set().union(*(match_keys(n) for n in left))
    right_keys = set().union(*(match_keys(n) for n in right))
    return max((fuzz.ratio(a, b) for a in left_keys for b in right_keys), default=0.0)


def match_json_provinces(entries: Sequence[dict[str, Any]], provinces: Sequence[Province]) -> dict[str, str]:
    """Pair the JSON's province names with ADM1 names one-to-one, best similarity first."""
    pairs = []
    for entry in entries:
        for province in provinces:
            score = name_similarity([entry["name"]], [province.name])
            pairs.append((score, entry["name"], province.name))
    mapping: dict[str, str] = {}
    for score, json_name, canonical in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if score >= MATCH_THRESHOLD and json_name not in mapping and canonical not in mapping.values():
            mapping[json_name] = canonical
    return mapping


def province_hint(district: District) -> str:
    """Before assignment, the largest overlap stands in for the province (used to look up aliases)."""
    return district.province or (district.overlaps[0][1] if district.overlaps else "")


def district_spellings(district: District, aliases: dict[str, Any]) -> list[str]:
    """The Latin spellings we compare JSON names against: canonical plus curated aliases."""
    curated = curated_district(aliases, province_hint(district), district.name)
    return [district.name, *[v for v in curated.get("variants", []) if not is_arabic_script(v)]]


def candidate_provinces(district: District) -> set[str]:
    return {name for share, name in district.overlaps if share >= CANDIDATE_MIN_OVERLAP}


def point_inside(entry: JsonDistrict, district: District) -> bool:
    if entry.point is None or district.geometry is None:
        return False
    return bool(district.geometry.contains(Point(entry.point[1], entry.point[0])))


def score_pairs(
    entries: Sequence[JsonDistrict], districts: Sequence[District], aliases: dict[str, Any]
) -> list[tuple[float, int, int]]:
    """All plausible (score, entry index, district index) pairs, best first.

    A pair is plausible when the JSON files the entry under a province the district overlaps, or when the
    JSON point lies inside the district (which catches entries filed under the wrong province).
    """
    spellings = [district_spellings(d, aliases) for d in districts]
    pairs = []
    for ei, entry in enumerate(entries):
        for di, district in enumerate(districts):
            inside = point_inside(entry, district)
            if not inside and entry.province not in candidate_provinces(district):
                continue
            similarity = name_similarity([entry.name], spellings[di])
            threshold = MATCH_THRESHOLD_WITH_POINT if inside else MATCH_THRESHOLD
            if similarity >= threshold:
                pairs.append((similarity + (POINT_BONUS if inside else 0.0), ei, di))
    return sorted(pairs, key=lambda p: (-p[0], p[1], p[2]))


def match_json_to_adm2(
    entries: Sequence[JsonDistrict], districts: Sequence[District], aliases: dict[str, Any]
) -> set[int]:
    """Attach JSON entries to ADM2 districts; returns the ids of the entries that found a district.

    First one-to-one, best score first, so that two similar names in one province pair up correctly;
    then leftovers may join an already matched district (the JSON lists some districts twice).
    """
    pairs = score_pairs(entries, districts, aliases)
    matched_entries: set[int] = set()
    matched_districts: set[int] = set()
    for score, ei, di in pairs:
        if ei in matched_entries or di in matched_districts:
            continue
        districts[di].json_matches.append((score, entries[ei]))
        matched_entries.add(ei)
        matched_districts.add(di)
    for score, ei, di in pairs:
        if ei in matched_entries or entries[ei].province not in candidate_provinces(districts[di]):
            continue
        if score >= 90.0:
            districts[di].json_matches.append((score, entries[ei]))
            matched_entries.add(ei)
    return {entries[i].id for i in matched_entries}


# --------------------------------------------------------------------------------------------------
# Province assignment
# --------------------------------------------------------------------------------------------------


def assign_province(district: District) -> str | None:
    """Pick the district's province; returns a line for the report when the sources disagree.

    The largest overlap wins unless the JSON entry matched to the district (its best match) is filed
    under another province that still holds a substantial share of the district: the ADM1 layer dates
    from 2007 and cuts through several 2014 districts, while the JSON reflects today's administration.
    """
    spatial = district.overlaps[0][1]
    district.province = spatial
    if not district.json_matches:
        share = district.overlaps[0][0]
        return f"{district.name}: no JSON entry matched by rule; kept spatial {spatial} ({share:.0%})"
    best = max(district.json_matches, key=lambda m: (m[0], -m[1].id))[1]
    if best.province is None or best.province == spatial:
        return None
    if any(m.province == spatial for _, m in district.json_matches):
        return (
            f"{district.name}: JSON entries in both {best.province} and {spatial} -> kept spatial {spatial}"
        )
    share = dict((name, s) for s, name in district.overlaps).get(best.province, 0.0)
    if share >= JSON_OVERRIDE_MIN_OVERLAP:
        district.province = best.province
        return (
            f"{district.name}: largest overlap {spatial} ({district.overlaps[0][0]:.0%}), JSON lists it "
            f"under {best.province} ({share:.0%} overlap) -> {best.province}"
        )
    return (
        f"{district.name}: JSON files '{best.name}' under {best.json_province}, but only {share:.0%} of the "
        f"polygon is there -> kept spatial {spatial}"
    )


# --------------------------------------------------------------------------------------------------
# Curated aliases
# --------------------------------------------------------------------------------------------------


def curated_district(aliases: dict[str, Any], province: str, name: str) -> dict[str, Any]:
    """The aliases file entry for a district: a list of variants, or a mapping with fa/ps/variants."""
    entry = (aliases["districts"].get(province) or {}).get(name)
    if entry is None:
        return {}
    if isinstance(entry, list):
        return {"variants": [str(v) for v in entry], "reject": []}
    return {
        **entry,
        "variants": [str(v) for v in entry.get("variants", [])],
        "reject": [str(v) for v in entry.get("reject", [])],
    }


def check_curated_districts(aliases: dict[str, Any], districts: Sequence[District], report: Report) -> None:
    """Every district the aliases file names must exist; a typo there would silently drop spellings."""
    known = {(d.province, d.name) for d in districts}
    missing = [
        f"{province}/{name}"
        for province, entries in sorted(aliases["districts"].items())
        for name in sorted(entries or {})
        if (province, name) not in known
    ]
    if missing:
        report.section("ERROR aliases name districts that do not exist", missing)
        raise SystemExit("aliases file names unknown districts:\n" + "\n".join(missing))


def apply_json_decisions(
    entries: Sequence[JsonDistrict],
    matched: set[int],
    districts: list[District],
    provinces: Sequence[Province],
    aliases: dict[str, Any],
    report: Report,
) -> None:
    """Handle the JSON entries the matcher left over: noise, curated links, newer districts, the rest.

    Only the aliases file may turn a leftover into a district, because the leftovers mix real new districts
    (Banu) with towns, city gates and duplicates that a rule cannot tell apart.
    """
    decisions = {(d["in"], d["json"]): d for d in aliases["json_entries"] if "rename" not in d}
    by_key = {(d.province, d.name): d for d in districts}
    used: set[tuple[str, str]] = set()
    noise, linked, added, ignored, unresolved = [], [], [], [], []
    for entry in entries:
        if entry.id in matched:
            continue
        key = (entry.province or entry.json_province, entry.name)
        decision = decisions.get(key)
        if decision is None:
            if JSON_NOISE.search(entry.name):
                noise.append(entry.name)
            else:
                unresolved.append(f"{key[0]}/{entry.name} (id {entry.id})")
            continue
        used.add(key)
        if "alias_of" in decision:
            target = by_key[(decision.get("province", entry.province), decision["alias_of"])]
            link_entry(target, entry)
            linked.append(f"{key[0]}/{entry.name} -> {target.province}/{target.name}")
        elif "new_district" in decision:
            district = new_district(entry, decision, by_key, {p.name: p for p in provinces})
            districts.append(district)
            by_key[(district.province, district.name)] = district
            added.append(f"{district.province}/{district.name} ({district.notes.get('coords', '')})")
        else:
            ignored.append(f"{key[0]}/{entry.name}: {decision.get('ignore', 'ignored')}")
    stale = sorted(f"{p}/{n}" for p, n in set(decisions) - used)
    report.note(f"JSON entries skipped as city sub-districts/centres/placeholders: {len(noise)}")
    report.section("JSON entries linked to a district by the aliases file", linked)
    report.section("JSON-only districts added (newer than geoBoundaries)", added)
    report.section("JSON entries ignored by the aliases file", ignored)
    report.section("JSON entries UNRESOLVED (not in the gazetteer)", unresolved)
    report.section("aliases json_entries that matched nothing (stale)", stale)


def link_entry(target: District, entry: JsonDistrict) -> None:
    """A JSON entry the aliases file ties to a district contributes spellings, never the canonical name."""
    target.extra_latin.append(entry.name)
    target.extra_arabic.extend(n for n in (entry.name_fa, entry.name_ps) if n)


def new_district(
    entry: JsonDistrict,
    decision: dict[str, Any],
    by_key: dict[tuple[str, str], District],
    provinces: dict[str, Province],
) -> District:
    """A district the JSON has and geoBoundaries (2014) lacks; lat/lon from the JSON point if it has one.

    Where the JSON has no point, the centroid of the district it was split from (or lies in, 'locate_at')
    stands in, else the province's centroid; the record's "coords" says which, so no one mistakes it for a
    surveyed location.
    """
    name = str(decision["new_district"]) or entry.name
    province = str(decision.get("province", entry.province))
    notes: dict[str, str] = {}
    if "split_from" in decision:
        notes["split_from"] = str(decision["split_from"])
    proxy = decision.get("locate_at", decision.get("split_from"))
    if entry.point is not None:
        lat, lon = entry.point
        notes["coords"] = "point from provinces-and-districts.json"
    elif proxy:
        parent = by_key[(province, str(proxy))]
        lat, lon = parent.lat, parent.lon
        notes["coords"] = f"approximate: centroid of {parent.name} district"
    else:
        lat, lon = provinces[province].lat, provinces[province].lon
        notes["coords"] = f"approximate: centroid of {province} province"
    district = District(name=name, source=SOURCE_JSON, lat=lat, lon=lon, province=province, notes=notes)
    district.json_matches.append((100.0, entry))
    return district


def join_dari_pashto(districts: Sequence[District], aliases: dict[str, Any], report: Report) -> None:
    """Dari/Pashto names: the aliases file wins (it fixes JSON typos), then the best-matching JSON entry."""
    overridden, missing = [], []
    for district in districts:
        curated = curated_district(aliases, district.province, district.name)
        # A centre or city sub-district entry ("Center of Bamyan") may locate a district but names it badly.
        ranked = sorted(
            (m for m in district.json_matches if not JSON_NOISE.search(m[1].name)),
            key=lambda m: (-m[0], m[1].id),
        )
        json_fa = next((m.name_fa for _, m in ranked if m.name_fa), "")
        json_ps = next((m.name_ps for _, m in ranked if m.name_ps), "")
        district.name_fa = persian_letters(
            strip_diacritics(clean_arabic_name(str(curated.get("fa") or json_fa)))
        )
        # The JSON's Pashto field is nearly always a copy of its Dari one; a corrected Dari name then
        # corrects the copy too. A genuinely different Pashto spelling (ژړی, شین ډنډ) is kept.
        json_ps_is_copy = not json_ps or json_ps == json_fa
        ps = curated.get("ps") or (district.name_fa if json_ps_is_copy else json_ps)
        district.name_ps = strip_diacritics(clean_arabic_name(str(ps)))
        if curated.get("fa") and json_fa and strip_diacritics(json_fa) != curated["fa"]:
            overridden.append(f"{district.province}/{district.name}: JSON {json_fa} -> {curated['fa']}")
        if not district.name_fa:
            missing.append(f"{district.province}/{district.name}")
        for _, match in ranked:
            district.extra_arabic.extend(n for n in (match.name_fa, match.name_ps) if n)
            if match.name != district.name:
                district.extra_latin.append(match.name)
    report.section("Dari names where the aliases file differs from the JSON", overridden)
    report.section("districts still without a Dari name", missing)


# --------------------------------------------------------------------------------------------------
# Variant rules: Latin script
# --------------------------------------------------------------------------------------------------

IZAFE_TOKENS = {"i", "e", "ye", "y", "yi"}

# Words whose final -i is part of the word, not an izafe: given names and tribal names.
NATIVE_FINAL_I = {"ali", "bati", "haji", "jaji", "jani", "qazi", "wali", "nili", "nari", "shaki", "zari"}
# An izafe never links a word to these tribal or settlement suffixes ("Jani Khel" is not "Jan-e Khel").
NO_IZAFE_BEFORE = {"khel", "khail", "khil", "zayi", "zai", "kot", "kowt", "maidan"}

# How an izafe ("of") between two words is written in the wild; applied to every join in a name at once.
IZAFE_STYLES = ("-e-", "-i-", "-e ", "i ", " e ", " ", "-i ", "-")
IZAFE_STYLES_AFTER_VOWEL = ("-e-", "-i-", "-ye-", "-e ", "-ye ", " e ", " ", "-")

# Word-level alternations of Afghan romanisation, each group is one word written several ways. Only
# alternations that are regular in Afghan place names are here; any word of a group can produce the others.
WORD_ALTERNATIONS: tuple[tuple[str, ...], ...] = (
    ("Khwaja", "Khoja", "Khawaja", "Khaja"),
    ("Qala", "Qalah", "Qalaa", "Kala", "Qal'a"),
    ("Dih", "Deh"),
    ("Dara", "Darah", "Darra", "Darreh", "Dareh"),
    ("Khel", "Khail", "Khil", "Kheyl"),
    ("Zayi", "Zai", "Zay"),
    ("Rod", "Rud", "Rood"),
    ("Shahr", "Shahar"),
    ("Sayd", "Sayed", "Sayyid", "Syed", "Said"),
    ("Muhammad", "Mohammad", "Mohammed", "Muhammed"),
    ("Kohistan", "Kuhistan", "Kohestan"),
    ("Koh", "Kuh"),
    ("Kohi", "Kuhi", "Koh-e", "Koh-i"),
    ("Chahar", "Char", "Chaar"),
    ("Sahib", "Saheb"),
    ("Imam", "Emam"),
    ("Shahid", "Shaheed"),
    ("Kot", "Kowt"),
    ("Boldak", "Buldak"),
    ("Qalat", "Kalat"),
    ("Nur", "Noor"),
    ("Payin", "Payan", "Paeen"),
    ("Sufi", "Sof", "Suf"),
    ("Ab", "Aab"),
)

# "wa" (and) between words: "Tala Wa Barfak", "Tala-o-Barfak", "Tala wa Barfak".
CONJUNCTION_FORMS = (" wa ", " Wa ", "-o-", " o ", " va ", "-wa-")
CONJUNCTIONS = {"wa", "o", "va", "u"}

# Second words that are also written fused with the first: "Lashkar Gah" / "Lashkargah".
COMPOUND_SUFFIXES = (
    "abad",
    "gah",
    "kot",
    "kowt",
    "qala",
    "shahr",
    "dara",
    "rod",
    "zayi",
    "zai",
    "khel",
    "band",
)


@dataclass(frozen=True)
class Parsed:
    """A Latin name split into words and the joins between them ('izafe', 'and', ' ' or '-')."""

    words: tuple[str, ...]
    joins: tuple[str, ...]


def parse_latin(name: str) -> Parsed:
    """Find izafe joins whether written '-I-', ' e ', or fused as a word-final -i ('Puli Hisar')."""
    outside = re.sub(r"\s*\(.*?\)\s*", " ", name).strip() or name
    raw = re.findall(r"[^\s-]+|[\s-]", outside)
    words: list[str] = []
    joins: list[str] = []
    pending = " "
    for token in raw:
        if token.isspace() or token == "-":
            pending = "-" if token == "-" and pending != "izafe" else pending
            continue
        low = token.lower()
        if low in IZAFE_TOKENS and words:
            pending = "izafe"
            continue
        if low in CONJUNCTIONS and words:
            pending = "and"
            continue
        if words:
            joins.append(pending)
        words.append(token)
        pending = " "
    for i in range(len(words) - 1):  # a fused izafe: "Puli" before another word
        if joins[i] == " " and is_fused_izafe(words[i], words[i + 1]):
            words[i] = words[i][:-1]
            joins[i] = "izafe"
    return Parsed(tuple(words), tuple(joins))


def is_fused_izafe(word: str, following: str) -> bool:
    """'Puli' in 'Puli Hisar' is Pul + izafe; 'Jani' in 'Jani Khel' is a name. Be conservative."""
    low = word.lower()
    return (
        len(low) > 3
        and low.endswith("i")
        and low[-2] not in "aeiouy"
        and low not in NATIVE_FINAL_I
        and following.lower() not in NO_IZAFE_BEFORE
        and following.lower() not in ENGLISH_WORDS
    )


def render(parsed: Parsed, izafe_style: str, and_style: str = " wa ") -> str:
    parts = [parsed.words[0]]
    for join, word in zip(parsed.joins, parsed.words[1:], strict=True):
        if join == "izafe":
            style = izafe_style
            if parts[-1][-1].lower() in "aeiou" and style in ("i ",):
                style = "-i "
            parts.append(style)
        elif join == "and":
            parts.append(and_style)
        else:
            parts.append(join)
        parts.append(word)
    return "".join(parts)


def izafe_variants(name: str) -> list[str]:
    """Every spelling of the izafe and 'and' joins: Pul-e-Khumri, Pul-i-Khumri, Puli Khumri, Pul e Khumri."""
    parsed = parse_latin(name)
    if "izafe" not in parsed.joins and "and" not in parsed.joins:
        return []
    after_vowel = any(
        j == "izafe" and w[-1].lower() in "aeiou" for j, w in zip(parsed.joins, parsed.words, strict=False)
    )
    styles = IZAFE_STYLES_AFTER_VOWEL if after_vowel else IZAFE_STYLES
    ands = CONJUNCTION_FORMS if "and" in parsed.joins else (" wa ",)
    return [render(parsed, style, and_style) for style in styles for and_style in ands]


def compound_variants(name: str) -> list[str]:
    """Fused vs spaced vs hyphenated second words: Lashkar Gah / Lashkargah, Dawlatabad / Dawlat Abad."""
    out = []
    words = name.split(" ")
    if len(words) == 2 and words[0].isalpha() and words[1].lower() in COMPOUND_SUFFIXES:
        out += [words[0] + words[1].lower(), f"{words[0]}-{words[1]}"]
    for suffix in COMPOUND_SUFFIXES:
        match = re.fullmatch(rf"([A-Z][a-z]{{2,}})({suffix})", name)
        if match:
            stem, tail = match.groups()
            out += [f"{stem} {tail.capitalize()}", f"{stem}-{tail}", f"{stem}-{tail.capitalize()}"]
    return out


def _alternation_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for group in WORD_ALTERNATIONS:
        for word in group:
            index[word.lower()] = group
    return index


ALTERNATION_INDEX = _alternation_index()


def word_alternation_variants(name: str) -> list[str]:
    """Swap one word at a time for its regular alternatives (Khel/Khail, Dih/Deh, Qala/Kala...)."""
    tokens = re.split(r"([\s-]+)", name)
    out = []
    for i, token in enumerate(tokens):
        group = ALTERNATION_INDEX.get(token.lower())
        if not group:
            continue
        for alternative in group:
            if alternative.lower() != token.lower():
                replacement = alternative if token[0].isupper() else alternative.lower()
                out.append("".join([*tokens[:i], replacement, *tokens[i + 1 :]]))
    return out


# English words that appear in curated spellings ("Kajaki Dam", "Herat city"); spelling rules skip them.
ENGLISH_WORDS = {
    "air",
    "airbase",
    "airfield",
    "airport",
    "base",
    "border",
    "bridge",
    "central",
    "centre",
    "city",
    "corridor",
    "crossing",
    "dam",
    "district",
    "field",
    "friendship",
    "gate",
    "india",
    "international",
    "new",
    "of",
    "pass",
    "port",
    "the",
    "tunnel",
    "valley",
}


def is_untouchable(word: str) -> bool:
    """English words and acronyms (HKIA) keep their spelling whatever the rules do to the place name."""
    return word.lower() in ENGLISH_WORDS or sum(ch.isupper() for ch in word) > 1


def persian_vowel_variant(name: str) -> str:
    """Iranian-style vowels: i -> e and u -> o inside words (Hisar -> Hesar, Khumri -> Khomri, Pul -> Pol).

    A word-final -i is left alone: it is usually a suffix or the izafe and stays 'i' in both styles.
    """

    def convert(match: re.Match[str]) -> str:
        word = match.group(0)
        if is_untouchable(word):
            return word
        body, last = word[:-1], word[-1]
        body = body.replace("i", "e").replace("u", "o").replace("I", "E").replace("U", "O")
        body = body.replace("ae", "ai").replace("ay", "ay")
        last = last.replace("u", "o") if len(word) > 1 else last
        return body + last

    return re.sub(r"[A-Za-z]+", convert, name)


def simplified_variant(name: str) -> str:
    """English-news simplifications: ou -> u, ee -> i, oo -> u, doubled letters written once."""

    def simplify(match: re.Match[str]) -> str:
        word = match.group(0)
        if is_untouchable(word):
            return word
        word = word.replace("ou", "u").replace("ee", "i").replace("oo", "u")
        return re.sub(r"([a-z])\1", r"\1", word)

    return re.sub(r"[A-Za-z]+", simplify, name)


def ullah_variants(name: str) -> list[str]:
    """-ullah / -ulla / -ollah endings."""
    if not re.search(r"(ullah|ulla|ollah)\b", name):
        return []
    return [re.sub(r"(ullah|ulla|ollah)\b", ending, name) for ending in ("ullah", "ulla", "ollah")]


def latin_rule_tiers(name: str) -> list[list[str]]:
    """Rule-generated Latin spellings of one name in tiers, most common kind of difference first.

    Tier 0: joins (izafe, 'and', fused compounds); 1: Iranian-style vowels of those; 2: word alternations;
    3: simplifications (ou/ee/oo, doubled letters).
    """
    joins = [name, *izafe_variants(name), *compound_variants(name), *ullah_variants(name)]
    vowels = [persian_vowel_variant(v) for v in joins]
    alternations = [v for base in joins[:3] for v in word_alternation_variants(base)]
    simple = [simplified_variant(v) for v in (name, *alternations)]
    return [joins, vowels, alternations, simple]


# --------------------------------------------------------------------------------------------------
# Variant rules: Arabic script (Dari, Pashto)
# --------------------------------------------------------------------------------------------------

PERSIAN_TO_ARABIC = str.maketrans({"ی": "ي", "ک": "ك"})
ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی"})


def strip_diacritics(text: str) -> str:
    return ARABIC_DIACRITICS.sub("", text)


def persian_letters(text: str) -> str:
    """Dari is written with Persian yeh and kaf; the JSON sometimes has the Arabic code points."""
    return text.translate(ARABIC_TO_PERSIAN)


def spacing_variants(text: str) -> list[str]:
    """Word gaps written as a space, a zero-width non-joiner, or not at all (پل حصار / پل‌حصار / پلحصار).

    Only two-word names get the ZWNJ and fused forms, and fused only when the first word does not end in
    heh (after heh a writer uses the ZWNJ); the conjunction و is written apart or attached to the next
    word, never ZWNJ-joined.
    """
    words = re.split(r"[ \u200c]+", text)
    if len(words) == 1:
        return [text]
    spaced = " ".join(words)
    if "و" in words[1:-1]:
        return [spaced, spaced.replace(" و ", " و")]
    if len(words) > 2:  # longer names are written with spaces; fusing them all reads as a typo
        return [spaced]
    forms = [spaced, ZWNJ.join(words)]
    if not words[0].endswith("ه"):
        forms.append("".join(words))
    return forms


def arabic_rule_tiers(name: str) -> list[list[str]]:
    """Rule-generated Dari/Pashto spellings in tiers, like latin_rule_tiers.

    Tier 0: word spacing; 1: Arabic yeh/kaf (ي ك) for the Persian ones (ی ک); 2: alef madda written plain
    (آباد / اباد); 3: final heh as teh marbuta (ة). Diacritics and direction marks are dropped throughout.
    """
    plain = clean_arabic_name(strip_diacritics(name)).translate(ARABIC_TO_PERSIAN)
    plain = plain.replace("ۀ", "ه").replace("هٔ", "ه").replace("ة", "ه")
    spacing = [name, *spacing_variants(plain)]
    letters = [v.translate(PERSIAN_TO_ARABIC) for v in spacing_variants(plain)[:2]]
    madda = [v.replace("آ", "ا") for v in spacing_variants(plain)[:2] if "آ" in v]
    heh = [re.sub(r"ه(?=\s|$)", "ة", plain)] if re.search(r"ه(\s|$)", plain) else []
    return [spacing, letters, madda, heh]


# --------------------------------------------------------------------------------------------------
# Assembling variant lists
# --------------------------------------------------------------------------------------------------


def dedupe(items: Iterable[str]) -> list[str]:
    """Keep the first spelling of each exact string, dropping empties and too-short ones."""
    seen: set[str] = set()
    out = []
    for item in items:
        text = item.strip()
        if text and text not in seen and letter_count(text) >= MIN_VARIANT_LETTERS:
            seen.add(text)
            out.append(text)
    return out


def build_variants(
    canonical: str, latin_sources: Sequence[str], arabic_sources: Sequence[str], reject: Iterable[str] = ()
) -> list[str]:
    """Attested spellings first, then rule output tier by tier (both scripts alternating), capped.

    The list is written canonical first, the rest sorted (Latin before Arabic script) so diffs read well.
    """
    rejected = {r.casefold() for r in reject}
    latin_sources = [v for v in latin_sources if v.casefold() not in rejected]
    arabic_sources = [v for v in arabic_sources if v.casefold() not in rejected]
    attested = dedupe([canonical, *latin_sources, *arabic_sources])
    latin = [latin_rule_tiers(n) for n in dedupe([canonical, *latin_sources])]
    arabic = [arabic_rule_tiers(n) for n in dedupe(arabic_sources)]
    generated = []
    for tier in range(4):
        generated += [v for tiers in latin for v in tiers[tier]]
        generated += [v for tiers in arabic for v in tiers[tier]]
    candidates = [
        v for v in fold_dedupe([*attested, *generated]) if v.casefold() not in rejected or v == canonical
    ]
    chosen = candidates[: max(MAX_VARIANTS, len(attested))]
    rest = sorted(set(chosen) - {canonical}, key=lambda v: (is_arabic_script(v), v.casefold(), v))
    return [canonical, *rest]


def fold_dedupe(items: Iterable[str]) -> list[str]:
    """Dedupe exact strings but keep case/space variants only once per folded key... except attested ones.

    Case is not a spelling, so "Pul-e-Khumri" and "PUL-E-KHUMRI" are one variant; spacing is kept apart
    because "پل حصار" and "پلحصار" are different surface strings an extractor must find.
    """
    seen: set[str] = set()
    out = []
    for item in dedupe(items):
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


# --------------------------------------------------------------------------------------------------
# Provinces and places
# --------------------------------------------------------------------------------------------------


def province_records(
    provinces: Sequence[Province],
    json_entries: Sequence[dict[str, Any]],
    province_map: dict[str, str],
    districts: Sequence[District],
    aliases: dict[str, Any],
) -> list[dict[str, Any]]:
    by_canonical = {province_map[e["name"]]: e for e in json_entries if e["name"] in province_map}
    district_names = {(d.province, d.name) for d in districts}
    records = []
    for province in provinces:
        curated = aliases["provinces"].get(province.name) or {}
        entry = by_canonical.get(province.name, {})
        name_fa = clean_arabic_name(str(curated.get("fa") or entry.get("nameFa") or ""))
        name_ps = clean_arabic_name(str(curated.get("ps") or entry.get("namePa") or name_fa))
        capital = str(curated.get("capital", ""))
        if (province.name, capital) not in district_names:
            raise SystemExit(f"capital of {province.name} is not one of its districts: {capital!r}")
        latin = [v for v in curated.get("variants", []) if not is_arabic_script(v)]
        arabic = [v for v in curated.get("variants", []) if is_arabic_script(v)]
        if entry.get("name"):
            latin.append(clean_latin_name(entry["name"]))
        records.append(
            {
                "name": province.name,
                "name_fa": name_fa,
                "name_ps": name_ps,
                "lat": province.lat,
                "lon": province.lon,
                "capital": capital,
                "iso_3166_2": province.iso,
                "shape_id": province.shape_id,
                "variants": build_variants(province.name, latin, [name_fa, name_ps, *arabic]),
            }
        )
    return records


def place_records(aliases: dict[str, Any], districts: Sequence[District]) -> list[dict[str, Any]]:
    """Towns, ports, crossings and valleys below district level, each tied to its district."""
    known = {(d.province, d.name) for d in districts}
    records = []
    for place in aliases["places"]:
        if (place["province"], place["district"]) not in known:
            raise SystemExit(f"place {place['name']} names an unknown district: {place['district']}")
        given = [str(v) for v in place.get("variants", [])]
        latin = [v for v in given if not is_arabic_script(v)]
        arabic = [v for v in given if is_arabic_script(v)]
        records.append(
            {
                "name": place["name"],
                "kind": place["kind"],
                "district": place["district"],
                "province": place["province"],
                "variants": build_variants(place["name"], latin, arabic),
            }
        )
    return sorted(records, key=lambda r: (r["name"], r["province"], r["district"]))


def district_records(districts: Sequence[District], aliases: dict[str, Any]) -> list[dict[str, Any]]:
    records = []
    for district in sorted(districts, key=lambda d: (d.name, d.province)):
        curated = curated_district(aliases, district.province, district.name)
        latin = [v for v in curated["variants"] if not is_arabic_script(v)] if curated else []
        arabic = [v for v in curated["variants"] if is_arabic_script(v)] if curated else []
        latin += district.extra_latin
        arabic = [district.name_fa, district.name_ps, *arabic, *district.extra_arabic]
        record: dict[str, Any] = {
            "name": district.name,
            "province": district.province,
            "name_fa": district.name_fa,
            "name_ps": district.name_ps,
            "lat": district.lat,
            "lon": district.lon,
            "variants": build_variants(
                district.name, latin, [a for a in arabic if a], curated.get("reject", []) if curated else []
            ),
            "source": district.source,
            "shape_id": district.shape_id,
        }
        record.update(sorted(district.notes.items()))
        records.append(record)
    return records


def ambiguous_names(
    districts: Sequence[dict[str, Any]], places: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every variant (compared case- and space-insensitively) that can mean more than one district.

    Places count too, because a place name resolves to its district just as a district name does.
    """
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    spellings: dict[str, set[str]] = defaultdict(set)
    for record in districts:
        for variant in record["variants"]:
            owners[fold_key(variant)].add((record["name"], record["province"]))
            spellings[fold_key(variant)].add(variant)
    for record in places:
        for variant in record["variants"]:
            owners[fold_key(variant)].add((record["district"], record["province"]))
            spellings[fold_key(variant)].add(variant)
    canonical = {record[key] for record in districts for key in ("name", "name_fa", "name_ps")}
    # Show a district's own spelling where the shared name is one, else a Persian-letter spelling, else
    # the first in sort order.
    shown = {
        key: min(names, key=lambda n: (n not in canonical, n != persian_letters(n), n))
        for key, names in spellings.items()
    }
    return sorted(
        (
            {
                "name": shown[key],
                "candidates": [
                    {"district": d, "province": p} for d, p in sorted(pairs, key=lambda x: (x[1], x[0]))
                ],
            }
            for key, pairs in owners.items()
            if len(pairs) > 1
        ),
        key=lambda r: (r["name"].casefold(), r["name"]),
    )


# --------------------------------------------------------------------------------------------------
# Metadata, output, report
# --------------------------------------------------------------------------------------------------


def copyright_line(source: Path) -> str:
    text = (source / JSON_LICENCE_FILE).read_text(encoding="utf-8")
    return next((line.strip() for line in text.splitlines() if line.startswith("Copyright")), "")


def sources_block(source: Path) -> list[dict[str, str]]:
    return [
        {
            "name": "geoBoundaries AFG ADM1/ADM2 (2014 boundaries, build Dec 2023)",
            "licence": "Public Domain (citation requested)",
            "url": "https://www.geoboundaries.org",
            "citation": (
                "Runfola D. et al. (2020) geoBoundaries: A global database of political administrative "
                "boundaries. PLoS ONE 15(4): e0231866. https://doi.org/10.1371/journal.pone.0231866"
            ),
        },
        {"name": "provinces-and-districts.json", "licence": "MIT", "copyright": copyright_line(source)},
        {
            "name": "scripts/gazetteer_sources/afghanistan_aliases.yaml",
            "licence": "Apache-2.0 (districtwatch)",
            "note": "spellings, capitals and sub-district places curated by the districtwatch developers",
        },
    ]


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    path.write_text(text, encoding="utf-8")


def check_coverage(districts: Sequence[District], provinces: Sequence[Province], report: Report) -> None:
    names = {p.name for p in provinces}
    outside = [d.name for d in districts if d.province not in names]
    if outside:
        raise SystemExit(f"districts with no province: {outside}")
    counts: dict[str, int] = defaultdict(int)
    for district in districts:
        counts[district.province] += 1
    report.note("districts per province: " + ", ".join(f"{p} {counts[p]}" for p in sorted(counts)))


def build(source: Path, aliases_path: Path) -> tuple[dict[str, Any], Report]:
    """Run the whole pipeline; returns the gazetteer and the report."""
    report = Report()
    aliases = load_aliases(aliases_path)
    provinces = load_provinces(source)
    districts = load_adm2_districts(source, provinces)
    json_entries = load_json_provinces(source)
    province_map = match_json_provinces(json_entries, provinces)
    unmatched_json_provinces = [e["name"] for e in json_entries if e["name"] not in province_map]
    report.note(f"ADM1 provinces: {len(provinces)}; ADM2 districts: {len(districts)}")
    report.note(
        "JSON provinces matched: " + ", ".join(f"{k}->{v}" for k, v in sorted(province_map.items()) if k != v)
    )
    report.section("JSON province entries that are not provinces", unmatched_json_provinces)

    entries = rename_json_entries(json_districts(json_entries, province_map), aliases, report)
    # Entries the aliases file decides about never reach the matcher: the decision is the authority.
    decided = {(d["in"], d["json"]) for d in aliases["json_entries"] if "rename" not in d}
    undecided = [e for e in entries if (e.province or e.json_province, e.name) not in decided]
    matched = match_json_to_adm2(undecided, districts, aliases)
    report.note(f"JSON district entries: {len(entries)}; matched to ADM2 by rule: {len(matched)}")
    decisions = [line for d in districts if (line := assign_province(d))]
    report.section("province assignment notes (disagreements and how they were resolved)", decisions)

    apply_json_decisions(entries, matched, districts, provinces, aliases, report)
    check_curated_districts(aliases, districts, report)
    cross = [
        f"JSON {m.json_province}/{m.name} -> {d.province}/{d.name}"
        for d in districts
        for _, m in d.json_matches
        if m.province and m.province != d.province
    ]
    report.section("JSON entries filed under another province than the district they matched", cross)
    join_dari_pashto(districts, aliases, report)
    check_coverage(districts, provinces, report)

    district_out = district_records(districts, aliases)
    province_out = province_records(provinces, json_entries, province_map, districts, aliases)
    place_out = place_records(aliases, districts)
    ambiguous = ambiguous_names(district_out, place_out)
    report.note(f"places: {len(place_out)}; ambiguous names: {len(ambiguous)}")
    report.note(
        f"variants: districts {sum(len(r['variants']) for r in district_out)} "
        f"(at most {max(len(r['variants']) for r in district_out)} per district), "
        f"provinces {sum(len(r['variants']) for r in province_out)}, "
        f"places {sum(len(r['variants']) for r in place_out)}"
    )
    report.note(
        f"written: {len(province_out)} provinces, {len(district_out)} districts "
        f"({sum(1 for d in district_out if d['source'] == SOURCE_JSON)} from the JSON only), "
        f"{sum(1 for d in district_out if d['name_fa'])} with a Dari name"
    )
    gazetteer = {
        "name": "afghanistan",
        "country": "Afghanistan",
        "iso3": "AFG",
        "sources": sources_block(source),
        "provinces": province_out,
        "districts": district_out,
        "places": place_out,
        "ambiguous_names": ambiguous,
    }
    return gazetteer, report


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", type=Path, required=True, help="folder with the geoBoundaries and JSON files"
    )
    parser.add_argument("--out", type=Path, required=True, help="where to write the gazetteer JSON")
    parser.add_argument("--aliases", type=Path, default=DEFAULT_ALIASES, help="hand-written aliases YAML")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    gazetteer, report = build(args.source, args.aliases)
    write_json(args.out, gazetteer)
    print("\n".join(report.lines), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
