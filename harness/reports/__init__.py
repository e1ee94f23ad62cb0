"""Reports consume results; they never run checks. This module is their one registry.

Each suite's run ends in a typed result: the contract suite's ``RunResult`` (``conformance.json``,
schema harness/schemas/conformance.schema.json) and the load suite's ``LoadSummary``
(``load/summary.json``, schema harness/schemas/load-summary.schema.json). ``write`` stores a result
and renders every format registered for its type; ``render_again`` renders them once more from the
stored results (``strongly-harness report``); ``read`` gives a stored result back. Every file name
of a reports folder is written here and nowhere else.

Adding a format: a module with a function ``(result, path) -> None`` and one ``Format`` in ``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from harness.redact import Redactor
from harness.results import RunResult
from harness.results.load import LoadSummary

Result = TypeVar("Result", RunResult, LoadSummary)

# The stored results, one per suite, relative to the reports folder.
RESULT_FILES: dict[type[Any], str] = {RunResult: "conformance.json", LoadSummary: "load/summary.json"}
LOAD_FOLDER = "load"  # the load run's own files: its summary, Locust's reports, the recordings
ALLURE_RESULTS = "allure-results"  # written by allure-pytest in the suite's process, annotated after
ALLURE_REPORT = "allure-report"  # rendered from allure-results by `strongly-harness report` when Allure is installed
SERVER_LOG = "reference-server.log"  # the embedded reference server's output
SUITE_LOG = "contract-suite.log"  # the contract suite's own output (pytest's), every phase
BADGE = "badge.svg"
RECORDINGS = "recordings"  # in the load folder: one folder per Locust run, one file per Locust process
# the kill matrix and the mutation runs (harness/selftest.py): (JSON, Markdown)
SELFTEST = ("selftest.json", "selftest.md")
MUTATIONS = ("mutations.json", "mutations.md")
MUTATION_MATRIX = ("mutation-matrix.json", "mutation-matrix.md")


@dataclass(frozen=True)
class Format:
    """One report rendered from a result."""

    path: str  # relative to the reports folder
    kind: type[Any]  # the result it renders: RunResult or LoadSummary
    render: Callable[[Any, Path], None]
    again: bool = True  # rendered again by `strongly-harness report` (False: it amends files of the run itself)
    bundled: bool = True  # packed into the vendor bundle (a file, not a folder of the run's own)


def _conformance_html(result: RunResult, path: Path) -> None:
    from harness.reports import html
    from harness.requirements import load_catalogue

    path.write_text(html.render(result.to_document(load_catalogue())), encoding="utf-8")


def _junit(result: RunResult, path: Path) -> None:
    from harness.reports import junit
    from harness.requirements import load_catalogue

    junit.write(result, load_catalogue(), path)


def _allure(result: RunResult, path: Path) -> None:
    from harness.reports import allure

    allure.annotate(result, path)


def _load_html(summary: LoadSummary, path: Path) -> None:
    from harness.reports import load_html

    path.write_text(load_html.render(summary), encoding="utf-8")


FORMATS = (
    Format("conformance.html", RunResult, _conformance_html),
    Format("junit.xml", RunResult, _junit),
    Format(ALLURE_RESULTS, RunResult, _allure, again=False, bundled=False),
    Format("load/load.html", LoadSummary, _load_html),
)


def result_file(kind: type[Any], directory: Path) -> Path:
    """Where the result of that kind is stored in a reports folder."""
    return directory / RESULT_FILES[kind]


def bundled_files(kind: type[Any]) -> tuple[str, ...]:
    """The stored result of that kind and its rendered files, as a bundle packs them."""
    return (RESULT_FILES[kind], *(item.path for item in FORMATS if item.kind is kind and item.bundled))


def write(result: RunResult | LoadSummary, directory: Path, redactor: Redactor) -> list[Path]:
    """Store the result, render every format registered for it, then make sure no key survives under ``directory``."""
    target = result_file(type(result), directory)
    if isinstance(result, RunResult):
        from harness.requirements import load_catalogue

        result.write(target, load_catalogue())
    else:
        result.write(target)
    written = [target, *_render(result, directory, again_only=False)]
    redactor.scrub_tree(directory)
    return written


def read(kind: type[Result], directory: Path) -> Result | None:
    """The stored result of that kind, or None when the folder holds none."""
    path = result_file(kind, directory)
    if not path.exists():
        return None
    return kind.read(path)


def render_again(directory: Path, redactor: Redactor) -> list[Path]:
    """Render every format again from the results stored in ``directory``; nothing runs."""
    written: list[Path] = []
    for kind in RESULT_FILES:
        result = read(kind, directory)
        if result is not None:
            written += _render(result, directory, again_only=True)
    redactor.scrub_tree(directory)
    return written


def _render(result: RunResult | LoadSummary, directory: Path, *, again_only: bool) -> list[Path]:
    written = []
    for item in FORMATS:
        if item.kind is type(result) and (item.again or not again_only):
            path = directory / item.path
            path.parent.mkdir(parents=True, exist_ok=True)
            item.render(result, path)
            written.append(path)
    return written


def load_folder(directory: Path) -> Path:
    return directory / LOAD_FOLDER


def recordings(directory: Path, step: str) -> Path:
    """Where the Locust processes of one step of a load run record (``locust``, or ``step-N`` of a capacity search)."""
    return load_folder(directory) / RECORDINGS / step


def locust_reports(directory: Path, step: str) -> Path:
    """The prefix of Locust's own reports of one step: ``<prefix>.html`` and ``<prefix>_stats.csv``, ..."""
    return load_folder(directory) / step


def selftest_files(directory: Path, names: tuple[str, str] = SELFTEST) -> tuple[Path, Path]:
    """The kill matrix's (or, with ``MUTATIONS``, the mutation runs') JSON and Markdown."""
    return directory / names[0], directory / names[1]


def allure_results(directory: Path) -> Path:
    return directory / ALLURE_RESULTS


def allure_report(directory: Path) -> Path:
    return directory / ALLURE_REPORT


def server_log(directory: Path) -> Path:
    return directory / SERVER_LOG


def suite_log(directory: Path) -> Path:
    return directory / SUITE_LOG
