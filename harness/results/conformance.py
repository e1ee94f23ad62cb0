"""Results of a contract run, rolled up per requirement, per operation and per root cause.

Statuses only rise: not run < skip < pass < blocked < fail < error. A requirement takes the
highest status of its checks. "blocked" means a check's setup met a finding charged elsewhere, so
its own assertion never ran; "error" means the harness broke, never the server (the server's faults
are "fail"). Failures that break the same rule in the same way are one root cause, whatever the
route, id or value (harness/findings.py); failures without a rule, when their messages match once
ids, names, times and hosts are masked.

The verdict never claims more than was checked: "conformant" needs every MUST of the full profile
to have run and held; a chosen subset that held is "partial"; a run in which a MUST could not be
checked (skipped for a missing key, or blocked), or a MUST pair of the model phase's map was not
reached, is "incomplete". With an expectations file (harness/results/expectations.py), a run whose every
failure is a known one says "no regression (n known)": still not conformant, but exit 0.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import EXIT_FAILED, EXIT_HARNESS_ERROR, EXIT_INCOMPLETE, EXIT_OK
from harness.findings import first_line, masked, root_cause_id
from harness.requirements import Requirement, at_level

if TYPE_CHECKING:
    from harness.results.expectations import Expectations, Judgement


def root_cause_of(message: str, rule: str = "") -> str:
    """The id shared by every sighting of one finding: its rule's key, or else its masked message."""
    return root_cause_id(rule or masked(message))


class Status(IntEnum):
    NOT_RUN = 0
    SKIP = 1
    PASS = 2
    BLOCKED = 3
    FAIL = 4
    ERROR = 5

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
    root_cause: str = ""
    rule: str = ""  # the rule broken and how (harness/findings.py); sightings with one rule are one root cause
    phrase: str = ""  # that rule in words, for the root cause's one line
    fields: list[str] = field(default_factory=list)  # where in the answer it was seen

    def __post_init__(self) -> None:
        self.root_cause = self.root_cause or root_cause_of(self.message, self.rule)

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
    blocked_by: str | None = None  # the root cause that stopped its setup
    operations: list[str] = field(default_factory=list)  # the operations it called
    own_operations: list[str] = field(default_factory=list)  # of those, the ones its own requests called

    def status_for(self, requirement: str) -> Status:
        """A check failing for other requirements still passes for this one, unless its setup was blocked."""
        status = Status.parse(self.status)
        if (
            status < Status.BLOCKED
            or status == Status.ERROR
            or any(f.requirement == requirement for f in self.failures)
        ):
            return status
        return Status.BLOCKED if self.blocked_by else Status.PASS


@dataclass(frozen=True)
class RootCause:
    """One distinct finding: the requirements it fails, those whose checks it blocked, and every sighting."""

    id: str
    title: str  # one line: what is wrong, where, and in how many operations
    message: str  # the first sighting's message, whole
    curl: str | None
    fails: tuple[str, ...]
    blocks: tuple[str, ...]
    checks: int  # how many checks met it
    operations: tuple[str, ...] = ()  # the operations it was seen in
    members: tuple[dict[str, Any], ...] = ()  # every sighting: check, requirement, operation, fields

    def to_dict(self) -> dict[str, Any]:
        document = asdict(self)
        return {**document, "fails": list(self.fails), "blocks": list(self.blocks),
                "operations": list(self.operations), "members": list(document["members"])}  # fmt: skip


def title_of(sightings: list[Failure], operations: tuple[str, ...]) -> str:
    """A root cause in one line: the fields and the rule in words, in how many operations; else the message."""
    first = sightings[0]
    where = f" in {len(operations)} operation{'s' * (len(operations) != 1)}" if operations else ""
    if not first.phrase:
        return first_line(first.message)
    fields = list(dict.fromkeys(name for sighting in sightings for name in sighting.fields))
    shown = ", ".join(f"`{name}`" for name in fields[:6]) + (f" and {len(fields) - 6} more" if len(fields) > 6 else "")
    return f"{shown}: {first.phrase}{where}" if fields else f"{first.phrase}{where}"


def leads(cause: RootCause, levels: dict[str, Requirement]) -> bool:
    """Whether a root cause is on a report's first screen: it fails a MUST at the run's level (``levels``, by id),
    or a requirement outside it; one that fails only SHOULDs is a recommendation, folded after them."""
    known = [levels[rid] for rid in cause.fails if rid in levels]
    return not known or any(requirement.is_must for requirement in known)


@dataclass(frozen=True)
class Verdict:
    """What a run may claim, its exit code, and a one-line headline that says so."""

    label: str  # conformant, partial, incomplete, no regression, non-conformant, error
    exit_code: int
    headline: str
    unchecked: tuple[str, ...] = ()  # MUSTs that did not run to the end, each with why
    judgement: Judgement | None = None  # the run against its expectations file (--expect), if any
    known: int = 0  # MUSTs that failed as the expectations file said they would


@dataclass(frozen=True)
class UnreachedPair:
    """A pair of the model's map a run did not exercise: the case and view, its requirement, and why."""

    pair: str
    requirement: str
    why: str


VIEWS_SHOWN = 3  # views named one per line for a reason that left pairs unreached; more are one line


@dataclass
class ModelCoverage:
    """How much of the model phase's map (contracts/model/effects.yaml) a run exercised: each (operation in a
    state, view) pair, judged by one requirement. A MUST pair not reached keeps a run from being conformant."""

    pairs: int
    exercised: int
    unreached: list[UnreachedPair] = field(default_factory=list)

    def unreached_at(self, catalogue: tuple[Requirement, ...]) -> list[UnreachedPair]:
        """The pairs not reached whose requirement is a MUST in ``catalogue`` (a run's level)."""
        musts = {requirement.id for requirement in catalogue if requirement.is_must}
        return [pair for pair in self.unreached if pair.requirement in musts]

    def unreached_lines(self, catalogue: tuple[Requirement, ...]) -> list[str]:
        """The MUST pairs not reached, one line per view and reason (a missing key leaves one view out of every
        case), each naming its pairs' cases; a reason that left out more views than that (the phase stopped at
        its first finding) is one line, not a screenful. conformance.json lists every pair."""
        by_reason: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
        for unreached in self.unreached_at(catalogue):
            case, _, view = unreached.pair.rpartition(" -> ")
            by_reason[unreached.why][(view, unreached.requirement)].append(case)
        lines = []
        for why, views in by_reason.items():
            if len(views) > VIEWS_SHOWN:
                named = ", ".join(f"{view} ({requirement})" for view, requirement in list(views)[:2])
                pairs = sum(map(len, views.values()))
                lines.append(f"{pairs} MUST pairs of the model's map in {len(views)} views ({named} and "
                             f"{len(views) - 2} more), not reached: {why}")  # fmt: skip
                continue
            for (view, requirement), cases in views.items():
                named = ", ".join(cases[:2]) + (f" and {len(cases) - 2} more" if len(cases) > 2 else "")
                lines.append(f"{len(cases)} MUST pair(s) of the model's map, {named} -> {view} ({requirement}), "
                             f"not reached: {why}")  # fmt: skip
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"pairs": self.pairs, "exercised": self.exercised, "unreached": [asdict(u) for u in self.unreached]}

    @classmethod
    def from_dict(cls, document: dict[str, Any] | None) -> ModelCoverage | None:
        """Read back from conformance.json; None where the model phase did not run (or the report predates it)."""
        if document is None:
            return None
        return cls(document["pairs"], document["exercised"], [UnreachedPair(**pair) for pair in document["unreached"]])


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
    selection: list[str] = field(default_factory=list)  # the requirements asked for (--requirement), if any
    spec_sha256: str = ""  # the exact contract file the run used; empty in reports written before it was recorded
    strict: bool = False  # --strict: every recommendation (SHOULD) was judged as a MUST
    expectations: Expectations | None = None  # --expect: the known failures the run is judged against
    model_coverage: ModelCoverage | None = None  # the model phase's pairs exercised; None when it did not run
    max_failures_reached: int = 0  # --max-failures N: the run stopped once it had found N root causes (0: it did not)
    interrupted: bool = field(default=False, compare=False)  # Ctrl-C or SIGTERM ended it (not stored)

    def requirement_status(self, requirement: str) -> Status:
        statuses = [check.status_for(requirement) for check in self.checks if requirement in check.requirements]
        statuses += [Status.FAIL for check in self.checks for f in check.failures if f.requirement == requirement]
        return max(statuses, default=Status.NOT_RUN)

    def root_causes(self) -> list[RootCause]:
        """Distinct findings, those that blocked most checks first, then the widest, then in the order met."""
        sightings: dict[str, list[tuple[CheckResult, Failure]]] = defaultdict(list)
        blocks: dict[str, dict[str, None]] = defaultdict(dict)  # dicts as ordered sets
        for check in self.checks:
            for failure in check.failures:
                sightings[failure.root_cause].append((check, failure))
            if check.blocked_by:
                blocks[check.blocked_by].update(dict.fromkeys(check.requirements))
        causes = []
        for key, seen in sightings.items():
            failures = [failure for _, failure in seen]
            fails = tuple(dict.fromkeys(failure.requirement for failure in failures))
            operations = tuple(dict.fromkeys(failure.operation for failure in failures if failure.operation))
            first = failures[0]
            curl = next((failure.curl for failure in failures if failure.curl), None)
            members = tuple({"check": check.check, "requirement": failure.requirement, "operation": failure.operation,
                             "fields": failure.fields} for check, failure in seen)  # fmt: skip
            causes.append(RootCause(key, title_of(failures, operations), first.message, curl, fails,
                                    tuple(rid for rid in blocks[key] if rid not in fails),
                                    len({check.check for check, _ in seen}), operations, members))  # fmt: skip
        return sorted(causes, key=lambda cause: (-len(cause.blocks), -len(cause.operations)))

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
                    "quotes": list(requirement.quotes),
                    "decisions": list(requirement.decisions),
                    "recommended": requirement.recommended,
                    "status": self.requirement_status(requirement.id).label,
                    "checks": checks,
                    "failures": [
                        {"check": check.check, **asdict(failure)}
                        for check, failure in self.failures_for(requirement.id)
                    ],
                }
            )
        return rows

    def is_partial(self) -> bool:
        """Whether only part of the catalogue was asked for (a profile other than full, or --requirement)."""
        return self.profile != "full" or bool(self.selection)

    def verdict(self, catalogue: tuple[Requirement, ...]) -> Verdict:
        """What the run may claim: a MUST failing, cleanup leaving data or an unfinished run is non-conformant.

        Under --strict every SHOULD counts as a MUST, and a run that holds says "conformant (strict)".
        """
        catalogue = at_level(catalogue, self.strict)
        level = " (strict)" if self.strict else ""
        statuses = {requirement.id: self.requirement_status(requirement.id) for requirement in catalogue}
        if any(check.status == "error" for check in self.checks):
            return Verdict("error", EXIT_HARNESS_ERROR, "HARNESS ERROR: the harness broke (see the checks in error)")
        musts = [r.id for r in catalogue if r.is_must]
        failed = [rid for rid in musts if statuses[rid] == Status.FAIL]
        judged = None
        if self.expectations is not None:
            from harness.results.expectations import judge

            judged = judge(self.expectations, self, catalogue)
        new = {item.requirement for item in judged.new} if judged else set(failed)
        known = [rid for rid in failed if rid not in new]  # failed as the expectations file said they would
        failed = [rid for rid in failed if rid in new]

        def say(label: str, exit_code: int, headline: str, unchecked: tuple[str, ...] = ()) -> Verdict:
            stale = judged.stale() if judged else ""  # known failures no longer seen: remove them from the file
            return Verdict(label, exit_code, headline + stale, unchecked, judged, len(known))

        if failed or self.cleanup_problems or self.stopped_early:
            why = [f"{len(failed)} MUST failed ({len(self.root_causes())} root causes)"] if failed else []
            if failed and known:
                why = [f"{len(failed)} new MUST failure(s) beyond {len(known)} known: {', '.join(failed[:5])}"]
            if self.max_failures_reached:  # asked for: say so first, never as a run that broke off
                count = self.max_failures_reached
                why.insert(0, f"STOPPED EARLY after {count} root cause{'s' * (count != 1)} (--max-failures {count})")
            elif self.stopped_early:
                why.append("the run did not finish")
            why += ["cleanup left problems"] if self.cleanup_problems else []
            return say("non-conformant", EXIT_FAILED, f"NOT CONFORMANT{level}: " + ", ".join(why))
        ran = {rid for check in self.checks for rid in check.requirements}
        wanted = [rid for rid in musts if rid in ran or not self.is_partial()]
        explained = judged.explained if judged else frozenset()  # what a known failure blocks is known too
        unchecked = tuple(f"{rid} {self.why_unchecked(rid, statuses[rid])}" for rid in wanted
                          if statuses[rid] in (Status.NOT_RUN, Status.SKIP, Status.BLOCKED)
                          and not (statuses[rid] == Status.BLOCKED and self.blocked_by(rid) <= explained))  # fmt: skip
        claim = f", no regression ({len(known)} known)" if known else ""
        if self.model_coverage is not None:  # the model phase ran: the MUST pairs of its map it did not reach
            unchecked += tuple(self.model_coverage.unreached_lines(catalogue))
        if unchecked:
            shown = "; ".join(unchecked[:3]) + (f"; and {len(unchecked) - 3} more" if len(unchecked) > 3 else "")
            return say("incomplete", EXIT_INCOMPLETE, f"INCOMPLETE{level}{claim}: {shown}", unchecked)
        passed = EXIT_FAILED if judged and judged.fails_run else EXIT_OK
        if known:
            listed = ", ".join(known[:5]) + (" ..." if len(known) > 5 else "")
            return say("no regression", passed, f"NOT CONFORMANT{level}{claim}: every failed MUST is known ({listed})")
        held = sum(1 for rid in statuses if statuses[rid] == Status.PASS)
        if self.is_partial():
            ids = [item for item in self.selection if not item.startswith("check ")]
            patterns = [item.removeprefix("check ") for item in self.selection if item.startswith("check ")]
            chosen = [f"--requirement {' '.join(ids)}"] * bool(ids) + [f"--check {' '.join(patterns)}"] * bool(patterns)
            scope = ", ".join(chosen) if self.selection else f"profile {self.profile}"
            scope = f"partial{level and ', strict'}: {scope}"
            return say("partial", passed, f"PASSED {held} of {len(catalogue)} requirements ({scope})")
        if self.strict:
            headline = f"CONFORMANT (STRICT): every requirement, recommendations included, ran and held ({held} passed)"
            return say("conformant (strict)", passed, headline)
        advice = sum(1 for r in catalogue if not r.is_must and statuses[r.id] == Status.FAIL)
        summary = f"{held} of {len(catalogue)} requirements passed" + (f"; {advice} SHOULD unmet" if advice else "")
        return say("conformant", passed, f"CONFORMANT: every MUST ran and held ({len(musts)} MUST, {summary})")

    def blocked_by(self, requirement: str) -> set[str]:
        """The root causes that stopped the setup of this requirement's checks."""
        return {c.blocked_by for c in self.checks if requirement in c.requirements and c.blocked_by}

    def why_unchecked(self, requirement: str, status: Status) -> str:
        if status == Status.BLOCKED:
            return f"blocked by {', '.join(sorted(self.blocked_by(requirement)))}"
        reasons = {c.reason for c in self.checks if requirement in c.requirements and c.status == "skip" and c.reason}
        return f"not checked ({'; '.join(sorted(reasons))})" if reasons else "not checked"

    def totals(self, catalogue: tuple[Requirement, ...]) -> dict[str, int]:
        counts = {status.label: 0 for status in Status}
        for requirement in catalogue:
            counts[self.requirement_status(requirement.id).label] += 1
        return counts

    def to_document(self, catalogue: tuple[Requirement, ...]) -> dict[str, Any]:
        """The conformance.json document (schema: harness/schemas/conformance.schema.json)."""
        verdict = self.verdict(catalogue)
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
                "maxFailuresReached": self.max_failures_reached,
                "selection": self.selection,
                "strict": self.strict,
            },
            "verdict": verdict.label,
            "headline": verdict.headline,
            "unchecked": list(verdict.unchecked),
            "totals": self.totals(catalogue),
            "rootCauses": [cause.to_dict() for cause in self.root_causes()],
            "requirements": self.roll_up(catalogue),
            "operations": self.operations,
            "checks": [asdict(check) for check in self.checks],
            "cleanup": {"problems": self.cleanup_problems},
            "modelCoverage": self.model_coverage.to_dict() if self.model_coverage else None,
            **({"expectations": verdict.judgement.to_dict(verdict.known)} if verdict.judgement else {}),
        }

    def write(self, path: Path, catalogue: tuple[Requirement, ...]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_document(catalogue), indent=2, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> RunResult:
        return cls.from_document(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> RunResult:
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
            max_failures_reached=run.get("maxFailuresReached", 0),
            selection=run.get("selection", []),
            spec_sha256=run.get("specSha256", ""),
            strict=run.get("strict", False),
            expectations=_expectations(document.get("expectations")),
            model_coverage=ModelCoverage.from_dict(document.get("modelCoverage")),
        )


def _expectations(stored: dict[str, Any] | None) -> Expectations | None:
    """The expectations a stored run was judged against (every entry is expected, fixed or unchecked)."""
    if stored is None:
        return None
    from harness.results.expectations import Expectations, KnownFailure

    entries = [KnownFailure.from_dict(item) for part in ("expected", "fixed", "unchecked") for item in stored[part]]
    return Expectations(stored["file"], tuple(entries), stored["strict"])
