"""Results: statuses only rise, requirements roll up, the verdict maps to the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from harness.findings import Rule, masked, schema_rule, status_rule
from harness.paths import PACKAGE
from harness.requirements import Requirement
from harness.results import CheckResult, Failure, ModelCoverage, RunResult, Status, UnreachedPair

MUST = Requirement("R-MUST-001", "MUST", "general", "schema", "must", "basis")
SHOULD = Requirement("R-SHOULD-001", "SHOULD", "general", "schema", "should", "basis")
CATALOGUE = (MUST, SHOULD)


def run(*checks: CheckResult, cleanup: list[str] | None = None, profile: str = "full",
        selection: list[str] | None = None) -> RunResult:  # fmt: skip
    return RunResult("r1", profile, "http://t", "1.0.0", "0.1.0", 7, "now", checks=list(checks),
                     cleanup_problems=cleanup or [], selection=selection or [])  # fmt: skip


def check(status: str, requirements: list[str], failures: list[Failure] | None = None, **fields: object) -> CheckResult:
    return CheckResult(f"test_{status}", requirements, status, failures=failures or [], **fields)  # type: ignore[arg-type]


def test_statuses_only_rise() -> None:
    """not run < skip < pass < blocked < fail < error."""
    assert Status.NOT_RUN < Status.SKIP < Status.PASS < Status.BLOCKED < Status.FAIL < Status.ERROR


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
    assert run(check("pass", [MUST.id, SHOULD.id])).verdict(CATALOGUE).exit_code == 0
    only_should = run(check("fail", [SHOULD.id], [Failure(SHOULD.id, "x")]), check("pass", [MUST.id]))
    assert only_should.verdict(CATALOGUE).exit_code == 0
    assert run(check("fail", [MUST.id], [Failure(MUST.id, "x")])).verdict(CATALOGUE).exit_code == 1
    assert run(check("pass", [MUST.id]), cleanup=["leaked: project p"]).verdict(CATALOGUE).exit_code == 1
    assert run(check("error", [MUST.id], [Failure(MUST.id, "trace")])).verdict(CATALOGUE).exit_code == 3


def test_only_a_complete_run_is_called_conformant() -> None:
    """A full run of every MUST is conformant; a chosen subset is partial; a skipped or blocked MUST is incomplete."""
    complete = run(check("pass", [MUST.id, SHOULD.id]))
    subset = run(check("pass", [SHOULD.id]), selection=[SHOULD.id])
    smoke = run(check("pass", [MUST.id]), profile="smoke")
    skipped = run(check("skip", [MUST.id], reason="STRONGLY_RESTART_COMMAND is not set"), check("pass", [SHOULD.id]))
    never_ran = run(check("pass", [SHOULD.id]))

    assert [r.verdict(CATALOGUE).label for r in (complete, subset, smoke, skipped, never_ran)] == [
        "conformant", "partial", "partial", "incomplete", "incomplete"]  # fmt: skip
    assert subset.verdict(CATALOGUE).headline == "PASSED 1 of 2 requirements (partial: --requirement R-SHOULD-001)"
    assert skipped.verdict(CATALOGUE).headline == (
        "INCOMPLETE: R-MUST-001 not checked (STRONGLY_RESTART_COMMAND is not set)"
    )
    assert skipped.verdict(CATALOGUE).exit_code == 4
    assert subset.verdict(CATALOGUE).exit_code == 0


def test_a_blocked_check_leaves_its_requirement_unverified_and_names_one_root_cause() -> None:
    """Two checks stopped by the same finding: one root cause, charged once; their requirement is blocked."""
    cause = Failure(SHOULD.id, "POST /api/v1/projects/proj_1/collaborators answered 201 without `userId`")
    again = Failure(SHOULD.id, "POST /api/v1/projects/proj_2/collaborators answered 201 without `userId`")
    first = check("blocked", [MUST.id], [cause], blocked_by=cause.root_cause, reason="blocked while adding")
    second = CheckResult("test_other", [MUST.id], "blocked", failures=[again], blocked_by=again.root_cause)
    result = run(first, second)

    assert cause.root_cause == again.root_cause
    assert (result.requirement_status(MUST.id), result.requirement_status(SHOULD.id)) == (Status.BLOCKED, Status.FAIL)
    [root] = result.root_causes()
    assert (root.fails, root.blocks, root.checks) == ((SHOULD.id,), (MUST.id,), 2)
    assert result.verdict(CATALOGUE).label == "incomplete"  # only a SHOULD failed, but the MUST was never checked
    assert result.verdict(CATALOGUE).unchecked == (f"{MUST.id} blocked by {cause.root_cause}",)


def test_a_setup_finding_on_one_of_its_own_requirements_fails_that_one_and_blocks_the_rest() -> None:
    """A check of two requirements whose setup broke the first: the first fails, the second is blocked."""
    cause = Failure(MUST.id, "POST /api/v1/projects answered 503")
    result = run(check("fail", [MUST.id, SHOULD.id], [cause], blocked_by=cause.root_cause))

    assert (result.requirement_status(MUST.id), result.requirement_status(SHOULD.id)) == (Status.FAIL, Status.BLOCKED)


def test_failures_differing_only_in_status_codes_are_different_root_causes() -> None:
    """Ids, names, times and hosts are masked when grouping; what the server answered is not."""
    assert Failure("R", "GET /x answered 500").root_cause != Failure("R", "GET /x answered 503").root_cause
    assert Failure("R", "ws_1a2b at 2026-11-30T12:00:01Z on http://127.0.0.1:9/").root_cause == \
        Failure("R", "ws_9f9f at 2026-11-30T12:00:07Z on http://127.0.0.1:7/").root_cause  # fmt: skip


def sighting(requirement: str, message: str, operation: str, rule: Rule, check_id: str = "test_a") -> CheckResult:
    """One check with one finding, as the plugin files it (its rule keyed by the requirement charged)."""
    failure = Failure(requirement, message, operation, [], "", f"{requirement}|{rule.key}", rule.phrase,
                      list(rule.fields))  # fmt: skip
    return CheckResult(check_id, [requirement], "fail", failures=[failure])


def test_a_schema_rule_broken_alike_on_many_routes_is_one_root_cause() -> None:
    """Recorded: `count` and `workspaceCount` as strings on three routes, with other values: one root cause,
    its line naming both fields and the three operations."""
    result = run(
        sighting("GEN-SCHEMA-001", 'GET /api/v1/workspaces answered 200: count: "6" is not of type "integer"',
                 "listWorkspaces", schema_rule("type", ["count"], "6", '"6" is not of type "integer"')),
        sighting("GEN-SCHEMA-001", 'GET /api/v1/volumes answered 200: count: "3" is not of type "integer"',
                 "listVolumes", schema_rule("type", ["count"], "3", '"3" is not of type "integer"'), "test_b"),
        sighting("GEN-SCHEMA-001", 'GET /api/v1/projects/proj_1/stats: workspaceCount: "0" is not of type "integer"',
                 "getProjectStats", schema_rule("type", ["workspaceCount"], "0", "", ["integer", "null"]), "test_c"),
    )  # fmt: skip

    [cause] = result.root_causes()

    assert cause.title == ("`count`, `workspaceCount`: a string where the documents show an integer in 3 operations")
    assert (cause.operations, cause.checks, len(cause.members)) == (
        ("listWorkspaces", "listVolumes", "getProjectStats"), 3, 3)  # fmt: skip


def test_the_same_field_broken_another_way_is_another_root_cause() -> None:
    """A string count and a null count break the same field in two ways: two root causes."""
    result = run(
        sighting("GEN-SCHEMA-001", "a", "listWorkspaces", schema_rule("type", ["count"], "6", "", ["integer"])),
        sighting("GEN-SCHEMA-001", "b", "listVolumes", schema_rule("type", ["count"], None, "", ["integer"])),
    )

    assert len(result.root_causes()) == 2


def test_one_status_answered_alike_is_one_root_cause_per_requirement() -> None:
    """500 where 200 was expected, on two routes, charged to one requirement: one root cause; 503 is another."""
    result = run(
        sighting("GEN-SCHEMA-004", "GET /a answered 500", "getProject", status_rule(500, "200")),
        sighting("GEN-SCHEMA-004", "GET /b answered 500", "getVolume", status_rule(500, "200"), "test_b"),
        sighting("GEN-SCHEMA-004", "GET /b answered 503", "getVolume", status_rule(503, "200"), "test_c"),
    )

    assert [cause.title for cause in result.root_causes()] == [
        "answered 500 where 200 was expected in 2 operations",
        "answered 503 where 200 was expected in 1 operation",
    ]


def test_one_advice_on_every_route_is_one_root_cause() -> None:
    """Our error-body shape missed on every route is one recommendation, whatever the route or the count."""
    advice = [
        f"[GEN-ERR-001] recommended: {route} answered 404 {{}}: no lower-case code" for route in
        ("GET /api/v1/projects/proj_1", "DELETE /api/v1/volumes/vol_2", "GET /api/v1/workspaces/ws_3/logs")
    ]  # fmt: skip
    rules = [Rule(f"advice|{masked(text, routes=True)}", "") for text in advice]

    result = run(*(sighting("GEN-ERR-001", text, None, rule, f"t{i}") for i, (text, rule) in
                   enumerate(zip(advice, rules, strict=True))))  # fmt: skip

    assert len(result.root_causes()) == 1


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


def test_strict_judges_every_recommendation_as_a_must() -> None:
    """A failing SHOULD leaves a default run conformant (and says so); under --strict it is non-conformant."""
    checks = (check("fail", [SHOULD.id], [Failure(SHOULD.id, "x")]), check("pass", [MUST.id]))
    default, strict = run(*checks), run(*checks)
    strict.strict = True

    assert (default.verdict(CATALOGUE).label, default.verdict(CATALOGUE).exit_code) == ("conformant", 0)
    assert "1 SHOULD unmet" in default.verdict(CATALOGUE).headline
    assert (strict.verdict(CATALOGUE).label, strict.verdict(CATALOGUE).exit_code) == ("non-conformant", 1)
    assert strict.verdict(CATALOGUE).headline.startswith("NOT CONFORMANT (strict)")


def test_a_strict_run_that_holds_says_so_and_is_recorded(tmp_path: Path) -> None:
    """Every requirement held under --strict: "conformant (strict)", and run.strict survives the round trip."""
    result = run(check("pass", [MUST.id, SHOULD.id]))
    result.strict = True
    result.write(tmp_path / "conformance.json", CATALOGUE)
    document = json.loads((tmp_path / "conformance.json").read_text())

    assert (document["verdict"], document["run"]["strict"]) == ("conformant (strict)", True)
    assert document["headline"].startswith("CONFORMANT (STRICT)")
    assert RunResult.read(tmp_path / "conformance.json").strict is True


def covered(*unreached: UnreachedPair) -> ModelCoverage:
    return ModelCoverage(pairs=3, exercised=3 - len(unreached), unreached=list(unreached))


def test_a_run_that_cannot_reach_a_must_pair_of_the_model_map_is_incomplete_not_conformant() -> None:
    """Every check passed, but a MUST pair of the model's map was not reached: INCOMPLETE (exit 4), naming it."""
    result = run(check("pass", [MUST.id, SHOULD.id]))
    result.model_coverage = covered(UnreachedPair("stopWorkspace@running -> other-organization", MUST.id, "no key"))

    verdict = result.verdict(CATALOGUE)

    assert (verdict.label, verdict.exit_code) == ("incomplete", 4)
    assert "stopWorkspace@running -> other-organization" in verdict.headline
    assert "no key" in verdict.headline


def test_a_should_pair_not_reached_counts_only_under_strict() -> None:
    """A pair judged by a SHOULD leaves a default run conformant; under --strict it is a MUST and the run incomplete."""
    result = run(check("pass", [MUST.id, SHOULD.id]))
    result.model_coverage = covered(UnreachedPair("syncVolume@shared -> project/activity", SHOULD.id, "refused"))

    assert result.verdict(CATALOGUE).label == "conformant"
    result.strict = True
    assert result.verdict(CATALOGUE).label == "incomplete"


def test_model_coverage_round_trips_and_fits_the_published_schema(tmp_path: Path) -> None:
    """modelCoverage is written, validates against conformance.schema.json, reads back; older reports have none."""
    result = run(check("pass", [MUST.id]))
    result.model_coverage = covered(UnreachedPair("createProject@new -> projects", MUST.id, "stopped"))
    result.write(tmp_path / "conformance.json", CATALOGUE)
    document = json.loads((tmp_path / "conformance.json").read_text())
    schema = json.loads((PACKAGE / "schemas" / "conformance.schema.json").read_text())

    jsonschema.Draft202012Validator(schema).validate(document)
    assert RunResult.read(tmp_path / "conformance.json").model_coverage == result.model_coverage
    del document["modelCoverage"]
    (tmp_path / "conformance.json").write_text(json.dumps(document))
    assert RunResult.read(tmp_path / "conformance.json").model_coverage is None
