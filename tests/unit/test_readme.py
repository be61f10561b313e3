"""The README documents every setting and both commands of the contract with a new user."""

from __future__ import annotations

from pathlib import Path

from districtwatch.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    missing = [name for name in Settings.model_fields if f"`DISTRICTWATCH_{name.upper()}`" not in README]
    assert missing == []


def test_the_two_commands_are_documented() -> None:
    assert "make demo" in README
    assert "make test" in README
