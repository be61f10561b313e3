"""The gazetteer: the provinces, districts and sub-district places of one country.

A country is one JSON file, ``districtwatch/data/gazetteers/<name>.json``; nothing about any country lives
in code.  The file is validated with pydantic once, at load, and then turned into plain frozen dataclasses,
because the extractor reads them in its hot loop.

Canonical names are the gazetteer's own (geoBoundaries spellings in the shipped one); every other spelling
is a *variant* and only ever used to find the canonical record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from districtwatch.errors import ConfigError

__all__ = ["DistrictRecord", "Gazetteer", "PlaceRecord", "ProvinceRecord", "load_gazetteer"]


class _Named(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1)
    name_fa: str | None = None
    name_ps: str | None = None
    variants: list[str] = Field(default_factory=list)

    @field_validator("variants", mode="before")
    @classmethod
    def _no_nulls(cls, value: Any) -> Any:
        """Generated files sometimes carry null or empty spellings; they name nothing, so drop them."""
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str) and v.strip()]
        return value


class _ProvinceIn(_Named):
    lat: float | None = None
    lon: float | None = None
    capital: str | None = None


class _DistrictIn(_Named):
    province: str = Field(min_length=1)
    lat: float | None = None
    lon: float | None = None


class _PlaceIn(_Named):
    kind: str = "place"
    district: str = Field(min_length=1)
    province: str = Field(min_length=1)


class _GazetteerIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    country: str | None = None
    provinces: list[_ProvinceIn]
    districts: list[_DistrictIn]
    places: list[_PlaceIn] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ProvinceRecord:
    """A first-level division; ``capital`` is the name of its capital as the file gives it."""

    name: str
    name_fa: str | None
    name_ps: str | None
    lat: float | None
    lon: float | None
    capital: str | None
    variants: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        """Every spelling that names this province, canonical first."""
        return _spellings(self.name, self.name_fa, self.name_ps, self.variants)


@dataclass(frozen=True, slots=True)
class DistrictRecord:
    """A second-level division: the unit whose change of hands districtwatch reports."""

    name: str
    province: str
    lat: float | None
    lon: float | None
    name_fa: str | None
    name_ps: str | None
    variants: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        """Every spelling that names this district, canonical first."""
        return _spellings(self.name, self.name_fa, self.name_ps, self.variants)


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    """A town, port or crossing inside a district: capturing it is a claim about that district."""

    name: str
    kind: str
    district: str
    province: str
    variants: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        """Every spelling that names this place, canonical first."""
        return _spellings(self.name, None, None, self.variants)


def _spellings(name: str, fa: str | None, ps: str | None, variants: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for spelling in (name, fa, ps, *variants):
        if spelling and spelling.strip():
            seen.setdefault(spelling.strip(), None)
    return tuple(seen)


def _fold(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


class Gazetteer:
    """Lookups over one country's provinces, districts and places (canonical names, case-insensitive)."""

    def __init__(
        self,
        name: str,
        provinces: tuple[ProvinceRecord, ...],
        districts: tuple[DistrictRecord, ...],
        places: tuple[PlaceRecord, ...],
    ) -> None:
        self.name = name
        self.provinces = provinces
        self.districts = districts
        self.places = places
        self._provinces = {_fold(p.name): p for p in provinces}
        self._districts: dict[tuple[str, str], DistrictRecord] = {}
        for district in districts:
            for spelling in district.spellings():
                self._districts.setdefault((_fold(district.province), _fold(spelling)), district)
        for district in districts:  # canonical names win over any variant that happens to collide
            self._districts[(_fold(district.province), _fold(district.name))] = district

    def province(self, name: str) -> ProvinceRecord | None:
        """The province with this canonical name, or None."""
        return self._provinces.get(_fold(name))

    def district(self, province: str, name: str) -> DistrictRecord | None:
        """The district ``name`` (canonical name or a listed variant) of ``province``, or None."""
        record = self.province(province)
        if record is None:
            return None
        return self._districts.get((_fold(record.name), _fold(name)))

    def districts_of(self, province: str) -> Iterator[DistrictRecord]:
        """The districts of one province, in file order."""
        folded = _fold(province)
        return (d for d in self.districts if _fold(d.province) == folded)

    def capital_district(self, province: str) -> DistrictRecord | None:
        """The district holding the province's capital: by name or variant, else through a listed place."""
        record = self.province(province)
        if record is None or not record.capital:
            return None
        found = self.district(record.name, record.capital)
        if found is not None:
            return found
        capital = _fold(record.capital)
        for place in self.places:
            if _fold(place.province) == _fold(record.name) and capital in {
                _fold(s) for s in place.spellings()
            }:
                return self.district(place.province, place.district)
        return None


def _locate(name_or_path: str | Path) -> Path | Any:
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith(".json"):
        return Path(name_or_path)
    return resources.files("districtwatch.data").joinpath("gazetteers", f"{text}.json")


def load_gazetteer(name_or_path: str | Path = "afghanistan") -> Gazetteer:
    """Load and check a gazetteer by name (a file in ``districtwatch/data/gazetteers``) or by path.

    Raises ConfigError naming the file and the problem: missing file, bad JSON, a field of the wrong shape,
    or a district or place pointing at a province or district the file does not define.
    """
    where = _locate(name_or_path)
    try:
        raw = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"gazetteer {name_or_path!s}: no such file {where}") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"gazetteer {where}: cannot read JSON: {exc}") from exc
    try:
        data = _GazetteerIn.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"gazetteer {where}: {_first_error(exc)}") from exc
    provinces = tuple(
        ProvinceRecord(p.name, p.name_fa, p.name_ps, p.lat, p.lon, p.capital, tuple(p.variants))
        for p in data.provinces
    )
    known = {_fold(p.name) for p in provinces}
    districts: list[DistrictRecord] = []
    for d in data.districts:
        if _fold(d.province) not in known:
            raise ConfigError(f"gazetteer {where}: district {d.name!r} names unknown province {d.province!r}")
        districts.append(
            DistrictRecord(d.name, d.province, d.lat, d.lon, d.name_fa, d.name_ps, tuple(d.variants))
        )
    gazetteer = Gazetteer(data.name, provinces, tuple(districts), ())
    places: list[PlaceRecord] = []
    for p in data.places:
        home = gazetteer.district(p.province, p.district)
        if home is None:
            raise ConfigError(
                f"gazetteer {where}: place {p.name!r} names unknown district {p.district!r} of {p.province!r}"
            )
        places.append(PlaceRecord(p.name, p.kind, home.name, home.province, tuple(p.variants)))
    return Gazetteer(data.name, provinces, tuple(districts), tuple(places))


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']} ({exc.error_count()} problem(s) in all)"
