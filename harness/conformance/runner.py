"""``strongly-harness contract``: the suite's own work, its phases of pytest children.

The run's lifecycle (target, preflight, deadline, cleanup and sweep, reports) is harness/run/lifecycle.py's;
this module supplies ``ContractSuite`` to it. The suite runs in its own processes so the target is fixed
before collection (schemathesis needs the base URL then) and so a crash of the suite cannot take the
command line with it. A run has phases (harness/conformance/phases.py): with ``--concurrency`` above 1,
the quiet checks alone, the independent ones in pytest-xdist workers, a restart last. Every process reads the run's
configuration from the file the runner writes (``--run-config``) and leaves its part of the result;
the runner merges the parts and hands the workspaces made ahead that no check claimed to the run's
cleanup. Ctrl-C and SIGTERM are passed on
(harness/run/processes.py): the suite cleans up and writes its results first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import IO

from harness import __version__, reports, spec
from harness.conformance import early_stop, first_look, phases, progress, swarm
from harness.errors import InternalError
from harness.paths import CONTRACTS
from harness.redact import Redactor
from harness.registry import Registry
from harness.requirements import by_id, load_catalogue
from harness.results import CheckResult, RunResult
from harness.results.expectations import Expectations
from harness.run import Limits, RunConfig, Target, pool
from harness.run import scratch as files
from harness.run.config import with_hypothesis_cache
from harness.run.lifecycle import LIMITS, Cleanup, Deadline, Run, now, run_suite
from harness.run.processes import GRACE, INTERRUPTED, TIMED_OUT, start, stop, watch, watch_group

STOPPED = 2  # pytest's exit code when a check was interrupted: a signal, or the run's deadline
STOPS = (INTERRUPTED, STOPPED)  # the next phase does not start
Child = subprocess.Popen[bytes]
NO_CHECKS = 5  # pytest's exit code when a phase selected nothing (fine, unless no phase selected anything)


# The pytest plugins the suite uses, named rather than found through entry points. Autoloading would also import
# every other installed plugin (Locust's among them) and rewrite the asserts of every module in their packages,
# schemathesis' 200 included: about 3 s of CPU for each of a run's pytest processes, each run, wherever the
# rewritten bytecode cannot be cached (PYTHONDONTWRITEBYTECODE, a read-only site-packages). benchmarks/README.md §2.
PLUGINS = (
    "schemathesis.pytest.plugin", "_hypothesis_pytestplugin", "allure_pytest.plugin", "harness.conformance.plugin"
)  # fmt: skip


def pytest_command(config_file: Path, config: RunConfig, extra: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "pytest", str(CONTRACTS),
        "-c", str(CONTRACTS / "pytest.ini"), "--rootdir", str(CONTRACTS),
        "--disable-plugin-autoload", *(arg for plugin in PLUGINS for arg in ("-p", plugin)), "-p", "no:cacheprovider",
        "--run-config", str(config_file),
        "--alluredir", str(reports.allure_results(config.reports)),
        f"--hypothesis-seed={config.seed}",
        "-q", "--tb=no",
        *extra,
    ]  # fmt: skip


def run_contract(config: RunConfig, expectations: Expectations | None = None) -> RunResult:
    """Run the suite against the configured target (or the embedded server) and return what it found,
    judged against the known failures when given (``--expect``)."""
    return run_suite(config, ContractSuite(config.concurrency, config.contract.keep_on_failure, expectations))


@dataclass
class ContractSuite:
    """The contract suite's part of a run (harness/run/lifecycle.py does the rest): its phases of pytest."""

    cleanup_workers: int  # the run's concurrency: removals overlap as checks did
    keep_on_failure: bool = False  # a failing run's data stays for inspection
    expectations: Expectations | None = None
    name: str = "contract"
    honours: frozenset[str] = frozenset(LIMITS)
    other_organization: bool = True  # the isolation checks write with the other organization's key
    exits: list[int] = field(default_factory=list)

    def deadline(self, limits: Limits) -> Deadline:
        return Deadline.starting_now(limits.contract_deadline)

    def prepare(self, config: RunConfig) -> None:
        pass

    def clear_reports(self, reports_folder: Path) -> None:
        shutil.rmtree(reports.allure_results(reports_folder), ignore_errors=True)  # each phase adds its own

    def server_log(self, reports_folder: Path) -> Path:
        return reports.server_log(reports_folder)

    def work(self, run: Run) -> RunResult:
        config = replace(run.config, contract=replace(run.config.contract, notes=tuple(run.notes)))
        with tempfile.TemporaryDirectory(prefix="strongly-contract-") as workdir:
            scratch = Path(workdir)
            findings = early_stop.Findings(
                scratch, load_catalogue(), config.contract.strict, config.contract.max_failures
            )
            deadline = run.deadline.at or time.monotonic() + config.limits.contract_deadline  # always set here
            self.exits, adapted, looked = run_phases(config, scratch, deadline, findings, run.registry)
            result = phases.merge(phases.read_parts(scratch))
            if result is None and looked:  # the first look stopped the run before any child had left its part
                result = looked_only(config, run)
            if result is None:
                raise InternalError(
                    f"the suite itself failed before any check ran; see {reports.suite_log(config.reports)}"
                )
            result.checks[:0] = looked  # they ran first
            if adapted is not None:  # what the run chose, not the ceiling it could have reached
                result.config["concurrency"] = adapted.peak
                result.notes.append(adapted.summary())
            if findings.stopping:  # the limit was reached while checks were still to run
                result.stopped_early, result.max_failures_reached = findings.reason, config.contract.max_failures or 0
            for folder in files.pool_folders(scratch):  # made ahead and never claimed: the run's to remove
                for workspace_id in pool.leftovers(folder):
                    run.registry.add("workspace", workspace_id)
        return result

    def keeps_data(self, result: RunResult) -> str:
        failed = any(check.status in ("fail", "error") for check in result.checks)
        if not (self.keep_on_failure and failed):
            return ""
        return "--keep-on-failure: this run's data stays; remove it with sweep --run-id"

    def finish(self, result: RunResult, run: Run, cleanup: Cleanup) -> None:
        if cleanup.removed:
            result.notes.append(
                f"cleanup: the end-of-run sweep removed {len(cleanup.removed)} resource(s) left by "
                f"refused removals (e.g. {cleanup.removed[0]})"
            )
        kept = [cleanup.kept] if cleanup.kept else []
        result.cleanup_problems += [*kept, *(f"left behind: {line}" for line in cleanup.left), *cleanup.problems]
        result.finished_at = now()
        result.interrupted = INTERRUPTED in self.exits or (STOPPED in self.exits and not result.stopped_early)
        result.expectations = self.expectations


def run_phases(
    config: RunConfig, scratch: Path, deadline: float, findings: early_stop.Findings, registry: Registry
) -> tuple[list[int], swarm.Swarm | None, list[CheckResult]]:
    """Run the phases' pytest children (harness/conformance/phases.py), while none was stopped and the run has not
    found as many root causes as it may (``findings``, which shows each as it is found); their exit codes, the
    concurrent phase's swarm where the run adapted its concurrency, and the first look's checks, which the runner
    sends itself while the children start (harness/conformance/first_look.py; what they make goes in ``registry``)."""
    order = phases.phases(config.concurrency, restarts=config.target.restart_command is not None)
    log = reports.suite_log(config.reports)
    exits: list[int] = []
    with log.open("wb") as output:
        launcher = PhaseLauncher(config, scratch, output, deadline, findings)
        # the first phase's processes start now and collect (seconds of CPU, no request), then wait at its gate;
        # an adaptive run's concurrent phase is a swarm whose first workers start now, the others as needed
        adaptive = launcher.start_swarm(phases.CONCURRENT) if config.adaptive and phases.CONCURRENT in order else None
        children = {} if adaptive and order[0] == phases.CONCURRENT else {order[0]: launcher.start(order[0])}
        looked: list[CheckResult] = []

        def start_later_phases() -> None:
            """The later phases' processes, once the first phase has collected (until then they would take its
            CPU and hold back its first checks); they collect while it runs, and wait at their gates."""
            for name in order[1:]:
                if name not in children:
                    children[name] = launcher.start(name)

        launcher.on_tick = lambda: phases.collected(scratch, order[0]) and start_later_phases()

        def running(but: phases.PhaseName) -> list[Child]:
            others = [child for name, child in children.items() if name != but]
            others += adaptive.processes() if adaptive and but != phases.CONCURRENT else []
            return [child for child in others if child.poll() is None]

        try:  # the runner's own checks first, while the children start (a Ctrl-C there stops them too)
            looked = first_look.run(config, registry, deadline - config.limits.contract_deadline, launcher.saw)
            # stopped there (--max-failures): no phase opens, and the children, still collecting, are stopped below
            for number, name in enumerate([] if findings.stopping else order, 1):
                if number > 1:
                    start_later_phases()  # already, unless the first phase ended before it had collected
                files.gate(scratch, name).touch()
                if adaptive and name == phases.CONCURRENT:
                    exits.append(launcher.watch_swarm(name, adaptive, running(name)))
                else:
                    exits.append(launcher.watch(name, children[name], running(name)))
                launcher.announce(None, may_stop=number < len(order))  # what the phase's last moments found
                if exits[-1] in STOPS or findings.stopping:
                    break
        finally:  # the phases that never opened have sent nothing yet
            for child in [*children.values(), *(adaptive.processes() if adaptive else [])]:
                stop(child)
    if all(code == NO_CHECKS for code in exits) and not looked:
        raise InternalError(f"the suite selected no check (pytest exit 5); see {log}")
    return exits, adaptive, looked


def looked_only(config: RunConfig, run: Run) -> RunResult:
    """The result of a run that ended with the first look, before any pytest child left its part."""
    contract = spec.load()
    return RunResult(run_id=config.run_id, profile=config.contract_profile, target=config.target.describe(),
                     spec_version=contract.version, harness_version=__version__, seed=config.seed,
                     started_at=run.started_at, config=config.redacted(), notes=list(config.contract.notes),
                     selection=config.contract.selection(), spec_sha256=contract.sha256,
                     strict=config.contract.strict)  # fmt: skip


class PhaseLauncher:
    """Starts and watches each phase's pytest child: its configuration, its progress line, its end."""

    def __init__(
        self, config: RunConfig, scratch: Path, output: IO[bytes], deadline: float, findings: early_stop.Findings
    ) -> None:
        self.config = config
        self.scratch = scratch
        self.output = output
        self.deadline = deadline
        self.findings = findings
        self.redactor = Redactor(config.secrets())
        self.on_tick: Callable[[], object] = lambda: None  # called on every tick of a phase's watch

    def start(self, phase: phases.PhaseName, worker: str | None = None) -> Child:
        """The phase's process (with pytest-xdist's workers where the phase has them), or one of its swarm's."""
        config = self.config
        limits = replace(config.limits, deadline=self.remaining())
        if phase == phases.CONCURRENT and limits.rate_limit:  # the workers share the run's rate
            limits = replace(limits, rate_limit=limits.rate_limit / config.concurrency)
        # checks' start times count from the run's, not the process's
        started = self.deadline - config.limits.contract_deadline
        contract = replace(config.contract, phase=phase, scratch=str(self.scratch), started=started)
        written = files.config_file(self.scratch, f"{phase}-{worker}" if worker else phase)  # each its deadline
        config_file = replace(config, limits=limits, contract=contract).write(written)
        extra = ["--queue-worker", worker] if worker else phases.xdist_arguments(phase, config.concurrency)
        # Hypothesis' tables kept across runs; no example is stored there (the suite's database is "none")
        return start(pytest_command(config_file, config, extra), cwd=self.scratch, env=with_hypothesis_cache(),
                     output=self.output)  # fmt: skip

    def start_swarm(self, phase: phases.PhaseName) -> swarm.Swarm:
        """The phase's workers, started as the target bears them (harness/conformance/swarm.py); the first now."""
        started = swarm.Swarm(self.scratch, phase, self.config.concurrency, partial(self.start, phase))
        started.begin()
        return started

    def watch_swarm(self, phase: phases.PhaseName, workers: swarm.Swarm, followers: Sequence[Child] = ()) -> int:
        display = None if self.config.quiet else progress.Display(self.scratch, phase, workers=workers.active)

        def tick() -> None:
            workers.tick()
            self.on_tick()
            self.announce(display)
            if display:
                display.workers = workers.active
                display.tick()

        codes = watch_group(workers.processes, timeout=self.remaining() + GRACE, tick=tick, followers=followers)
        if display:
            display.finish(stopped=self.findings.stopping)
        return self.judged(combined(codes))

    def watch(self, phase: phases.PhaseName, child: Child, followers: Sequence[Child] = ()) -> int:
        workers = self.config.concurrency if phase == phases.CONCURRENT else 1
        display = None if self.config.quiet else progress.Display(self.scratch, phase, workers=workers)

        def tick() -> None:
            self.on_tick()
            self.announce(display)
            if display:
                display.tick()

        code = watch([child, *followers], timeout=self.remaining() + GRACE, tick=tick, keep_followers=True)
        if display:
            display.finish(stopped=self.findings.stopping)
        return self.judged(code)

    def judged(self, code: int) -> int:
        """A phase's exit code, unless it says the suite itself broke or overran."""
        if code == TIMED_OUT:
            overran = f"{self.config.limits.contract_deadline:g}s by more than {GRACE:g}s"
            raise InternalError(f"the suite overran its deadline of {overran}")
        if code in (3, 4):
            raise InternalError(f"the suite itself failed (pytest exit {code}); see {self.output.name}")
        return code

    def announce(self, display: progress.Display | None, *, may_stop: bool = True) -> None:
        """Each root cause found since the last look, on the progress output (unless --quiet); the run stops at
        --max-failures of them."""
        lines = self.findings.lines(self.findings.poll(may_stop=may_stop), self.redactor)
        if lines and not self.config.quiet:
            (display or progress.Display(self.scratch, "")).announce(lines)

    def saw(self, check: CheckResult) -> bool:
        """A check the runner ran itself (the first look): shown as the children's are; whether the run stops."""
        early_stop.record(self.scratch, check)
        self.announce(None)
        return self.findings.stopping

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 1.0)


def combined(codes: list[int]) -> int:
    """One exit code for a swarm's workers: an interrupt or a broken suite first, then a stop, then the worst."""
    for code in (INTERRUPTED, TIMED_OUT, 3, 4, STOPPED):
        if code in codes:
            return code
    if all(code == NO_CHECKS for code in codes):
        return NO_CHECKS
    return max(code for code in codes if code != NO_CHECKS)


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
