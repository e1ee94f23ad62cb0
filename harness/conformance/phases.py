"""The phases of a contract run: independent checks concurrently, then the quiet ones alone.

Most checks touch only what they create, so they can run side by side; a slow target's waits
(provisioning, round trips) then overlap instead of adding up. A check that must observe a quiet
server (an unscoped list, its count and order; the model of the whole API; the stateful walk) or
that disturbs every other check (a restart) says so with ``@pytest.mark.quiet("why")``;
``needs("restart")`` implies it. Nothing relies on timing luck: the quiet checks start only once
every concurrent one has ended.

With ``--concurrency N`` above 1 the runner runs the ``concurrent`` phase in N pytest-xdist
workers and then the ``quiet`` phase in one process; with 1, a single ``all`` phase runs every
check in order. Each process leaves its part of the result in the run's parts folder (a worker
per file), and ``merge`` makes them one ``RunResult``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.results import RunResult

ALL, CONCURRENT, QUIET = "all", "concurrent", "quiet"
PARTS = "parts"  # in the run's scratch folder


def phases(concurrency: int) -> list[str]:
    """The phases a run of this concurrency goes through, in order."""
    return [ALL] if concurrency <= 1 else [CONCURRENT, QUIET]


def xdist_arguments(phase: str, concurrency: int) -> list[str]:
    """pytest-xdist's flags for a phase: workers only where checks may overlap."""
    if phase != CONCURRENT:
        return ["-p", "no:xdist"]
    # worksteal: an idle worker takes queued checks from a busy one, so one long wait holds up no one
    return ["-n", str(concurrency), "--dist", "worksteal"]


def is_quiet(item: pytest.Item) -> bool:
    """Whether a check needs a quiet server (it runs after every concurrent check, alone)."""
    restarts = any(mark.args == ("restart",) for mark in item.iter_markers("needs"))
    return restarts or item.get_closest_marker("quiet") is not None


def belongs(item: pytest.Item, phase: str) -> bool:
    return phase == ALL or (phase == QUIET) == is_quiet(item)


def waits(item: pytest.Item) -> int:
    """How many provisioning waits of its own a check declares (``@pytest.mark.slow(n)``)."""
    return sum(mark.args[0] for mark in item.iter_markers("slow"))


def balanced(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """The checks ordered so that each pytest-xdist worker starts with its share of the long waits.

    xdist's worksteal hands each of ``workers`` a contiguous slice of equal size first; dealing the
    checks that wait (longest first, each to the slice with the least waiting so far) to the heads
    of those slices starts every long wait at once instead of leaving them to one worker's turn.
    Every worker computes the same order, as xdist requires.
    """
    if workers <= 1:
        return items
    sizes, left = [], len(items)
    for index in range(workers):  # the slice sizes xdist's first distribution uses
        sizes.append(left // (workers - index))
        left -= sizes[-1]
    slow = sorted((item for item in items if waits(item)), key=waits, reverse=True)
    heads: list[list[pytest.Item]] = [[] for _ in range(workers)]
    for item in slow:
        room = [index for index in range(workers) if len(heads[index]) < sizes[index]]
        heads[min(room, key=lambda index: sum(map(waits, heads[index])))].append(item)
    rest = iter(item for item in items if not waits(item))
    return [
        item
        for index in range(workers)
        for item in heads[index] + [next(rest) for _ in range(sizes[index] - len(heads[index]))]
    ]


def is_controller(config: pytest.Config) -> bool:
    """The pytest-xdist controller: it runs no check, its workers do."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def part_file(config: pytest.Config, scratch: Path, phase: str) -> Path:
    """Where this process leaves its part of the result."""
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    return scratch / PARTS / f"{phase}-{worker}.json"


def merge(parts: list[RunResult]) -> RunResult | None:
    """One run's result from its processes' parts, in the order they ran; None without any part."""
    if not parts:
        return None
    first, rest = parts[0], parts[1:]
    for part in rest:
        first.checks += part.checks
        for operation, count in part.operations.items():
            first.operations[operation] = first.operations.get(operation, 0) + count
        first.notes += [note for note in part.notes if note not in first.notes]
        first.cleanup_problems += part.cleanup_problems
        first.stopped_early = first.stopped_early or part.stopped_early
        first.started_at = min(first.started_at, part.started_at)
        first.finished_at = max(first.finished_at, part.finished_at)
    return first


def read_parts(scratch: Path) -> list[RunResult]:
    """The parts a run's processes left, concurrent phase first (file names sort by phase, then worker)."""
    order = {ALL: 0, CONCURRENT: 1, QUIET: 2}
    files = sorted(
        (scratch / PARTS).glob("*.json"), key=lambda path: (order.get(path.stem.split("-")[0], 3), path.stem)
    )
    return [RunResult.read(path) for path in files]
