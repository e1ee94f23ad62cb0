"""Root causes as they are found, and a run that stops at its Nth (``contract --max-failures N``, ``-x``).

The checks run in several processes (a phase's pytest, its pytest-xdist workers), and a root cause is a
group of findings that may come from any of them, so neither a process nor xdist can count root causes
(xdist's own ``--maxfail`` counts failed checks, and only its controller does). The processes and the
runner share the run's scratch folder:

- each process that runs checks appends every check that found something to ``findings/<its pid>.jsonl``
  (the check's result, once its call is over and again when it has ended; the later line wins);
- the runner reads those files twice a second (``Findings.poll``), groups the checks into root causes
  exactly as the final report does (``RunResult.root_causes``, ``leads``), prints each new one with its
  curl line, and at the limit writes ``stop`` with the reason;
- each process watches for ``stop`` (``StopWhenAsked``): its check in setup or call is skipped there and
  then (a signal to the main thread; teardown, and so the check's own cleanup, runs as usual), no check
  starts after it, and pytest-xdist's workers leave their queues (a worker that ends with
  ``session.shouldstop`` makes its controller shut the others down, but those would first run every
  check already queued to them: each worker stops by itself instead).

The runner then opens no further phase, removes the pool's leftovers and sweeps as on any run's end.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from harness.redact import Redactor
from harness.requirements import Requirement, at_level
from harness.results import CheckResult, Failure, RootCause, RunResult, leads
from harness.run.scratch import AppendedLines, findings_folder, stop_file

if TYPE_CHECKING:  # the runner imports this module, and needs no pytest of its own
    import pytest

HOOKIMPL = pluggy.HookimplMarker("pytest")  # pytest.hookimpl, without importing pytest

POLL = 0.2  # seconds between a process's looks for the stop file
SIGNAL = signal.SIGUSR1  # how the watching thread reaches the main thread (a wait or a request is interrupted)


def reason(limit: int) -> str:
    """The run's ``stoppedEarly`` when it stopped at its limit."""
    causes = f"{limit} root cause{'s' * (limit != 1)}"
    return f"stopped after {causes} (--max-failures {limit}), before every check had run"


# ------------------------------------------------------------------ in the processes that run checks
def record(scratch: Path, check: CheckResult) -> None:
    """Leave a check that found something for the runner: one JSON line, appended whole."""
    if not check.failures:
        return
    folder = findings_folder(scratch)
    folder.mkdir(exist_ok=True)
    line = json.dumps(asdict(check), ensure_ascii=False) + "\n"
    with (folder / f"{os.getpid()}.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(line)


class StopWhenAsked:
    """A pytest plugin for a process that runs checks: ends its part of the phase once the runner asks.

    ``stopped`` learns the reason (the process's part of the result says it). The check in its setup or
    call is skipped where it is (``pytest.skip``'s exception, which Hypothesis and schemathesis pass on);
    one in its teardown finishes, so what it created is removed; no check starts after that.
    """

    def __init__(self, scratch: Path, stopped: Callable[[str], None]) -> None:
        self.scratch = scratch
        self.stopped = stopped
        self.reason = ""
        self.interruptible = False  # a check is in its setup or call (set and read on the main thread only)

    def install(self, config: pytest.Config) -> None:
        signal.signal(SIGNAL, self._asked)  # before the thread that sends it starts
        config.pluginmanager.register(self, "strongly-early-stop")
        threading.Thread(target=self._watch, name="strongly-early-stop", daemon=True).start()

    def _watch(self) -> None:
        while not stop_file(self.scratch).exists():
            time.sleep(POLL)
        main = threading.main_thread().ident
        if main is not None:
            signal.pthread_kill(main, SIGNAL)  # to the main thread itself: a sleep or a socket wait there ends now

    def _asked(self, signum: int, frame: object) -> None:
        if self.reason:
            return
        try:
            self.reason = stop_file(self.scratch).read_text(encoding="utf-8").strip() or "stopped early"
        except OSError:
            self.reason = "stopped early"
        self.stopped(self.reason)
        if self.interruptible:
            import pytest  # only in the processes that run checks, which have it imported already

            pytest.skip(f"interrupted: the run {self.reason}")

    @HOOKIMPL(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
        """No check starts once the run stops: this one is not run, and the loop (pytest's or a worker's) ends."""
        if self.reason:
            item.session.shouldstop = self.reason
            return True
        return None

    @HOOKIMPL(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Any:
        self.interruptible = True
        try:
            return (yield)
        finally:
            self.interruptible = False

    @HOOKIMPL(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        self.interruptible = True
        try:
            return (yield)
        finally:
            self.interruptible = False


# ------------------------------------------------------------------ in the runner
class Findings:
    """The runner's view of what the run has found so far: the root causes of a report's first screen, in the
    order they were found, each shown once; at ``limit`` of them it asks every process to stop."""

    def __init__(self, scratch: Path, catalogue: tuple[Requirement, ...], strict: bool, limit: int | None) -> None:
        self.scratch = scratch
        self.levels = {requirement.id: requirement for requirement in at_level(catalogue, strict)}
        self.limit = limit
        self.appended = AppendedLines(findings_folder(scratch), "*.jsonl")  # each process's file
        self.checks: dict[str, CheckResult] = {}  # each check's latest line
        self.found: list[str] = []  # root causes shown, in the order found
        self.reason = ""  # set once the run was asked to stop

    @property
    def stopping(self) -> bool:
        return bool(self.reason)

    def poll(self, *, may_stop: bool = True) -> list[RootCause]:
        """The root causes of the first screen found since the last poll; the stop file once ``limit`` are found
        (unless ``may_stop`` is false: nothing is left to stop)."""
        if not self._read_new_lines():
            return []
        so_far = RunResult(run_id="", profile="", target="", spec_version="", harness_version="", seed=0,
                           started_at="", checks=list(self.checks.values()))  # fmt: skip
        new = [cause for cause in so_far.root_causes() if cause.id not in self.found and leads(cause, self.levels)]
        if self.limit:  # checks in flight elsewhere may find more at once: the report has them, the screen shows N
            new = new[: max(self.limit - len(self.found), 0)]
        self.found += [cause.id for cause in new]
        if may_stop and self.limit and len(self.found) >= self.limit and not self.reason:
            self.reason = reason(self.limit)
            target = stop_file(self.scratch)
            partial = target.with_suffix(".tmp")
            partial.write_text(self.reason, encoding="utf-8")
            os.replace(partial, target)  # a process never reads half a reason
        return new

    def _read_new_lines(self) -> bool:
        lines = self.appended.new()
        for line in lines:
            check = json.loads(line)
            failures = [Failure(**failure) for failure in check.pop("failures")]
            self.checks[check["check"]] = CheckResult(**check, failures=failures)
        return bool(lines)

    def lines(self, causes: list[RootCause], redactor: Redactor) -> list[str]:
        """Each new root cause as the final report's first screen shows it: its title, then its curl line."""
        shown = []
        for cause in causes:  # unnumbered: the final report numbers them by what they block, not when found
            shown.append(redactor(f"root cause: {cause.title[:200]}"))
            if cause.curl:
                shown.append(redactor(f"   reproduce: {cause.curl[:300]}"))
        return shown
