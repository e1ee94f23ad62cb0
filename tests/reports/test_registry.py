"""The report registry: a result is stored and every registered format rendered, again on demand, and bundled."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import reports
from harness.redact import Redactor
from harness.reports import Format
from harness.results.load import LoadSummary
from tests.reports.test_load_report import SUMMARY


def write_lines(summary: LoadSummary, path: Path) -> None:
    """A format of our own: one line per route."""
    path.write_text("".join(f"{route} {stats.requests}\n" for route, stats in summary.routes.items()))


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Format:
    """One more format for load summaries, registered the way ARCHITECTURE.md says."""
    extra = Format("load/routes.txt", LoadSummary, write_lines)
    monkeypatch.setattr(reports, "FORMATS", (*reports.FORMATS, extra))
    return extra


def test_a_result_is_stored_and_every_format_rendered(tmp_path: Path, registered: Format) -> None:
    """write() stores load/summary.json and renders load.html and the new format beside it."""
    written = reports.write(LoadSummary.from_document(SUMMARY), tmp_path, Redactor([]))

    assert written == [tmp_path / "load" / "summary.json", tmp_path / "load" / "load.html", tmp_path / registered.path]
    assert (tmp_path / registered.path).read_text() == "GET /x 30\ntime-to-ready 4\n"
    assert reports.read(LoadSummary, tmp_path) == LoadSummary.from_document(SUMMARY)


def test_report_renders_every_format_again_and_the_bundle_packs_it(tmp_path: Path, registered: Format) -> None:
    """From the stored result alone, render_again() writes the new format; the bundle lists it."""
    reports.write(LoadSummary.from_document(SUMMARY), tmp_path, Redactor([]))
    (tmp_path / registered.path).unlink()

    again = reports.render_again(tmp_path, Redactor([]))

    assert tmp_path / registered.path in again
    assert registered.path in reports.bundled_files(LoadSummary)


def test_a_folder_without_results_reads_as_none(tmp_path: Path) -> None:
    """No stored result: read() is None and nothing is rendered."""
    assert reports.read(LoadSummary, tmp_path) is None
    assert reports.render_again(tmp_path, Redactor([])) == []


def test_rendering_again_leaves_the_runs_own_files_alone() -> None:
    """Allure's results belong to the run that wrote them: they are annotated once, never again, never bundled."""
    allure = next(item for item in reports.FORMATS if item.path == reports.ALLURE_RESULTS)

    assert (allure.again, allure.bundled) == (False, False)
