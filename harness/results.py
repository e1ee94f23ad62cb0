"""Results of a contract run, rolled up per requirement and per operation.

Statuses only rise: not run < skip < pass < fail < error. A requirement takes the highest status
of its checks. "error" means the harness broke, never the server (the server's faults are "fail").
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from harness.errors import EXIT_FAILED, EXIT_HARNESS_ERROR, EXIT_OK
from harness.requirements import Requirement


class Status(IntEnum):
    NOT_RUN = 0
    SKIP = 1
    PASS = 2
    FAIL = 3
    ERROR = 4

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")

    @classmethod
    def parse(cls, label: str) -> Status:
        return cls[label.upper().replace(" ", "_")]


@dataclass
class Failure:
    """Why one requirement failed in one check: what was expected, what was seen, how to reproduce."""

    requirement: str
    message: str
    operation: str | None = None
    exchanges: list[dict[str, Any]] = field(default_factory=list)

    @property
    def curl(self) -> str | None:
        return self.exchanges[-1]["curl"] if self.exchanges else None


@dataclass
class CheckResult:
    """One executed check (a pytest item) and the requirements it speaks for."""

    check: str
    requirements: list[str]
    status: str
    duration: float = 0.0
    started: float = 0.0
    reason: str | None = None
    failures: list[Failure] = field(default_factory=list)

    def status_for(self, requirement: str) -> Status:
        """A check failing for other requirements still passes for this one."""
        status = Status.parse(self.status)
        if status == Status.FAIL and self.failures and not any(f.requirement == requirement for f in self.failures):
            return Status.PASS
        return status


@dataclass
class RunResult:
    run_id: str
    profile: str
    target: str
    spec_version: str
    harness_version: str
    seed: int
    started_at: str
    finished_at: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    operations: dict[str, int] = field(default_factory=dict)
    cleanup_problems: list[str] = field(default_factory=list)
    stopped_early: str = ""  # why the run did not finish (its deadline); an unfinished run is not conformant
    spec_sha256: str = ""  # the exact contract file the run used; empty in reports written before it was recorded

    def requirement_status(self, requirement: str) -> Status:
        statuses = [check.status_for(requirement) for check in self.checks if requirement in check.requirements]
        statuses += [Status.FAIL for check in self.checks for f in check.failures if f.requirement == requirement]
        return max(statuses, default=Status.NOT_RUN)

    def failures_for(self, requirement: str) -> list[tuple[CheckResult, Failure]]:
        return [(check, f) for check in self.checks for f in check.failures if f.requirement == requirement]

    def roll_up(self, catalogue: tuple[Requirement, ...]) -> list[dict[str, Any]]:
        rows = []
        for requirement in catalogue:
            checks = [check.check for check in self.checks if requirement.id in check.requirements]
            rows.append(
                {
                    "id": requirement.id,
                    "level": requirement.level,
                    "resource": requirement.resource,
                    "area": requirement.area,
                    "statement": requirement.statement,
                    "basis": requirement.basis,
                    "status": self.requirement_status(requirement.id).label,
                    "checks": checks,
                    "failures": [
                        {"check": check.check, **asdict(failure)}
                        for check, failure in self.failures_for(requirement.id)
                    ],
                }
            )
        return rows

    def verdict(self, catalogue: tuple[Requirement, ...]) -> int:
        """0 conformant; 1 a MUST failed, cleanup left resources or the run did not finish; 3 the harness broke."""
        statuses = {requirement.id: self.requirement_status(requirement.id) for requirement in catalogue}
        if any(check.status == "error" for check in self.checks):
            return EXIT_HARNESS_ERROR
        must_failed = any(statuses[r.id] == Status.FAIL for r in catalogue if r.is_must)
        return EXIT_FAILED if must_failed or self.cleanup_problems or self.stopped_early else EXIT_OK

    def totals(self, catalogue: tuple[Requirement, ...]) -> dict[str, int]:
        counts = {status.label: 0 for status in Status}
        for requirement in catalogue:
            counts[self.requirement_status(requirement.id).label] += 1
        return counts

    def to_document(self, catalogue: tuple[Requirement, ...]) -> dict[str, Any]:
        """The conformance.json document (schema: harness/schemas/conformance.schema.json)."""
        return {
            "run": {
                "id": self.run_id,
                "profile": self.profile,
                "target": self.target,
                "specVersion": self.spec_version,
                "specSha256": self.spec_sha256,
                "harnessVersion": self.harness_version,
                "seed": self.seed,
                "startedAt": self.started_at,
                "finishedAt": self.finished_at,
                "config": self.config,
                "notes": self.notes,
                "stoppedEarly": self.stopped_early,
            },
            "verdict": {0: "conformant", 1: "non-conformant", 3: "error"}[self.verdict(catalogue)],
            "totals": self.totals(catalogue),
            "requirements": self.roll_up(catalogue),
            "operations": self.operations,
            "checks": [asdict(check) for check in self.checks],
            "cleanup": {"problems": self.cleanup_problems},
        }

    def write(self, path: Path, catalogue: tuple[Requirement, ...]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_document(catalogue), indent=2, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> RunResult:
        document = json.loads(path.read_text(encoding="utf-8"))
        run = document["run"]
        checks = [
            CheckResult(**{**check, "failures": [Failure(**failure) for failure in check["failures"]]})
            for check in document["checks"]
        ]
        return cls(
            run_id=run["id"],
            profile=run["profile"],
            target=run["target"],
            spec_version=run["specVersion"],
            harness_version=run["harnessVersion"],
            seed=run["seed"],
            started_at=run["startedAt"],
            finished_at=run["finishedAt"],
            config=run["config"],
            notes=run["notes"],
            checks=checks,
            operations=document["operations"],
            cleanup_problems=document["cleanup"]["problems"],
            stopped_early=run["stoppedEarly"],
            spec_sha256=run.get("specSha256", ""),
        )
