"""``strongly-harness contract``: preflight, run the suite in child pytests, and return its result.

The suite runs in its own processes so the target is fixed before collection (schemathesis needs
the base URL then) and so a crash of the suite cannot take the command line with it. A run has
phases (harness/conformance/phases.py): with ``--concurrency`` above 1, the quiet checks alone,
the independent ones in pytest-xdist workers, a restart last. Every process reads the run's
configuration from the file the runner writes (``--run-config``) and leaves its part of the result;
the runner merges the parts, removes the workspaces made ahead that no check claimed, sweeps what
is still named under the run's prefix, and writes the reports. Ctrl-C and SIGTERM are passed on
(harness/run/processes.py): the suite cleans up and writes its results first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from harness import reports
from harness.client import ApiClient, ExchangeLog
from harness.conformance import phases, progress
from harness.errors import InternalError
from harness.paths import CONTRACTS
from harness.redact import Redactor
from harness.registry import Registry
from harness.requirements import by_id
from harness.results import RunResult
from harness.results.expectations import Expectations
from harness.run import RunConfig, Target, pool
from harness.run import scratch as files
from harness.run.embedded import target_for
from harness.run.preflight import preflight
from harness.run.processes import GRACE, INTERRUPTED, TIMED_OUT, start, stop, watch
from harness.run.sweep import sweep

STOPPED = 2  # pytest's exit code when a check was interrupted: a signal, or the run's deadline
STOPS = (INTERRUPTED, STOPPED)  # the next phase does not start
Child = subprocess.Popen[bytes]
NO_CHECKS = 5  # pytest's exit code when a phase selected nothing (fine, unless no phase selected anything)


def pytest_command(config_file: Path, config: RunConfig, extra: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "pytest", str(CONTRACTS),
        "-c", str(CONTRACTS / "pytest.ini"), "--rootdir", str(CONTRACTS),
        "-p", "harness.conformance.plugin", "-p", "no:cacheprovider",
        "--run-config", str(config_file),
        "--alluredir", str(reports.allure_results(config.reports)),
        f"--hypothesis-seed={config.seed}",
        "-q", "--tb=no",
        *extra,
    ]  # fmt: skip


def run_contract(config: RunConfig, expectations: Expectations | None = None) -> RunResult:
    """Run the suite against the configured target (or the embedded server) and return what it found,
    judged against the known failures when given (``--expect``)."""
    # the suite runs in a scratch directory: a relative reports path must mean the caller's
    config = replace(config, reports=config.reports.resolve())
    config.reports.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(reports.allure_results(config.reports), ignore_errors=True)  # each phase adds its own
    with target_for(config, reports.server_log(config.reports)) as config:
        notes = preflight(config.target, needs_write=not config.readonly)
        config = replace(config, contract=replace(config.contract, notes=tuple(notes)))
        with tempfile.TemporaryDirectory(prefix="strongly-contract-") as workdir:
            scratch = Path(workdir)
            exits = run_phases(config, scratch)
            result = phases.merge(phases.read_parts(scratch))
            if result is None:
                raise InternalError(
                    f"the suite itself failed before any check ran; see {reports.suite_log(config.reports)}"
                )
            unclaimed = [id for folder in files.pool_folders(scratch) for id in pool.leftovers(folder)]
            result.cleanup_problems += clean_up(config, result, unclaimed)
    result.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    result.interrupted = INTERRUPTED in exits or (STOPPED in exits and not result.stopped_early)
    result.expectations = expectations
    reports.write(result, config.reports, Redactor(config.secrets()))
    return result


def run_phases(config: RunConfig, scratch: Path) -> list[int]:
    """Run the phases' pytest children (harness/conformance/phases.py), while none was stopped; their exit codes."""
    deadline = time.monotonic() + config.limits.contract_deadline
    order = phases.phases(config.concurrency, restarts=config.target.restart_command is not None)
    log = reports.suite_log(config.reports)
    exits: list[int] = []
    with log.open("wb") as output:
        phase = Phase(config, scratch, output, deadline)
        # every phase's process starts now and collects (seconds of CPU, no request), then waits at its gate
        children = [phase.start(name) for name in order]
        try:
            for name, child in zip(order, children, strict=True):
                files.gate(scratch, name).touch()
                waiting = [other for other in children if other is not child and other.poll() is None]
                exits.append(phase.watch(name, child, waiting))
                if exits[-1] in STOPS:
                    break
        finally:
            for child in children:  # the phases that never opened have sent nothing yet
                stop(child)
    if all(code == NO_CHECKS for code in exits):
        raise InternalError(f"the suite selected no check (pytest exit 5); see {log}")
    return exits


class Phase:
    """Starts and watches one phase's pytest child: its configuration, its progress line, its end."""

    def __init__(self, config: RunConfig, scratch: Path, output: IO[bytes], deadline: float) -> None:
        self.config = config
        self.scratch = scratch
        self.output = output
        self.deadline = deadline

    def start(self, phase: str) -> Child:
        config = self.config
        limits = replace(config.limits, deadline=self.remaining())
        if phase == phases.CONCURRENT and limits.rate_limit:  # the workers share the run's rate
            limits = replace(limits, rate_limit=limits.rate_limit / config.concurrency)
        # checks' start times count from the run's, not the process's
        started = self.deadline - config.limits.contract_deadline
        contract = replace(config.contract, phase=phase, scratch=str(self.scratch), started=started)
        config_file = replace(config, limits=limits, contract=contract).write(files.config_file(self.scratch, phase))
        xdist = phases.xdist_arguments(phase, config.concurrency)
        return start(pytest_command(config_file, config, xdist), cwd=self.scratch, output=self.output)

    def watch(self, phase: str, child: Child, followers: Sequence[Child] = ()) -> int:
        display = None if self.config.quiet else progress.Display(self.scratch, phase)
        code = watch([child, *followers], timeout=self.remaining() + GRACE, tick=display.tick if display else None,
                     keep_followers=True)  # fmt: skip
        if display:
            display.finish()
        if code == TIMED_OUT:
            overran = f"{self.config.limits.contract_deadline:g}s by more than {GRACE:g}s"
            raise InternalError(f"the suite overran its deadline of {overran}")
        if code in (3, 4):
            raise InternalError(f"the suite itself failed (pytest exit {code}); see {self.output.name}")
        return code

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 1.0)


def clean_up(config: RunConfig, result: RunResult, unclaimed: list[str]) -> list[str]:
    """Once every process is done: remove the pool's unclaimed workspaces, then sweep whatever is still named under
    the run's prefix, in each organization the run wrote to. Only what is left after that counts against the
    target (the leak budget); what the sweep removed is a note. Returns the problems."""
    if config.readonly:
        return []
    redactor = Redactor(config.secrets())
    made_ahead = Registry()
    for workspace_id in unclaimed:
        made_ahead.add("workspace", workspace_id)
    problems: list[str] = []
    keys = [key for key in (config.target.api_key, config.target.other_key) if key]
    for number, key in enumerate(keys):
        client = ApiClient(config.target.base_url, key, redactor=redactor,
                           timeout=config.limits.request_timeout, log=ExchangeLog())  # fmt: skip
        with client:
            if number == 0:  # never evidence of anything: removed even with --keep-on-failure, many at once
                made_ahead.cleanup(client, workers=config.concurrency)
            if config.contract.keep_on_failure and any(check.status in ("fail", "error") for check in result.checks):
                return ["--keep-on-failure: this run's data stays; remove it with sweep --run-id"]
            swept = sweep(client, config.prefix, delete=True, workers=config.concurrency)
            left = sweep(client, config.prefix, delete=False)
        if swept.removed:
            result.notes.append(f"cleanup: the end-of-run sweep removed {len(swept.removed)} resource(s) left by "
                                f"refused removals (e.g. {swept.removed[0]})")  # fmt: skip
        problems += [f"left behind: {line}" for line in left.found]
        problems += [redactor(f"sweep: {line}") for line in [*swept.problems, *left.problems]]
    return list(dict.fromkeys(problems))


def list_requirements(config: RunConfig) -> int:
    """Print the requirements the profile would run, with counts by area (no target needed)."""
    with tempfile.TemporaryDirectory(prefix="strongly-list-") as workdir:
        selection = Path(workdir) / "selection.json"
        dummy = replace(
            config,
            target=Target(base_url="http://127.0.0.1:9", api_key="unused"),
            contract=replace(config.contract, list_file=str(selection)),
        )
        command = pytest_command(dummy.write(files.config_file(Path(workdir))), dummy, ["--collect-only"])
        run = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
        if not selection.exists():
            raise InternalError(f"collecting the suite failed: {run.stdout[-500:]}{run.stderr[-500:]}")
        chosen: dict[str, list[str]] = json.loads(selection.read_text())
    catalogue = by_id()
    by_area: dict[str, list[str]] = {}
    for rid in chosen:
        by_area.setdefault(catalogue[rid].area, []).append(rid)
    musts = sum(1 for rid in chosen if catalogue[rid].is_must)
    level = "strict: every SHOULD judged as a MUST" if config.contract.strict else "default level"
    print(
        f"profile {config.contract_profile}: {len(chosen)} requirements ({musts} MUST, {len(chosen) - musts} SHOULD), "
        f"{sum(map(len, chosen.values()))} checks; {level}"
    )
    for area in sorted(by_area):
        print(f"\n{area} ({len(by_area[area])})")
        for rid in sorted(by_area[area]):
            requirement = catalogue[rid]
            print(f"  {rid:15} {requirement.level:6} {len(chosen[rid]):3} checks  {requirement.statement}")
            print(f"  {'':15} basis: {requirement.basis}")
    return 0
