"""The committed Afghanistan gazetteer is complete, correctly placed, and exactly what the build makes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
GAZETTEER = REPO / "districtwatch" / "data" / "gazetteers" / "afghanistan.json"
BUILD_SCRIPT = REPO / "scripts" / "build_gazetteer.py"
SOURCE = REPO.parent / "shared" / "data" / "afghanistan"
ADM2_FILE = SOURCE / "geoBoundaries-AFG-ADM2_simplified.geojson"

DUPLICATED_NAMES = ("Arghandab", "Dawlatabad", "Fayzabad", "Muqur", "Qarabagh", "Kohistan", "Baharak")


@cache
def gazetteer() -> dict[str, Any]:
    return json.loads(GAZETTEER.read_text(encoding="utf-8"))


def districts_named(name: str) -> list[dict[str, Any]]:
    return [d for d in gazetteer()["districts"] if d["name"] == name]


def the_district(name: str, province: str) -> dict[str, Any]:
    matches = [d for d in districts_named(name) if d["province"] == province]
    assert len(matches) == 1, f"{name} in {province}: {matches}"
    return matches[0]


def test_there_are_34_provinces_with_unique_names() -> None:
    names = [p["name"] for p in gazetteer()["provinces"]]
    assert len(names) == 34
    assert len(set(names)) == 34


def test_ghazni_is_spelt_correctly_and_the_source_misspelling_is_gone() -> None:
    provinces = {p["name"] for p in gazetteer()["provinces"]}
    assert "Ghazni" in provinces
    assert "Ghanzi" not in provinces
    assert all(d["province"] != "Ghanzi" for d in gazetteer()["districts"])


def test_every_geoboundaries_district_is_present_once() -> None:
    from_geoboundaries = [d for d in gazetteer()["districts"] if d["source"] == "geoBoundaries"]
    assert len(gazetteer()["districts"]) >= 398
    assert len(from_geoboundaries) == 398
    assert len({d["shape_id"] for d in from_geoboundaries}) == 398


def test_every_geoboundaries_shape_id_of_the_source_is_in_the_gazetteer() -> None:
    if not ADM2_FILE.exists():
        pytest.skip(f"source data not beside the repository: {ADM2_FILE}")
    source_ids = {
        f["properties"]["shapeID"] for f in json.loads(ADM2_FILE.read_text(encoding="utf-8"))["features"]
    }
    assert source_ids == {d["shape_id"] for d in gazetteer()["districts"] if d["shape_id"]}


def test_every_province_has_districts_and_a_capital_among_them() -> None:
    by_province = Counter(d["province"] for d in gazetteer()["districts"])
    for province in gazetteer()["provinces"]:
        assert by_province[province["name"]] > 0, province["name"]
        assert the_district(province["capital"], province["name"])


def test_every_district_has_a_known_province_and_lies_inside_afghanistan() -> None:
    provinces = {p["name"] for p in gazetteer()["provinces"]}
    for district in gazetteer()["districts"]:
        assert district["province"] in provinces, district
        assert 29.0 <= district["lat"] <= 39.0, district["name"]
        assert 60.0 <= district["lon"] <= 75.5, district["name"]


def test_canonical_names_carry_no_stray_whitespace() -> None:
    records = gazetteer()["provinces"] + gazetteer()["districts"] + gazetteer()["places"]
    for record in records:
        name = record["name"]
        assert name == name.strip(), repr(name)
        assert "  " not in name, repr(name)
        assert "\n" not in name, repr(name)


def test_newer_districts_from_the_json_are_included_with_their_source() -> None:
    banu = the_district("Banu", "Baghlan")
    assert banu["source"] == "provinces-and-districts.json"
    assert banu["split_from"] == "Andarab"
    assert banu["shape_id"] is None


def test_the_andarab_story_districts_are_in_baghlan() -> None:
    for name in ("Puli Hisar", "Dih Salah", "Banu", "Andarab"):
        assert the_district(name, "Baghlan")


@pytest.mark.parametrize(
    ("name", "province"),
    [
        ("Kaldar", "Balkh"),
        ("Ghoryan", "Herat"),
        ("Jabalussaraj", "Parwan"),
        ("Imam Sahib", "Kunduz"),
        ("Zhari", "Kandahar"),
        ("Paryan", "Panjshir"),
        ("Rukha", "Panjshir"),
        ("Mahmudi Raqi", "Kapisa"),
        ("Balkhab", "Sar-e Pol"),
        ("Sharan", "Paktika"),
        ("Maydan Shahr", "Wardak"),
        ("Naw Bahar", "Zabul"),
    ],
)
def test_well_known_districts_are_in_their_province(name: str, province: str) -> None:
    assert the_district(name, province)


def test_the_seven_duplicated_names_stay_separate_and_are_listed_as_ambiguous() -> None:
    ambiguous = {entry["name"].casefold(): entry for entry in gazetteer()["ambiguous_names"]}
    for name in DUPLICATED_NAMES:
        provinces = {d["province"] for d in districts_named(name)}
        assert len(provinces) == 2, (name, provinces)
        assert name.casefold() in ambiguous, name
        listed = {c["province"] for c in ambiguous[name.casefold()]["candidates"]}
        assert provinces <= listed, (name, listed)


def test_ambiguous_names_each_have_more_than_one_candidate() -> None:
    for entry in gazetteer()["ambiguous_names"]:
        pairs = {(c["district"], c["province"]) for c in entry["candidates"]}
        assert len(pairs) > 1, entry


def test_story_districts_carry_the_spellings_posts_use() -> None:
    puli_hisar = set(the_district("Puli Hisar", "Baghlan")["variants"])
    assert {"Pol-e-Hesar", "Pul-i-Hisar", "پلحصار", "پل حصار", "پل\u200cحصار"} <= puli_hisar
    dih_salah = set(the_district("Dih Salah", "Baghlan")["variants"])
    assert "Deh Salah" in dih_salah
    assert {"ده صلاح", "ده سلاح"} & dih_salah
    assert {"Banu", "Bano"} <= set(the_district("Banu", "Baghlan")["variants"])


def test_variants_are_bounded_deduplicated_and_never_too_short() -> None:
    for record in gazetteer()["districts"] + gazetteer()["places"] + gazetteer()["provinces"]:
        variants = record["variants"]
        assert variants[0] == record["name"]
        assert len(variants) == len(set(variants)), record["name"]
        assert len(variants) <= 40, record["name"]
        assert all(sum(ch.isalpha() for ch in v) >= 3 for v in variants), record["name"]


def test_places_point_at_existing_districts() -> None:
    districts = {(d["name"], d["province"]) for d in gazetteer()["districts"]}
    for place in gazetteer()["places"]:
        assert (place["district"], place["province"]) in districts, place["name"]
    hairatan = [p for p in gazetteer()["places"] if p["name"] == "Hairatan"]
    assert [(p["district"], p["province"], p["kind"]) for p in hairatan] == [("Kaldar", "Balkh", "port")]


def test_dari_names_cover_at_least_90_percent_of_districts() -> None:
    districts = gazetteer()["districts"]
    with_dari = [d for d in districts if d["name_fa"]]
    assert len(with_dari) >= 0.9 * len(districts)


def test_sources_name_their_licences() -> None:
    sources = {s["name"]: s for s in gazetteer()["sources"]}
    geoboundaries = next(s for name, s in sources.items() if name.startswith("geoBoundaries"))
    assert "Runfola" in geoboundaries["citation"]
    assert sources["provinces-and-districts.json"]["licence"] == "MIT"
    assert sources["provinces-and-districts.json"]["copyright"].startswith("Copyright")


def test_rebuilding_from_the_sources_gives_the_committed_bytes(tmp_path: Path) -> None:
    for module in ("shapely", "rapidfuzz", "yaml"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed; it comes with the [data] extra")
    if not SOURCE.exists():
        pytest.skip(f"source data not beside the repository: {SOURCE}")
    out = tmp_path / "afghanistan.json"
    subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--source", str(SOURCE), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    assert out.read_bytes() == GAZETTEER.read_bytes()
