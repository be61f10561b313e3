"""Exporting the topic records' JSON Schema to ``schemas/json/``, and checking it is current.

Other tools producing to ``posts.raw`` or consuming ``alerts`` read these files, so they must never
drift from the pydantic models; the test suite fails when they do.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from districtwatch.schemas import Alert, Claim, DeadLetter, Post, Verdict

EXPORTED: dict[str, type[BaseModel]] = {
    "post": Post,
    "claim": Claim,
    "alert": Alert,
    "deadletter": DeadLetter,
    "verdict": Verdict,
}


def export_dir() -> Path:
    return Path(str(resources.files("districtwatch.schemas").joinpath("json")))


def rendered(model: type[BaseModel]) -> str:
    """The schema file's text: what a consumer of the topic receives (serialization mode)."""
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://districtwatch.invalid/schemas/{model.__name__.lower()}.schema.json"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def stale_files() -> list[str]:
    """Names of the exported files that are missing or differ from the models."""
    stale = []
    for name, model in EXPORTED.items():
        path = export_dir() / f"{name}.schema.json"
        if not path.exists() or path.read_text(encoding="utf-8") != rendered(model):
            stale.append(path.name)
    return stale


def write_all() -> list[Path]:
    export_dir().mkdir(parents=True, exist_ok=True)
    paths = []
    for name, model in EXPORTED.items():
        path = export_dir() / f"{name}.schema.json"
        path.write_text(rendered(model), encoding="utf-8")
        paths.append(path)
    return paths
