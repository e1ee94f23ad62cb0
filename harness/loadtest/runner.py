"""``strongly-harness load``: seed data, run Locust, judge the measurements against the SLOs.

Locust runs as its own processes: one standalone, or a master and ``--workers`` workers on
loopback (the same commands work across machines, see the README). Each process records into its
own file and the runner merges them, so percentiles are exact to three significant digits however
the load is spread. Test data is seeded under the run prefix and removed afterwards, also when the
run is interrupted.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from harness import reports
from harness.client import ApiClient
from harness.embedded import target_for
from harness.errors import InternalError, TargetFailure
from harness.factory import Factory, Patience
from harness.loadtest.baseline import check_comparable, compare, find_summary, load_tolerances
from harness.loadtest.results import BROKEN, HELD, Capacity, CapacityStep, LoadRun, LoadSummary, SloResult
from harness.loadtest.scenarios import LOCUSTFILE
from harness.loadtest.seed import discover, seed
from harness.loadtest.slo import TOTAL, Objective, evaluate, load_objectives
from harness.loadtest.summary import Recording, merge, route_stats
from harness.paths import LOAD
from harness.preflight import preflight
from harness.processes import INTERRUPTED, TIMED_OUT, supervise
from harness.redact import Redactor
from harness.registry import Registry
from harness.run import LoadStep, RunConfig
from harness.steps import Blocked
from harness.sweep import sweep

STARTUP = 90.0  # seconds a Locust run may take beyond its duration to start and stop
PENDING = LoadRun(id="", profile="", model="", target="")  # filled in once the run has ended
CONFIG_FILE = "run-config.json"


def run_load(config: RunConfig) -> LoadSummary:
    """Seed data, run the profile (or its capacity search), judge it, clean up, and return the summary."""
    load = config.loaded()
    profile = load.profile
    objectives = load_objectives(load.slo_file)
    baseline = None
    if load.baseline is not None:  # refused before anything runs when it cannot be compared
        baseline, source = find_summary(load.baseline)
        tolerances = load_tolerances(load.tolerances or tolerances_beside(load.slo_file))
        check_comparable(baseline.run, LoadRun("", profile.name, profile.model, "", profile_settings=asdict(profile)))
    config = replace(config, reports=config.reports.resolve())
    folder = reports.load_folder(config.reports)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_at_start = host_load()
    redactor = Redactor(config.secrets())
    with target_for(config, reports.server_log(folder)) as config:
        preflight(config.target, needs_write=not config.readonly)
        with ApiClient(config.target.base_url, config.target.api_key, redactor=redactor, retry_unavailable=True,
                       timeout=config.limits.request_timeout, readonly=config.readonly) as client:  # fmt: skip
            registry = Registry()
            cleanup: list[str] = []
            try:
                try:
                    if config.readonly:
                        data = discover(client)
                    else:
                        patience = Patience(config.limits.provision_wait)
                        data = seed(Factory(client, registry, config.prefix, patience=patience), profile)
                except (AssertionError, Blocked, httpx.HTTPError) as exc:
                    raise TargetFailure(
                        f"the target failed while the test data was seeded: {redactor(str(exc))}"
                    ) from None
                config = replace(config, load=replace(load, data=data))
                summary = capacity_search(config, objectives) if profile.model == "capacity" else \
                    measure(config, objectives)  # fmt: skip
            finally:
                if not config.readonly:
                    cleanup = registry.cleanup(client)
                    swept = sweep(client, config.prefix, delete=True)
                    cleanup += [f"swept: {line}" for line in swept.removed] + swept.remaining + swept.problems
    summary.run = LoadRun(
        id=config.run_id,
        profile=profile.name,
        model=profile.model,
        target=config.target.describe(),
        workers=load.workers,
        readonly=config.readonly,
        started_at=started,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        profile_settings=asdict(profile),
        host_load=[load_at_start, host_load()],
    )
    summary.cleanup = cleanup
    if baseline is not None:
        summary.comparison = compare(baseline, summary, tolerances, source)
    reports.write(summary, config.reports, redactor)
    return summary


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


def measure(config: RunConfig, objectives: list[Objective]) -> LoadSummary:
    """One run of the profile's model, judged against every SLO."""
    profile = config.loaded().profile
    rate = profile.rate if profile.model == "open" else 0.0
    recording = locust(config, model=profile.model, rate=rate, duration=profile.duration, name="locust")
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


def capacity_search(config: RunConfig, objectives: list[Objective]) -> LoadSummary:
    """Raise the arrival rate step by step until an SLO breaks; the highest rate that held is the capacity."""
    profile = config.loaded().profile
    steps = []
    for index in range(profile.max_steps):
        rate = profile.start_rate + index * profile.step
        recording = locust(config, model="open", rate=rate, duration=profile.step_duration, name=f"step-{index + 1}")
        routes = route_stats(recording)
        verdicts = evaluate(objectives, routes, with_throughput=False)
        total = routes[TOTAL]
        kept_up = total.rps >= 0.9 * rate
        steps.append(CapacityStep(
            rate=rate, achieved_rps=total.rps, p95_ms=total.p95_ms, p99_ms=total.p99_ms, error_ratio=total.error_ratio,
            held=kept_up and all(v.held for v in verdicts),
            broken=[v.describe() for v in verdicts if not v.held]
            + ([] if kept_up else [f"the generator sent {total.rps:g} req/s of {rate:g}: add --workers"]),
        ))  # fmt: skip
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


def locust(config: RunConfig, *, model: str, rate: float, duration: float, name: str) -> Recording:
    """Run Locust once (standalone, or master plus workers) and merge what its processes recorded."""
    load = config.loaded()
    recordings = reports.recordings(config.reports, name)
    locust_reports = reports.locust_reports(config.reports, name)
    drivers = max(load.workers + load.remote_workers, 1)
    step = LoadStep(model=model, rate=rate / drivers if rate else 0.0, duration=duration, recordings=str(recordings))
    config = replace(config, load=replace(load, step=step))
    users = drivers if model == "open" else load.profile.users
    with tempfile.TemporaryDirectory(prefix="strongly-load-") as workdir:
        config_file = config.write(Path(workdir) / CONFIG_FILE)
        base = [sys.executable, "-m", "locust", "-f", str(load.locustfile), "--loglevel", "WARNING"]
        # with the web UI the run still starts and ends by itself: --autostart, then quit when it is over
        ui = ["--autostart", "--autoquit", "0", "--web-host", load.web[0], "--web-port", str(load.web[1])] if load.web \
            else ["--headless"]  # fmt: skip
        lead = [*base, "--run-config", str(config_file), *ui, "--host", config.target.base_url, "-u", str(users),
                "-r", str(max(users, load.profile.spawn_rate)), "--stop-timeout", "10",
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
        code = supervise(commands, cwd=Path(workdir), timeout=duration + STARTUP + waiting, quiet=True)
    if code == TIMED_OUT:
        raise InternalError(f"Locust did not stop within {duration + STARTUP:g}s")
    if code == INTERRUPTED:
        raise KeyboardInterrupt
    recording = merge(recordings)
    if not recording.routes:
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
