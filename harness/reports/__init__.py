"""Reports consume results; they never run checks."""

from __future__ import annotations

from pathlib import Path

from harness.redact import Redactor
from harness.reports import junit
from harness.requirements import Requirement
from harness.results import RunResult


def write_contract_reports(
    result: RunResult, catalogue: tuple[Requirement, ...], directory: Path, redactor: Redactor
) -> list[Path]:
    """Write conformance.json and junit.xml, then make sure no key survives anywhere under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / "conformance.json", directory / "junit.xml"]
    result.write(written[0], catalogue)
    junit.write(result, catalogue, written[1])
    redactor.scrub_tree(directory)
    return written
