"""How the plugin classifies what a check raised: the server's faults fail, only the harness's own errors are errors."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from harness import recommend
from harness.conformance import plugin
from harness.conformance.plugin import classify, interrupted
from harness.expect import ContractViolation, UnexpectedAnswer
from harness.findings import status_rule
from harness.redact import Redactor
from harness.results import Status
from harness.run import ContractConfig, RunConfig, Target
from harness.run.scratch import findings_folder


@pytest.mark.parametrize(
    ("error", "requirements", "stops"),
    [
        (httpx.ReadTimeout("timed out"), ["GEN-HTTP-001"], True),
        (httpx.RemoteProtocolError("peer closed the connection"), ["GEN-HTTP-001"], True),
        (json.JSONDecodeError("Expecting value", "<html>", 0), ["GEN-SCHEMA-001"], True),
        (AssertionError("answered 500"), ["R-1"], False),
        (ContractViolation("GEN-SCHEMA-003", "not application/json", None), ["GEN-SCHEMA-003"], True),
    ],
    ids=["hang", "dropped", "broken-json", "assertion", "contract"],
)
def test_what_a_server_does_wrong_fails(error: BaseException, requirements: list[str], stops: bool) -> None:
    """A hang, a dropped connection, broken JSON or a broken promise is "fail", charged to the requirement whose
    rule it breaks; one charged elsewhere stops the check, whose own requirements are then unverified (blocked)."""
    status, charges, stopped = classify(error, ["R-1"])

    assert status == Status.FAIL
    assert [charge.requirement for charge in charges] == requirements
    assert stopped is stops


def test_a_5xx_met_by_a_check_is_charged_to_no_5xx_and_stops_it() -> None:
    """A check that met a 500 where it expected 200 could not check its own rule: GEN-SCHEMA-004 fails, it stops."""
    answer = UnexpectedAnswer("GET /x answered 500, expected 200", None, "getProject", status_rule(500, "200"))
    answer.status = 500

    status, charges, stopped = classify(answer, ["R-1"])

    assert (status, [charge.requirement for charge in charges], stopped) == (Status.FAIL, ["GEN-SCHEMA-004"], True)
    assert charges[0].rule is not None
    assert charges[0].rule.key == "GEN-SCHEMA-004|status|200|500"


def test_only_the_harness_breaking_is_an_error() -> None:
    """An unexpected exception in the harness's own code is "error", with its trace (exit 3)."""
    status, charges, _ = classify(ZeroDivisionError("division by zero"), ["R-1"])

    assert status == Status.ERROR
    assert charges[0].requirement == "R-1"
    assert "the harness broke" in charges[0].message


def test_an_interrupt_caught_in_a_group_is_not_the_harness_breaking() -> None:
    """The deadline caught among schemathesis' example failures stops the check; the server's timeouts still fail."""
    group = BaseExceptionGroup("examples", [httpx.ReadTimeout("timed out"), KeyboardInterrupt()])

    status, charges, _ = classify(group, ["R-1"])

    assert status == Status.FAIL
    assert [charge.requirement for charge in charges] == ["GEN-HTTP-001"]
    assert interrupted(group)
    assert not interrupted(ExceptionGroup("examples", [ValueError()]))


def test_a_request_let_through_without_a_key_is_one_root_cause_with_our_own_refusal_check() -> None:
    """schemathesis' ignored_auth and test_auth.py's refusal, failing on one server bug, share one rule key."""
    from schemathesis.openapi.checks import IgnoredAuth

    theirs = IgnoredAuth(operation="GET /api/v1/workspaces", scenario="no_auth",
                         message="Expected 401 or 403, got `200 OK` for `GET /api/v1/workspaces`")  # fmt: skip
    ours = UnexpectedAnswer("GET /x answered 200, expected a refusal (4xx)", None, "listWorkspaces",
                            status_rule("2xx", "a refusal (4xx)"))  # fmt: skip

    (_, [seen_by_them], _), (_, [seen_by_us], _) = (
        classify(theirs, ["GEN-SCHEMA-001"]),
        classify(ours, ["AUTH-KEY-001"]),
    )

    assert seen_by_them.requirement == seen_by_us.requirement == "AUTH-KEY-001"
    assert seen_by_them.root_cause == seen_by_us.root_cause


class FakeItem:
    """What CheckOutcome reads of a pytest item."""

    nodeid = "test_schema.py::test_operation_conforms[POST /api/v1/workspaces]"

    def iter_markers(self, name: str) -> list[SimpleNamespace]:
        return [SimpleNamespace(args=("GEN-VALID-001",))] if name == "requirement" else []


def test_a_finding_noted_mid_check_is_left_for_the_runner_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A note made while a check runs is in the findings file the runner reads before the check ends, once however
    often it is met again; one made before any check is in flight waits for its check's report."""
    config = RunConfig(Target("http://127.0.0.1:9", "unused"), contract=ContractConfig(scratch=str(tmp_path)))
    monkeypatch.setattr(plugin, "_current", plugin.ConformanceRun(config=config, redactor=Redactor([])))
    pytest_config = SimpleNamespace(stash=pytest.Stash())
    monkeypatch.setattr(recommend, "ON_NOTE", [partial(plugin.file_noted_at_once, pytest_config)])
    monkeypatch.setattr(recommend, "NOTED", [])

    recommend.recommend("GEN-VALID-006", False, "POST /api/v1/workspaces: a name over the limit accepted")
    assert not findings_folder(tmp_path).exists()  # no check in flight: it waits
    pytest_config.stash[plugin.OUTCOMES] = {FakeItem.nodeid: plugin.CheckOutcome(FakeItem(), 0.0)}
    recommend.recommend("GEN-VALID-006", False, "POST /api/v1/workspaces: a name over the limit accepted")
    recommend.recommend("GEN-VALID-006", False, "POST /api/v1/workspaces: a name over the limit accepted")

    [left] = findings_folder(tmp_path).glob("*.jsonl")
    lines = [json.loads(line) for line in left.read_text().splitlines()]
    assert len(lines) == 1  # met again, nothing new to show
    assert lines[0]["check"] == FakeItem.nodeid
    assert [failure["requirement"] for failure in lines[0]["failures"]] == ["GEN-VALID-006"]
