"""The vendor bundle and its badge."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
import yaml

from harness.errors import UsageError
from harness.loadtest.baseline import find_summary
from harness.redact import Redactor
from harness.reports.bundle import badge, make_bundle
from harness.results.load import LoadRun, LoadSummary


def test_the_bundle_holds_reports_manifest_config_and_badge(failed_run: Path, tmp_path: Path) -> None:
    """One .tar.gz with the three reports, PRODUCT.yaml, the redacted config and badge.svg."""
    archive = make_bundle(failed_run, vendor="Acme Cloud", product="Workspaces", version="2.4", website=None,
                          output=tmp_path / "b.tar.gz", redactor=Redactor([]))  # fmt: skip

    with tarfile.open(archive) as opened:
        names = {Path(member.name).name for member in opened.getmembers()}
        product = yaml.safe_load(
            opened.extractfile(next(m for m in opened.getmembers() if m.name.endswith("PRODUCT.yaml"))).read()
        )  # type: ignore[union-attr]
        config = json.loads(
            opened.extractfile(next(m for m in opened.getmembers() if m.name.endswith("config.json"))).read()
        )  # type: ignore[union-attr]
    assert names == {"conformance.json", "conformance.html", "junit.xml", "PRODUCT.yaml", "config.json", "badge.svg"}
    assert (product["vendor"], product["product"], product["version"]) == ("Acme Cloud", "Workspaces", "2.4")
    assert product["conformance"]["verdict"] == "non-conformant"
    assert config["apiKey"] == "[REDACTED]"


def test_a_load_run_beside_the_reports_is_bundled_and_serves_as_a_baseline(failed_run: Path, tmp_path: Path) -> None:
    """reports/load/summary.json goes into the bundle, and load --baseline finds it there."""
    LoadSummary(LoadRun("l1", "smoke", "closed", "http://t"), "held", {}).write(failed_run / "load" / "summary.json")
    archive = make_bundle(failed_run, vendor="Acme", product="W", version="1", website=None,
                          output=tmp_path / "b.tar.gz", redactor=Redactor([]))  # fmt: skip

    found, source = find_summary(archive)
    assert found.run.id == "l1"
    assert source.endswith("/load/summary.json")


def test_the_badge_counts_requirements() -> None:
    """The badge says how many requirements passed, failed and were skipped, red when not conformant."""
    document = {"verdict": "non-conformant", "totals": {"pass": 70, "fail": 2, "error": 1, "skip": 3, "not run": 1}}

    svg = badge(document)

    assert "70 passed · 3 failed · 4 skipped" in svg
    assert "#cf222e" in svg


def test_the_badge_and_manifest_never_call_a_partial_run_conformant() -> None:
    """A partial or incomplete run says so on the badge, in another colour than a conformant one."""
    totals = {"pass": 1, "fail": 0, "error": 0, "blocked": 0, "skip": 0, "not run": 82}
    partial = badge({"verdict": "partial", "totals": totals})
    incomplete = badge({"verdict": "incomplete", "totals": {**totals, "blocked": 2}})

    assert "partial · 1 passed · 0 failed · 82 skipped" in partial
    assert "incomplete · 1 passed · 0 failed · 84 skipped" in incomplete
    assert "#2ea44f" not in partial + incomplete


def test_bundling_needs_a_finished_run(tmp_path: Path) -> None:
    """Without the run's reports, bundle refuses in one line."""
    with pytest.raises(UsageError, match="run `strongly-harness contract` first"):
        make_bundle(tmp_path, vendor="v", product="p", version="1", website=None, output=None, redactor=Redactor([]))
