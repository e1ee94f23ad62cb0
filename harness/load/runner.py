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
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from harness.client import ApiClient
from harness.config import Settings
from harness.contract.runner import target_for
from harness.errors import InternalError, TargetFailure
from harness.factory import Factory, Patience
from harness.load.baseline import check_comparable, compare, find_summary, load_tolerances
from harness.load.plan import PLAN_ENV, Plan
from harness.load.profiles import Profile, load_profile
from harness.load.results import BROKEN, HELD, Capacity, CapacityStep, LoadRun, LoadSummary, SloResult
from harness.load.seed import discover, seed
from harness.load.slo import TOTAL, Objective, evaluate, load_objectives
from harness.load.summary import Recording, merge, route_stats
from harness.paths import LOAD
from harness.preflight import preflight
from harness.processes import INTERRUPTED, TIMED_OUT, supervise
from harness.redact import Redactor
from harness.registry import Registry
from harness.reports import load_html
from harness.steps import Blocked
from harness.sweep import sweep

STARTUP = 90.0  # seconds a Locust run may take beyond its duration to start and stop
PENDING = LoadRun(id="", profile="", model="", target="")  # filled in once the run has ended


@dataclass(frozen=True)
class LoadOptions:
    settings: Settings
    profile: str = "smoke"
    profiles: Path = LOAD / "profiles.toml"
    workers: int = 0
    remote_workers: int = 0
    bind: tuple[str, int] = ("127.0.0.1", 5557)
    faults: tuple[str, ...] = ()
    readonly: bool = False
    quiet: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)
    baseline: Path | None = None  # a previous summary.json, or a folder or bundle holding one
    tolerances: Path | None = None  # default: baseline.toml beside the SLO file
    metrics_port: int = 0  # live Prometheus metrics on 127.0.0.1:PORT while Locust runs; 0: none
    web: tuple[str, int] | None = None  # Locust's web UI at (host, port) while the run lasts; None: headless


@dataclass
class Run:
    """One Locust run's inputs."""

    settings: Settings
    plan: Plan
    reports: Path
    workers: int
    remote_workers: int = 0
    bind: tuple[str, int] = ("127.0.0.1", 5557)
    web: tuple[str, int] | None = None


def run_load(options: LoadOptions) -> int:
    profile = replace(load_profile(options.profiles, options.profile), **options.overrides)
    slo_file = options.profiles.parent / profile.slo
    objectives = load_objectives(slo_file)
    baseline = None
    if options.baseline is not None:  # refused before anything runs when it cannot be compared
        baseline, source = find_summary(options.baseline)
        tolerances = load_tolerances(options.tolerances or tolerances_beside(slo_file))
        check_comparable(baseline.run, LoadRun("", profile.name, profile.model, "", profile_settings=asdict(profile)))
    settings = replace(options.settings, reports=options.settings.reports.resolve())
    reports = settings.reports / "load"
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_at_start = host_load()
    redactor = Redactor(settings.redaction_secrets())
    with target_for(settings, options.faults, reports / "reference-server.log") as settings:
        preflight(settings.target, needs_write=not options.readonly)
        with ApiClient(settings.target.base_url, settings.target.api_key, redactor=redactor, retry_unavailable=True,
                       timeout=settings.request_timeout, readonly=options.readonly) as client:  # fmt: skip
            registry = Registry()
            cleanup: list[str] = []
            try:
                plan = Plan(
                    poll_interval=profile.poll_interval,
                    mix=profile.mix,
                    routes=profile.routes,
                    validate_every=profile.validate_every,
                    readonly=options.readonly,
                    prefix=settings.prefix,
                    provision_wait=settings.provision_wait,
                    metrics_port=options.metrics_port,
                )
                try:
                    if options.readonly:
                        plan = discover(client, plan)
                    else:
                        factory = Factory(client, registry, settings.prefix, patience=Patience(settings.provision_wait))
                        plan = seed(factory, profile, plan)
                except (AssertionError, Blocked, httpx.HTTPError) as exc:
                    raise TargetFailure(
                        f"the target failed while the test data was seeded: {redactor(str(exc))}"
                    ) from None
                run = Run(settings, plan, reports, options.workers, options.remote_workers, options.bind, options.web)
                summary = capacity_search(run, profile, objectives) if profile.model == "capacity" else \
                    measure(run, profile, objectives)  # fmt: skip
            finally:
                if not options.readonly:
                    cleanup = registry.cleanup(client)
                    swept = sweep(client, settings.prefix, delete=True)
                    cleanup += [f"swept: {line}" for line in swept.removed] + swept.remaining + swept.problems
    summary.run = LoadRun(
        id=settings.run_id,
        profile=profile.name,
        model=profile.model,
        target=settings.target.describe(),
        workers=options.workers,
        readonly=options.readonly,
        started_at=started,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        profile_settings=asdict(profile),
        host_load=[load_at_start, host_load()],
    )
    summary.cleanup = cleanup
    if baseline is not None:
        summary.comparison = compare(baseline, summary, tolerances, source)
    summary.write(reports / "summary.json")
    (reports / "load.html").write_text(load_html.render(summary), encoding="utf-8")
    redactor.scrub_tree(reports)
    if not options.quiet:
        from harness.reports.terminal import print_load_summary

        print_load_summary(summary, reports)
    return summary.exit_code


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


def measure(run: Run, profile: Profile, objectives: list[Objective]) -> LoadSummary:
    """One run of the profile's model, judged against every SLO."""
    rate = profile.rate if profile.model == "open" else 0.0
    recording = locust(run, profile, model=profile.model, rate=rate, duration=profile.duration, name="locust")
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


def capacity_search(run: Run, profile: Profile, objectives: list[Objective]) -> LoadSummary:
    """Raise the arrival rate step by step until an SLO breaks; the highest rate that held is the capacity."""
    steps = []
    for index in range(profile.max_steps):
        rate = profile.start_rate + index * profile.step
        recording = locust(
            run, profile, model="open", rate=rate, duration=profile.step_duration, name=f"step-{index + 1}"
        )
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


def locust(run: Run, profile: Profile, *, model: str, rate: float, duration: float, name: str) -> Recording:
    """Run Locust once (standalone, or master plus workers) and merge what its processes recorded."""
    recordings = run.reports / "recordings" / name
    drivers = max(run.workers + run.remote_workers, 1)
    plan = replace(run.plan, model=model, rate=rate / drivers if rate else 0.0, output=str(recordings))
    if model == "open":
        classes, users = ["OpenModelDriver"], drivers
    else:
        weights = {"Poller": plan.mix.get("pollers", 0), "Dashboard": plan.mix.get("dashboards", 0),
                   "Churn": 0 if plan.readonly else plan.mix.get("churn", 0)}  # fmt: skip
        classes, users = [cls for cls, weight in weights.items() if weight], profile.users
    with tempfile.TemporaryDirectory(prefix="strongly-load-") as workdir:
        plan_file = Path(workdir) / "plan.json"
        plan.write(plan_file)
        env = {**os.environ, PLAN_ENV: str(plan_file), "STRONGLY_API_KEY": run.settings.target.api_key,
               "STRONGLY_LOAD_DURATION": str(duration)}  # fmt: skip
        base = [sys.executable, "-m", "locust", "-f", str(LOAD / "locustfile.py"), "--loglevel", "WARNING"]
        # with the web UI the run still starts and ends by itself: --autostart, then quit when it is over
        ui = ["--autostart", "--autoquit", "0", "--web-host", run.web[0], "--web-port", str(run.web[1])] if run.web \
            else ["--headless"]  # fmt: skip
        lead = [*base, *ui, "--host", run.settings.target.base_url, "-u", str(users),
                "-r", str(max(users, profile.spawn_rate)), "--stop-timeout", "10",
                "--only-summary", "--exit-code-on-error", "0", "--csv", str(run.reports / name),
                "--html", str(run.reports / f"{name}.html"), *classes]  # fmt: skip
        commands = [lead]
        if run.remote_workers:  # workers on other machines: `strongly-harness load-worker --master-host ...`
            host, port = run.bind
            lead += ["--master", "--master-bind-host", host, "--master-bind-port", str(port),
                     "--expect-workers", str(run.remote_workers), "--expect-workers-max-wait", "300"]  # fmt: skip
        elif run.workers:  # the master ends the test itself (see load/locustfile.py)
            port = free_port()
            lead += ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
                     "--expect-workers", str(run.workers), "--expect-workers-max-wait", "30"]  # fmt: skip
            worker = [*base, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port), *classes]
            commands += [worker] * run.workers
        else:
            lead += ["-t", f"{max(int(duration), 1)}s"]
        waiting = 300.0 if run.remote_workers else 0.0
        code = supervise(commands, env=env, cwd=Path(workdir), timeout=duration + STARTUP + waiting, quiet=True)
    if code == TIMED_OUT:
        raise InternalError(f"Locust did not stop within {duration + STARTUP:g}s")
    if code == INTERRUPTED:
        raise KeyboardInterrupt
    recording = merge(recordings)
    if not recording.routes:
        raise InternalError(f"Locust recorded nothing (exit {code}); see {run.reports}/{name}.html")
    return recording


def worker_command(master_host: str, master_port: int) -> list[str]:
    """What ``strongly-harness load-worker`` runs: a Locust worker that gets its plan from the master."""
    return [sys.executable, "-m", "locust", "-f", str(LOAD / "locustfile.py"), "--worker", "--loglevel", "WARNING",
            "--master-host", master_host, "--master-port", str(master_port)]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
