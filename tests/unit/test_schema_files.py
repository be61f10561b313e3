"""The exported JSON Schema files in schemas/json match the pydantic models exactly."""

from __future__ import annotations

from districtwatch.schemas.export import EXPORTED, export_dir, stale_files


def test_exported_schema_files_are_current() -> None:
    assert stale_files() == [], "run `make schemas` (districtwatch schemas --write) and commit the result"


def test_every_topic_record_is_exported() -> None:
    names = {path.name for path in export_dir().glob("*.schema.json")}
    assert names == {f"{name}.schema.json" for name in EXPORTED}
