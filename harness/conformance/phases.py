"""The phases of a contract run: the independent checks concurrently, then the quiet ones alone, a restart last.

Most checks touch only what they create, so they can run side by side; a slow target's waits
(provisioning, round trips) then overlap instead of adding up. A check that must observe a quiet
server (an unscoped list, its count and order; ids never reused after a delete) says so with
``@pytest.mark.quiet("why")``. A check that restarts the target (``needs("restart")``) disturbs
every check after it, so it runs last of all. Nothing relies on timing luck: no two phases send
requests at the same time.

With ``--concurrency N`` above 1 the runner runs the ``concurrent`` phase in N pytest-xdist workers,
then the ``quiet`` phase in one process, then the ``last`` phase when the target can be restarted;
with 1, a single ``all`` phase runs every check in order. The concurrent phase goes first because
it holds the checks that find the most faults per second (``@pytest.mark.early``: each operation's
answers against the contract, auth), which start at once on the first worker while the others
start the long waits. The first phase's processes start at once; the later phases' once the first has
collected (a second or two of CPU each, no request: started together they would hold back the first
checks). Each waits at its gate, which the runner opens when the phase before has ended. Each
process leaves its part of the result in the run's scratch folder (a worker per file), and ``merge``
makes them one ``RunResult``.
"""

from __future__ import annotations

import itertools
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from harness import spec
from harness.client import HungRoutes
from harness.results import RunResult
from harness.run import scratch as files

if TYPE_CHECKING:  # the runner imports this module, and needs no pytest of its own
    import pytest


class PhaseName(StrEnum):
    """A phase of a contract run. Its value is what configuration files hold and names the phase's scratch files."""

    ALL = "all"  # every check, in one process (--concurrency 1)
    QUIET = "quiet"  # the checks that need a quiet server, alone
    CONCURRENT = "concurrent"  # the checks that touch only what they create, in pytest-xdist workers
    LAST = "last"  # the checks that restart the target


ALL, QUIET, CONCURRENT, LAST = PhaseName.ALL, PhaseName.QUIET, PhaseName.CONCURRENT, PhaseName.LAST


def phases(concurrency: int, restarts: bool) -> list[PhaseName]:
    """The phases a run goes through, in order (a restart phase only when the target can be restarted)."""
    if concurrency <= 1:
        return [ALL]
    return [CONCURRENT, QUIET, *([LAST] if restarts else [])]


def xdist_arguments(phase: PhaseName, concurrency: int) -> list[str]:
    """pytest-xdist's flags for a phase: workers only where checks may overlap."""
    if phase != CONCURRENT:
        return []  # the runner loads only the plugins it names (runner.PLUGINS), xdist not among them
    # worksteal: an idle worker takes queued checks from a busy one, so one long wait holds up no one
    return ["-p", "xdist.plugin", "-n", str(concurrency), "--dist", "worksteal"]


def restarts(item: pytest.Item) -> bool:
    return any(mark.args == ("restart",) for mark in item.iter_markers("needs"))


def phase_of(item: pytest.Item, restartable: bool) -> PhaseName:
    """Where a check runs when the phases are split. Without a restart command a restart check only
    skips, and does that in the quiet phase."""
    if restarts(item):
        return LAST if restartable else QUIET
    return QUIET if item.get_closest_marker("quiet") is not None else CONCURRENT


def belongs(item: pytest.Item, phase: str, restartable: bool) -> bool:
    return phase == ALL or phase_of(item, restartable) == phase


def collected(scratch: Path, phase: str) -> bool:
    """Whether a process of the phase has collected its checks (its progress file exists: progress.Tally)."""
    return any(path.exists() for path in files.progress_files(scratch, phase))


def wait_at_gate(scratch: Path, phase: str, timeout: float) -> None:
    """Until the runner opens the phase's gate (the phase before it has ended), or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while not files.gate(scratch, phase).exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def waits(item: pytest.Item) -> int:
    """How long a check declares it takes, in provisioning waits (``@pytest.mark.slow(n)``)."""
    return sum(mark.args[0] for mark in item.iter_markers("slow"))


def early(item: pytest.Item) -> bool:
    """A check that finds many faults per second (``@pytest.mark.early``): it runs before the others."""
    return item.get_closest_marker("early") is not None


def ordered(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """The order a process runs its checks in: a restart disturbs every check after it, so those go last;
    one process alone runs the early checks first and takes workspaces made ahead as late as it can (they
    provision meanwhile); xdist's first worker starts with the early checks, the others with the long waits."""
    if workers > 1:
        return balanced(sorted(items, key=restarts), workers)
    pooled = "running_workspaces"
    items = taking_turns([item for item in items if early(item)]) + [item for item in items if not early(item)]
    return sorted(items, key=lambda item: (restarts(item), item.get_closest_marker(pooled) is not None))


def queued(items: list[pytest.Item]) -> list[pytest.Item]:
    """The order of a swarm's shared queue (harness/conformance/queue.py): an early check, then a long wait
    (longest first), in turns while both last, then the rest; whichever workers are up take from its head, so
    the first findings come in seconds and the long waits start at once."""
    early_ones = taking_turns([item for item in items if early(item) and not waits(item)])
    slow = sorted((item for item in items if waits(item)), key=waits, reverse=True)
    first = {id(item) for item in [*early_ones, *slow]}
    turns = [item for pair in itertools.zip_longest(early_ones, slow) for item in pair if item is not None]
    return turns + [item for item in items if id(item) not in first]


def balanced(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """The checks ordered so that the first pytest-xdist worker starts with the early checks and every other
    worker with its share of the long waits.

    xdist's worksteal hands each of ``workers`` a contiguous slice of equal size first. The early checks
    head the first slice, so the first findings come in seconds; dealing the checks that wait (longest
    first, each to the slice with the least waiting so far) to the heads of the other slices starts every
    long wait at once instead of leaving them to one worker's turn. Every worker computes the same order,
    as xdist requires.
    """
    if workers <= 1:
        return items
    sizes, left = [], len(items)
    for index in range(workers):  # the slice sizes xdist's first distribution uses
        sizes.append(left // (workers - index))
        left -= sizes[-1]
    heads: list[list[pytest.Item]] = [[] for _ in range(workers)]
    heads[0] = taking_turns([item for item in items if early(item) and not waits(item)])[: sizes[0]]
    first = {id(item) for item in heads[0]}
    slow = sorted((item for item in items if waits(item)), key=waits, reverse=True)
    for item in slow:
        room = [index for index in range(workers) if len(heads[index]) < sizes[index]]
        heads[min(room, key=lambda index: (index == 0, sum(map(waits, heads[index]))))].append(item)
    rest = iter(item for item in items if not waits(item) and id(item) not in first)
    return [
        item
        for index in range(workers)
        for item in heads[index] + [next(rest) for _ in range(sizes[index] - len(heads[index]))]
    ]


def taking_turns(items: list[pytest.Item]) -> list[pytest.Item]:
    """One check of each file in turn, so each kind of early check runs in the first seconds; within a file, those of
    an operation that takes a body first (its invalid bodies meet the most faults per request)."""
    files: dict[str, list[pytest.Item]] = {}
    for item in sorted(items, key=lambda item: not takes_a_body(item)):
        files.setdefault(item.nodeid.partition("::")[0], []).append(item)
    return [item for turn in itertools.zip_longest(*files.values()) for item in turn if item is not None]


def takes_a_body(item: pytest.Item) -> bool:
    """Whether the check is of one operation (a schemathesis test's, or its ``operation`` parameter) whose request has
    a body."""
    operation = getattr(getattr(item, "callspec", None), "params", {}).get("operation")
    label = getattr(item, "operation_label", None)
    if operation is None and isinstance(label, str) and " " in label:
        method, path = label.split(" ", 1)
        operation = spec.load().match(method, path)
    return getattr(operation, "request_schema", None) is not None


def is_controller(config: pytest.Config) -> bool:
    """The pytest-xdist controller: it runs no check, its workers do."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def worker_name(config: pytest.Config) -> str:
    """This process among its phase's: a swarm's worker, an xdist worker, or the phase's one process (``main``)."""
    return config.getoption("queue_worker", None) or getattr(config, "workerinput", {}).get("workerid", "main")


def part_file(config: pytest.Config, scratch: Path, phase: str) -> Path:
    """Where this process leaves its part of the result."""
    return files.part_file(scratch, phase, worker_name(config))


def merge(parts: list[RunResult]) -> RunResult | None:
    """One run's result from its processes' parts, in the order they ran; None without any part."""
    if not parts:
        return None
    first, rest = parts[0], parts[1:]
    for part in rest:
        first.checks += part.checks
        for operation, count in part.operations.items():
            first.operations[operation] = first.operations.get(operation, 0) + count
        first.cleanup_problems += part.cleanup_problems
        first.stopped_early = first.stopped_early or part.stopped_early
        first.started_at = min(first.started_at, part.started_at)
        first.finished_at = max(first.finished_at, part.finished_at)
        first.model_coverage = first.model_coverage or part.model_coverage  # the one process that ran the model
    # each note once, and one per hanging route with every process's timeouts added up
    first.notes = list(dict.fromkeys(HungRoutes.combined([note for part in parts for note in part.notes])))
    return first


def read_parts(scratch: Path) -> list[RunResult]:
    """The parts a run's processes left, in the order of the phases (then by worker)."""
    order = {ALL: 0, QUIET: 1, CONCURRENT: 2, LAST: 3}
    found = sorted(
        files.parts(scratch).glob("*.json"), key=lambda path: (order.get(files.phase_of_part(path), 3), path.stem)
    )
    return [RunResult.read(path) for path in found]
