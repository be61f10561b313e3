"""Write the Grafana dashboards of dashboards_src/ to dashboards/*.json, or check that they are current.

    python deploy/grafana/generate.py           # rewrite dashboards/*.json
    python deploy/grafana/generate.py --check   # exit 1 and name the files that would change

The JSON is committed (Grafana provisions it from the folder) and generated deterministically: keys
sorted, two-space indent, one file per dashboard uid. Edit the Python, never the JSON; the test suite
fails when the two disagree (tests/deploy/test_grafana_dashboards.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "dashboards"

if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from dashboards_src import control_map, pipeline_health  # noqa: E402
from grafana_foundation_sdk.builders.dashboard import Dashboard  # noqa: E402
from grafana_foundation_sdk.cog.encoder import JSONEncoder  # noqa: E402

BUILDERS: tuple[Callable[[], Dashboard], ...] = (pipeline_health.dashboard, control_map.dashboard)


def render() -> dict[str, str]:
    """File name → JSON text of every dashboard."""
    encoder = JSONEncoder(sort_keys=True, indent=2, ensure_ascii=False)
    rendered: dict[str, str] = {}
    for build in BUILDERS:
        model = build().build()
        rendered[f"{model.uid}.json"] = encoder.encode(model) + "\n"
    return rendered


def stale(rendered: dict[str, str], out: Path = OUT) -> list[str]:
    """Names of the files in ``out`` that differ from ``rendered``, are missing, or are left over."""
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in out.glob("*.json")}
    names = sorted(set(on_disk) | set(rendered))
    return [name for name in names if on_disk.get(name) != rendered.get(name)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    args = parser.parse_args(argv)
    rendered = render()
    changed = stale(rendered)
    if args.check:
        for name in changed:
            print(f"stale: {OUT / name}", file=sys.stderr)
        return 1 if changed else 0
    OUT.mkdir(exist_ok=True)
    for name in changed:
        path = OUT / name
        if name in rendered:
            path.write_text(rendered[name], encoding="utf-8")
            print(f"wrote {path}")
        else:
            path.unlink()
            print(f"removed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
