"""Progress a person can read while a contract run goes: checks done out of total, workspaces
provisioning, an estimate of the time left, and each root cause as it is found (harness/conformance/early_stop.py).

The suite's processes and the runner share the run's scratch folder. The process that sees every
check end (the only one, or pytest-xdist's controller) keeps ``progress-<phase>.json`` current;
a check waiting for a workspace leaves a file in ``waiting/`` while it waits; the pool's folder
holds the workspaces made ahead and not yet claimed. The runner reads them twice a second and
redraws one line (on a terminal), or prints a line now and then (in a CI log).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from harness.run import pool
from harness.run.scratch import pool_folder, progress_file, progress_files, waiting_folder

LOG_EVERY = 15.0  # seconds between lines when the output is not a terminal


@dataclass
class Tally:
    """The phase's counts, kept by the process that sees every check end."""

    scratch: Path
    phase: str
    worker: str | None = None  # a swarm's worker keeps its own count (harness/conformance/swarm.py)
    total: int = 0
    done: int = 0
    failed: set[str] = field(default_factory=set)

    def collected(self, total: int) -> None:
        self.total = total
        self.write()

    def reported(self, check: str, when: str, failed: bool) -> None:
        if failed:
            self.failed.add(check)
        if when == "teardown":
            self.done += 1
        self.write()

    def write(self) -> None:
        """Replaced atomically: the runner never reads half a file."""
        target = progress_file(self.scratch, self.phase, self.worker)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        counts = {"done": self.done, "total": self.total, "failed": len(self.failed)}
        partial.write_text(json.dumps(counts), encoding="utf-8")
        os.replace(partial, target)


@contextlib.contextmanager
def waiting(scratch: Path, workspace_id: str) -> Iterator[None]:
    """While a check waits for a workspace, the runner counts it as provisioning."""
    marker = waiting_folder(scratch) / f"{os.getpid()}-{workspace_id}"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def counts(scratch: Path, phase: str) -> tuple[int, int, int] | None:
    """Checks done, checks in the phase, and failures (a swarm's workers' summed); None before the phase has
    collected."""
    found = []
    for path in progress_files(scratch, phase):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # not started yet
    if not found:
        return None
    return sum(c["done"] for c in found), max(c["total"] for c in found), sum(c["failed"] for c in found)


def waiting_count(scratch: Path) -> int:
    """Checks waiting for a workspace to provision, now."""
    folder = waiting_folder(scratch)
    return len(os.listdir(folder)) if folder.is_dir() else 0


@dataclass
class Display:
    """The runner's view of one phase."""

    scratch: Path
    phase: str
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    started: float = field(default_factory=time.monotonic)
    last_line: float = field(default_factory=time.monotonic)  # in a log, the first line comes after LOG_EVERY
    width: int = 0
    workers: int = 1  # the phase's checks in flight at once, shown when more than one

    def line(self, stopped: bool = False) -> str | None:
        counted = counts(self.scratch, self.phase)
        if counted is None or counted[1] == 0:
            return None  # not started yet, or a phase with nothing to run
        done, total, failed = counted
        waiting = waiting_count(self.scratch)
        ahead = len(pool.leftovers(pool_folder(self.scratch, self.phase)))
        name = "checks" if self.phase == "all" else f"{self.phase} checks"
        parts = [f"{name} {done}/{total}" + (f" ({failed} failed)" if failed else "")]
        if self.workers > 1:
            parts.append(f"{self.workers} at once")
        if waiting or ahead:
            parts.append(f"workspaces: {waiting} provisioning, {ahead} made ahead")
        elapsed = time.monotonic() - self.started
        parts.append(f"stopped early after {clock(elapsed)}" if stopped else estimate(elapsed, done, total))
        return " · ".join(parts)

    def tick(self) -> None:
        text = self.line()
        if text is None:
            return
        if self.stream.isatty():
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        elif time.monotonic() - self.last_line >= LOG_EVERY and not self.complete():  # finish() says "done"
            self.stream.write(text + "\n")
            self.last_line = time.monotonic()
        self.stream.flush()

    def complete(self) -> bool:
        counted = counts(self.scratch, self.phase)
        return counted is not None and counted[0] >= counted[1]

    def announce(self, lines: list[str]) -> None:
        """Lines that stay (a root cause as it is found): on a terminal above the progress line, redrawn after."""
        if self.stream.isatty() and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.width = 0
        self.stream.write("".join(f"{line}\n" for line in lines))
        self.stream.flush()

    def finish(self, stopped: bool = False) -> None:
        """The phase's last line, kept on screen (``stopped``: the run stopped early, not every check ran)."""
        text = self.line(stopped and not self.complete())
        if text is not None:
            self.stream.write(("\r" + text.ljust(self.width) if self.stream.isatty() else text) + "\n")
            self.stream.flush()


def estimate(elapsed: float, done: int, total: int) -> str:
    """The time left at the pace so far."""
    if done >= total:
        return f"done in {clock(elapsed)}"
    if done == 0:
        return f"{clock(elapsed)} so far"
    return f"about {clock(elapsed / done * (total - done))} left"


def clock(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
