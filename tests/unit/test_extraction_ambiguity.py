"""Same-named districts resolve by a province named in the sentence, then in the post, then the account's
home province, and are otherwise reported as ambiguous, never guessed; plus the gazetteer's lookups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from districtwatch.core.extraction import Extractor, load_gazetteer
from districtwatch.errors import ConfigError

SHARED = [
    ("Arghandab", {"Kandahar", "Zabul"}),
    ("Dawlatabad", {"Balkh", "Faryab"}),
    ("Fayzabad", {"Badakhshan", "Jowzjan"}),
    ("Muqur", {"Badghis", "Ghazni"}),
    ("Qarabagh", {"Ghazni", "Kabul"}),
    ("Baharak", {"Badakhshan", "Takhar"}),
]


@pytest.mark.parametrize(("name", "provinces"), SHARED, ids=[s[0] for s in SHARED])
def test_shared_name_without_a_province_is_ambiguous(
    extractor: Extractor, name: str, provinces: set[str]
) -> None:
    """With nothing to choose by, the name is reported with all its candidates and no claim is made."""
    result = extractor.extract(f"Taliban capture {name} district")
    assert result.claims == ()
    (amb,) = result.ambiguous
    assert amb.surface == name
    assert {p for _, p in amb.candidates} >= provinces


@pytest.mark.parametrize(("name", "provinces"), SHARED, ids=[s[0] for s in SHARED])
def test_province_in_the_sentence_resolves(extractor: Extractor, name: str, provinces: set[str]) -> None:
    """'X district in <province>' picks that province's district."""
    for province in provinces:
        (claim,) = extractor.extract(f"Taliban capture {name} district in {province} province").claims
        assert (claim.district, claim.province) == (name, province)


def test_province_elsewhere_in_the_post_resolves(extractor: Extractor) -> None:
    """A province named in another sentence of the post is the second choice."""
    (claim,) = extractor.extract("Update from Takhar. Government troops abandoned Baharak district.").claims
    assert (claim.district, claim.province) == ("Baharak", "Takhar")


def test_home_province_resolves_last(extractor: Extractor) -> None:
    """The account's home province is used only when the post names none."""
    (claim,) = extractor.extract("Taliban capture Muqur district", home_province="Badghis").claims
    assert claim.province == "Badghis"
    (claim,) = extractor.extract("Taliban capture Muqur district in Ghazni", home_province="Badghis").claims
    assert claim.province == "Ghazni"


def test_dari_shared_name_resolved_by_province(extractor: Extractor) -> None:
    """«ولسوالی دولت آباد فاریاب»: the province after the name resolves it."""
    (claim,) = extractor.extract("طالبان کنترل ولسوالی دولت آباد فاریاب را به دست گرفتند").claims
    assert (claim.district, claim.province) == ("Dawlatabad", "Faryab")


def test_gazetteer_district_lookup_by_canonical_name_and_variant() -> None:
    """district(province, name) finds a record with coordinates by canonical name or listed variant."""
    gazetteer = load_gazetteer("afghanistan")
    record = gazetteer.district("Baghlan", "Puli Hisar")
    assert record is not None
    assert record.lat is not None
    assert record.lon is not None
    assert gazetteer.district("baghlan", "Pol-e-Hesar") == record
    assert gazetteer.district("Baghlan", "Nowhere") is None
    assert gazetteer.district("Atlantis", "Puli Hisar") is None
    assert len(gazetteer.provinces) == 34
    assert gazetteer.capital_district("Paktia") == gazetteer.district("Paktia", "Gardiz")


def test_gazetteer_errors_name_the_problem(tmp_path: Path) -> None:
    """A missing file, bad JSON or a district of an unknown province is a ConfigError saying so."""
    with pytest.raises(ConfigError, match="no such file"):
        load_gazetteer(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read JSON"):
        load_gazetteer(bad)
    orphan = tmp_path / "orphan.json"
    orphan.write_text(
        json.dumps(
            {"name": "x", "provinces": [{"name": "A"}], "districts": [{"name": "D", "province": "B"}]}
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="unknown province 'B'"):
        load_gazetteer(orphan)
