"""Results: statuses only rise, requirements roll up, the verdict maps to the exit code."""

from __future__ import annotations

import json
from pathlib import Path

from harness.requirements import Requirement
from harness.results import CheckResult, Failure, RunResult, Status

MUST = Requirement("R-MUST-001", "MUST", "general", "schema", "must", "basis")
SHOULD = Requirement("R-SHOULD-001", "SHOULD", "general", "schema", "should", "basis")
CATALOGUE = (MUST, SHOULD)


def run(*checks: CheckResult, cleanup: list[str] | None = None) -> RunResult:
    return RunResult("r1", "full", "http://t", "1.0.0", "0.1.0", 7, "now", checks=list(checks),
                     cleanup_problems=cleanup or [])  # fmt: skip


def check(status: str, requirements: list[str], failures: list[Failure] | None = None) -> CheckResult:
    return CheckResult(f"test_{status}", requirements, status, failures=failures or [])


def test_statuses_only_rise() -> None:
    """not run < skip < pass < fail < error."""
    assert Status.NOT_RUN < Status.SKIP < Status.PASS < Status.FAIL < Status.ERROR


def test_a_requirement_takes_the_worst_status_of_its_checks() -> None:
    """One failing check fails the requirement however many others pass."""
    result = run(
        check("pass", [MUST.id]), check("fail", [MUST.id], [Failure(MUST.id, "bad")]), check("skip", [MUST.id])
    )

    assert result.requirement_status(MUST.id) == Status.FAIL
    assert result.requirement_status(SHOULD.id) == Status.NOT_RUN


def test_a_failure_counts_only_against_its_requirement() -> None:
    """A check covering two requirements that fails for one still passes the other."""
    result = run(check("fail", [MUST.id, SHOULD.id], [Failure(SHOULD.id, "bad")]))

    assert (result.requirement_status(MUST.id), result.requirement_status(SHOULD.id)) == (Status.PASS, Status.FAIL)


def test_a_failure_can_charge_a_requirement_the_check_does_not_name() -> None:
    """A schema violation seen by a lifecycle check fails the schema requirement too."""
    result = run(check("fail", [SHOULD.id], [Failure(MUST.id, "bad body"), Failure(SHOULD.id, "bad body")]))

    assert result.requirement_status(MUST.id) == Status.FAIL


def test_the_verdict_follows_must_should_and_errors() -> None:
    """Exit 1 when a MUST fails or cleanup left resources; 0 when only a SHOULD fails; 3 when the harness broke."""
    assert run(check("pass", [MUST.id, SHOULD.id])).verdict(CATALOGUE) == 0
    assert run(check("fail", [SHOULD.id], [Failure(SHOULD.id, "x")])).verdict(CATALOGUE) == 0
    assert run(check("fail", [MUST.id], [Failure(MUST.id, "x")])).verdict(CATALOGUE) == 1
    assert run(check("pass", [MUST.id]), cleanup=["leaked: project p"]).verdict(CATALOGUE) == 1
    assert run(check("error", [MUST.id], [Failure(MUST.id, "trace")])).verdict(CATALOGUE) == 3


def test_results_round_trip_through_json(tmp_path: Path) -> None:
    """conformance.json reads back into an equal result."""
    result = run(check("fail", [MUST.id], [Failure(MUST.id, "bad", "getWorkspace", [{"curl": "curl x"}])]))
    path = tmp_path / "conformance.json"

    result.write(path, CATALOGUE)

    assert RunResult.read(path) == result
    assert RunResult.read(path).checks[0].failures[0].curl == "curl x"


def test_the_contract_hash_is_recorded_and_older_reports_still_read(tmp_path: Path) -> None:
    """run.specSha256 round-trips; a conformance.json written before it existed reads as an empty hash."""
    result = run()
    result.spec_sha256 = "c" * 64
    path = tmp_path / "conformance.json"
    result.write(path, CATALOGUE)
    assert RunResult.read(path).spec_sha256 == "c" * 64

    document = json.loads(path.read_text(encoding="utf-8"))
    del document["run"]["specSha256"]
    path.write_text(json.dumps(document), encoding="utf-8")

    assert RunResult.read(path).spec_sha256 == ""
