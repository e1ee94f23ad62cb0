"""The mutation matrix: every check meets every kind of malformed answer, and the harness never breaks.

Seeded mutations (``selftest --mutations``) sample: each seed runs the checks of a few requirements,
so most (check, malformed answer) pairs are never tried. The matrix covers them on purpose. A clean
run says which operations each check calls, in order; each check is met at the last operation it
calls that the kind can change (one that answers a JSON body, for the kinds that change a body). For
every kind and every such operation one run plants that kind on that operation
(``mutate-<kind>@<route>``, harness/reference/mutations.py) and runs the checks met there
(``contract --check``). A pair is *met* when the check, in that run, called the operation while
the mutation was changing its answers; it *broke* the harness when that run ended in exit 2 or 3,
or the check in error. ``strongly-harness selftest --mutation-matrix`` runs it all (benchmarks/
README.md §8 has the table); ``--sample N`` runs N of its runs, chosen by the seed, as CI does.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

from harness import reports as report_files
from harness import spec
from harness.reference import mutations
from harness.results import RunResult, Status
from harness.run.config import without_user_variables
from harness.selftest import in_parallel, run_one


@dataclass(frozen=True)
class Planned:
    """One run: a kind planted on one operation, and the checks met there."""

    kind: str
    operation: str
    checks: tuple[str, ...]

    @property
    def fault(self) -> str:
        operation = spec.load().operation(self.operation)
        return mutations.named(self.kind, operation.method, operation.path)

    @property
    def said(self) -> str:
        """What the server logs when the mutation changes an answer."""
        mutation = mutations.for_name(self.fault)
        assert mutation is not None  # named from the contract's own routes
        return f"{mutation.describe()} (answer"


@dataclass
class Outcome:
    """How one planned run ended, and which of its checks met the mutation."""

    kind: str
    operation: str
    checks: list[str]
    exit_code: int
    fired: bool
    met: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # checks that ended in error: the harness broke
    failed: list[str] = field(default_factory=list)  # requirements that failed
    seconds: float = 0.0

    @property
    def broke(self) -> bool:
        return self.exit_code in (2, 3) or bool(self.errors)


def answers_a_body(operation_id: str) -> bool:
    """Whether the operation's success answer has a JSON body (a field or envelope kind has something to change)."""
    operation = spec.load().operation(operation_id)
    return any(str(status).startswith("2") and "content" in (spec.load().resolve(response) or {})
               for status, response in operation.responses.items())  # fmt: skip


def plan(clean: RunResult, kinds: tuple[str, ...] = mutations.KINDS) -> list[Planned]:
    """For each kind, each check met at the last operation it calls that the kind can change; one run per
    (kind, operation) with its checks."""
    runs: dict[tuple[str, str], list[str]] = {}
    for check in clean.checks:
        if check.status != Status.PASS.label:
            continue
        for kind in kinds:
            fit = [op for op in check.operations if kind in mutations.BODILESS or answers_a_body(op)]
            if fit:
                runs.setdefault((kind, fit[-1]), []).append(check.check)
    return [Planned(kind, operation, tuple(checks)) for (kind, operation), checks in sorted(runs.items())]


def run_planned(planned: Planned, reports: Path, run_seed: int) -> Outcome:
    command = [sys.executable, "-m", "harness", "contract", "--reports", str(reports), "--quiet", "--seed",
               str(run_seed), "--fault", planned.fault, "--deadline", "300"]  # fmt: skip
    for check in planned.checks:
        command += ["--check", check]
    started = time.monotonic()
    run = subprocess.run(command, env=without_user_variables(), capture_output=True, text=True, check=False)
    log = report_files.server_log(reports)
    fired = log.exists() and planned.said in log.read_text(encoding="utf-8", errors="replace")
    outcome = Outcome(planned.kind, planned.operation, list(planned.checks), run.returncode, fired,
                      seconds=round(time.monotonic() - started, 1))  # fmt: skip
    result = report_files.read(RunResult, reports)
    if result is not None:
        outcome.met = [c.check for c in result.checks if fired and planned.operation in c.operations]
        outcome.errors = [c.check for c in result.checks if c.status == Status.ERROR.label]
        outcome.failed = sorted({f.requirement for c in result.checks for f in c.failures})
    return outcome


def run_matrix(
    reports: Path,
    *,
    jobs: int = 2,
    run_seed: int = 1,
    sample: int | None = None,
    kinds: tuple[str, ...] = mutations.KINDS,
    progress: Callable[[Outcome], None] | None = None,
) -> tuple[RunResult, list[Outcome]]:
    """A clean full run to learn what each check calls, then the planned runs (or ``sample`` of them)."""
    clean = run_one(None, reports / "clean", "declared", run_seed)
    if not clean.detected:
        raise RuntimeError(f"the clean run did not pass (exit {clean.exit_code}): {clean.note}")
    clean_result = report_files.read(RunResult, reports / "clean")
    assert clean_result is not None  # the clean run passed, so it wrote its result
    planned = plan(clean_result, kinds)
    if sample is not None:
        planned = sorted(random.Random(run_seed).sample(planned, min(sample, len(planned))), key=lambda p: p.fault)
    runs = [partial(run_planned, item, reports / f"{item.kind}-{item.operation}", run_seed) for item in planned]
    return clean_result, in_parallel(runs, jobs, progress)


def coverage(clean: RunResult, outcomes: list[Outcome], kinds: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Per kind: the checks of the clean run, how many met it, how many broke the harness."""
    checks = [check.check for check in clean.checks if check.status == Status.PASS.label]
    table = {}
    for kind in kinds:
        ran = [o for o in outcomes if o.kind == kind]
        met = {check for o in ran for check in o.met}
        broke = {check for o in ran if o.broke for check in (o.errors or o.checks)}
        table[kind] = {"checks": len(checks), "met": len(met & set(checks)), "broke": len(broke)}
    return table


def markdown(clean: RunResult, outcomes: list[Outcome], kinds: tuple[str, ...], wall: float) -> str:
    table = coverage(clean, outcomes, kinds)
    pairs = sum(row["checks"] for row in table.values())
    met = sum(row["met"] for row in table.values())
    broke = sum(o.broke for o in outcomes)
    lines = [
        f"Mutation matrix: {met} of {pairs} (check, kind) pairs met in {len(outcomes)} runs; {broke} runs broke the "
        f"harness; wall time {wall:.0f} s.",
        "",
        "| kind | checks | met | broke the harness |",
        "|---|---|---|---|",
    ]
    lines += [f"| {kind} | {row['checks']} | {row['met']} | {row['broke']} |" for kind, row in table.items()]
    unmet = [f"{o.kind} on {o.operation}: {len(o.checks) - len(o.met)} of {len(o.checks)} checks not met"
             for o in outcomes if len(o.met) < len(o.checks)]  # fmt: skip
    lines += ["", "Runs whose checks did not all meet the mutation:", *[f"- {line}" for line in unmet]] if unmet else []
    broken = [f"- {o.kind} on {o.operation}: exit {o.exit_code}; errors in {', '.join(o.errors[:3]) or '-'}"
              for o in outcomes if o.broke]  # fmt: skip
    lines += ["", "Runs that broke the harness:", *broken] if broken else []
    return "\n".join(lines) + "\n"


def write(clean: RunResult, outcomes: list[Outcome], kinds: tuple[str, ...], reports: Path, wall: float) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    data, text = report_files.selftest_files(reports, report_files.MUTATION_MATRIX)
    document = {"wallSeconds": round(wall, 1), "coverage": coverage(clean, outcomes, kinds),
                "outcomes": [asdict(o) for o in outcomes]}  # fmt: skip
    data.write_text(json.dumps(document, indent=2), encoding="utf-8")
    text.write_text(markdown(clean, outcomes, kinds, wall), encoding="utf-8")
