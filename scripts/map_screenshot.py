"""Screenshot of the live map after the demo's replay, for the README: ``docs/map.png``.

Run from the repository root, with chromium installed (``apt-get install chromium``)::

    .venv/bin/python scripts/map_screenshot.py --out docs/map.png

It runs what ``make demo`` runs (embedded broker, worker, the 20 Aug 2021 Baghlan sample), then, before
anything stops, opens /map in headless Chromium, opens Puli Hisar's history and zooms to the north-east,
where the sample's districts are. Playwright drives the system's chromium: its own browser download is
not needed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from districtwatch.cli.commands import read_alerts, replay_file
from districtwatch.cli.demo import run_demo
from districtwatch.samples import sample_file
from districtwatch.settings import derive, get_settings
from districtwatch.testing.worker import WorkerProcess


def shoot(worker: WorkerProcess, out: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        page.goto(f"http://127.0.0.1:{worker.web_port}/map")
        page.wait_for_selector("body[data-ready='true']", timeout=30_000)
        page.locator('path[data-key="Baghlan/Puli Hisar"]').dispatch_event("click")
        page.wait_for_selector('#history[data-key="Baghlan/Puli Hisar"]')
        page.evaluate("() => window.districtwatchMap.map.setView([35.45, 69.1], 8.25, {animate: false})")
        page.wait_for_timeout(800)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=Path("docs/map.png"))
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    settings = get_settings()

    def replay(bootstrap: str, path: Path) -> int:
        return replay_file(derive(settings, bootstrap_servers=bootstrap), path, progress=False)

    def then(worker: WorkerProcess, found: list[Any]) -> None:
        shoot(worker, args.out, chromium)
        print(f"{len(found)} alerts; map screenshot in {args.out}", file=sys.stderr)

    run_demo(
        posts_file=sample_file("baghlan-2021-08-20.jsonl"),
        accounts_file=sample_file("accounts.yaml"),
        baseline_file=sample_file("baseline-2021-08-16.json"),
        replay=replay,
        read_alerts=lambda bootstrap: read_alerts(bootstrap, settings.topic("alerts")),
        say=lambda message: print(message, file=sys.stderr),
        then=then,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
