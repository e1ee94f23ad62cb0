"""Setup steps: what a check needs before it can check anything, and what happens when that fails.

A check whose setup (a factory call, a wait, a fixture) meets a finding about the target cannot
reach its own assertion. It is *blocked* by that finding, not failed: the finding is charged once,
to the requirement that promises the step works (creating a project is PRJ-LIFE-001's promise),
and the check's own requirements stay unverified. Reports then lead with the few root causes
instead of repeating them under every check they stopped.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from harness import tracing
from harness.answers import ContractViolation, UnexpectedAnswer
from harness.waiting import TimedOut

F = TypeVar("F", bound=Callable[..., Any])
# What a target can do to a step; anything else raised in a step is the harness's own bug.
FINDINGS = (UnexpectedAnswer, TimedOut, httpx.TransportError, json.JSONDecodeError)


# Which requirement promises that an operation used for setup works (for findings met outside a step).
PROMISES = {
    "createProject": "PRJ-LIFE-001", "getProject": "PRJ-LIFE-001", "updateProject": "PRJ-LIFE-002",
    "archiveProject": "PRJ-LIFE-003", "restoreProject": "PRJ-LIFE-004", "deleteProject": "PRJ-LIFE-006",
    "addProjectCollaborator": "PRJ-COLLAB-002", "createVolume": "VOL-LIFE-001", "getVolume": "VOL-LIFE-001",
    "updateVolume": "VOL-LIFE-002", "deleteVolume": "VOL-LIFE-003", "shareVolume": "VOL-SHARE-001",
    "createWorkspace": "WS-LIFE-001", "getWorkspace": "WS-LIFE-001", "stopWorkspace": "WS-LIFE-004",
    "startWorkspace": "WS-LIFE-005", "restartWorkspace": "WS-LIFE-006", "deleteWorkspace": "WS-LIFE-007",
    "updateWorkspace": "WS-SEM-002",
}  # fmt: skip


class Blocked(Exception):
    """A setup step met a finding about the target; the check that needed it cannot go on."""

    def __init__(self, requirement: str, step: str, finding: BaseException) -> None:
        super().__init__(f"{step}: {finding}")
        self.requirement = requirement
        self.step = step
        self.finding = finding


def charged_to(finding: BaseException, requirement: str) -> str:
    """The requirement a finding counts against: its own if it names one, a 5xx or a broken connection
    theirs (whatever the step), else the step's."""
    if isinstance(finding, ContractViolation):
        return finding.requirement
    if isinstance(finding, httpx.TransportError):
        return "GEN-HTTP-001"
    if (getattr(finding, "status", None) or 0) >= 500:
        return "GEN-SCHEMA-004"
    return requirement


def promised_by(finding: BaseException) -> str:
    """The requirement a finding met outside any step (in a fixture) counts against."""
    operation = getattr(finding, "operation_id", None)
    return charged_to(finding, PROMISES.get(operation or "", "GEN-STATE-002"))


@contextmanager
def setup_step(requirement: str, step: str) -> Iterator[None]:
    """Findings inside become ``Blocked``, charged to ``requirement`` (the promise the step relies on)."""
    try:
        with tracing.in_setup():
            yield
    except Blocked:
        raise
    except FINDINGS as finding:
        raise Blocked(charged_to(finding, requirement), step, finding) from finding


def step(requirement: str, what: str) -> Callable[[F], F]:
    """Decorate a setup helper: its findings block the check instead of failing it."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with setup_step(requirement, what):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
