"""The model phase's map coverage in the reports: the figure, and each MUST pair not reached with why."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from harness.reports import allure, html, junit
from harness.reports.terminal import print_summary
from harness.requirements import load_catalogue
from harness.results import CheckResult, ModelCoverage, RunResult, UnreachedPair

PAIR = UnreachedPair("deleteWorkspace@stopped -> other-organization", "AUTH-ISO-002", "no other organization's key")


def result(*unreached: UnreachedPair) -> RunResult:
    checks = [CheckResult("test_model.py::test_every_view", ["GEN-MODEL-001"], "pass")]
    coverage = ModelCoverage(pairs=337, exercised=337 - len(unreached), unreached=list(unreached))
    return RunResult("r1", "full", "http://t", "1.0.0", "0.1.0", 7, "now", checks=checks, selection=["GEN-MODEL-001"],
                     model_coverage=coverage)  # fmt: skip


def terminal(run: RunResult) -> str:
    console = Console(record=True, width=200)
    print_summary(run, load_catalogue(), Path("reports"), console)
    return console.export_text()


def test_the_terminal_gives_the_pairs_exercised_and_names_a_must_pair_not_reached() -> None:
    """'model map: N of M pairs exercised', then the view, requirement and why of what was not reached."""
    assert "model map: 337 of 337 (operation, view) pairs exercised" in terminal(result())
    text = terminal(result(PAIR))
    assert "model map: 336 of 337 (operation, view) pairs exercised" in text
    assert "deleteWorkspace@stopped -> other-organization (AUTH-ISO-002), not reached: no other" in text
    assert "INCOMPLETE" in text


def test_a_reason_that_left_out_many_views_is_one_line_not_a_screenful() -> None:
    """A model phase that stopped at its first finding leaves pairs of every view: one line says so, with counts;
    a reason that left out a view or two still names each."""
    stopped = [
        UnreachedPair(f"stopWorkspace@running -> view{n}", "WS-LIFE-004", "the phase stopped") for n in range(40)
    ]
    text = terminal(result(*stopped, PAIR))

    assert "40 MUST pairs of the model's map in 40 views (view0 (WS-LIFE-004), view1 (WS-LIFE-004) and 38 more), " \
           "not reached: the phase stopped" in text  # fmt: skip
    assert "-> view2" not in text
    assert "deleteWorkspace@stopped -> other-organization (AUTH-ISO-002), not reached: no other" in text


def test_the_html_report_gives_the_figure_and_lists_the_pairs_not_reached() -> None:
    """A card with exercised/total, and a table of the pairs not reached with requirement and why."""
    page = html.render(result(PAIR).to_document(load_catalogue()))

    assert "<b>336/337</b>model pairs exercised" in page
    assert "Model map: 336 of 337 (operation, view) pairs exercised" in page
    assert "deleteWorkspace@stopped -&gt; other-organization" in page
    assert "no other organization&#x27;s key" in page


def test_junit_and_allure_carry_the_figure(tmp_path: Path) -> None:
    """JUnit's properties and Allure's environment give the pairs exercised of the map's total."""
    run = result(PAIR)
    junit.write(run, load_catalogue(), tmp_path / "junit.xml")
    (tmp_path / "allure-results").mkdir()
    allure.annotate(run, tmp_path / "allure-results")

    assert '<property name="model-pairs" value="336/337" />' in (tmp_path / "junit.xml").read_text()
    environment = (tmp_path / "allure-results" / "environment.properties").read_text()
    assert "model.pairs=336 of 337 (operation, view) pairs exercised" in environment


def test_a_run_without_the_model_phase_shows_no_figure() -> None:
    """No modelCoverage (the phase did not run, or an older report): the reports say nothing of it."""
    run = result()
    run.model_coverage = None

    assert "model map" not in terminal(run)
    assert "model pairs" not in html.render(run.to_document(load_catalogue()))
