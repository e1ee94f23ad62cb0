"""Concurrency that adapts to the target (issue 28): the concurrent phase's checks run in a swarm of pytest
processes the runner starts as they are needed, from two, and retires when they hurt.

No fixed number suits every target. Against a deployment whose workspaces take tens of seconds to
provision, sixteen checks waiting side by side cost nothing; against a server on this machine every
worker is a Python process competing with the server for the same cores. So the runner starts two
workers (harness/conformance/queue.py: each takes checks from a queue they share) and, every two
seconds, reads three things: the cores this machine left idle, the checks waiting for a workspace to
provision, and the target's answer times (each worker appends them to the scratch folder). While a
core is idle or half the workers only wait, the answers are no slower than usual and checks are left,
it starts more: up to twice the machine's cores, one for each half core left idle, at most as many as run
(so at most doubling: TCP's slow start, bounded by the machine), and one at a time beyond that or where only
waiting workers make the room; when the answers climb well above their usual and no core is idle, it retires
the newest, which ends after its current check, and lets that settle before the next. That is TCP congestion
control, with a gradient like Netflix's concurrency-limits:
answer times rising above their usual (a slow average, for the run's mix of requests changes) say the
target, or the machine under it, is saturated. `--concurrency N` still fixes the number, and then
pytest-xdist runs the phase as before.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.conformance import progress
from harness.conformance.queue import taken
from harness.run import scratch as files

START = 2  # workers at once when the phase starts: the first takes the early checks, the second a long wait
WINDOW = 2.0  # seconds between two decisions: enough answers to judge, short enough to follow the run
IDLE = 0.5  # cores idle (of the machine's) that leave room for one more worker
BUSY = 0.1  # cores idle below which the machine is saturated
CLIMB = 2.0  # answer times this many times their usual (plus SLACK) say the target is saturated
SMOOTHING = 0.2  # the weight of each window in the usual answer time: the run's mix of requests changes slowly
SETTLE = 3  # windows after a retirement before the next: a retired worker ends only after its current check
SLACK = 0.005  # seconds: below this, answer times are noise on loopback
ENOUGH = 5  # answers in a window before their median counts


@dataclass(frozen=True)
class Reading:
    """What the runner saw over the last window."""

    idle_cores: float
    answer: float | None  # the median answer time (s), None with fewer than ENOUGH answers
    ready: int  # workers that have collected and take checks
    pending: int  # checks no worker has taken yet
    waiting: int = 0  # checks waiting for a workspace to provision: a worker that waits leaves its core idle


@dataclass
class Controller:
    """The decision alone, from readings: how many more workers (one fewer, or as many)."""

    ceiling: int
    threshold: int = 2 * (os.cpu_count() or 1)  # TCP's ssthresh: workers up to which several start at once
    usual: float | None = None  # the answer time so far, smoothed over windows
    settling: int = 0  # windows left before another retirement

    def decide(self, workers: int, reading: Reading) -> int:
        answer, usual = reading.answer, self.usual
        climbing = answer is not None and usual is not None and answer > CLIMB * usual + SLACK
        if answer is not None and not climbing:  # a saturated window is not the usual
            self.usual = answer if usual is None else usual + SMOOTHING * (answer - usual)
        self.settling = max(self.settling - 1, 0)
        starting = max(workers - reading.ready, 0)
        if starting > 1:
            return 0  # workers still collecting spend CPU: judge once they take checks
        if climbing and reading.idle_cores < BUSY and workers > 1 and not starting and not self.settling:
            self.settling = SETTLE
            return -1
        # room: cores idle (unless a worker still collecting makes them look busy), or workers that only wait
        room = (reading.idle_cores >= IDLE and not starting) or 2 * reading.waiting >= workers
        if not climbing and room and reading.pending > 0 and workers < self.ceiling:
            # up to the threshold, as many as the idle cores leave room for, at most as many as run (TCP's slow
            # start, bounded by the machine): one at a time took most of a short run to reach the workers it could
            # use; beyond it one at a time (against a slow deployment, doubling on to 16 ran slower than 8)
            fits = 1 if starting else min(int(reading.idle_cores / IDLE), self.threshold - workers)
            return max(1, min(fits, workers, self.ceiling - workers, reading.pending))
        return 0


class CpuMeter:
    """Cores this machine left idle since the last reading (Linux's /proc/stat; elsewhere the load average)."""

    STAT = Path("/proc/stat")

    def __init__(self) -> None:
        self.cores = os.cpu_count() or 1
        self.last = self.sample()

    def sample(self) -> tuple[int, int] | None:
        try:
            values = [int(value) for value in self.STAT.read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return None
        return values[3] + values[4], sum(values)  # idle and iowait, of all

    def idle_cores(self) -> float:
        now = self.sample()
        if now is None or self.last is None:
            return max(self.cores - os.getloadavg()[0], 0.0)
        idle, total = now[0] - self.last[0], now[1] - self.last[1]
        self.last = now
        return self.cores * idle / total if total > 0 else 0.0


class AnswerTimes:
    """The workers' answer times, read as they append them."""

    def __init__(self, scratch: Path) -> None:
        self.appended = files.AppendedLines(files.answers_file(scratch, "x").parent, "*.txt")
        self.unjudged: list[float] = []  # read since the last median

    def median(self) -> float | None:
        """The median of the answers since the last median; None until there are ENOUGH of them."""
        self.unjudged += [float(line) for line in self.appended.new()]
        if len(self.unjudged) < ENOUGH:
            return None
        median, self.unjudged = statistics.median(self.unjudged), []
        return median


def record_answers(scratch: Path, worker: str, seconds: list[float]) -> None:
    """A worker's answer times, appended for the runner (one line each, written whole)."""
    if not seconds:
        return
    target = files.answers_file(scratch, worker)
    target.parent.mkdir(exist_ok=True)
    with target.open("a", encoding="utf-8") as handle:
        handle.write("".join(f"{value:.6f}\n" for value in seconds))


@dataclass
class Swarm:
    """The concurrent phase's workers: started as needed through ``start_worker``, retired when they hurt."""

    scratch: Path
    phase: str
    ceiling: int
    start_worker: Callable[[str], subprocess.Popen[bytes]]  # starts the worker of that name
    controller: Controller = field(init=False)
    meter: CpuMeter = field(default_factory=CpuMeter)
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (seconds into the phase, workers)
    started: float = field(default_factory=time.monotonic)
    decided: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.controller = Controller(self.ceiling)
        self.answers = AnswerTimes(self.scratch)

    def processes(self) -> list[subprocess.Popen[bytes]]:
        return list(self.workers.values())

    def begin(self) -> None:
        for _ in range(min(START, self.ceiling)):
            self.add(noted=False)
        self.note()

    @property
    def active(self) -> int:
        return len(self.workers) - len(self.retired)

    def add(self, noted: bool = True) -> None:
        name = f"q{len(self.workers) + 1}"
        self.workers[name] = self.start_worker(name)
        if noted:
            self.note()

    def retire(self) -> None:
        newest = next(name for name in reversed(self.workers) if name not in self.retired)
        files.retire_file(self.scratch, newest).touch()
        self.retired.add(newest)
        self.note()

    def note(self) -> None:
        self.timeline.append((round(time.monotonic() - self.started, 1), self.active))

    def reading(self) -> Reading:
        ready = sum(1 for name in self.workers if name not in self.retired
                    and files.progress_file(self.scratch, self.phase, name).exists())  # fmt: skip
        counted = progress.counts(self.scratch, self.phase)
        pending = counted[1] - taken(files.claims_folder(self.scratch, self.phase)) if counted else 1
        if files.stop_file(self.scratch).exists():  # the run stops (-x): no check is left to hand out, and a worker
            pending = 0  # started now would only collect for seconds, see the stop and end
        waiting = progress.waiting_count(self.scratch)
        return Reading(self.meter.idle_cores(), self.answers.median(), ready, pending, waiting)

    def tick(self) -> None:
        """Twice a second from the runner's watch; a decision every WINDOW seconds."""
        if time.monotonic() - self.decided < WINDOW:
            return
        self.decided = time.monotonic()
        step = self.controller.decide(self.active, self.reading())
        for _ in range(step):
            self.add()
        if step < 0:
            self.retire()

    def summary(self) -> str:
        """The concurrency over the phase, for the run's notes: each change, and the most at once."""
        changes = ", ".join(f"{workers} at {seconds:g}s" for seconds, workers in self.timeline)
        return f"concurrency adapted to the target: {changes} (at most {self.peak})"

    @property
    def peak(self) -> int:
        return max((workers for _, workers in self.timeline), default=0)
