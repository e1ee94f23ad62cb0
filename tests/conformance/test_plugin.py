"""How the plugin classifies what a check raised: the server's faults fail, only the harness's own errors are errors."""

from __future__ import annotations

import json

import httpx
import pytest

from harness.conformance.plugin import classify, interrupted
from harness.expect import ContractViolation
from harness.results import Status


@pytest.mark.parametrize(
    ("error", "requirements"),
    [
        (httpx.ReadTimeout("timed out"), ["GEN-HTTP-001", "R-1"]),
        (httpx.RemoteProtocolError("peer closed the connection"), ["GEN-HTTP-001", "R-1"]),
        (json.JSONDecodeError("Expecting value", "<html>", 0), ["GEN-SCHEMA-001", "R-1"]),
        (AssertionError("answered 500"), ["R-1"]),
        (ContractViolation("GEN-SCHEMA-003", "not application/json", None), ["GEN-SCHEMA-003", "R-1"]),
    ],
    ids=["hang", "dropped", "broken-json", "assertion", "contract"],
)
def test_what_a_server_does_wrong_fails(error: BaseException, requirements: list[str]) -> None:
    """A hang, a dropped connection, broken JSON or a broken promise is "fail", charged to the requirements."""
    status, failures = classify(error, ["R-1"])

    assert status == Status.FAIL
    assert [requirement for requirement, _ in failures] == requirements


def test_only_the_harness_breaking_is_an_error() -> None:
    """An unexpected exception in the harness's own code is "error", with its trace (exit 3)."""
    status, failures = classify(ZeroDivisionError("division by zero"), ["R-1"])

    assert status == Status.ERROR
    assert failures[0][0] == "R-1"
    assert "the harness broke" in failures[0][1]


def test_an_interrupt_caught_in_a_group_is_not_the_harness_breaking() -> None:
    """The deadline caught among schemathesis' example failures stops the check; the server's timeouts still fail."""
    group = BaseExceptionGroup("examples", [httpx.ReadTimeout("timed out"), KeyboardInterrupt()])

    status, failures = classify(group, ["R-1"])

    assert status == Status.FAIL
    assert [requirement for requirement, _ in failures] == ["GEN-HTTP-001", "R-1"]
    assert interrupted(group)
    assert not interrupted(ExceptionGroup("examples", [ValueError()]))
