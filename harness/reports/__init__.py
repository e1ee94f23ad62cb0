"""Reports consume results; they never run checks."""

from __future__ import annotations

from pathlib import Path

import json

from harness.redact import Redactor
from harness.reports import allure, html, junit
from harness.requirements import Requirement
from harness.results import RunResult


def write_contract_reports(
    result: RunResult, catalogue: tuple[Requirement, ...], directory: Path, redactor: Redactor
) -> list[Path]:
    """Write conformance.json, .html and junit.xml, then make sure no key survives anywhere under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / "conformance.json", directory / "conformance.html", directory / "junit.xml"]
    result.write(written[0], catalogue)
    written[1].write_text(html.render(json.loads(written[0].read_text(encoding="utf-8"))), encoding="utf-8")
    junit.write(result, catalogue, written[2])
    allure.annotate(result, directory / "allure-results")
    redactor.scrub_tree(directory)
    return written
