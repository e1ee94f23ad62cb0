"""contract-compare: two runs side by side by requirement id, from folders, files or bundles."""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.reports.comparison import RunSide, compare, markdown, read_run
from tests.conftest import Run


def side(statuses: dict[str, str], *, contract: str = "1.0.1", strict: bool = False, **levels: str) -> RunSide:
    return RunSide("f", "r", contract, hashlib.sha256(contract.encode()).hexdigest(), "0.1.0", "full", strict, "t", "h",
                   {rid: levels.get(rid.replace("-", "_"), "MUST") for rid in statuses}, statuses)  # fmt: skip


def test_each_change_of_status_has_one_name() -> None:
    """New failure, fixed, still failing, blocked, unblocked, added and removed; the same status is unchanged."""
    old = side({"A-X-001": "pass", "A-X-002": "fail", "A-X-003": "fail", "A-X-004": "pass", "A-X-005": "blocked",
                "A-X-006": "pass", "A-X-007": "fail", "A-X-008": "skip"})  # fmt: skip
    new = side({"A-X-001": "fail", "A-X-002": "pass", "A-X-003": "error", "A-X-004": "blocked", "A-X-005": "pass",
                "A-X-006": "pass", "A-X-008": "skip", "A-X-009": "fail"})  # fmt: skip

    comparison = compare(old, new)

    assert [(c.kind, c.requirement) for c in comparison.changes] == [
        ("new failure", "A-X-001"), ("fixed", "A-X-002"), ("still failing", "A-X-003"), ("blocked", "A-X-004"),
        ("unblocked", "A-X-005"), ("added", "A-X-009"), ("removed", "A-X-007")]  # fmt: skip
    assert comparison.unchanged == 2
    assert comparison.exit_code == 1


def test_a_new_should_failure_regresses_only_under_strict() -> None:
    """At the default level a recommendation newly unmet is listed, but only a MUST makes it a regression."""
    old, new = side({"A-X-001": "pass"}, A_X_001="SHOULD"), side({"A-X-001": "fail"}, A_X_001="SHOULD")

    assert compare(old, new).of("new failure")
    assert compare(old, new).exit_code == 0
    assert compare(old, side({"A-X-001": "fail"}, strict=True, A_X_001="SHOULD")).exit_code == 1


def test_runs_of_other_contract_versions_are_compared_by_id_and_the_difference_said() -> None:
    """Another contract version (and hash) is a note; what only one run has is added or removed."""
    comparison = compare(side({"A-X-001": "pass"}, contract="1.0.1"), side({"A-X-002": "pass"}, contract="1.1.0"))

    assert comparison.notes[0].startswith("the contract differs: 1.0.1 → 1.1.0 (sha256 ")
    assert [c.kind for c in comparison.changes] == ["added", "removed"]
    assert comparison.exit_code == 0


def document(statuses: dict[str, str]) -> dict[str, Any]:
    rows = [{"id": rid, "level": "MUST", "status": status} for rid, status in statuses.items()]
    run = {"id": "r1", "specVersion": "1.0.1", "harnessVersion": "0.1.0", "profile": "full", "target": "t"}
    return {"run": run, "verdict": "conformant", "headline": "CONFORMANT", "requirements": rows}


def test_a_run_is_read_from_a_folder_its_file_or_a_bundle(tmp_path: Path) -> None:
    """The same document from reports/, reports/conformance.json, a .tar.gz bundle and a .zip."""
    folder = tmp_path / "reports"
    folder.mkdir()
    text = json.dumps(document({"A-X-001": "pass"}))
    (folder / "conformance.json").write_text(text)
    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as archive:
        archive.add(folder / "conformance.json", "acme-1/conformance.json")
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as archive:
        archive.writestr("acme-1/conformance.json", text)

    read = [read_run(path) for path in (folder, folder / "conformance.json", tmp_path / "bundle.tar.gz",
                                        tmp_path / "bundle.zip")]  # fmt: skip

    assert all(found == json.loads(text) for found, _ in read)
    assert read[2][1] == f"{tmp_path / 'bundle.tar.gz'}:acme-1/conformance.json"


@pytest.mark.parametrize(
    ("make", "complaint"),
    [
        (lambda p: p.mkdir(), "holds no conformance.json"),
        (lambda p: None, "does not exist"),
        (lambda p: p.write_text("{not json"), "is not a readable conformance.json"),
        (lambda p: p.write_text('{"run": {}}'), "is not a contract run's conformance.json"),
        (lambda p: p.write_text(json.dumps({**document({}), "run": {"id": "r1"}})), "'specVersion' is missing"),
    ],
)  # fmt: skip
def test_what_is_not_a_run_is_one_line_and_exit_2(tmp_path: Path, make: Any, complaint: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """A folder without conformance.json, a missing path, broken JSON, another document: exit 2, one line."""
    path = tmp_path / "run"
    make(path)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(document({"A-X-001": "pass"})))

    code = main(["contract-compare", str(good), str(path)])

    error = capsys.readouterr().err
    assert code == 2
    assert complaint in error
    assert error.count("\n") == 1


@pytest.mark.slow
def test_the_adoption_runs_compare_as_they_changed(adoption: dict[str, Run], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """First fault → both faults: GEN-LIST-003 new, WS-LIFE-008 still failing (exit 1); → no fault: both fixed."""
    first, added, removed = (adoption[name].reports for name in ("first", "added", "removed"))
    summary = tmp_path / "compare.md"

    worse = main(["contract-compare", str(first), str(added), "--markdown", str(summary)])
    printed = capsys.readouterr().out
    better = main(["contract-compare", str(added / "conformance.json"), str(removed)])
    fixed = capsys.readouterr().out

    assert worse == 1
    assert "| new failure | GEN-LIST-003 | MUST | pass | fail |" in summary.read_text()
    assert "| still failing | WS-LIFE-008 | MUST | fail | fail |" in summary.read_text()
    assert "(GEN-LIST-003 at the new run's level); 1 still failing" in printed  # a SHOULD may be new too, not counted
    assert "note" not in printed  # two embedded servers on two ports are the same target
    assert better == 0
    assert "NO REGRESSION: " in fixed
    assert re.search(r"fixed\s+│ GEN-LIST-003 ", fixed)
    assert re.search(r"fixed\s+│ WS-LIFE-008 ", fixed)


def test_the_markdown_names_both_runs_and_every_change() -> None:
    """A heading with the outcome, both headlines, the notes, one table row per change."""
    text = markdown(compare(side({"A-X-001": "pass"}), side({"A-X-001": "fail"}, contract="1.1.0")))

    assert text.startswith("### Contract runs compared: REGRESSED: 1 new failure (A-X-001 at the new run's level)")
    assert "- note: the contract differs: 1.0.1 → 1.1.0" in text
    assert "| new failure | A-X-001 | MUST | pass | fail |" in text
