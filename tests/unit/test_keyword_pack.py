"""The keyword pack: the shipped one loads; a malformed one fails with a message naming the file, the
entry and the problem; and another country works from its own data files with no code change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from districtwatch.core.extraction import Extractor, load_keyword_pack
from districtwatch.errors import ConfigError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "extraction"


def test_shipped_pack_loads_with_its_actors() -> None:
    """The Afghanistan pack is valid and names the three parties the claims report."""
    pack = load_keyword_pack("afghanistan")
    assert set(pack.actors) == {"taliban", "government", "resistance"}
    assert set(pack.languages) == {"en", "fa", "ps"}


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _minimal() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / "ruritania.yaml").read_text(encoding="utf-8"))
    return data


BROKEN = [
    ("unknown top-level key", lambda p: p.update(verbz={}), "verbz: Extra inputs are not permitted"),
    (
        "a verb of an undefined frame",
        lambda p: p["languages"]["en"]["verbs"].update(siege=["besieged"]),
        "languages.en.verbs.siege: no frame of that name",
    ),
    (
        "an opponent that is no actor",
        lambda p: p["actors"]["crown"].update(opponent="pirates"),
        "actors.crown.opponent: 'pirates' is not an actor",
    ),
    (
        "a default gainer that is no actor",
        lambda p: p["frames"]["fall"].update(default_gained_by="nobody"),
        "frames.fall.default_gained_by: 'nobody' is no actor",
    ),
    (
        "a passive frame that does not exist",
        lambda p: p["frames"]["capture"].update(passive="fell"),
        "frames.capture.passive: 'fell' is not a frame",
    ),
    (
        "a star inside a phrase",
        lambda p: p["languages"]["en"]["verbs"]["capture"].append("to*ok"),
        "'\\*' may only end a phrase",
    ),
    (
        "a list that is not a list of strings",
        lambda p: p["languages"]["en"].update(hedges=[True]),
        "languages.en.hedges.0: Input should be a valid string",
    ),
    (
        "no verbs at all",
        lambda p: p["languages"]["en"].update(verbs={}),
        "languages.en.verbs: no verb at all",
    ),
    ("an actor without names", lambda p: p["actors"]["rebels"].update(names={"en": []}), "at least one name"),
    ("a fold chain", lambda p: p.update(match_folds={"a": "b", "b": "c"}), "is itself folded"),
    ("a bad role", lambda p: p["frames"]["loss"].update(agent="winner"), "frames.loss.agent"),
]


@pytest.mark.parametrize(("case", "breakage", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_malformed_pack_names_the_problem(
    tmp_path: Path, case: str, breakage: Callable[[dict[str, Any]], object], message: str
) -> None:
    """Each kind of mistake is a ConfigError naming the file and the entry at fault."""
    pack = _minimal()
    breakage(pack)
    path = _write(tmp_path, pack)
    with pytest.raises(ConfigError, match=message) as caught:
        load_keyword_pack(path)
    assert str(path) in str(caught.value)


def test_unreadable_files_are_config_errors(tmp_path: Path) -> None:
    """A missing file, broken YAML, or a YAML list instead of a mapping are reported as such."""
    with pytest.raises(ConfigError, match="no such file"):
        load_keyword_pack(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not readable YAML"):
        load_keyword_pack(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_keyword_pack(listed)


@pytest.fixture(scope="module")
def ruritania() -> Extractor:
    return Extractor.load(FIXTURES / "ruritania.json", FIXTURES / "ruritania.yaml")


def test_another_country_needs_only_data(ruritania: Extractor) -> None:
    """A fictional country's gazetteer and pack drive the same extractor: actors, frames and markers."""
    (claim,) = ruritania.extract("The rebels seized Tarlenheim district from the royal guard.").claims
    assert (claim.district, claim.province, claim.gained_by, claim.lost_by) == (
        "Tarlenheim",
        "Northmark",
        "rebels",
        "crown",
    )
    (claim,) = ruritania.extract("Zendau fell to the king's men.").claims
    assert (claim.district, claim.gained_by) == ("Zenda", "crown")
    (claim,) = ruritania.extract("The crown abandoned Strelsau Station.").claims
    assert (claim.district, claim.gained_by, claim.lost_by) == ("Strelsau", "rebels", "crown")


def test_another_country_keeps_the_general_rules(ruritania: Extractor) -> None:
    """Facilities, shared names and denials behave as in the shipped pack, driven by the new data."""
    assert ruritania.extract("The rebels seized Castle Zenda.").claims == ()
    result = ruritania.extract("The rebels seized Hofbau district.")
    assert result.claims == ()
    assert result.ambiguous[0].candidates == (
        ("Hofbau", "Northmark"),
        ("Hofbau", "Southmark"),
    )
    (claim,) = ruritania.extract("The rebels seized Hofbau district.", home_province="Southmark").claims
    assert claim.province == "Southmark"
    (claim,) = ruritania.extract("The crown denied that Zenda fell to the rebels.").claims
    assert claim.kind == "denial"
