"""The kill matrix: the suite must pass on the clean reference server and catch every planted fault.

With ``--mutations N`` it runs N seeded response mutations instead (harness/reference/mutations.py):
whatever shape an answer takes, the suite must report a finding that names a requirement and never
break (exit 3) or blame the configuration (exit 2). Each seed runs the checks of a few requirements
whose checks call the mutated operation in the clean run, as many as fit a time budget (measured in
that clean run), so a seed takes seconds.

For each contract fault of the catalogue the contract suite runs against the embedded server with
that one fault switched on; the fault counts as caught when a requirement it declares fails, and
that requirement is a MUST at the level the fault runs at: a fault that breaks only one of our own
choices (``strict=True``) runs with --strict, every other one must fail a MUST of the default level.
The clean run is strict: the reference server must meet every recommendation. Each
load fault runs its load profile instead, and is caught when an SLO it declares breaks. With scope
``declared`` (the default) only the checks of the declared requirements run, which is what a fault
claims; scope ``full`` runs the whole suite each time. Runs go in parallel, one child process each.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from harness import reports as report_files
from harness import spec
from harness.reference import mutations
from harness.reference.faults import CATALOGUE, Fault
from harness.requirements import at_level, load_catalogue
from harness.results import RunResult, Status
from harness.results.load import LoadSummary
from harness.run.config import without_user_variables

CLEAN = "(clean)"
T = TypeVar("T")


@dataclass
class MatrixRow:
    """One row of the matrix."""

    fault: str
    area: str
    declared: list[str]
    detected: bool
    fired: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    first_seen: float | None = None
    exit_code: int = 0
    note: str = ""
    bare: list[str] = field(default_factory=list)  # failure messages that are a bare assertion, not words


def bare_messages(result: RunResult) -> list[str]:
    """Failure messages a vendor cannot act on: a raw assertion (``assert 0 == 1``) or an exception's name alone."""
    found = []
    for check in result.checks:
        for failure in check.failures:
            first = next((line.strip() for line in failure.message.splitlines() if line.strip()), "")
            bare = first.removeprefix(f"[{failure.requirement}] ")
            if bare.startswith("assert ") or bare in ("AssertionError", "") or "\nassert " in failure.message:
                found.append(f"{check.check}: {first[:120]}")
    return found


def contract_command(fault: Fault | None, reports: Path, scope: str, seed: int) -> list[str]:
    command = [sys.executable, "-m", "harness", "contract", "--reports", str(reports), "--quiet", "--seed", str(seed)]
    if fault is None or fault.strict:  # the reference meets every recommendation; a decision's fault needs them
        command.append("--strict")
    if fault is not None:
        command += ["--fault", fault.name]  # at the default budget: the model's systematic pass reaches its drifts
        if scope == "declared":
            for requirement in fault.catches:
                command += ["--requirement", requirement]
    return command


def load_command(fault: Fault, reports: Path) -> list[str]:
    return [sys.executable, "-m", "harness", "load", "--fault", fault.name, "--profile", fault.profile,
            "--duration", "15", "--reports", str(reports), "--quiet"]  # fmt: skip


def run_load_fault(fault: Fault, reports: Path) -> MatrixRow:
    """Run the fault's load profile; it is caught when one of the SLOs it declares is broken."""
    started = time.monotonic()
    env = without_user_variables()  # each run starts its own embedded server
    run = subprocess.run(load_command(fault, reports), env=env, capture_output=True, text=True, check=False)
    outcome = MatrixRow(fault.name, fault.area, list(fault.catches), detected=False,
                      seconds=round(time.monotonic() - started, 1), exit_code=run.returncode)  # fmt: skip
    summary = report_files.read(LoadSummary, reports)
    if summary is None:
        outcome.note = (run.stderr.strip().splitlines() or ["no summary written"])[-1][:200]
        return outcome
    broken = [f"{v.route} {v.limit}" for v in summary.slo if not v.held]
    outcome.failed = broken
    outcome.fired = [slo for slo in fault.catches if any(b.startswith(slo) or b.endswith(slo) for b in broken)]
    outcome.detected = run.returncode == 1 and bool(outcome.fired)
    return outcome


def run_one(fault: Fault | None, reports: Path, scope: str, seed: int) -> MatrixRow:
    """Run the suite once (against the fault, or clean) and judge what it found."""
    if fault is not None and fault.suite == "load":
        return run_load_fault(fault, reports)
    name = fault.name if fault else CLEAN
    started = time.monotonic()
    env = without_user_variables()  # each run starts its own embedded server
    run = subprocess.run(
        contract_command(fault, reports, scope, seed), env=env, capture_output=True, text=True, check=False
    )
    seconds = round(time.monotonic() - started, 1)
    declared = list(fault.catches) if fault else []
    outcome = MatrixRow(
        name, fault.area if fault else "", declared, detected=False, seconds=seconds, exit_code=run.returncode
    )
    result = report_files.read(RunResult, reports)
    if result is None:
        outcome.note = (run.stderr.strip().splitlines() or ["no results written"])[-1][:200]
        return outcome
    outcome.failed = sorted({f.requirement for check in result.checks for f in check.failures})
    musts = {r.id for r in at_level(load_catalogue(), result.strict) if r.is_must}
    outcome.fired = [rid for rid in outcome.failed if rid in declared and rid in musts]
    errors = [check.check for check in result.checks if check.status == Status.ERROR.label]
    if fault is None:
        outcome.detected = run.returncode == 0
        outcome.note = "" if outcome.detected else why_clean_failed(result, run.returncode, errors)
    else:
        outcome.bare = bare_messages(result)
        outcome.detected = bool(outcome.fired) and not outcome.bare
        if outcome.bare:
            outcome.note = f"bare assertion messages: {'; '.join(outcome.bare[:2])}"
        times = [check.started + check.duration for check in result.checks
                 if any(f.requirement in declared for f in check.failures)]  # fmt: skip
        outcome.first_seen = round(min(times), 1) if times else None
        if errors:
            outcome.note = f"harness errors in {', '.join(errors[:3])}"
    return outcome


def why_clean_failed(result: RunResult, exit_code: int, errors: list[str]) -> str:
    """What a failed clean run found, said in the matrix's own log: a CI log may be all there is to read."""
    first_failure: dict[str, str] = {}
    for check in result.checks:
        for failure in check.failures:
            lines = [line.strip() for line in failure.message.splitlines() if line.strip()]
            said = " | ".join(lines[:3])[:300]  # schemathesis' title, then what it saw: the status, the body
            first_failure.setdefault(failure.requirement, f"{failure.requirement} in {check.check}: {said}")
    headline = result.verdict(load_catalogue()).headline
    details = [*first_failure.values(), *result.cleanup_problems[:2], result.stopped_early]
    details.append(f"errors in {', '.join(errors[:3])}" if errors else "")
    return "; ".join([f"clean run must pass (exit {exit_code}): {headline}", *filter(None, details)])


def run_matrix(
    faults: list[Fault],
    reports: Path,
    *,
    scope: str = "declared",
    jobs: int = 2,
    seed: int = 1,
    progress: Callable[[MatrixRow], None] | None = None,
) -> list[MatrixRow]:
    """The clean run first (it is the longest), then one run per fault, ``jobs`` at a time."""
    targets: list[Fault | None] = [None, *faults]
    runs = [partial(run_one, fault, reports / (fault.name if fault else "clean"), scope, seed) for fault in targets]
    return in_parallel(runs, jobs, progress)


def in_parallel(runs: list[Callable[[], T]], jobs: int, progress: Callable[[T], None] | None) -> list[T]:
    """Each run in a thread, ``jobs`` at a time; results (and progress) in the order given."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run) for run in runs]
        outcomes = []
        for future in futures:
            outcomes.append(future.result())
            if progress is not None:
                progress(outcomes[-1])
    return outcomes


def chosen_faults(names: list[str]) -> list[Fault]:
    """The named faults, or the whole catalogue; contract faults first, then load faults."""
    chosen = [CATALOGUE[name] for name in names] if names else list(CATALOGUE.values())
    return sorted(chosen, key=lambda fault: fault.suite != "contract")


def markdown(outcomes: list[MatrixRow], *, scope: str, wall: float) -> str:
    caught = sum(o.detected for o in outcomes if o.fault != CLEAN)
    total = sum(1 for o in outcomes if o.fault != CLEAN)
    lines = [
        f"Kill matrix (scope {scope}): {caught}/{total} faults caught; clean run "
        f"{'passed' if outcomes[0].detected else 'FAILED'}; wall time {wall:.0f} s.",
        "",
        "| fault | area | caught | requirement that fired | s into run | s for run |",
        "|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        fired = ", ".join(outcome.fired) or ("-" if outcome.fault == CLEAN else "NONE")
        first = "" if outcome.first_seen is None else f"{outcome.first_seen:.1f}"
        mark = "yes" if outcome.detected else "**NO**"
        lines.append(f"| {outcome.fault} | {outcome.area} | {mark} | {fired} | {first} | {outcome.seconds:.1f} |")
    return "\n".join(lines) + "\n"


def write(outcomes: list[MatrixRow], reports: Path, *, scope: str, wall: float) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    document = {"scope": scope, "wallSeconds": round(wall, 1), "outcomes": [asdict(o) for o in outcomes]}
    data, text = report_files.selftest_files(reports)
    data.write_text(json.dumps(document, indent=2), encoding="utf-8")
    text.write_text(markdown(outcomes, scope=scope, wall=wall), encoding="utf-8")


def passed(outcomes: list[MatrixRow]) -> bool:
    return all(outcome.detected for outcome in outcomes)


# ------------------------------------------------------------------ seeded response mutations
@dataclass
class MutationOutcome:
    """One seed: what it perturbed, whether that reached the suite, and how the suite ended."""

    seed: int
    mutation: str
    requirements: list[str]
    fired: bool
    exit_code: int
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""

    @property
    def verdict(self) -> str:
        """broken: the harness crashed or blamed the configuration; caught: a finding that names a
        requirement; unseen: the mutated answer never came back to a selected check; missed: it did."""
        if self.exit_code in (2, 3) or self.note.startswith("harness errors"):
            return "broken"
        if self.fired and self.exit_code == 1 and self.failed:
            return "caught"
        return "missed" if self.fired else "unseen"


@dataclass
class Callers:
    """What a clean run says about its checks: who called each operation, and what each requirement costs."""

    by_operation: dict[str, list[str]]
    seconds: dict[str, float]

    @classmethod
    def of(cls, clean: RunResult) -> Callers:
        by_operation: dict[str, dict[str, None]] = {}
        seconds: dict[str, float] = {}
        for check in clean.checks:
            for operation in check.operations:
                by_operation.setdefault(operation, {}).update(dict.fromkeys(check.requirements))
            for requirement in check.requirements:
                seconds[requirement] = seconds.get(requirement, 0.0) + check.duration
        return cls({operation: list(ids) for operation, ids in by_operation.items()}, seconds)


def aim(seed: int, callers: Callers, budget: float) -> tuple[mutations.Mutation, list[str]]:
    """The seed's mutation and requirements whose checks call its operation: a seeded sample of those
    that fit ``budget`` seconds together (always at least one)."""
    import random

    mutation = mutations.for_seed(seed)
    operation = spec.load().match(mutation.method, mutation.path)
    candidates = sorted(callers.by_operation.get(operation.operation_id, []) if operation else [])
    random.Random(seed).shuffle(candidates)
    cost = callers.seconds.get
    chosen: list[str] = []
    for requirement in candidates:
        if sum(cost(r, 0.0) for r in chosen) + cost(requirement, 0.0) <= budget:
            chosen.append(requirement)
    if not chosen and candidates:  # nothing fits: the cheapest alone
        chosen = [min(candidates, key=lambda r: cost(r, 0.0))]
    return mutation, sorted(chosen)


def run_mutation(seed: int, requirements: list[str], reports: Path, run_seed: int) -> MutationOutcome:
    mutation = mutations.for_seed(seed)
    command = [sys.executable, "-m", "harness", "contract", "--reports", str(reports), "--quiet", "--seed",
               str(run_seed), "--fault", f"{mutations.PREFIX}{seed}", "--deadline", "300"]  # fmt: skip
    for requirement in requirements:
        command += ["--requirement", requirement]
    started = time.monotonic()
    env = without_user_variables()  # each run starts its own embedded server
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    log = report_files.server_log(reports)
    fired = log.exists() and f"mutation {seed}:" in log.read_text(encoding="utf-8", errors="replace")
    outcome = MutationOutcome(seed, mutation.describe(), requirements, fired, run.returncode,
                              seconds=round(time.monotonic() - started, 1))  # fmt: skip
    result = report_files.read(RunResult, reports)
    if result is not None:
        outcome.failed = sorted({f.requirement for check in result.checks for f in check.failures})
        errors = [check.check for check in result.checks if check.status == Status.ERROR.label]
        if errors:
            outcome.note = f"harness errors in {', '.join(errors[:3])}"
    if run.returncode in (2, 3) and not outcome.note:
        outcome.note = (run.stderr.strip().splitlines() or ["no output"])[-1][:200]
    return outcome


def run_mutations(
    seeds: range, reports: Path, *, jobs: int = 2, run_seed: int = 1, budget: float = 6.0,
    progress: Callable[[MutationOutcome], None] | None = None,
) -> list[MutationOutcome]:  # fmt: skip
    """A clean full run to learn which checks call what, then one run per seed, ``jobs`` at a time."""
    clean = run_one(None, reports / "clean", "declared", run_seed)
    if not clean.detected:
        raise RuntimeError(f"the clean run did not pass (exit {clean.exit_code}): {clean.note}")
    clean_result = report_files.read(RunResult, reports / "clean")
    assert clean_result is not None  # the clean run passed, so it wrote its result
    callers = Callers.of(clean_result)
    runs = [partial(run_mutation, seed, aim(seed, callers, budget)[1], reports / f"mutate-{seed}", run_seed)
            for seed in seeds]  # fmt: skip
    return in_parallel(runs, jobs, progress)


def mutation_markdown(outcomes: list[MutationOutcome], wall: float) -> str:
    counts = {kind: sum(o.verdict == kind for o in outcomes) for kind in ("caught", "missed", "unseen", "broken")}
    lines = [
        f"Mutations: {len(outcomes)} seeds; {counts['broken']} broke the harness; {counts['caught']} caught, "
        f"{counts['missed']} reached a check and passed, {counts['unseen']} never reached a selected check; "
        f"wall time {wall:.0f} s.",
        "",
        "| seed | mutation | verdict | exit | requirements that failed | s |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        failed = ", ".join(o.failed[:4]) + (" ..." if len(o.failed) > 4 else "")
        lines.append(f"| {o.seed} | {o.mutation} | {o.verdict} | {o.exit_code} | {failed or '-'} | {o.seconds:.1f} |")
    return "\n".join(lines) + "\n"


def write_mutations(outcomes: list[MutationOutcome], reports: Path, wall: float) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    rows = [{**asdict(o), "verdict": o.verdict} for o in outcomes]
    document = {"wallSeconds": round(wall, 1), "outcomes": rows}
    data, text = report_files.selftest_files(reports, report_files.MUTATIONS)
    data.write_text(json.dumps(document, indent=2), encoding="utf-8")
    text.write_text(mutation_markdown(outcomes, wall), encoding="utf-8")
