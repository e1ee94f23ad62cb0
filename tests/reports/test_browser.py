"""The HTML reports in a real browser: headless Chromium, offline, no console error; root causes lead,
the filters filter, a failure opens to its curl line; the load report draws its charts.

Playwright drives the system's Chromium (Debian's `chromium`, or STRONGLY_CHROMIUM); it never downloads
a browser. Where none is installed the tests skip, saying so (and fail under STRONGLY_REQUIRE_TOOLS,
which .ci/run sets). With STRONGLY_SCREENSHOTS=DIR they also save the pages they checked as
conformance.png and load.png, and with STRONGLY_SCREENSHOT_REPORTS=DIR they check that run's reports
instead of the fixture's: the README's screenshots are made so, from a full run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.reports import load_html
from harness.results.load import LoadRun, LoadSummary, RouteStats, SeriesPoint, SloResult
from tests.tools import require

pytestmark = pytest.mark.slow  # a browser starts: a second or two
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]  # fmt: skip
SHOTS = os.environ.get("STRONGLY_SCREENSHOTS")
CHOSEN = os.environ.get("STRONGLY_SCREENSHOT_REPORTS")


@dataclass
class Visit:
    """One page opened offline, with everything it tried to fetch and every error it logged."""

    page: Any
    fetched: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def visible(self, selector: str) -> list[Any]:
        return [element for element in self.page.query_selector_all(selector) if element.is_visible()]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from the system, or skip (fail under STRONGLY_REQUIRE_TOOLS) saying what to install."""
    executable = require("chromium")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield launched
        launched.close()


def visit(browser: Any, path: Path, size: tuple[int, int]) -> Iterator[Visit]:
    """Open a report from disk with the network off; record every request beyond the file and every error."""
    context = browser.new_context(offline=True, viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    seen = Visit(page)
    page.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("request", lambda request: request.url == path.as_uri() or seen.fetched.append(request.url))
    page.goto(path.as_uri())
    yield seen
    context.close()


@pytest.fixture(scope="module")
def conformance(browser: Any, failed_run: Path) -> Iterator[Visit]:
    reports = Path(CHOSEN) if CHOSEN else failed_run
    yield from visit(browser, reports / "conformance.html", (1400, 1700))


@pytest.fixture(scope="module")
def document(failed_run: Path) -> dict[str, Any]:
    return json.loads(((Path(CHOSEN) if CHOSEN else failed_run) / "conformance.json").read_text(encoding="utf-8"))


def shown(visit: Visit) -> list[dict[str, str]]:
    """The requirement entries the filters leave visible, with their status, level and resource."""
    return [{name: element.get_attribute(f"data-{name}") for name in ("status", "level", "resource")}
            for element in visit.visible("details.req")]  # fmt: skip


def reset(visit: Visit) -> None:
    for box in visit.page.query_selector_all("[data-filter-status]"):
        box.check()
    visit.page.select_option("#level", "")
    visit.page.select_option("#resource", "")
    visit.page.fill("#text", "")


def test_the_page_opens_offline_without_a_console_error(conformance: Visit) -> None:
    """Nothing fetched beyond the file itself; no error logged; every requirement there to filter."""
    assert conformance.fetched == []
    assert conformance.errors == []
    assert len(shown(conformance)) == len(conformance.page.query_selector_all("details.req")) > 0


def test_the_root_causes_lead(conformance: Visit, document: dict[str, Any]) -> None:
    """Root causes come first, on the first screen, above the filters and the requirements."""
    if SHOTS:
        conformance.page.screenshot(path=str(Path(SHOTS) / "conformance.png"))
    causes = conformance.page.query_selector("#root-causes")
    filters = conformance.page.query_selector(".filters")

    assert causes is not None, "no root causes on a run that failed"
    assert causes.bounding_box()["y"] < filters.bounding_box()["y"]
    assert causes.bounding_box()["y"] < conformance.page.viewport_size["height"] / 2
    musts = {row["id"] for row in document["requirements"] if row["level"] == "MUST"}
    findings = [cause for cause in document["rootCauses"] if set(cause["fails"]) & musts]
    assert len(conformance.visible(".cause")) == len(findings)  # recommendations come after, folded


def test_recommendations_come_folded_after_the_root_causes(conformance: Visit, document: dict[str, Any]) -> None:
    """Root causes that fail only recommendations are in one folded section after the MUST ones; it opens."""
    musts = {row["id"] for row in document["requirements"] if row["level"] == "MUST"}
    advice = [cause for cause in document["rootCauses"] if not set(cause["fails"]) & musts]
    assert advice, "the fixture's run has a recommendation not followed"
    folded = conformance.page.query_selector("details.advice")
    before = len(conformance.visible(".cause"))

    folded.query_selector("summary").click()

    assert len(conformance.visible(".cause")) == before + len(advice)
    assert folded.bounding_box()["y"] > conformance.page.query_selector("#root-causes").bounding_box()["y"]


def test_the_status_filter_leaves_only_that_status(conformance: Visit, document: dict[str, Any]) -> None:
    """Unticking every status but fail leaves exactly the failing requirements."""
    for box in conformance.page.query_selector_all("[data-filter-status]"):
        if box.get_attribute("data-filter-status") != "fail":
            box.uncheck()
    try:
        rows = shown(conformance)
    finally:
        reset(conformance)

    assert {row["status"] for row in rows} == {"fail"}
    assert len(rows) == sum(r["status"] == "fail" for r in document["requirements"])


@pytest.mark.parametrize(
    ("control", "key", "value"), [("#level", "level", "SHOULD"), ("#resource", "resource", "volumes")]
)
def test_the_level_and_resource_filters_leave_only_their_kind(conformance: Visit, document: dict[str, Any],
                                                              control: str, key: str, value: str) -> None:  # fmt: skip
    """Choosing a level or a resource leaves exactly the requirements of that level or resource."""
    conformance.page.select_option(control, value)
    try:
        rows = shown(conformance)
    finally:
        reset(conformance)

    assert {row[key] for row in rows} == {value}
    assert len(rows) == sum(r[key] == value for r in document["requirements"])


def test_the_search_finds_one_requirement_by_its_id(conformance: Visit, document: dict[str, Any]) -> None:
    """Typing an id leaves that requirement (and those whose text names it)."""
    failing = next(r["id"] for r in document["requirements"] if r["status"] == "fail")
    conformance.page.fill("#text", failing)
    try:
        ids = [element.get_attribute("id") for element in conformance.visible("details.req")]
    finally:
        reset(conformance)

    assert failing in ids
    assert len(ids) < len(document["requirements"])


def test_a_failure_opens_to_its_curl_line(conformance: Visit, document: dict[str, Any]) -> None:
    """A failing requirement is open with its curl line; closed by a click, it hides it; a click shows it again."""
    failing = next(r["id"] for r in document["requirements"] if r["status"] == "fail")
    entry = conformance.page.query_selector(f"details.req[id='{failing}']")
    curl = entry.query_selector("pre.curl")
    summary = entry.query_selector("summary")

    assert curl.is_visible()
    assert curl.inner_text().startswith("curl ")
    summary.click()
    assert not curl.is_visible()
    summary.click()
    assert curl.is_visible()


def summary() -> LoadSummary:
    """A minute of an open-model run, one route breaking its p99."""
    route = "GET /api/v1/workspaces/{id}/status"
    run = LoadRun("r1", "open", "open", "http://127.0.0.1:8000", started_at="2026-12-07T10:00:00+00:00",
                  finished_at="2026-12-07T10:01:00+00:00", profile_settings={"rate": 50})  # fmt: skip
    series = [SeriesPoint(second, {"total": RouteStats(50, 50.0, 2.0, 9.0 + second % 7, 30.0 + second % 10 * 15),
                                   route: RouteStats(50, 50.0)}) for second in range(60)]  # fmt: skip
    slo = [SloResult(route, "p99_ms", 150.0, 180.0, False, "BROKEN: p99 180 ms (at most 150 ms)")]
    return LoadSummary(run, "broken", {route: RouteStats(3000, 50.0, 2.1, 9.8, 180.0, 420.0)}, slo=slo, series=series,
                       seconds=60.0)  # fmt: skip


@pytest.fixture(scope="module")
def load(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Visit]:
    chosen = Path(CHOSEN) / "load" / "load.html" if CHOSEN else None
    path = chosen if chosen and chosen.is_file() else tmp_path_factory.mktemp("load") / "load.html"
    if path != chosen:
        path.write_text(load_html.render(summary()), encoding="utf-8")
    yield from visit(browser, path, (1300, 1600))


def test_the_load_report_draws_its_charts_offline(load: Visit) -> None:
    """Both charts drawn with a size, the SLO table filled, nothing fetched, no console error."""
    if SHOTS:
        load.page.screenshot(path=str(Path(SHOTS) / "load.png"))
    charts = load.visible("svg")

    assert (load.fetched, load.errors) == ([], [])
    assert len(charts) >= 2
    assert all(chart.bounding_box()["width"] > 300 and chart.bounding_box()["height"] > 100 for chart in charts[:2])
    assert load.visible("table tr")
