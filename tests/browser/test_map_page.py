"""The map page in a real browser: headless Chromium from the system, driven by Playwright.

Playwright's own browser download cannot run here, so the tests point it at the system's chromium
(Debian's package; .ci/run installs it) and skip, saying why, where it or Playwright is missing. One
worker replays the sample story once for the module; each test opens a fresh page on it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from districtwatch.kafka.embedded_broker import EmbeddedBroker
from districtwatch.samples import sample_file
from districtwatch.testing.worker import WorkerProcess, wait_until_drained
from tests.conftest import Pipeline, pipelines_on
from tests.integration.helpers import replay

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "map-test-token"
RESISTANCE = "#2a9d4b"
PULI_HISAR = 'path[data-key="Baghlan/Puli Hisar"]'


@dataclass
class MapServer:
    pipeline: Pipeline
    worker: WorkerProcess
    posts: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.worker.web_port}"


def published(settings: Any, path: Path) -> int:
    """Replay ``path`` from another thread: Playwright's sync API keeps an event loop running in this
    one, and the replay runs its own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(replay, settings, path).result()


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH (apt-get install chromium; .ci/run installs it)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extra)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: str, server: MapServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(
    chromium: str, broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MapServer]:
    pipeline = pipelines_on(broker.bootstrap_servers, tmp_path_factory.mktemp("map"))(api_token=TOKEN)
    with pipeline.worker("map") as worker:
        posts = replay(pipeline.settings, sample_file("baghlan-2021-08-20.jsonl"))
        assert wait_until_drained(worker, posts, timeout=90), worker.status()
        yield MapServer(pipeline, worker, posts)


@pytest.fixture
def page(browser: Any, server: MapServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    opened.requested = []  # every URL the page asked for, to check that none left the worker
    opened.on("request", lambda request: opened.requested.append((request.resource_type, request.url)))
    opened.errors = []
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    opened.goto(f"{server.url}/map")
    opened.wait_for_selector("body[data-ready]", timeout=30_000)
    assert opened.get_attribute("body", "data-ready") == "true", opened.text_content("#moment")
    yield opened
    context.close()


def attribute(page: Any, selector: str, name: str) -> str | None:
    value: str | None = page.locator(selector).get_attribute(name)
    return value


def test_polygons_drawn_baghlan_coloured_and_nothing_loaded_from_the_network(
    page: Any, server: MapServer, tmp_path: Path
) -> None:
    """Every district is drawn (398 polygons, points for the rest); after the sample Puli Hisar is
    solid in the resistance's colour, Dih Salah and Banu hatched as reported; a screenshot is saved;
    and every request of the page, scripts included, went to the worker that served it."""
    assert page.locator("path[data-key]").count() >= 398
    assert attribute(page, PULI_HISAR, "data-holder") == "resistance"
    assert attribute(page, PULI_HISAR, "data-status") == "confirmed"
    assert attribute(page, PULI_HISAR, "fill") == RESISTANCE
    for reported in ("Dih Salah", "Banu"):
        selector = f'path[data-key="Baghlan/{reported}"]'
        assert attribute(page, selector, "data-status") == "reported"
        assert (attribute(page, selector, "fill") or "").startswith("url(#reported-taliban-resistance")
    assert attribute(page, 'path[data-key="Kabul/Kabul"]', "data-status") == "baseline"
    assert page.locator("#latest-list li").count() == 4
    assert "confirmed" in page.locator("#legend").inner_text()
    page.screenshot(path=str(tmp_path / "map.png"))
    assert (tmp_path / "map.png").stat().st_size > 20_000
    scripts = [url for kind, url in page.requested if kind == "script"]
    assert f"{server.url}/map/static/vendor/leaflet/leaflet.js" in scripts
    assert f"{server.url}/map/static/map.js" in scripts
    elsewhere = [url for _, url in page.requested if not url.startswith(server.url + "/")]
    assert elsewhere == []
    assert page.errors == []


def test_a_click_opens_the_history_with_sources_and_the_token_shows_the_verdict_buttons(page: Any) -> None:
    """Clicking Puli Hisar opens its history: the report then the confirmation, each with its status,
    confidence, alert id and linked sources; with the API token, Confirm and Reject appear."""
    page.locator(PULI_HISAR).dispatch_event("click")
    page.wait_for_selector('#history[data-key="Baghlan/Puli Hisar"]')
    assert page.locator("#history-title").inner_text() == "Puli Hisar, Baghlan"
    items = page.locator("#history-list > li")
    assert items.count() == 2
    text = page.locator("#history-list").inner_text()
    assert "confirmed" in text
    assert "reported" in text
    assert "@AsvakaNews" in text
    assert "@PanjshirProvin1" in text
    assert len(items.first.get_attribute("data-alert-id") or "") == 20
    assert page.locator("#history-list a[href^='https://']").count() >= 1
    assert page.locator("#history [data-verdict]").count() == 0
    page.fill("#token", TOKEN)
    page.dispatch_event("#token", "change")
    page.wait_for_selector("#history [data-verdict='confirm']")
    assert page.locator("#history [data-verdict]").count() == 4


def test_the_slider_shows_the_map_before_the_story_and_back_live(page: Any) -> None:
    """At the slider's start Puli Hisar is the baseline's Taliban district; at its end, live again."""
    slider = page.locator("#slider")
    slider.evaluate("(s) => { s.value = '0'; s.dispatchEvent(new Event('input')); }")
    page.wait_for_selector(f'{PULI_HISAR}[data-status="baseline"]')
    assert attribute(page, PULI_HISAR, "data-holder") == "taliban"
    assert "Before the first alert" in page.locator("#moment").inner_text()
    slider.evaluate("(s) => { s.value = '1'; s.dispatchEvent(new Event('input')); }")
    page.wait_for_selector(f'{PULI_HISAR}[data-status="reported"]')
    page.click("#live")
    page.wait_for_selector(f'{PULI_HISAR}[data-status="confirmed"]')
    assert page.locator("#moment").inner_text().startswith("Live")


def test_a_new_alert_arrives_live_and_a_verdict_from_the_page_applies(
    page: Any, server: MapServer, tmp_path: Path
) -> None:
    """A post published while the page is open turns Nahrin hatched and tops the latest changes,
    without a reload; confirming it from the history panel makes it solid, analyst-confirmed."""
    page.wait_for_selector("#connection.up")
    post = {
        "id": "live-nahrin-1",
        "platform": "twitter",
        "account": "kabul_watch",
        "created_at": "2021-08-20T12:00:00Z",
        "text": "Resistance forces have retaken Nahrin district of Baghlan from the Taliban",
    }
    stream = tmp_path / "live.jsonl"
    stream.write_text(json.dumps(post) + "\n", encoding="utf-8")
    server.posts += published(server.pipeline.settings, stream)
    nahrin = 'path[data-key="Baghlan/Nahrin"]'
    page.wait_for_selector(f'{nahrin}[data-status="reported"]', timeout=30_000)
    first = page.locator("#latest-list li").first
    assert first.get_attribute("data-key") == "Baghlan/Nahrin"
    assert "fresh" in (first.get_attribute("class") or "")

    page.fill("#token", TOKEN)
    page.fill("#analyst-name", "map desk")
    first.click()
    page.wait_for_selector('#history[data-key="Baghlan/Nahrin"] [data-verdict="confirm"]')
    page.click('#history [data-verdict="confirm"]')
    page.wait_for_selector("#verdict-result:has-text('accepted')")
    page.wait_for_selector(f'{nahrin}[data-status="confirmed"]', timeout=30_000)
    assert attribute(page, nahrin, "data-holder") == "resistance"
    page.wait_for_selector("#history-list:has-text('map desk')", timeout=30_000)
    assert wait_until_drained(server.worker, server.posts, timeout=30)
    page.screenshot(path=str(tmp_path / "map-live.png"))
    assert page.errors == []
