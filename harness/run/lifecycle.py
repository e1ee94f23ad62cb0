"""One run of either suite, from start to end: what ``contract`` and ``load`` share, in one place.

    refuse     a limit the suite cannot honour: exit 2 with one line, before anything runs (never ignored)
    prepare    the suite reads and checks its files (a load profile's SLOs, a baseline)
    reports    the folder resolved (a relative path means the caller's, whatever the children's directory)
    deadline   starts: the run ends by it (--deadline; else the suite's own)
    target     the configured one, or a fresh embedded reference server with the run's faults (target_for)
    preflight  is it there, is it this API, are the keys accepted (one line and exit 2 if not)
    work       the suite's own, and only that: the contract's phases of pytest, the load's Locust steps
    cleanup    always, also after a failure or Ctrl-C: what the run holds (seeded data, workspaces made
               ahead), then a sweep by the run's prefix in each organization it wrote to, then a last look:
               what is still there is left behind (the leak budget)
    finish     the suite stamps its result; the reports are written (harness/reports)

A suite is the ``Suite`` protocol: the limits it honours and its own work. The run's processes read the
configuration from the scratch folder (harness/run/scratch.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

from harness import reports
from harness.client import ApiClient, ExchangeLog
from harness.errors import UsageError
from harness.redact import Redactor
from harness.registry import Registry
from harness.results import RunResult
from harness.results.load import LoadSummary
from harness.run.config import Limits, RunConfig
from harness.run.embedded import target_for
from harness.run.preflight import preflight
from harness.run.sweep import sweep

# Every limit of the run (Limits' fields), as the command line spells it.
LIMITS = {"request_timeout": "--request-timeout", "provision_wait": "--provision-wait",
          "deadline": "--deadline", "rate_limit": "--rate-limit"}  # fmt: skip
Result = TypeVar("Result", RunResult, LoadSummary)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Deadline:
    """The run's deadline on time.monotonic() (None: none) and, once something was cut short by it, what."""

    seconds: float | None
    at: float | None
    cut: str = ""

    @classmethod
    def starting_now(cls, seconds: float | None) -> Deadline:
        return cls(seconds, None if seconds is None else time.monotonic() + seconds)

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()


@dataclass
class Cleanup:
    """What the end of a run removed, and what it could not."""

    removed: list[str] = field(default_factory=list)  # by the sweep: left by refused removals
    left: list[str] = field(default_factory=list)  # still named with the run's prefix at the very end
    problems: list[str] = field(default_factory=list)  # lists the sweep could not read
    kept: str = ""  # why the run's data stays (--keep-on-failure)


@dataclass
class Run:
    """What the lifecycle hands a suite's work: the run as it goes."""

    config: RunConfig  # pointed at the target (the embedded server's address, once it runs)
    notes: list[str]  # what preflight found worth saying (missing optional keys)
    deadline: Deadline
    client: ApiClient  # the run's own client, with the key of every scope: seeding, cleanup
    registry: Registry  # what the run itself holds (seeded data, workspaces made ahead): removed at the end
    redactor: Redactor
    started_at: str


class Suite(Protocol[Result]):
    """One suite's part of a run: what it honours and its own work; the lifecycle does the rest."""

    name: str  # the command: contract, load
    honours: frozenset[str]  # the limits (Limits' fields) it keeps; any other one set is refused
    other_organization: bool  # it writes with the other organization's key too, so cleanup sweeps there
    cleanup_workers: int  # removals in flight at once at the end

    def deadline(self, limits: Limits) -> Deadline:
        """The run's deadline, starting now."""
        ...

    def prepare(self, config: RunConfig) -> None:
        """Before anything runs: read and check the suite's own files; refuse what it cannot keep (UsageError)."""

    def clear_reports(self, reports_folder: Path) -> None:
        """Remove what an earlier run of the suite left in the reports folder that this run would not replace."""

    def server_log(self, reports_folder: Path) -> Path:
        """Where the embedded reference server's output goes."""
        ...

    def work(self, run: Run) -> Result:
        """The suite's own work against the target."""
        ...

    def keeps_data(self, result: Result) -> str:
        """Why the run's data stays for inspection (empty: it is removed)."""
        ...

    def finish(self, result: Result, run: Run, cleanup: Cleanup) -> None:
        """Stamp the result: the run's facts and what cleanup found."""


def refuse_unhonoured(config: RunConfig, suite: Suite[Result]) -> None:
    """A limit given to a suite that cannot keep it ends the run before it starts, with one line."""
    given = [name for name in LIMITS if getattr(config.limits, name) != getattr(Limits(), name)]
    for name in given:
        if name not in suite.honours:
            raise UsageError(f"{suite.name} cannot honour {LIMITS[name]}; run it without")


def run_suite(config: RunConfig, suite: Suite[Result]) -> Result:
    """Run one suite from start to end (see the module's docstring) and return its written result."""
    deadline = suite.deadline(config.limits)
    refuse_unhonoured(config, suite)
    suite.prepare(config)
    config = replace(config, reports=config.reports.resolve())
    config.reports.mkdir(parents=True, exist_ok=True)
    suite.clear_reports(config.reports)
    started_at = now()
    redactor = Redactor(config.secrets())
    with target_for(config, suite.server_log(config.reports)) as config:
        notes = preflight(config.target, needs_write=not config.readonly)
        client = ApiClient(
            config.target.base_url,
            config.target.api_key,
            redactor=redactor,
            timeout=config.limits.request_timeout,
            readonly=config.readonly,
            retry_unavailable=True,  # setup and cleanup: a passing 503 is not a finding here
            log=ExchangeLog(),  # the run's own requests are no check's evidence
        )
        with client:
            run = Run(config, notes, deadline, client, Registry(), redactor, started_at)
            result = None
            try:
                result = suite.work(run)
            finally:
                cleanup = clean_up(run, suite, suite.keeps_data(result) if result is not None else "")
    suite.finish(result, run, cleanup)
    reports.write(result, config.reports, redactor)
    return result


def clean_up(run: Run, suite: Suite[Result], keep: str = "") -> Cleanup:
    """Once the work is done: remove what the run holds, then sweep whatever is still named under the run's
    prefix, in each organization the suite wrote to, and look once more. Only what is left after that counts
    against the target (the leak budget); what the sweep removed is a note."""
    config, report = run.config, Cleanup()
    if config.readonly:
        return report
    # never evidence of anything: removed even with --keep-on-failure, and any failure is the sweep's to judge
    run.registry.cleanup(run.client, workers=suite.cleanup_workers)
    if keep:
        report.kept = keep
        return report
    others = (
        [run.client.with_key(config.target.other_key)] if suite.other_organization and config.target.other_key else []
    )
    for client in [run.client, *others]:
        swept = sweep(client, config.prefix, delete=True, workers=suite.cleanup_workers)
        left = sweep(client, config.prefix, delete=False)
        if client is not run.client:
            client.close()
        report.removed += swept.removed
        report.left += left.found
        report.problems += [run.redactor(line) for line in [*swept.problems, *left.problems]]
    report.left = list(dict.fromkeys(report.left))
    report.problems = list(dict.fromkeys(report.problems))
    return report
