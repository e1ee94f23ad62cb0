"""The mutation matrix: where each check meets each kind, and what counts as met."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from harness.mutation_matrix import (
    OUTCOME,
    Outcome,
    Planned,
    askers,
    attempts,
    folder,
    kept,
    next_attempts,
    pairs,
    plan,
)
from harness.results import CheckResult, RunResult


def clean_run(*checks: CheckResult) -> RunResult:
    return RunResult("r", "full", "t", "1", "1", 1, "now", checks=list(checks))


def test_the_matrix_meets_each_check_first_at_the_last_operation_a_kind_can_change() -> None:
    """A check that creates a workspace, then deletes it (no body), is met by body kinds at the create and by the
    status kinds at the delete; one run per (kind, operation); a check that failed clean is not planned."""
    clean = clean_run(
        CheckResult(
            "a", ["R1"], "pass", operations=(ops := ["createWorkspace", "deleteWorkspace"]), own_operations=ops
        ),
        CheckResult("b", ["R2"], "pass", operations=["createWorkspace"], own_operations=["createWorkspace"]),
        CheckResult("c", ["R3"], "fail", operations=["getProject"], own_operations=["getProject"]),
    )

    runs = {(p.kind, p.operation, p.spare_setup): p.checks for p in plan(clean, ("drop", "html"))}

    assert runs == {("drop", "createWorkspace", False): ("a", "b"), ("html", "deleteWorkspace", False): ("a",),
                    ("html", "createWorkspace", False): ("b",)}  # fmt: skip


def test_a_check_not_met_in_its_own_request_is_tried_again_with_setup_spared_then_elsewhere() -> None:
    """After the first attempt: the same operation sparing setup, then each other operation whose answers (errors
    too: a 404 to a delete has a body) can carry the kind, the last called first; none for an operation-less check."""
    operations = ["createProject", "getProject", "deleteProject"]

    assert attempts(operations, "drop", operations) == [("getProject", False), ("getProject", True),
                                                        ("deleteProject", True), ("createProject", True)]  # fmt: skip
    assert attempts(["deleteProject"], "drop", ["deleteProject"]) == [("deleteProject", False), ("deleteProject", True)]
    assert attempts(operations, "status", operations)[:2] == [("deleteProject", False), ("deleteProject", True)]
    assert attempts([], "html", []) == []


def test_a_check_is_aimed_at_where_its_own_requests_call_and_at_its_setup_only_where_they_get_no_body() -> None:
    """Known from the clean run, an operation only setup calls is never aimed at, but a check whose own requests
    only delete (a 204), or that reads only through its factory, meets body kinds at its setup, once."""
    operations = ["createProject", "getProject", "listProjects"]

    assert attempts(operations, "drop", own=["getProject"]) == [("getProject", False), ("getProject", True)]
    assert attempts(["createProject", "deleteProject"], "drop", own=["deleteProject"]) == [
        ("deleteProject", False), ("deleteProject", True), ("createProject", False)]  # fmt: skip
    assert attempts(["createProject", "deleteProject"], "html", own=["deleteProject"]) == [
        ("deleteProject", False), ("deleteProject", True)]  # fmt: skip
    assert attempts(["createProject", "getProject"], "html", own=[]) == [("getProject", False)]


def test_sparing_setup_is_tried_only_where_setup_met_the_mutation() -> None:
    """After a round: a pair met is done; a check whose setup met the kind is tried there again sparing setup; one
    whose setup did not goes on to its next operation (sparing what was not hit changes nothing)."""
    tries = [("getProject", False), ("getProject", True), ("listProjects", True)]
    pending = {("a", "drop"): tries, ("b", "drop"): tries, ("c", "drop"): tries}
    done = [Outcome("drop", "getProject", ["a", "b", "c"], 1, True, met=["a"], met_in_setup=["b"])]

    assert next_attempts(pending, done) == {("b", "drop"): tries[1:], ("c", "drop"): tries[2:]}


def test_met_means_the_server_changed_an_answer_to_that_checks_own_request() -> None:
    """The server log names whose answer a mutation changed; a setup's answer counts apart, another kind not at all."""
    said = "drop on POST /api/v1/projects (answer"
    log = "\n".join(f"WARNING strongly.reference.mutations: mutation 0: {line}" for line in [
        "drop on POST /api/v1/projects (answer 201) to t.py::a in setup",
        "drop on POST /api/v1/projects (answer 401) to t.py::b[x y]",
        "drop on POST /api/v1/projects (answer 422)",
        "null on GET /api/v1/projects (answer 200) to t.py::c",
    ])  # fmt: skip

    assert askers(log, said) == ({"t.py::b[x y]"}, {"t.py::a"})


def test_every_pair_is_met_met_in_setup_not_met_untried_or_cannot_be_met() -> None:
    """The states the report counts, from the outcomes of every round."""
    clean = clean_run(
        CheckResult("a", ["R1"], "pass", operations=["getProject"], own_operations=["getProject"]),
        CheckResult("b", ["R2"], "pass", operations=["getProject"], own_operations=["getProject"]),
        CheckResult("c", ["R3"], "pass", operations=["getProject"], own_operations=["getProject"]),
        CheckResult("d", ["R4"], "pass", operations=[]),
        CheckResult("e", ["R5"], "pass", operations=["getProject"], own_operations=["getProject"]),
    )
    outcomes = [
        Outcome("drop", "getProject", ["a", "b", "c"], 1, True, met=["a"], met_in_setup=["b"]),
        Outcome("drop", "getProject", ["b", "c"], 1, True, spare_setup=True),
    ]

    states = pairs(clean, outcomes, ("drop",))

    assert states == {("a", "drop"): "met", ("b", "drop"): "setup", ("c", "drop"): "not met",
                      ("d", "drop"): "cannot", ("e", "drop"): "untried"}  # fmt: skip


def test_each_planned_run_has_its_own_folder_and_a_resumed_matrix_keeps_only_its_own_outcome(tmp_path: Path) -> None:
    """A round may plant one kind on one operation both sparing setup and not: two folders. A resumed matrix takes
    an outcome only from the folder of the very same run (kind, operation, checks, setup spared or not)."""
    unspared, spared = Planned("null", "createWorkspace", ("a",)), Planned("null", "createWorkspace", ("b",), True)
    assert folder(tmp_path, unspared, 2) != folder(tmp_path, spared, 2)
    assert folder(tmp_path, unspared, 1) == tmp_path / "null-createWorkspace"
    where = folder(tmp_path, spared, 2)
    where.mkdir()
    outcome = Outcome("null", "createWorkspace", ["b"], 1, True, True, met=["b"])
    (where / OUTCOME).write_text(json.dumps(asdict(outcome)))

    assert kept(spared, where) is not None
    assert kept(spared, where).met == ["b"]
    assert kept(Planned("null", "createWorkspace", ("b", "c"), True), where) is None
    assert kept(unspared, folder(tmp_path, unspared, 2)) is None
