"""The layers hold: core/ imports no Faust, aiokafka or mode, and only kafka/ imports aiokafka.

Read from the source with ``ast`` (not grep), so an import inside a function, a ``from x import y`` or
an ``import a.b as c`` counts, and a docstring or comment that names a module does not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
PACKAGE = REPO / "districtwatch"
#: The shipped code: the package and the folders installed under it.
SHIPPED = (PACKAGE, REPO / "agents", REPO / "schemas")
CORE = PACKAGE / "core"
KAFKA = PACKAGE / "kafka"
STREAMING = frozenset({"faust", "aiokafka", "mode"})


def imported_roots(path: Path) -> set[str]:
    """The top-level names of every module ``path`` imports (relative imports are our own code)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def sources(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def offenders(files: list[Path], banned: frozenset[str]) -> list[str]:
    return [
        f"{path.relative_to(REPO)} imports {', '.join(sorted(imported_roots(path) & banned))}"
        for path in files
        if imported_roots(path) & banned
    ]


def test_core_imports_no_streaming_library() -> None:
    assert offenders(sources(CORE), STREAMING) == []


def test_only_the_kafka_package_imports_aiokafka() -> None:
    outside = [p for p in sources(*SHIPPED) if KAFKA not in p.parents]
    assert offenders(outside, frozenset({"aiokafka"})) == []


def test_the_package_root_stays_small() -> None:
    """At most 14 modules directly in districtwatch/: a new one belongs in a layer's folder."""
    assert len(list(PACKAGE.glob("*.py"))) <= 14


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import aiokafka.admin as a", {"aiokafka"}),
        ("from faust.types import TP", {"faust"}),
        ("def f():\n    from mode import Service", {"mode"}),
        ("'''import faust'''\n# import aiokafka", set()),
        ("from . import sibling", set()),
    ],
)
def test_the_check_reads_imports_not_text(tmp_path: Path, source: str, found: set[str]) -> None:
    module = tmp_path / "m.py"
    module.write_text(source, encoding="utf-8")
    assert imported_roots(module) & STREAMING == found
