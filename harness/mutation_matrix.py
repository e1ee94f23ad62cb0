"""The mutation matrix: every check meets every kind of malformed answer, and the harness never breaks.

Seeded mutations (``selftest --mutations``) sample: each seed runs the checks of a few requirements,
so most (check, malformed answer) pairs are never tried. The matrix covers them on purpose. A clean
run says which operations each check's own requests call, in order, and which only its setup calls
(harness/tracing.py keeps the marks in every run). For every kind, each check is first met at the
last operation of its own whose success answer the kind can change: one run per (kind, operation)
plants that kind there (``mutate-<kind>@<route>``, harness/reference/mutations.py) and runs the
checks met there (``contract --check``). Each request names its check and the server logs whose
answer it changed, so a pair is *met* only when a malformed answer reached the check's own request.
A check that met it only in its setup (a factory call, a fixture; the finding then blocks the check)
is tried again with the setup spared (``~spare-setup``), at that operation and then at each other
operation of its own whose answers can carry the kind, until its own request meets it; a pair no
attempt can meet is named with why. A run *broke* the harness when it ended in exit 2 or 3, or a
check in error. ``strongly-harness selftest --mutation-matrix`` runs it all (benchmarks/README.md §8
has the table); ``--sample N`` runs N first-round runs, chosen by the seed, as CI does.
"""

from __future__ import annotations

import itertools
import json
import random
import re
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
from harness.results import CheckResult, RunResult, Status
from harness.run.config import without_user_variables
from harness.selftest import in_parallel, run_one


@dataclass(frozen=True)
class Planned:
    """One run: a kind planted on one operation (sparing setup, or not), and the checks met there."""

    kind: str
    operation: str
    checks: tuple[str, ...]
    spare_setup: bool = False

    @property
    def fault(self) -> str:
        operation = spec.load().operation(self.operation)
        return mutations.named(self.kind, operation.method, operation.path, spare_setup=self.spare_setup)

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
    spare_setup: bool = False
    met: list[str] = field(default_factory=list)  # a malformed answer reached the check's own request
    met_in_setup: list[str] = field(default_factory=list)  # only its setup's (the finding blocked it)
    errors: list[str] = field(default_factory=list)  # checks that ended in error: the harness broke
    failed: list[str] = field(default_factory=list)  # requirements that failed
    seconds: float = 0.0
    note: str = ""  # a run that broke the harness: the last line it printed

    @property
    def broke(self) -> bool:
        return self.exit_code in (2, 3) or bool(self.errors)


Attempt = tuple[str, bool]  # (operation, spare setup)
Pending = dict[tuple[str, str], list[Attempt]]  # (check, kind): the attempts left, in order


def answers_a_body(operation_id: str, *, success_only: bool = True) -> bool:
    """Whether the operation's answers (its success answers, by default) have a JSON body to change."""
    operation = spec.load().operation(operation_id)
    return any((str(status).startswith("2") or not success_only) and "content" in (spec.load().resolve(response) or {})
               for status, response in operation.responses.items())  # fmt: skip


def attempts(operations: list[str], kind: str, own: list[str]) -> list[Attempt]:
    """Where to meet a check with a kind, in order. The clean run says which of the operations it calls its
    own requests call (``own``; the rest only its setup does), and only those are aimed at: the last whose
    success answer the kind can change; there again with setup spared; then, setup spared, each other one
    whose answers (errors included) can carry it, the last called first. A check whose own requests get no
    body to change (it only deletes, or reads only through its factory) can meet a body kind only in its
    setup: last, one attempt at the last operation whose success answer the kind can change."""
    tries = walk(own, kind)
    if not tries or (kind not in mutations.BODILESS and not any(answers_a_body(op) for op in own)):
        tries += [attempt for attempt in walk(operations, kind)[:1] if attempt not in tries]
    return tries


def walk(operations: list[str], kind: str) -> list[Attempt]:
    if kind in mutations.BODILESS:
        fit = first_fit = operations
    else:
        first_fit = [op for op in operations if answers_a_body(op)]
        fit = [op for op in operations if answers_a_body(op, success_only=False)]
    if not fit:
        return []
    first = (first_fit or fit)[-1]
    return [(first, False), (first, True), *[(op, True) for op in reversed(fit) if op != first]]


def plan(clean: RunResult, kinds: tuple[str, ...] = mutations.KINDS) -> list[Planned]:
    """The first round: one run per (kind, operation) with the checks first met there."""
    return grouped(every_attempt(clean, kinds))


def every_attempt(clean: RunResult, kinds: tuple[str, ...]) -> Pending:
    """Each (check, kind) of the clean run that some operation can carry, with its attempts in order."""
    pending = {(check.check, kind): attempts(check.operations, kind, check.own_operations)
               for check in passing(clean) for kind in kinds}  # fmt: skip
    return {key: tries for key, tries in pending.items() if tries}


def passing(clean: RunResult) -> list[CheckResult]:
    return [check for check in clean.checks if check.status == Status.PASS.label]


def grouped(pending: Pending) -> list[Planned]:
    """One run per (kind, next attempt), with the checks whose next attempt it is."""
    runs: dict[tuple[str, str, bool], list[str]] = {}
    for (check, kind), tries in pending.items():
        operation, spare = tries[0]
        runs.setdefault((kind, operation, spare), []).append(check)
    return [Planned(kind, op, tuple(checks), spare) for (kind, op, spare), checks in sorted(runs.items())]


ASKER = re.compile(r"\(answer \d+\) to (?P<check>.+?)(?P<setup> in setup)?$")


def askers(log: str, said: str) -> tuple[set[str], set[str]]:
    """From the server's log: the checks whose own requests got a malformed answer, and those whose setup did."""
    own: set[str] = set()
    setup: set[str] = set()
    for line in log.splitlines():
        at = line.find(said)
        found = ASKER.search(line, at) if at >= 0 else None
        if found:
            (setup if found.group("setup") else own).add(found.group("check"))
    return own, setup


OUTCOME = "outcome.json"  # each run's folder keeps how it ended, so a matrix can resume where it stopped


def run_planned(planned: Planned, reports: Path, run_seed: int) -> Outcome:
    command = [sys.executable, "-m", "harness", "contract", "--reports", str(reports), "--quiet", "--seed",
               str(run_seed), "--fault", planned.fault, "--deadline", "300"]  # fmt: skip
    for check in planned.checks:
        command += ["--check", check]
    started = time.monotonic()
    run = subprocess.run(command, env=without_user_variables(), capture_output=True, text=True, check=False)
    outcome = read_outcome(planned, reports, run.returncode, round(time.monotonic() - started, 1))
    if outcome.broke:  # what the harness said on its way out, for the report
        outcome.note = (run.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1][:300]
    (reports / OUTCOME).write_text(json.dumps(asdict(outcome), indent=2), encoding="utf-8")
    return outcome


def read_outcome(planned: Planned, reports: Path, exit_code: int, seconds: float) -> Outcome:
    """How a planned run ended, from its folder: whose answers the server's log says it changed, and the result."""
    path = report_files.server_log(reports)
    log = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    own, setup = askers(log, planned.said)
    outcome = Outcome(planned.kind, planned.operation, list(planned.checks), exit_code, planned.said in log,
                      planned.spare_setup, seconds=seconds)  # fmt: skip
    result = report_files.read(RunResult, reports)
    if result is not None:
        outcome.met = [c.check for c in result.checks if c.check in own]
        # a check blocked by a finding its own setup met, or that a shared fixture met first
        blocked = {c.check for c in result.checks if c.status == Status.BLOCKED.label and outcome.fired}
        outcome.met_in_setup = [c for c in planned.checks if c not in own and c in setup | blocked]
        outcome.errors = [c.check for c in result.checks if c.status == Status.ERROR.label]
        outcome.failed = sorted({f.requirement for c in result.checks for f in c.failures})
    return outcome


def folder(reports: Path, planned: Planned, round_number: int) -> Path:
    """Each planned run's own folder: a round can plant a kind on one operation both sparing setup and not."""
    spared = "-spared" if planned.spare_setup else ""
    return reports / f"{planned.kind}-{planned.operation}{spared}{'' if round_number == 1 else f'-round{round_number}'}"


def kept(planned: Planned, where: Path) -> Outcome | None:
    """The outcome a resumed matrix finds in a run's folder, when it is of this very run."""
    path = where / OUTCOME
    if not path.exists():
        return None
    outcome = Outcome(**json.loads(path.read_text(encoding="utf-8")))
    same = (outcome.kind, outcome.operation, outcome.checks, outcome.spare_setup)
    return outcome if same == (planned.kind, planned.operation, list(planned.checks), planned.spare_setup) else None


def run_matrix(
    reports: Path,
    *,
    jobs: int = 2,
    run_seed: int = 1,
    sample: int | None = None,
    kinds: tuple[str, ...] = mutations.KINDS,
    progress: Callable[[Outcome], None] | None = None,
    resume: bool = False,
) -> tuple[RunResult, list[Outcome]]:
    """A clean full run to learn what each check calls, then round after round of planned runs until every
    pair is met in the check's own request or has no attempt left (a ``sample`` runs part of the first round).
    ``resume`` keeps the clean run and every planned run whose folder says how it ended."""
    clean_result = report_files.read(RunResult, reports / "clean") if resume else None
    if clean_result is None or any(check.status in ("fail", "error") for check in clean_result.checks):
        clean = run_one(None, reports / "clean", "declared", run_seed)
        if not clean.detected:
            raise RuntimeError(f"the clean run did not pass (exit {clean.exit_code}): {clean.note}")
        clean_result = report_files.read(RunResult, reports / "clean")
    assert clean_result is not None  # the clean run passed, so it wrote its result
    pending = every_attempt(clean_result, kinds)
    outcomes: list[Outcome] = []
    for round_number in itertools.count(1):
        planned = grouped(pending)
        if sample is not None:
            planned = sorted(random.Random(run_seed).sample(planned, min(sample, len(planned))), key=lambda p: p.fault)
        if not planned:
            break
        where = {item: folder(reports, item, round_number) for item in planned}
        found = {item: kept(item, where[item]) if resume else None for item in planned}
        runs = [partial(run_planned, item, where[item], run_seed) for item, outcome in found.items() if outcome is None]
        done = [outcome for outcome in found.values() if outcome is not None] + in_parallel(runs, jobs, progress)
        outcomes += done
        if sample is not None:
            break
        pending = next_attempts(pending, done)
    return clean_result, outcomes


def next_attempts(pending: Pending, done: list[Outcome]) -> Pending:
    """What is left to try after a round: nothing for a pair met in the check's own request; the next attempt
    for the others, skipping the one that spares setup at the same operation when setup did not meet it
    (sparing what was not hit changes nothing)."""
    met = {(check, o.kind) for o in done for check in o.met}
    shielded = {(check, o.kind, o.operation) for o in done if not o.spare_setup for check in o.met_in_setup}
    left = {}
    for (check, kind), tries in pending.items():
        (operation, spare), rest = tries[0], tries[1:]
        if not spare and (check, kind, operation) not in shielded:
            rest = [attempt for attempt in rest if attempt != (operation, True)]
        if (check, kind) not in met and rest:
            left[(check, kind)] = rest
    return left


def pairs(clean: RunResult, outcomes: list[Outcome], kinds: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """Each (check, kind) of the clean run: ``met`` (in its own request), ``setup`` (only in its setup),
    ``not met`` (every attempt ran, none met it), ``untried`` (a sample left it out) or ``cannot`` (no
    operation it calls can carry the kind)."""
    own = {(check, o.kind) for o in outcomes for check in o.met}
    setup = {(check, o.kind) for o in outcomes for check in o.met_in_setup}
    tried = {(check, o.kind) for o in outcomes for check in o.checks}
    states = {}
    for check in passing(clean):
        for kind in kinds:
            key = (check.check, kind)
            if key in own:
                states[key] = "met"
            elif key in setup:
                states[key] = "setup"
            elif not attempts(check.operations, kind, check.own_operations):
                states[key] = "cannot"
            else:
                states[key] = "not met" if key in tried else "untried"
    return states


STATES = {"met": "met in its own request", "setup": "met only in its setup", "not met": "no attempt met",
          "untried": "not in this sample", "cannot": "no operation it calls can carry the kind"}  # fmt: skip


def coverage(clean: RunResult, outcomes: list[Outcome], kinds: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Per kind: the checks of the clean run, how many pairs are in each state, how many broke the harness."""
    states = pairs(clean, outcomes, kinds)
    table = {}
    for kind in kinds:
        mine = [state for (_, of), state in states.items() if of == kind]
        broke = {check for o in outcomes if o.kind == kind and o.broke for check in (o.errors or o.checks)}
        table[kind] = {"checks": len(mine), **{state: mine.count(state) for state in STATES}, "broke": len(broke)}
    return table


def markdown(clean: RunResult, outcomes: list[Outcome], kinds: tuple[str, ...], wall: float) -> str:
    table = coverage(clean, outcomes, kinds)
    total = {state: sum(row[state] for row in table.values()) for state in ["checks", *STATES]}
    broke = sum(o.broke for o in outcomes)
    lines = [
        f"Mutation matrix: {total['met'] + total['setup']} of {total['checks']} (check, kind) pairs met "
        f"({total['met']} in the check's own request, {total['setup']} only in its setup); {total['not met']} no "
        f"attempt met; {total['cannot']} no operation can carry; {total['untried']} not in this sample; "
        f"{len(outcomes)} runs, {broke} broke the harness; wall time {wall:.0f} s.",
        "",
        f"| kind | checks | {' | '.join(STATES.values())} | broke the harness |",
        "|---|---|" + "---|" * len(STATES) + "---|",
    ]
    lines += [f"| {kind} | {row['checks']} | {' | '.join(str(row[s]) for s in STATES)} | {row['broke']} |"
              for kind, row in table.items()]  # fmt: skip
    states = pairs(clean, outcomes, kinds)
    for state in ("not met", "setup", "cannot"):
        kinds_of: dict[str, list[str]] = {}
        for (check, kind), value in states.items():
            if value == state:
                kinds_of.setdefault(check, []).append(kind)
        if kinds_of:
            lines += ["", f"Pairs {STATES[state]}:", *[f"- {check}: {', '.join(of)}" for check, of in kinds_of.items()]]
    broken = [f"- {o.kind} on {o.operation}: exit {o.exit_code}; errors in {', '.join(o.errors[:3]) or '-'}"
              f"{'; ' + o.note if o.note else ''}" for o in outcomes if o.broke]  # fmt: skip
    lines += ["", "Runs that broke the harness:", *broken] if broken else []
    return "\n".join(lines) + "\n"


def write(clean: RunResult, outcomes: list[Outcome], kinds: tuple[str, ...], reports: Path, wall: float) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    data, text = report_files.selftest_files(reports, report_files.MUTATION_MATRIX)
    document = {"wallSeconds": round(wall, 1), "coverage": coverage(clean, outcomes, kinds),
                "outcomes": [asdict(o) for o in outcomes]}  # fmt: skip
    data.write_text(json.dumps(document, indent=2), encoding="utf-8")
    text.write_text(markdown(clean, outcomes, kinds, wall), encoding="utf-8")
