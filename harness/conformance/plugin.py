"""The conformance suite's pytest plugin: requirements, profiles, fixtures and the results file.

Loaded with ``-p harness.conformance.plugin --run-config FILE`` by ``strongly-harness contract``;
the file is the run's configuration (harness/run/config.py), the only thing the suite reads of how
it was started. Every check carries ``@pytest.mark.requirement(...)``; the plugin selects checks for
the profile, turns each outcome into a status for the requirements involved (a server's fault is
"fail", a crash of the harness is "error"), removes what the run created, and writes the run's
``RunResult`` through the report registry (harness/reports/).
"""

from __future__ import annotations

import json
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from harness import __version__, recommend, spec, tracing
from harness.client import LOG, ApiClient, HungRoutes, RateLimiter
from harness.conformance import early_stop, phases, progress, queue, swarm
from harness.conformance import tracing as tracing_hooks
from harness.conformance.charges import Charge, charges_for, classify_finding, culprit_of, describe, failures_of, route
from harness.expect import ContractViolation, MissingField
from harness.factory import Factory, Patience
from harness.findings import Rule, status_rule
from harness.redact import Redactor
from harness.registry import Registry, still_there
from harness.requirements import by_id, load_catalogue
from harness.results import CheckResult, ModelCoverage, RunResult, Status, UnreachedPair
from harness.run import RunConfig
from harness.run.pool import WorkspacePool
from harness.run.scratch import claims_folder, pool_folder, retire_file
from harness.steps import FINDINGS, Blocked, promised_by

# Which requirement a schemathesis failure code speaks for (ST401 and ST901 are resolved below).
FAILURE_CODES = {
    "ST101": "GEN-SCHEMA-004",
    "ST102": "GEN-SCHEMA-004",
    "ST103": "GEN-SCHEMA-002",
    "ST104": "GEN-SCHEMA-003",
    "ST105": "GEN-SCHEMA-003",
    "ST106": "GEN-SCHEMA-003",
    "ST107": "GEN-SCHEMA-001",
    "ST108": "GEN-SCHEMA-001",
    "ST109": "GEN-SCHEMA-001",
    "ST110": "GEN-SCHEMA-001",
    "ST111": "GEN-SCHEMA-001",
    "ST201": "GEN-VALID-001",
    "ST202": "GEN-VALID-002",
    "ST203": "GEN-VALID-001",
    "ST204": "GEN-VALID-003",
    "ST205": "GEN-VALID-003",
    "ST301": "GEN-STATE-001",
    "ST302": "GEN-STATE-002",
    "ST402": "AUTH-ISO-001",
}
SEVERITY = {"MUST": "critical", "SHOULD": "normal"}
OUTCOMES = pytest.StashKey[dict[str, "CheckOutcome"]]()


@dataclass
class ConformanceRun:
    """Everything one contract run shares: configuration, clients, what it created, what it found."""

    config: RunConfig
    redactor: Redactor
    registry: Registry = field(default_factory=Registry)
    started: float = field(default_factory=time.monotonic)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    results: list[CheckResult] = field(default_factory=list)
    active: Registry | None = None  # the registry of the check in progress, if it has one
    notes: list[str] = field(default_factory=list)
    stopped_early: str = ""
    selection: list[str] = field(default_factory=list)  # the requirements asked for, if not all
    cleanup_problems: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)  # removals refused at first: the run's end tries again
    limiter: RateLimiter | None = None
    unsettled: Blocked | None = None  # a restart after which the target never answered steadily again
    patience: Patience = field(init=False)  # one for the run: shortened waits carry across checks
    hung: HungRoutes = field(default_factory=HungRoutes)  # routes that timed out once get short timeouts
    pool: WorkspacePool | None = None  # running workspaces made ahead (harness/run/pool.py)
    tally: progress.Tally | None = None  # checks done, for the progress display (not in xdist's workers)
    model_coverage: ModelCoverage | None = None  # the model phase's map, as far as its check exercised it

    def __post_init__(self) -> None:
        self.patience = Patience(self.config.limits.provision_wait)

    def record_model_coverage(self, pairs: int, exercised: int, unreached: list[tuple[str, str, str]]) -> None:
        """The model phase's check reports how much of its map it exercised: each pair not reached as (pair,
        requirement, why). It lands in this process's part of the result (the suites import no harness.results)."""
        self.model_coverage = ModelCoverage(pairs, exercised, [UnreachedPair(*pair) for pair in unreached])

    def client(self, key: str | None) -> ApiClient:
        return ApiClient(
            self.config.target.base_url,
            key,
            redactor=self.redactor,
            timeout=self.config.limits.request_timeout,
            readonly=self.config.readonly,
            limiter=self.limiter,
            hung=self.hung,
        )

    def factory(self, client: ApiClient, registry: Registry) -> Factory:
        scratch = self.config.contract.scratch
        watch = partial(progress.waiting, Path(scratch)) if scratch else None
        return Factory(client, registry, self.config.prefix, patience=self.patience, pool=self.pool, watch=watch)


_current: ConformanceRun | None = None


def current_run() -> ConformanceRun:
    """The run in progress: for the plugin's hooks, fixtures, and schemathesis hooks (which get no fixtures)."""
    if _current is None:
        raise RuntimeError("no contract run in progress")
    return _current


# ------------------------------------------------------------------ configuration and selection
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-config", metavar="FILE", help="the run's configuration, written by strongly-harness")
    parser.addoption("--queue-worker", metavar="NAME", help="run as this worker of a swarm (conformance/swarm.py)")


def pytest_configure(config: pytest.Config) -> None:
    global _current
    for line in (
        "requirement(*ids): the requirement ids this check proves (harness/requirements.yaml)",
        "recommends(*ids): SHOULD ids whose recommendations the check notes without failing (harness/recommend.py)",
        "smoke: part of the smoke profile (seconds)",
        "readonly: sends no POST, PUT or DELETE; what a read-only run runs",
        "needs(what): needs 'readonly_key', 'other_key' or 'restart' and skips without it",
        "quiet(why): must observe a quiet server; runs after the concurrent checks, alone (phases.py)",
        "early: finds many faults per second (each operation's answers, auth); runs first (phases.py)",
        "running_workspaces(n): takes n workspaces from the pool made ahead (harness/run/pool.py)",
        "slow(n): takes about n provisioning waits (its own workspaces, or as long in requests); slow ones start first",
    ):
        config.addinivalue_line("markers", line)
    path = config.getoption("run_config")
    if not path:
        raise pytest.UsageError("the conformance suite runs through `strongly-harness contract` (no --run-config)")
    run_config = RunConfig.read(path)
    _current = ConformanceRun(config=run_config, redactor=Redactor(run_config.secrets()))
    _current.notes = list(run_config.contract.notes)
    if run_config.contract.started is not None:
        _current.started = run_config.contract.started
    worker = config.getoption("queue_worker")
    if run_config.contract.scratch and not hasattr(config, "workerinput"):
        _current.tally = progress.Tally(Path(run_config.contract.scratch), run_config.contract.phase, worker)
    if run_config.contract.scratch and worker:  # takes its checks from the queue its swarm shares
        scratch, phase = Path(run_config.contract.scratch), run_config.contract.phase
        config.pluginmanager.register(
            queue.QueueWorker(queue.Claims(claims_folder(scratch, phase)), retire_file(scratch, worker)), "queue"
        )
    config.pluginmanager.register(tracing_hooks)  # whose request it is: the check's own, or its setup
    if run_config.target.embedded and run_config.target.faults:  # says so to the server, to log which check met it
        tracing.enable()
    if run_config.limits.rate_limit:
        _current.limiter = RateLimiter(run_config.limits.rate_limit)
    # SIGTERM gets the same orderly end as Ctrl-C: fixtures tear down, cleanup runs, results are written
    signal.signal(signal.SIGTERM, _interrupt)
    if phases.is_controller(config):  # its workers keep their own deadlines and write their own parts
        return
    if run_config.contract.scratch:  # a noted finding is shown as it is noted, not when its check ends
        recommend.ON_NOTE[:] = [partial(file_noted_at_once, config)]
    if run_config.contract.scratch and run_config.contract.max_failures:  # the runner may stop it (early_stop.py)
        early_stop.StopWhenAsked(
            Path(run_config.contract.scratch), partial(setattr, _current, "stopped_early")
        ).install(config)
    # and so does the deadline, wherever the run is (a hanging server can hold one check for minutes)
    signal.signal(signal.SIGALRM, _deadline)
    signal.setitimer(signal.ITIMER_REAL, run_config.limits.contract_deadline)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _deadline(signum: int, frame: object) -> None:
    if _current is not None:
        _current.stopped_early = f"the run deadline of {_current.config.limits.contract_deadline:g}s passed"
    raise KeyboardInterrupt


def requirements_of(item: pytest.Item) -> list[str]:
    """What a check speaks for: the requirements it proves, then the recommendations it notes."""
    return own_requirements(item) + [rid for mark in item.iter_markers("recommends") for rid in mark.args]


def own_requirements(item: pytest.Item) -> list[str]:
    """The requirements a check's own assertions prove (a failure of the check is charged to these)."""
    return [rid for mark in item.iter_markers("requirement") for rid in mark.args]


def operation_label(item: pytest.Item) -> str | None:
    """The 'METHOD /path' of a schemathesis-generated item."""
    label = getattr(item, "operation_label", None) or getattr(getattr(item, "callspec", None), "id", None)
    return label if isinstance(label, str) and " /" in label else None


def selected(item: pytest.Item, requirement_ids: list[str], config: RunConfig) -> bool:
    catalogue = by_id()
    if config.readonly:  # not even a refused write: only checks that read, and only their reads
        label = operation_label(item)
        operation = getattr(getattr(item, "callspec", None), "params", {}).get("operation")
        writes = (label is not None and not label.startswith("GET ")) or bool(getattr(operation, "is_write", False))
        return item.get_closest_marker("readonly") is not None and not writes
    if config.contract.profile == "core":
        return any(catalogue[rid].is_must for rid in requirement_ids)
    if config.contract.profile == "smoke":
        return item.get_closest_marker("smoke") is not None
    return True


@pytest.hookimpl(trylast=True)  # after the suite's own conftest has marked what it knows
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    run = current_run()
    known = by_id()
    wanted = set(run.config.contract.requirements)
    checks = run.config.contract.checks
    run.selection = run.config.contract.selection()
    keep, drop = [], []
    for item in items:
        ids = requirements_of(item)
        unknown = [rid for rid in ids if rid not in known]
        if not ids or unknown:
            raise pytest.UsageError(f"{item.nodeid} names no requirement or unknown ones: {unknown or 'none'}")
        chosen = selected(item, ids, run.config) and (not wanted or bool(wanted & set(ids)))
        chosen = chosen and (not checks or any(pattern in item.nodeid for pattern in checks))
        restartable = run.config.target.restart_command is not None
        chosen = chosen and phases.belongs(item, run.config.contract.phase, restartable)
        (keep if chosen else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    if config.getoption("queue_worker"):
        items[:] = phases.queued(keep)
    else:
        items[:] = phases.ordered(keep, getattr(config, "workerinput", {}).get("workercount", 1))


def pytest_collection_finish(session: pytest.Session) -> None:
    """In list mode, write which checks each requirement would get (``strongly-harness contract --list``)."""
    run = current_run()
    if run.tally is not None and not hasattr(session.config, "workerinput"):
        run.tally.collected(len(session.items))
    scratch = run.config.contract.scratch
    if scratch:  # collected while the phase before runs: wait for it to end
        phases.wait_at_gate(Path(scratch), run.config.contract.phase, run.config.limits.contract_deadline)
    target = run.config.contract.list_file
    if not target:
        return
    chosen: dict[str, list[str]] = {}
    for item in session.items:
        for rid in requirements_of(item):
            chosen.setdefault(rid, []).append(item.nodeid)
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(chosen, handle)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """The controller learns the phase's checks from its workers (every worker collects the same)."""
    tally = current_run().tally
    if tally is not None:
        tally.collected(len(ids))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Each check's end, for the runner's progress display (in the process that sees them all)."""
    tally = current_run().tally
    if tally is not None:
        tally.reported(report.nodeid, report.when, report.failed)


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def run(pytestconfig: pytest.Config) -> Iterator[ConformanceRun]:
    """The run; at its end, everything this process created is removed (the runner then sweeps
    stragglers by prefix, once every process is done)."""
    current = current_run()
    yield current
    in_flight = pytestconfig.stash.get(OUTCOMES, {}).values()  # the last check's result is not filed yet
    failed = any(r.status in ("fail", "error") for r in current.results)
    failed = failed or any(outcome.status >= Status.FAIL for outcome in in_flight)
    if current.config.contract.keep_on_failure and failed:
        current.cleanup_problems.append("--keep-on-failure: this run's data stays; remove it with sweep --run-id")
        return
    LOG.take()  # what cleanup sends belongs to no check: its problems are reported as cleanup findings
    with current.client(current.config.target.api_key) as admin:
        current.retried += current.registry.cleanup(admin)  # the runner's sweep has the last word
    LOG.take()


@pytest.fixture(scope="session", autouse=True)
def workspace_pool(request: pytest.FixtureRequest, run: ConformanceRun, api: ApiClient) -> None:
    """Before the first check: the phase's running workspaces made ahead, as many as its checks declare,
    and one for each process's ``targets`` (contracts/conftest.py)."""
    items = request.session.items
    demand = sum(mark.args[0] for item in items for mark in item.iter_markers("running_workspaces"))
    if any("targets" in getattr(item, "fixturenames", ()) for item in items):
        first = swarm.START if request.config.getoption("queue_worker") else 1  # a later worker makes its own
        demand += getattr(request.config, "workerinput", {}).get("workercount", first)
    count = min(demand, run.config.contract.max_workspaces)
    scratch = run.config.contract.scratch
    if run.config.readonly or not count or scratch is None:
        return
    run.pool = WorkspacePool(pool_folder(Path(scratch), run.config.contract.phase))
    problem = run.pool.fill(run.factory(api, run.registry), count)
    if problem:
        run.notes.append(problem)


@pytest.fixture(scope="session")
def run_config(run: ConformanceRun) -> RunConfig:
    """The run's configuration: target, keys, mode, limits, the contract section."""
    return run.config


@pytest.fixture(scope="session")
def api(run: ConformanceRun) -> Iterator[ApiClient]:
    """A client with the full-scope key."""
    with run.client(run.config.target.api_key) as client:
        yield client


def optional_client(run: ConformanceRun, key: str | None, variable: str) -> Iterator[ApiClient]:
    if key is None:
        pytest.skip(f"{variable} is not set")
    with run.client(key) as client:
        yield client


@pytest.fixture(scope="session")
def reader(run: ConformanceRun) -> Iterator[ApiClient]:
    """A client with the read-only key (the check skips without one)."""
    yield from optional_client(run, run.config.target.readonly_key, "STRONGLY_READONLY_API_KEY")


@pytest.fixture(scope="session")
def other(run: ConformanceRun) -> Iterator[ApiClient]:
    """A client with another organization's key (the check skips without one)."""
    yield from optional_client(run, run.config.target.other_key, "STRONGLY_OTHER_API_KEY")


@pytest.fixture(scope="session")
def anonymous(run: ConformanceRun) -> Iterator[ApiClient]:
    """A client that sends no key at all."""
    with run.client(None) as client:
        yield client


@pytest.fixture(scope="session")
def shared_make(run: ConformanceRun, api: ApiClient) -> Factory:
    """Creates data kept for the whole run (removed at its end)."""
    return run.factory(api, run.registry)


@pytest.fixture
def make(request: pytest.FixtureRequest, run: ConformanceRun, api: ApiClient) -> Iterator[Factory]:
    """Creates data for one check; it is removed when the check ends, whatever the outcome
    (unless the check failed and the run keeps the evidence of failures)."""
    registry = Registry()
    run.active = registry
    yield run.factory(api, registry)
    run.active = None
    outcome = request.config.stash.get(OUTCOMES, {}).get(request.node.nodeid)
    if run.config.contract.keep_on_failure and outcome is not None and outcome.status >= Status.FAIL:
        kept = [item for item in registry.items() if still_there(api, item)]  # a faulty delete may have removed some
        run.cleanup_problems += [f"kept for inspection: {item.kind} {item.id}" for item in kept]
        return
    # A refusal may be reasonable (a project that still holds another check's volume, a stop still landing):
    # the run's end tries again, and only what its sweep cannot remove counts against the target.
    run.retried += registry.cleanup(api)
    for leftover in registry.items():
        run.registry.add(leftover.kind, leftover.id)


@pytest.fixture(autouse=True)
def _label_for_allure(request: pytest.FixtureRequest) -> None:
    """Requirement, area, resource and severity labels, and one history id per operation."""
    try:
        import allure
    except ImportError:  # pragma: no cover - allure-pytest is a dependency
        return
    catalogue = by_id()
    for rid in requirements_of(request.node):
        requirement = catalogue[rid]
        allure.dynamic.label("requirement", rid)
        allure.dynamic.feature(requirement.area)
        allure.dynamic.epic(requirement.resource)
        allure.dynamic.story(rid)
    levels = [catalogue[rid].level for rid in requirements_of(request.node)]
    allure.dynamic.severity(SEVERITY["MUST" if "MUST" in levels else "SHOULD"])
    label = operation_label(request.node)
    if label:
        allure.dynamic.parameter("operation", label)


@pytest.hookimpl(tryfirst=True)  # before fixtures run: what they send belongs to this check's evidence
def pytest_runtest_setup(item: pytest.Item) -> None:
    LOG.take()  # exchanges before this check belong to no one
    run = current_run()
    if run.unsettled is not None:  # nothing after a restart that never settled can be judged
        raise run.unsettled
    for mark in item.iter_markers("needs"):
        what = mark.args[0]
        missing = {
            "readonly_key": run.config.target.readonly_key is None and "STRONGLY_READONLY_API_KEY is not set",
            "other_key": run.config.target.other_key is None and "STRONGLY_OTHER_API_KEY is not set",
            "restart": run.config.target.restart_command is None and "STRONGLY_RESTART_COMMAND is not set",
        }[what]
        if missing:
            pytest.skip(missing)


# ------------------------------------------------------------------ outcomes
class CheckOutcome:
    """What happened to one check across setup, call and teardown."""

    def __init__(self, item: pytest.Item, offset: float) -> None:
        self.item = item
        self.requirements = requirements_of(item)
        self.own = own_requirements(item)
        self.status = Status.PASS
        self.started = offset
        self.clock = time.monotonic()
        self.reason: str | None = None
        self.failures: list[Charge] = []
        self.exchanges: list[dict[str, Any]] = []
        self.blocked_by: str | None = None  # the root cause its setup met
        self.operations: list[str] = []  # what it called, for coverage and for aiming mutations
        self.own_operations: list[str] = []  # of those, what its own requests called (not only its setup)

    def keep_exchanges(self) -> None:
        """The check's requests, before its teardown cleans up, for the failure report."""
        taken, called = LOG.take_calls()
        self.exchanges += [exchange.to_dict() for exchange in taken]
        # in the order called: the mutation matrix meets each check at the last operation it calls
        self.operations = list(dict.fromkeys([*self.operations, *called]))
        self.own_operations = list(dict.fromkeys([*self.own_operations, *(op for op, own in called.items() if own)]))

    def add(self, status: Status, charges: list[Charge]) -> None:
        """File findings; one rule met again on the same route by the same check is one sighting."""
        self.status = max(self.status, status)
        seen = {(c.requirement, c.root_cause, route(c.culprit)) for c in self.failures}
        for charge in charges:
            if (charge.requirement, charge.root_cause, route(charge.culprit)) not in seen:
                seen.add((charge.requirement, charge.root_cause, route(charge.culprit)))
                self.failures.append(charge)

    def stop_at(self, charges: list[Charge], why: str) -> None:
        """What the check did not reach stays unverified: its requirements not charged are blocked by this."""
        if charges:
            self.blocked_by = self.blocked_by or charges[0].root_cause
            self.reason = self.reason or why

    def block(self, blocked: Blocked) -> None:
        """Its setup met a finding: charge the finding to the requirement it breaks, and stop here."""
        status, charges, _ = classify(blocked.finding, [blocked.requirement])
        # a step that was one of the check's own promises fails it for that one; the others stay blocked
        self.add(status if any(c.requirement in self.own for c in charges) else Status.BLOCKED, charges)
        if status != Status.ERROR:
            self.stop_at(charges, f"blocked while {blocked.step}")

    def result(self, redactor: Redactor) -> CheckResult:
        return CheckResult(
            check=self.item.nodeid,
            requirements=self.requirements,
            status=self.status.label,
            duration=round(time.monotonic() - self.clock, 3),
            started=round(self.started, 3),
            reason=self.reason and redactor(self.reason),
            failures=failures_of(self.failures, self.exchanges, redactor),
            blocked_by=self.blocked_by,
            operations=self.operations,
            own_operations=self.own_operations,
        )


def schemathesis_rule(failure: Any) -> Rule:
    """A schemathesis failure's rule: its code and title, and the status where it has one."""
    status = getattr(failure, "status_code", None) or getattr(failure, "status", None)
    suffix = f" ({status})" if isinstance(status, int) else ""
    return Rule(f"{failure.code}|{failure.title}|{status}", f"{failure.title}{suffix}")


ACCEPTED = re.compile(r"got `(2\d\d) ")  # schemathesis' words for a request let through without a valid key


def ignored_auth_rule(failure: Any) -> Rule:
    """A request let through without a valid key is the rule test_auth.py's refusals break, in the same way: one
    server bug seen by schemathesis and by our own checks is one root cause, not two."""
    accepted = ACCEPTED.search(str(getattr(failure, "message", "")))
    return status_rule(f"{accepted.group(1)[0]}xx", "a refusal (4xx)") if accepted else schemathesis_rule(failure)


def classify(error: BaseException, own: list[str]) -> tuple[Status, list[Charge], bool]:
    """The status an exception means, the findings it files, and whether it stopped the check before the
    rest of its own requirements were verified (they are then blocked by it).

    A finding is charged to the requirement whose rule it breaks: a requirement of its own
    (``ContractViolation``), no 5xx (GEN-SCHEMA-004), a complete answer (GEN-HTTP-001), a body that
    parses (GEN-SCHEMA-001); a plain assertion of the check to the check's own requirements."""
    from schemathesis.core.failures import CustomFailure
    from schemathesis.core.failures import Failure as StFailure
    from schemathesis.openapi.checks import IgnoredAuth

    if isinstance(error, Blocked):  # met somewhere a setup step could not be told apart from the check
        return classify(error.finding, [error.requirement, *own])
    if isinstance(error, KeyboardInterrupt):  # Ctrl-C or the deadline, caught in a group (schemathesis' examples)
        return Status.NOT_RUN, [], False
    if isinstance(error, BaseExceptionGroup):
        parts = [classify(inner, own) for inner in error.exceptions]
        charges = [charge for _, found, _ in parts for charge in found]
        return max(status for status, _, _ in parts), charges, any(stops for _, _, stops in parts)
    if isinstance(error, CustomFailure) and isinstance(error.exception, ContractViolation):
        error = error.exception
    message, culprit = describe(error), culprit_of(error)
    if isinstance(error, IgnoredAuth):
        requirement = "AUTH-KEY-002" if error.scenario == "invalid_auth" else "AUTH-KEY-001"
        return Status.FAIL, charges_for([requirement], message, ignored_auth_rule(error), culprit), False
    if isinstance(error, StFailure):
        requirement = FAILURE_CODES.get(error.code)
        return Status.FAIL, charges_for([requirement] if requirement else own, message, schemathesis_rule(error),
                                        culprit), True  # fmt: skip
    return classify_finding(error, own, message, culprit)


def interrupted(error: BaseException) -> bool:
    """Whether Ctrl-C or the deadline is in this exception, alone or inside a group."""
    if isinstance(error, BaseExceptionGroup):
        return error.subgroup(KeyboardInterrupt) is not None
    return isinstance(error, KeyboardInterrupt)


def file_noted(outcome: CheckOutcome) -> bool:
    """File what was noted since the last look as the check's failures; whether any is new to it."""
    before = len(outcome.failures)
    for noted in recommend.take():  # findings that do not stop the check: schema breaks, our choices not taken
        outcome.add(Status.FAIL, charges_for([noted.requirement], noted.message, noted.rule, noted.culprit))
    return len(outcome.failures) > before


def file_noted_at_once(config: pytest.Config) -> None:
    """A finding noted while a check runs, filed and left for the runner now: a schema check notes its first one
    in its first cases and may run hundreds more, and the runner shows a root cause (and stops a ``-x`` run) only
    once it is left there. Before a check's setup is over, its notes wait for its report."""
    outcomes: dict[str, CheckOutcome] = config.stash.get(OUTCOMES, {})
    if len(outcomes) != 1:
        return
    [outcome] = outcomes.values()
    run = current_run()
    if file_noted(outcome) and run.config.contract.scratch:
        outcome.keep_exchanges()  # the noted answer's exchange, for its curl line
        early_stop.record(Path(run.config.contract.scratch), outcome.result(run.redactor))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    run = current_run()
    outcomes: dict[str, CheckOutcome] = item.config.stash.setdefault(OUTCOMES, {})
    if call.when == "setup":
        outcomes[item.nodeid] = CheckOutcome(item, time.monotonic() - run.started)
    outcome = outcomes[item.nodeid]
    if call.excinfo is not None:
        finding = call.excinfo.value
        if call.excinfo.errisinstance(pytest.skip.Exception):
            outcome.status = Status.SKIP
            outcome.reason = str(call.excinfo.value.msg)
        elif call.excinfo.errisinstance(KeyboardInterrupt):
            pass
        elif call.excinfo.errisinstance(Blocked):
            outcome.block(finding)
        elif call.when == "setup" and call.excinfo.errisinstance(FINDINGS):  # a fixture met a finding
            outcome.block(Blocked(promised_by(finding), "preparing the check (a fixture)", finding))
        elif call.excinfo.errisinstance(MissingField) and "GEN-SCHEMA-001" not in outcome.own:
            outcome.block(Blocked("GEN-SCHEMA-001", "reading a field it needs", finding))
        else:
            status, charges, stops = classify(finding, outcome.own)
            outcome.add(status, charges)
            if stops and status == Status.FAIL:
                outcome.stop_at(charges, "stopped by a finding charged elsewhere")
    file_noted(outcome)
    if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
        outcome.keep_exchanges()
        if run.config.contract.scratch:  # what it found, for the runner to show (and count) before its teardown
            early_stop.record(Path(run.config.contract.scratch), outcome.result(run.redactor))
    if run.stopped_early or (call.excinfo is not None and interrupted(call.excinfo.value)):
        item.session.shouldstop = run.stopped_early or "interrupted"  # even where a group swallowed the interrupt
    if call.when == "teardown":
        LOG.take()
        worker = item.config.getoption("queue_worker")
        if worker and run.config.contract.scratch:  # what the swarm adapts to (harness/conformance/swarm.py)
            answered = [exchange["elapsed"] for exchange in outcome.exchanges if exchange.get("elapsed") is not None]
            swarm.record_answers(Path(run.config.contract.scratch), worker, answered)
        run.results.append(outcomes.pop(item.nodeid).result(run.redactor))
        if run.config.contract.scratch:
            early_stop.record(Path(run.config.contract.scratch), run.results[-1])
    return report


@pytest.hookimpl(trylast=True)  # after an interrupt pytest tears fixtures down first: cleanup belongs in the report
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Leave this process's part of the result for the runner (harness/conformance/phases.py)."""
    run = current_run()
    config = run.config
    if config.contract.scratch is None or phases.is_controller(session.config):
        return
    signal.setitimer(signal.ITIMER_REAL, 0)  # the results are being written: no deadline cuts that short
    result = RunResult(
        run_id=config.run_id,
        profile=config.contract_profile,
        target=config.target.describe(),
        spec_version=spec.load().version,
        harness_version=__version__,
        seed=config.seed,
        started_at=run.started_at,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        config=config.redacted(),
        notes=run.notes + run.hung.notes() + retried_note(run.retried),
        checks=run.results,
        operations=dict(LOG.per_operation),
        cleanup_problems=[run.redactor(problem) for problem in run.cleanup_problems],
        stopped_early=run.stopped_early,
        selection=run.selection,
        spec_sha256=spec.load().sha256,
        strict=config.contract.strict,
        model_coverage=run.model_coverage,
    )
    result.write(
        phases.part_file(session.config, Path(config.contract.scratch), config.contract.phase), load_catalogue()
    )


def retried_note(retried: list[str]) -> list[str]:
    if not retried:
        return []
    return [
        f"cleanup: {len(retried)} removal(s) were refused at first and tried again at the run's end (e.g. {retried[0]})"
    ]
