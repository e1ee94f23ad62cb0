"""Seeded response mutations: each seed perturbs one operation's answers in one way, reproducibly."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Iterator

from harness.reference import mutations
from harness.results import CheckResult, RunResult
from harness.selftest import Callers, MutationOutcome, aim


def test_a_seed_always_names_the_same_mutation_and_200_seeds_reach_every_operation() -> None:
    """Seeds are reproducible, and the first 200 hit all 35 operations with all 9 kinds."""
    chosen = [mutations.for_seed(seed) for seed in range(1, 201)]

    assert mutations.for_seed(7) == mutations.for_seed(7)
    assert len({(m.method, m.path) for m in chosen}) == 35
    assert {m.kind for m in chosen} == set(mutations.KINDS)


def test_field_mutations_change_every_item_of_a_list_envelope() -> None:
    """drop, rename, retype and null act on one field path, in every item that has it."""
    page = {"workspaces": [{"id": "a", "status": "running"}, {"id": "b", "status": "stopped"}], "count": 2}
    status = mutations.candidates(page).index(("workspaces", "*", "status")) + 0.5

    def edited(kind: str) -> dict[str, object]:
        return mutations.edit_field(json.loads(json.dumps(page)), kind, status / len(mutations.candidates(page)))

    assert edited("drop")["workspaces"] == [{"id": "a"}, {"id": "b"}]
    assert edited("rename")["workspaces"][0] == {"id": "a", "statusValue": "running"}
    assert edited("retype")["workspaces"][1]["status"] == len("stopped")
    assert edited("null")["workspaces"][0]["status"] is None


def test_whole_answer_mutations_change_status_type_or_body() -> None:
    """html, status, content-type and truncate rewrite the answer itself."""
    body = json.dumps({"id": "ws_1"}).encode()
    headers = {"content-type": "application/json"}

    def mutated(kind: str) -> tuple[int, dict[str, str], bytes]:
        return mutations.mutate(mutations.Mutation(1, "GET", "/x", kind, 0.0), 200, headers, body)

    assert mutated("html")[0] == 502
    assert mutated("status")[0] == 202
    assert mutated("content-type")[1]["content-type"].startswith("text/plain")
    assert mutated("truncate")[2] == body[: len(body) // 2]
    assert json.loads(mutated("envelope")[2]) == {"data": {"id": "ws_1"}}


def test_a_seed_is_aimed_at_checks_that_call_its_operation_within_the_budget() -> None:
    """Only requirements whose checks called the operation, as many as fit the seconds given."""
    mutation = mutations.for_seed(3)
    operation = {"PUT /api/v1/projects/{projectId}": "updateProject"}.get(f"{mutation.method} {mutation.path}")
    assert operation == "updateProject"
    clean = RunResult("r", "full", "t", "1", "1", 1, "now", checks=[
        CheckResult("a", ["R-CHEAP-1"], "pass", duration=1.0, operations=["updateProject"]),
        CheckResult("b", ["R-CHEAP-2"], "pass", duration=2.0, operations=["updateProject", "getProject"]),
        CheckResult("c", ["R-DEAR"], "pass", duration=30.0, operations=["updateProject"]),
        CheckResult("d", ["R-OTHER"], "pass", duration=1.0, operations=["getProject"]),
    ])  # fmt: skip

    _, chosen = aim(3, Callers.of(clean), budget=6.0)

    assert chosen == ["R-CHEAP-1", "R-CHEAP-2"]


def test_a_mutation_outcome_is_broken_only_when_the_harness_broke() -> None:
    """Exit 2 or 3 is broken; exit 1 with a failure is caught; a fired mutation that passed is missed."""
    assert MutationOutcome(1, "m", [], fired=True, exit_code=3).verdict == "broken"
    assert MutationOutcome(1, "m", [], fired=True, exit_code=1, failed=["GEN-SCHEMA-001"]).verdict == "caught"
    assert MutationOutcome(1, "m", [], fired=True, exit_code=0).verdict == "missed"
    assert MutationOutcome(1, "m", [], fired=False, exit_code=0).verdict == "unseen"


def test_a_kind_on_a_route_is_named_and_planted_by_its_name() -> None:
    """mutate-<kind>@<METHOD>:<path> names one kind on one route; an unknown kind or route is no mutation."""
    name = mutations.named("empty-200", "GET", "/api/v1/projects/{projectId}")

    assert mutations.for_name(name) == mutations.Mutation(0, "GET", "/api/v1/projects/{projectId}", "empty-200", 0.5)
    assert mutations.for_name("mutate-empty-200@GET:/api/v1/nowhere") is None
    assert mutations.for_name("mutate-boiled@GET:/api/v1/projects/{projectId}") is None


def test_the_new_kinds_change_every_value_or_the_whole_answer() -> None:
    """Numbers become strings everywhere (counts included), strings numbers, an object a list; an empty 200."""
    body = json.dumps({"count": 2, "items": [{"sizeGb": 1.5, "shared": True, "label": "v"}]}).encode()

    def mutated(kind: str) -> tuple[int, dict[str, str], bytes]:
        return mutations.mutate(mutations.Mutation(0, "GET", "/x", kind, 0.5), 201, {}, body)

    assert json.loads(mutated("numbers-as-strings")[2]) == {"count": "2", "items": [{"sizeGb": "1.5", "shared": True,
                                                                                       "label": "v"}]}  # fmt: skip
    assert json.loads(mutated("strings-as-numbers")[2])["items"][0]["label"] == 1
    assert json.loads(mutated("list-for-object")[2]) == [json.loads(body)]
    assert mutated("empty-200")[0::2] == (200, b"")


def test_a_spare_setup_mutation_changes_only_the_checks_own_answers_and_says_whose() -> None:
    """``~spare-setup`` leaves a traced setup request's answer alone; the log names the check an answer went to."""
    from starlette.testclient import TestClient

    from harness import tracing
    from harness.reference import DEV_KEYS, ServerConfig
    from harness.reference.app import create_app

    name = mutations.named("drop", "GET", "/api/v1/projects", spare_setup=True)
    assert mutations.for_name(name) == mutations.Mutation(0, "GET", "/api/v1/projects", "drop", 0.5, spare_setup=True)
    key = next(iter(DEV_KEYS))
    tracing.enable()
    try:
        with TestClient(create_app(ServerConfig(faults=(name,)))) as client, capture_log() as log:
            with tracing.in_check("test_x.py::test_y[a b]", setup=True):
                in_setup = client.get("/api/v1/projects", headers={"x-api-key": key, **tracing.headers()})
            with tracing.in_check("test_x.py::test_y[a b]", setup=False):
                own = client.get("/api/v1/projects", headers={"x-api-key": key, **tracing.headers()})
    finally:
        tracing.enable(False)

    assert len(set(own.json())) == len(set(in_setup.json())) - 1  # the check's own answer lost a field
    assert log.getvalue().strip().endswith("(answer 200) to test_x.py::test_y[a b]")
    assert "in setup" not in log.getvalue()  # the setup's answer was not changed, so not logged


@contextlib.contextmanager
def capture_log() -> Iterator[io.StringIO]:
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    mutations.log.addHandler(handler)
    try:
        yield text
    finally:
        mutations.log.removeHandler(handler)
