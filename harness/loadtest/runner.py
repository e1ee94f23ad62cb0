"""``strongly-harness load``: seed data, run Locust, judge the measurements against the SLOs.

Locust runs as its own processes: one standalone, or a master and ``--workers`` workers on
loopback (the same commands work across machines, see the README). Each process records into its
own file and the runner merges them, so percentiles are exact to three significant digits however
the load is spread. Test data is seeded under the run prefix and removed afterwards, also when the
run is interrupted.

The run's limits mean what they mean for ``contract``: ``--request-timeout`` and ``--rate-limit`` reach
every Locust request (harness/loadtest/users.py), ``--provision-wait`` bounds every wait for a
workspace, and ``--deadline`` ends the Locust steps in time for the run to end by it; cleanup still
runs afterwards, and a run the deadline cut short says so and exits 1.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import httpx

from harness import reports
from harness.errors import InternalError, TargetFailure, UsageError
from harness.factory import Factory, Patience
from harness.loadtest.baseline import Tolerances, check_comparable, compare, find_summary, load_tolerances
from harness.loadtest.scenarios import LOCUSTFILE
from harness.loadtest.seed import discover, seed
from harness.loadtest.slo import TOTAL, Objective, evaluate, load_objectives
from harness.loadtest.summary import Recording, merge, route_stats
from harness.paths import LOAD
from harness.results.load import BROKEN, HELD, Capacity, CapacityStep, LoadRun, LoadSummary, SloResult
from harness.run import Limits, LoadStep, RunConfig, lifecycle
from harness.run import scratch as files
from harness.run.lifecycle import LIMITS, Cleanup, Run, now, run_suite
from harness.run.processes import INTERRUPTED, TIMED_OUT, supervise
from harness.steps import Blocked

STARTUP = 90.0  # seconds a Locust run may take beyond its duration to start and stop
# Under a deadline a step is planned to end in time: Locust takes a few seconds to start (its import alone
# is 1 to 4 s on a busy 2-core machine), and its users get up to STOP_TIMEOUT to finish what they are doing.
LOCUST_START = 5.0
STOP_TIMEOUT = 10.0
SHORT_STOP = 1.0  # users' time to finish when the deadline is close: what is still in flight is not counted
PENDING = LoadRun(id="", profile="", model="", target="")  # filled in once the run has ended


class Deadline(lifecycle.Deadline):
    """The run's deadline, and how a Locust step fits in what is left of it."""

    def plan(self, duration: float) -> tuple[float, float]:
        """(seconds of load, users' stop timeout) for a step of ``duration`` that must end by the deadline.

        A step that does not fit is shortened and the cut is noted; 0 seconds means no room for it at all.
        """
        remaining = self.remaining()
        if remaining is None:
            return duration, STOP_TIMEOUT
        room = remaining - LOCUST_START
        stop = min(STOP_TIMEOUT, max(room - duration, SHORT_STOP))
        if duration + stop <= room:
            return duration, stop
        seconds = room - stop if room - stop >= 1 else 0.0
        ran = f"{seconds:.0f}s of load of the {duration:g}s planned"
        self.cut = f"the run deadline of {self.seconds:g}s cut it short: {ran}"
        return seconds, stop


def refuse_what_cannot_be_honoured(config: RunConfig) -> None:
    """A limit the run cannot keep is refused before anything runs, never ignored."""
    profile = config.require_load().profile
    limit = config.limits.rate_limit
    if limit and profile.model == "capacity" and profile.start_rate > limit:
        raise UsageError(
            f"--rate-limit {limit:g} is below the capacity search's first step "
            f"({profile.start_rate:g} req/s): nothing to search"
        )


def run_load(config: RunConfig) -> LoadSummary:
    """Seed data, run the profile (or its capacity search), judge it, clean up, and return the summary."""
    return run_suite(config, LoadSuite())


@dataclass
class LoadSuite:
    """The load suite's part of a run (harness/run/lifecycle.py does the rest): seeding and its Locust steps."""

    name: str = "load"
    honours: frozenset[str] = frozenset(LIMITS)  # each reaches every Locust request (see the module's docstring)
    other_organization: bool = False  # it writes with one key
    cleanup_workers: int = 1
    objectives: list[Objective] = field(default_factory=list)
    baseline: tuple[LoadSummary, str, Tolerances] | None = None  # the summary, where it was read, tolerances
    host_load: float = 0.0

    def deadline(self, limits: Limits) -> Deadline:
        return Deadline.starting_now(limits.deadline)

    def prepare(self, config: RunConfig) -> None:
        refuse_what_cannot_be_honoured(config)
        load = config.require_load()
        self.objectives = load_objectives(load.slo_file)
        if load.baseline is not None:  # refused before anything runs when it cannot be compared
            baseline, source = find_summary(load.baseline)
            tolerances = load_tolerances(load.tolerances or tolerances_beside(load.slo_file))
            profile = load.profile
            check_comparable(
                baseline.run, LoadRun("", profile.name, profile.model, "", profile_settings=asdict(profile))
            )
            self.baseline = baseline, source, tolerances

    def clear_reports(self, reports_folder: Path) -> None:
        folder = reports.load_folder(reports_folder)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.host_load = host_load()

    def server_log(self, reports_folder: Path) -> Path:
        return reports.server_log(reports.load_folder(reports_folder))

    def work(self, run: Run) -> LoadSummary:
        config, deadline = run.config, run.deadline
        assert isinstance(deadline, Deadline)  # made by self.deadline
        load = config.require_load()
        try:
            if config.readonly:
                data = discover(run.client)
            else:
                remaining = deadline.remaining()  # no single wait runs past the deadline
                wait = (
                    config.limits.provision_wait
                    if remaining is None
                    else max(min(config.limits.provision_wait, remaining), 1.0)
                )
                data = seed(Factory(run.client, run.registry, config.prefix, patience=Patience(wait)), load.profile)
        except (AssertionError, Blocked, httpx.HTTPError) as exc:
            raise TargetFailure(f"the target failed while the test data was seeded: {run.redactor(str(exc))}") from None
        config = replace(config, load=replace(load, data=data))
        if load.profile.model == "capacity":
            return capacity_search(config, self.objectives, deadline)
        return measure(config, self.objectives, deadline)

    def keeps_data(self, result: LoadSummary) -> str:
        return ""

    def finish(self, summary: LoadSummary, run: Run, cleanup: Cleanup) -> None:
        config = run.config
        profile = config.require_load().profile
        summary.run = LoadRun(
            id=config.run_id,
            profile=profile.name,
            model=profile.model,
            target=config.target.describe(),
            workers=config.require_load().workers,
            readonly=config.readonly,
            started_at=run.started_at,
            finished_at=now(),
            profile_settings=asdict(profile),
            host_load=[self.host_load, host_load()],
            limits=limits_document(config),
        )
        summary.cleanup = [f"swept: {line}" for line in cleanup.removed]
        summary.cleanup += [*(f"left behind: {line}" for line in cleanup.left), *cleanup.problems]
        summary.stopped_early = run.deadline.cut
        if self.baseline is not None:
            baseline, source, tolerances = self.baseline
            summary.comparison = compare(baseline, summary, tolerances, source)


def limits_document(config: RunConfig) -> dict[str, float | None]:
    """The limits the run kept, as summary.json shows them (the rate limit beside the achieved rate)."""
    limits = config.limits
    return {
        "requestTimeout": limits.request_timeout,
        "provisionWait": limits.provision_wait,
        "deadline": limits.deadline,
        "rateLimit": limits.rate_limit,
    }


def host_load() -> float:
    """The 1-minute load average per core of this machine (0 where the system does not tell)."""
    try:
        return round(os.getloadavg()[0] / (os.cpu_count() or 1), 2)
    except OSError:
        return 0.0


def tolerances_beside(slo_file: Path) -> Path:
    """baseline.toml next to the SLO file, else the shipped one."""
    beside = slo_file.parent / "baseline.toml"
    return beside if beside.is_file() else LOAD / "baseline.toml"


def measure(config: RunConfig, objectives: list[Objective], deadline: Deadline) -> LoadSummary:
    """One run of the profile's model, judged against every SLO."""
    profile = config.require_load().profile
    rate = profile.rate if profile.model == "open" else 0.0
    duration, stop = deadline.plan(profile.duration)
    if not duration:  # nothing ran, so nothing held: never a pass
        return LoadSummary(run=PENDING, verdict=BROKEN, routes={})
    recording = locust(
        config,
        model=profile.model,
        rate=rate,
        duration=duration,
        name="locust",
        stop=stop,
        cut_short=bool(deadline.cut),
    )
    routes = route_stats(recording)
    verdicts = evaluate(objectives, routes)
    return LoadSummary(
        run=PENDING,
        verdict=HELD if all(v.held for v in verdicts) else BROKEN,
        routes=routes,
        slo=[SloResult(v.route, v.limit, v.allowed, v.seen, v.held, v.describe()) for v in verdicts],
        time_to_ready=routes.get("time-to-ready"),
        series=recording.series,
        seconds=recording.seconds,
    )


def capacity_search(config: RunConfig, objectives: list[Objective], deadline: Deadline) -> LoadSummary:
    """Raise the arrival rate step by step until an SLO breaks; the highest rate that held is the capacity.

    Steps past ``--rate-limit`` are not run, and a step the deadline would cut ends the search (a
    shortened step would be judged on less than the others).
    """
    profile = config.require_load().profile
    limit = config.limits.rate_limit
    steps = []
    for index in range(profile.max_steps):
        rate = profile.start_rate + index * profile.step
        if limit and rate > limit:
            break
        duration, stop = deadline.plan(profile.step_duration)
        if duration < profile.step_duration:
            deadline.cut = f"the run deadline of {deadline.seconds:g}s ended the search before step {index + 1}"
            break
        recording = locust(config, model="open", rate=rate, duration=duration, name=f"step-{index + 1}", stop=stop)
        routes = route_stats(recording)
        verdicts = evaluate(objectives, routes, with_throughput=False)
        total = routes[TOTAL]
        kept_up = total.rps >= 0.9 * rate
        steps.append(
            CapacityStep(
                rate=rate,
                achieved_rps=total.rps,
                p95_ms=total.p95_ms,
                p99_ms=total.p99_ms,
                error_ratio=total.error_ratio,
                held=kept_up and all(v.held for v in verdicts),
                broken=[v.describe() for v in verdicts if not v.held]
                + ([] if kept_up else [f"the generator sent {total.rps:g} req/s of {rate:g}: add --workers"]),
            )
        )
        if not steps[-1].held:
            break
    held = [step.rate for step in steps if step.held]
    return LoadSummary(
        run=PENDING,
        verdict=HELD if held else BROKEN,
        routes={},
        capacity=Capacity(max(held) if held else None, steps),
        seconds=sum(profile.step_duration for _ in steps),
    )


def locust(
    config: RunConfig,
    *,
    model: str,
    rate: float,
    duration: float,
    name: str,
    stop: float = STOP_TIMEOUT,
    cut_short: bool = False,
) -> Recording:
    """Run Locust once (standalone, or master plus workers) and merge what its processes recorded."""
    load = config.require_load()
    recordings = reports.recordings(config.reports, name)
    locust_reports = reports.locust_reports(config.reports, name)
    drivers = max(load.workers + load.remote_workers, 1)
    limit = config.limits.rate_limit
    if limit and rate:  # an open-model timetable faster than the limit would only queue behind it
        rate = min(rate, limit)
    # each process paces its own users at an equal share of the limit (why: harness/loadtest/pacing.py)
    step = LoadStep(
        model=model,
        rate=rate / drivers if rate else 0.0,
        rate_limit=limit / drivers if limit else None,
        duration=duration,
        recordings=str(recordings),
    )
    config = replace(config, load=replace(load, step=step))
    users = drivers if model == "open" else load.profile.users
    with tempfile.TemporaryDirectory(prefix="strongly-load-") as workdir:
        config_file = config.write(files.config_file(Path(workdir)))
        base = [sys.executable, "-m", "locust", "-f", str(load.locustfile), "--loglevel", "WARNING"]
        # with the web UI the run still starts and ends by itself: --autostart, then quit when it is over
        ui = ["--autostart", "--autoquit", "0", "--web-host", load.web[0], "--web-port", str(load.web[1])] if load.web \
            else ["--headless"]  # fmt: skip
        lead = [*base, "--run-config", str(config_file), *ui, "--host", config.target.base_url, "-u", str(users),
                "-r", str(max(users, load.profile.spawn_rate)), "--stop-timeout", f"{stop:g}",
                "--only-summary", "--exit-code-on-error", "0", "--csv", str(locust_reports),
                "--html", f"{locust_reports}.html"]  # fmt: skip
        commands = [lead]
        if load.remote_workers:  # workers on other machines: `strongly-harness load-worker --master-host ...`
            host, port = load.bind
            lead += ["--master", "--master-bind-host", host, "--master-bind-port", str(port),
                     "--expect-workers", str(load.remote_workers), "--expect-workers-max-wait", "300"]  # fmt: skip
        elif load.workers:  # the master ends the test itself (harness/loadtest/users.py)
            port = free_port()
            lead += ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
                     "--expect-workers", str(load.workers), "--expect-workers-max-wait", "30"]  # fmt: skip
            worker = [*base, "--run-config", str(config_file), "--worker", "--master-host", "127.0.0.1",
                      "--master-port", str(port)]  # fmt: skip
            commands += [worker] * load.workers
        else:
            lead += ["-t", f"{max(int(duration), 1)}s"]
        waiting = 300.0 if load.remote_workers else 0.0
        allowed = duration + STARTUP + waiting
        code = supervise(commands, cwd=Path(workdir), timeout=allowed, quiet=True)
    if code == TIMED_OUT:
        raise InternalError(f"Locust did not stop within {allowed:g}s")
    if code == INTERRUPTED:
        raise KeyboardInterrupt
    recording = merge(recordings)
    if not recording.routes and not cut_short:  # a step the deadline cut to seconds may end before an answer
        raise InternalError(f"Locust recorded nothing (exit {code}); see {locust_reports}.html")
    return recording


def worker_command(master_host: str, master_port: int) -> list[str]:
    """What ``strongly-harness load-worker`` runs: a Locust worker that gets the run's configuration from the master."""
    return [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker", "--loglevel", "WARNING",
            "--master-host", master_host, "--master-port", str(master_port)]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
