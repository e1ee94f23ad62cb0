"""Phases of a contract run: which checks run where, the order that spreads long waits, and the merge."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from harness.client import HungRoutes
from harness.conformance import phases
from harness.conformance.phases import PhaseName
from harness.results import CheckResult, RunResult
from harness.run import RunConfig, Target
from harness.run import scratch as files


class Marker(NamedTuple):
    args: tuple[Any, ...]


@dataclass
class Check:
    """Stands in for a pytest item: a name and its markers."""

    name: str
    marks: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    file: str = "test_x.py"

    @property
    def nodeid(self) -> str:
        return f"{self.file}::{self.name}"

    def iter_markers(self, name: str) -> list[Marker]:
        return [Marker(self.marks[name])] if name in self.marks else []

    def get_closest_marker(self, name: str) -> Marker | None:
        return next(iter(self.iter_markers(name)), None)


def test_concurrent_checks_run_first_quiet_ones_alone_after_and_restarts_last() -> None:
    """A quiet check runs in the quiet phase, after the concurrent one; a restart in the last (or, with nothing
    to restart it, where it only skips: the quiet phase); the rest run concurrently, first."""
    plain, quiet = Check("plain"), Check("quiet", {"quiet": ("why",)})
    restart, key = Check("restart", {"needs": ("restart",)}), Check("key", {"needs": ("other_key",)})
    checks = (plain, quiet, restart, key)

    def names(phase: str, restartable: bool) -> list[str]:
        return [c.name for c in checks if phases.belongs(c, phase, restartable)]  # type: ignore[arg-type]

    assert (names(phases.QUIET, True), names(phases.CONCURRENT, True), names(phases.LAST, True)) == (
        ["quiet"],
        ["plain", "key"],
        ["restart"],
    )
    assert names(phases.QUIET, False) == ["quiet", "restart"]
    assert names(phases.ALL, True) == ["plain", "quiet", "restart", "key"]
    assert phases.phases(1, restarts=True) == [phases.ALL]
    assert phases.phases(4, restarts=False) == [phases.CONCURRENT, phases.QUIET]
    assert phases.phases(4, restarts=True) == [phases.CONCURRENT, phases.QUIET, phases.LAST]


def test_the_first_worker_starts_with_the_early_checks_and_the_others_with_the_long_waits() -> None:
    """The first slice begins with the early checks, one file's after another's; each other slice with its
    share of the checks that wait, the longest dealt first."""
    early = [Check(f"{kind}{i}", {"early": ()}, f"test_{kind}.py") for kind in ("auth", "schema") for i in range(2)]
    slow = [Check(f"slow{i}", {"slow": (i % 3 + 1,)}) for i in range(6)]
    checks = [Check(f"fast{i}") for i in range(10)] + slow[:3] + early + slow[3:]

    ordered = phases.balanced(checks, 4)  # type: ignore[arg-type]

    assert sorted(c.name for c in ordered) == sorted(c.name for c in checks)
    slices = [ordered[i * 5 : (i + 1) * 5] for i in range(4)]  # xdist's first hand-out: 20 checks, 5 each
    assert [c.name for c in slices[0][:4]] == ["auth0", "schema0", "auth1", "schema1"]
    waits = [sum(phases.waits(c) for c in part) for part in slices[1:]]  # type: ignore[arg-type]
    assert max(waits) - min(waits) <= 1, waits
    for part in slices[1:]:
        slow = [phases.waits(c) for c in part]  # type: ignore[arg-type]
        assert slow == sorted(slow, reverse=True), [c.name for c in part]  # waits first, longest first
    assert phases.balanced(checks, 1) == checks  # type: ignore[arg-type]


def result(checks: list[str], **fields: Any) -> RunResult:
    made = [CheckResult(check=name, requirements=["R-1"], status="pass", duration=1.0) for name in checks]
    return RunResult("r", "full", "http://t", "1", "0.1", 7, fields.pop("started_at", "t1"), checks=made, **fields)


def test_the_parts_make_one_result() -> None:
    """Checks in phase order, request counts summed, notes once, the earliest start and the first stop."""
    one = result(["a"], operations={"getProject": 2}, notes=["n"], started_at="t2", finished_at="t3")
    two = result(
        ["b"],
        operations={"getProject": 1, "listProjects": 4},
        notes=["n", "m"],
        started_at="t1",
        finished_at="t5",
        stopped_early="deadline",
        cleanup_problems=["x"],
    )

    merged = phases.merge([one, two])

    assert merged is not None
    assert [c.check for c in merged.checks] == ["a", "b"]
    assert merged.operations == {"getProject": 3, "listProjects": 4}
    assert merged.notes == ["n", "m"]
    assert (merged.started_at, merged.finished_at) == ("t1", "t5")
    assert (merged.stopped_early, merged.cleanup_problems) == ("deadline", ["x"])
    assert phases.merge([]) is None


def test_a_route_that_hung_in_several_workers_gets_one_note() -> None:
    """Each worker counts its own timeouts; the merged result says once how often the route hung."""
    hung = [HungRoutes(), HungRoutes()]
    hung[0].timed_out("getWorkspaceLogs")
    hung[1].timed_out("getWorkspaceLogs")  # the same note from two workers is two timeouts, not one
    hung[1].timed_out("getWorkspaceStatus")

    merged = phases.merge([result(["a"], notes=["n", *hung[0].notes()]), result(["b"], notes=hung[1].notes())])

    assert merged is not None
    assert merged.notes == [
        "n",
        "getWorkspaceLogs timed out 2 time(s); after the first, its requests waited at most 2s",
        "getWorkspaceStatus timed out 1 time(s); after the first, its requests waited at most 2s",
    ]


def test_one_process_takes_workspaces_made_ahead_late_and_restarts_last() -> None:
    """Alone, a process runs the early checks first, restarts last and pooled checks just before them (their
    workspaces provision meanwhile)."""
    checks = [Check("restart", {"needs": ("restart",)}), Check("pooled", {"running_workspaces": (1,)}), Check("plain")]

    assert [c.name for c in phases.ordered(checks, 1)] == ["plain", "pooled", "restart"]  # type: ignore[arg-type]
    checks.append(Check("early", {"early": ()}))
    assert [c.name for c in phases.ordered(checks, 1)] == ["early", "plain", "pooled", "restart"]  # type: ignore[arg-type]
    assert phases.ordered(checks, 2)[-1].name == "restart"  # type: ignore[arg-type]


def test_phase_names_are_written_as_the_plain_strings(tmp_path: Path) -> None:
    """A PhaseName is written as its string, so configuration files and scratch file names are as before."""
    config = RunConfig(Target("http://x", "k"))
    config = replace(config, contract=replace(config.contract, phase=PhaseName.CONCURRENT))

    assert [str(name) for name in PhaseName] == ["all", "quiet", "concurrent", "last"]
    assert config.to_document()["contract"]["phase"] == "concurrent"
    assert json.dumps(list(PhaseName)) == '["all", "quiet", "concurrent", "last"]'
    assert files.gate(tmp_path, PhaseName.QUIET).name == "quiet-may-start"
    assert files.config_file(tmp_path, PhaseName.LAST).name == "last-run-config.json"
    assert files.part_file(tmp_path, PhaseName.ALL, "main").name == "all-main.json"


@dataclass
class OperationCheck(Check):
    """A schemathesis test stands in: its operation's label."""

    operation_label: str = ""


def test_early_checks_of_operations_that_take_a_body_come_first_in_their_file() -> None:
    """Within a file, the early checks of an operation with a request body run before the others (their invalid
    bodies meet the most faults per request); files still take turns."""
    early = {"early": ()}
    listing = OperationCheck("list", early, "test_schema.py", "GET /api/v1/workspaces")
    creating = OperationCheck("create", early, "test_schema.py", "POST /api/v1/workspaces")
    reading = OperationCheck("read", early, "test_schema.py", "GET /api/v1/workspaces/{workspaceId}")
    auth = Check("auth", early, "test_auth.py")

    ordered = phases.taking_turns([listing, creating, reading, auth])  # type: ignore[list-item]

    assert [check.name for check in ordered] == ["create", "auth", "list", "read"]


def test_a_phase_has_collected_once_a_process_of_it_wrote_its_progress(tmp_path: Path) -> None:
    """The runner starts the later phases' processes once the first phase's progress file exists."""
    assert not phases.collected(tmp_path, phases.CONCURRENT)

    files.progress_file(tmp_path, phases.CONCURRENT, "q1").write_text("{}")

    assert phases.collected(tmp_path, phases.CONCURRENT)
    assert not phases.collected(tmp_path, phases.QUIET)
