"""Known failures: the file is read strictly, matched by requirement and root cause, and the verdict follows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junitparser import JUnitXml

from harness.errors import UsageError
from harness.redact import Redactor
from harness.reports.bundle import make_bundle, manifest
from harness.requirements import Requirement
from harness.results import CheckResult, Failure, RunResult
from harness.results.expectations import Expectations, KnownFailure, judge, load, starting_file
from tests.conftest import Run

MUST = Requirement("R-MUST-001", "MUST", "general", "schema", "must", "basis")
OTHER = Requirement("R-MUST-002", "MUST", "general", "schema", "other must", "basis")
SHOULD = Requirement("R-SHOULD-001", "SHOULD", "general", "schema", "should", "basis")
CATALOGUE = (MUST, OTHER, SHOULD)
IDS = {requirement.id for requirement in CATALOGUE}
BROKEN = Failure(MUST.id, "GET /x answered 500")


def run(*checks: CheckResult, known: tuple[KnownFailure, ...] | None = None, strict: bool = False) -> RunResult:
    expectations = None if known is None else Expectations("known.yaml", known, strict)
    return RunResult("r1", "full", "http://t", "1.0.0", "0.1.0", 7, "now", checks=list(checks),
                     expectations=expectations)  # fmt: skip


def check(status: str, requirements: list[str], *failures: Failure, **fields: object) -> CheckResult:
    return CheckResult(f"test_{'_'.join(requirements)}", requirements, status, failures=list(failures), **fields)  # type: ignore[arg-type]


def passing() -> list[CheckResult]:
    return [check("pass", [OTHER.id]), check("pass", [SHOULD.id])]


def test_a_run_whose_failures_are_all_known_is_no_regression_and_never_conformant() -> None:
    """Exit 0 with "NOT CONFORMANT, no regression (1 known)"; the same run without the file exits 1."""
    failing = [check("fail", [MUST.id], BROKEN), *passing()]

    verdict = run(*failing, known=(KnownFailure(MUST.id, "a 500 on GET /x"),)).verdict(CATALOGUE)

    assert (verdict.label, verdict.exit_code, verdict.known) == ("no regression", 0, 1)
    assert verdict.headline.startswith("NOT CONFORMANT, no regression (1 known)")
    assert run(*failing).verdict(CATALOGUE).exit_code == 1


def test_a_new_failure_fails_the_run_and_is_the_only_one_named() -> None:
    """A failure the file does not list: exit 1, its requirement named, the known one not."""
    result = run(check("fail", [MUST.id], BROKEN), check("fail", [OTHER.id], Failure(OTHER.id, "no body")),
                 check("pass", [SHOULD.id]), known=(KnownFailure(MUST.id, "known"),))  # fmt: skip

    verdict = result.verdict(CATALOGUE)

    assert verdict.exit_code == 1
    assert verdict.headline == f"NOT CONFORMANT: 1 new MUST failure(s) beyond 1 known: {OTHER.id}"
    assert [item.requirement for item in verdict.judgement.new] == [OTHER.id]  # type: ignore[union-attr]


def test_a_known_failure_that_passes_is_fixed_and_fails_only_strict_expectations() -> None:
    """A listed requirement that now holds is reported fixed; --strict-expectations then exits 1."""
    known = (KnownFailure(MUST.id, "known"),)
    lenient = run(check("pass", [MUST.id]), *passing(), known=known).verdict(CATALOGUE)
    strict = run(check("pass", [MUST.id]), *passing(), known=known, strict=True).verdict(CATALOGUE)

    assert (lenient.label, lenient.exit_code) == ("conformant", 0)
    assert "1 known failure(s) fixed: remove R-MUST-001 from known.yaml" in lenient.headline
    assert (strict.label, strict.exit_code) == ("conformant", 1)
    assert strict.headline.endswith("(--strict-expectations fails the run)")


def test_a_root_cause_entry_expects_only_that_finding() -> None:
    """Listed by root cause: that finding is expected; another finding of the same requirement is new."""
    other = Failure(MUST.id, "GET /x answered 200 without a body")
    known = (KnownFailure(MUST.id, "known", root_cause=BROKEN.root_cause),)

    same = judge(Expectations("f", known), run(check("fail", [MUST.id], BROKEN)), CATALOGUE)
    changed = judge(Expectations("f", known), run(check("fail", [MUST.id], other)), CATALOGUE)

    assert (same.expected, same.new) == (known, ())
    assert [item.root_causes for item in changed.new] == [(other.root_cause,)]
    assert changed.fixed == known  # the listed finding is gone even though the requirement still fails


def test_what_a_known_failure_blocks_is_known_too() -> None:
    """A MUST blocked by a known root cause does not make the run incomplete; one blocked by another does."""
    blocked = check("blocked", [OTHER.id], blocked_by=BROKEN.root_cause)
    result = run(check("fail", [MUST.id], BROKEN), blocked, check("pass", [SHOULD.id]),
                 known=(KnownFailure(MUST.id, "known"),))  # fmt: skip
    stranger = Failure(SHOULD.id, "POST /y answered 201 without an id")
    elsewhere = run(check("fail", [MUST.id], BROKEN), check("fail", [SHOULD.id], stranger),
                    check("blocked", [OTHER.id], blocked_by=stranger.root_cause),
                    known=(KnownFailure(MUST.id, "known"),))  # fmt: skip

    assert result.verdict(CATALOGUE).label == "no regression"
    assert elsewhere.verdict(CATALOGUE).label == "incomplete"
    assert elsewhere.verdict(CATALOGUE).headline.startswith("INCOMPLETE, no regression (1 known): R-MUST-002 blocked")


def test_a_listed_requirement_that_did_not_run_is_unchecked_not_fixed() -> None:
    """Skipped, blocked or not run: neither expected nor fixed, so --strict-expectations does not fail."""
    known = (KnownFailure(MUST.id, "known"),)

    verdict = run(check("skip", [MUST.id], reason="no key"), *passing(), known=known, strict=True).verdict(CATALOGUE)

    assert verdict.judgement.unchecked == known  # type: ignore[union-attr]
    assert verdict.label == "incomplete"


def test_a_starting_file_lists_every_failure_and_reads_back_as_all_expected(tmp_path: Path) -> None:
    """`expectations write`: one entry per failing requirement (SHOULDs too); judged again, nothing is new."""
    result = run(check("fail", [MUST.id, SHOULD.id], BROKEN, Failure(SHOULD.id, "no Allow header")),
                 check("pass", [OTHER.id]))  # fmt: skip
    path = tmp_path / "known.yaml"
    path.write_text(starting_file(result, CATALOGUE), encoding="utf-8")

    expectations = load(path, IDS)
    judged = judge(expectations, result, CATALOGUE)

    assert [entry.requirement for entry in expectations.known] == [MUST.id, SHOULD.id]
    assert all(entry.reason.startswith("seen in run r1: ") for entry in expectations.known)
    assert (judged.new, judged.expected) == ((), expectations.known)


def test_a_starting_file_by_root_cause_names_each_finding(tmp_path: Path) -> None:
    """--by-root-cause: one entry per root cause, each with that cause's id."""
    second = Failure(MUST.id, "GET /z answered 503")
    result = run(check("fail", [MUST.id], BROKEN, second), check("pass", [OTHER.id]))
    path = tmp_path / "known.yaml"
    path.write_text(starting_file(result, CATALOGUE, by_root_cause=True), encoding="utf-8")

    known = load(path, IDS).known

    assert {entry.root_cause for entry in known} == {BROKEN.root_cause, second.root_cause}


def test_the_judgement_survives_conformance_json(tmp_path: Path) -> None:
    """Read back from conformance.json, a run gives the same verdict (`report` and the bundle rely on it)."""
    result = run(check("fail", [MUST.id], BROKEN), *passing(), known=(KnownFailure(MUST.id, "r", "https://x/1"),))
    path = tmp_path / "conformance.json"
    result.write(path, CATALOGUE)

    again = RunResult.read(path)

    assert again.expectations == result.expectations
    assert again.verdict(CATALOGUE) == result.verdict(CATALOGUE)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("known-failures: [", "is not valid YAML (line 1)"),
        ("- requirement: R-MUST-001", "expected a mapping with `known-failures:`"),
        ("known-failures: []\nextra: 1", "unknown key(s) extra"),
        ("version: 2\nknown-failures: []", "version 2 is not one this harness reads"),
        ("known-failures: {}", "known-failures must be a list"),
        ("known-failures:\n- R-MUST-001", "entry 1: must be a mapping"),
        ("known-failures:\n- requirement: R-NOPE-001\n  reason: x", "unknown requirement R-NOPE-001"),
        ("known-failures:\n- requirement: R-MUST-001", "entry 1 (R-MUST-001): reason is missing"),
        ("known-failures:\n- requirement: R-MUST-001\n  reason: x\n  root_cause: rc-1", "unknown key(s) root_cause"),
        ("known-failures:\n- requirement: R-MUST-001\n  reason: 3", "reason must be text"),
        ("known-failures:\n- {requirement: R-MUST-001, reason: x}\n- {requirement: R-MUST-001, reason: y}",
         "listed twice: R-MUST-001"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_one_line_naming_it(tmp_path: Path, text: str, complaint: str) -> None:
    """Every mistake in the file is a usage error (exit 2) that names the file and what is wrong."""
    path = tmp_path / "known.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(UsageError) as raised:
        load(path, IDS)

    assert complaint in str(raised.value)
    assert str(path) in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    """No such file: one line, exit 2."""
    with pytest.raises(UsageError, match="cannot read expectations file"):
        load(tmp_path / "absent.yaml", IDS)


@pytest.mark.slow
def test_a_vendors_known_failures_gate_only_on_new_ones(adoption: dict[str, Run]) -> None:
    """A fault's failures written as expectations: the same run exits 0 and says no regression; a second
    fault exits 1 naming only its failure; the first fault removed is reported fixed (exit 1, strict)."""
    first, again, added, removed = (adoption[name] for name in ("first", "again", "added", "removed"))

    assert first.exit_code == 1, first.output[-2000:]
    assert "- requirement: WS-LIFE-008" in adoption["written"].output
    assert again.exit_code == 0, again.output[-2000:]
    assert "NOT CONFORMANT, no regression (1 known)" in again.output
    assert added.exit_code == 1, added.output[-2000:]
    assert "1 new MUST failure(s) beyond 1 known: GEN-LIST-003" in added.output
    assert [line.split()[1] for line in added.output.splitlines() if line.startswith("new ")] == ["GEN-LIST-003"]
    assert removed.exit_code == 1, removed.output[-2000:]
    assert "fixed     WS-LIFE-008: remove it from the file" in removed.output
    assert "(--strict-expectations fails the run)" in removed.output


@pytest.mark.slow
def test_every_report_carries_the_no_regression_verdict(adoption: dict[str, Run]) -> None:
    """conformance.json, the HTML, JUnit, the badge and PRODUCT.yaml say "no regression", never conformant."""
    reports = adoption["again"].reports
    document = json.loads((reports / "conformance.json").read_text(encoding="utf-8"))
    junit = JUnitXml.fromfile(str(reports / "junit.xml"))
    make_bundle(reports, vendor="ACME", product="P", version="1", website=None, output=None, redactor=Redactor([]))

    assert (document["verdict"], document["expectations"]["known"]) == ("no regression", 1)
    assert "NOT CONFORMANT, no regression (1 known)" in (reports / "conformance.html").read_text(encoding="utf-8")
    assert "id='expectations'" in (reports / "conformance.html").read_text(encoding="utf-8")
    assert junit.failures == 0  # a known failure is skipped, as pytest reports an xfail
    assert "known failure: seen in run" in (reports / "junit.xml").read_text(encoding="utf-8")
    assert "not conformant, no regression (1 known)" in (reports / "badge.svg").read_text(encoding="utf-8")
    assert manifest(document, "ACME", "P", "1", None)["conformance"]["known_failures"] == 1
