"""Locust scenarios of the load suite, run by ``strongly-harness load``.

Closed model: Pollers poll their workspaces' status at the SDK's cadence (a share also scrape
metrics), Dashboards list and filter, Churn walks the lifecycle and records time-to-ready.
Open model: OpenModelDriver sends requests on a fixed timetable, each in its own greenlet, timed
from when it should have been sent, so a stalled server cannot hide behind waiting clients.

The runner seeds the data and writes the plan this file reads (``STRONGLY_LOAD_PLAN``); the key
comes from ``STRONGLY_API_KEY``. In a distributed run the master sends the plan to its workers when
the test starts (so a worker on another machine needs only the master's address and the key), ends
the test itself after ``STRONGLY_LOAD_DURATION`` seconds, and collects every worker's recording,
which each worker sends as it stops, before its own stop is acknowledged.
"""

from __future__ import annotations

import itertools
import os
import random
import secrets
import time
from json import loads
from pathlib import Path
from typing import Any

import gevent
import locust.stats
from gevent.pool import Pool
from locust import FastHttpUser, events, task
from locust.env import Environment
from locust.runners import STATE_CLEANUP, STATE_STOPPED, STATE_STOPPING, MasterRunner, WorkerRunner

from harness import spec
from harness.load import metrics
from harness.load.plan import PLAN_ENV, Plan
from harness.load.recorder import WARMUP, Recorder

# Locust buckets whole milliseconds below 100 ms; 10 microsecond buckets keep its own report right.
_coarse = locust.stats.bucket_response_time
locust.stats.bucket_response_time = lambda rt: round(rt, 2) if rt < 100 else _coarse(rt)

PLAN = Plan.read(Path(os.environ[PLAN_ENV])) if PLAN_ENV in os.environ else Plan()  # remote workers: sent later
HEADERS = {"X-API-Key": os.environ["STRONGLY_API_KEY"]}
CONTRACT = spec.load()
RECORDER = Recorder(Path(PLAN.output))
events.request.add_listener(RECORDER.on_request)


@events.init.add_listener
def on_init(environment: Environment, **kwargs: Any) -> None:
    runner = environment.runner
    if PLAN.metrics_port and not isinstance(runner, WorkerRunner):  # the master's stats are the merged view
        metrics.serve(environment, PLAN.metrics_port, skip=(WARMUP,))
    if isinstance(runner, MasterRunner):
        runner.register_message("strongly-recording", lambda msg, **kw: RECORDER.keep(msg.data, msg.node_id))
        events.test_start.add_listener(start_workers)
    elif isinstance(runner, WorkerRunner):
        runner.register_message("strongly-plan", lambda msg, **kw: vars(PLAN).update(msg.data))
        events.test_stop.add_listener(lambda **kw: runner.send_message("strongly-recording", RECORDER.document()))
    else:
        events.test_stop.add_listener(RECORDER.write)


def start_workers(environment: Environment, **kwargs: Any) -> None:
    """Master: hand the plan to every worker, and end the test after the run's duration."""
    runner = environment.runner
    runner.send_message("strongly-plan", vars(PLAN))

    def stop_after(seconds: float) -> None:
        gevent.sleep(seconds)
        runner.stop()  # workers stop, send their recordings, then acknowledge: ordered on one connection
        runner.quit()

    gevent.spawn(stop_after, float(os.environ.get("STRONGLY_LOAD_DURATION", "30")))


STATUS = "GET /api/v1/workspaces/{id}/status"
METRICS = "GET /api/v1/workspaces/{id}/metrics"
LIST_WORKSPACES = "GET /api/v1/workspaces"
LIST_PROJECTS = "GET /api/v1/projects"
STATS = "GET /api/v1/projects/{id}/stats"
CREATE = "POST /api/v1/workspaces"
START = "POST /api/v1/workspaces/{id}/start"
STOP = "POST /api/v1/workspaces/{id}/stop"
DELETE = "DELETE /api/v1/workspaces/{id}"
TIME_TO_READY = "time-to-ready"

ENDING = (STATE_STOPPING, STATE_STOPPED, STATE_CLEANUP)
_users = itertools.count()
_responses = itertools.count(1)


def due_for_validation() -> bool:
    """Every ``validate_every``-th answer is checked against the contract."""
    return bool(PLAN.validate_every) and next(_responses) % PLAN.validate_every == 0


def violation(operation_id: str, status: int, body: Any) -> str | None:
    """What is wrong with an answer by the contract's schema, or None; a violation is a failure."""
    validator = CONTRACT.response_validator(operation_id, status)
    if validator is None:
        return None
    error = next(iter(validator.iter_errors(body)), None)
    return None if error is None else f"schema violation in {operation_id} {status}: {error.message[:200]}"


def framed_as_json(content: bytes) -> bool:
    """An object or array from end to end: an HTML error page or a cut-off body is not."""
    stripped = content.strip()
    return stripped[:1] in (b"{", b"[") and stripped[-1:] in (b"}", b"]")


class ApiUser(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        # the first request of a user pays for the connection; it stays out of the SLOs
        self.client.request("GET", "/api/v1/workspaces?limit=1", headers=HEADERS, name=WARMUP)

    def call(self, method: str, path: str, name: str, operation_id: str, *, expect: tuple[int, ...] = (200,),
             json: Any = None, context: dict[str, Any] | None = None, body: bool = False) -> Any:  # fmt: skip
        """Send, check the status and the body's JSON framing; parse and validate one answer in N.

        The parsed body comes back only when ``body`` is asked for (or the answer was validated):
        parsing every answer was a third of our overhead over a bare FastHttpUser (benchmarks/).
        """
        with self.client.request(method, path, name=name, headers=HEADERS, json=json, catch_response=True,
                                 context=context or {}) as response:  # fmt: skip
            if response.status_code not in expect:
                response.failure(f"{name} answered {response.status_code}")
                return None
            if response.status_code == 204:
                return None
            content = response.content or b""
            validate = due_for_validation()
            if not (body or validate):
                if not framed_as_json(content):
                    response.failure(f"{name} answered a body that is not JSON")
                return None
            try:
                parsed = loads(content)
            except ValueError:
                response.failure(f"{name} answered a body that is not JSON")
                return None
            problem = violation(operation_id, response.status_code, parsed) if validate else None
            if problem:
                response.failure(problem)
                return None
            return parsed


class Poller(ApiUser):
    """Owns a few workspaces and polls their status every poll interval; one in four also scrapes metrics."""

    # weights count on the master only, which names the classes it runs; a worker just needs them all
    weight = PLAN.mix.get("pollers", 1)

    def wait_time(self) -> float:
        return max(0.0, PLAN.poll_interval - (time.monotonic() - self.started))

    def on_start(self) -> None:
        super().on_start()
        index = next(_users)
        start = index * 3
        workspaces = PLAN.workspaces
        self.owned = [workspaces[(start + i) % len(workspaces)] for i in range(min(3, len(workspaces)))]
        # every fourth poller, not a random quarter: a coin per user made the metrics route's throughput
        # differ by up to 2x between two runs of the same build, which a baseline comparison calls a regression
        self.scrapes_metrics = index % 4 == 3

    @task
    def poll(self) -> None:
        self.started = time.monotonic()  # the SDK's cadence: one round every poll interval
        for workspace in self.owned:
            self.call("GET", f"/api/v1/workspaces/{workspace}/status", STATUS, "getWorkspaceStatus")
            if self.scrapes_metrics:
                self.call("GET", f"/api/v1/workspaces/{workspace}/metrics", METRICS, "getWorkspaceMetrics")


class Dashboard(ApiUser):
    """Lists workspaces with filters, search, sort and pages; lists projects and reads their stats."""

    weight = PLAN.mix.get("dashboards", 1)

    def wait_time(self) -> float:
        return random.uniform(PLAN.poll_interval, 2 * PLAN.poll_interval)

    @task(3)
    def workspaces(self) -> None:
        params = random.choice([
            "limit=20", "status=running", "sort=name:asc", "limit=10&offset=10",
            *(f"search={term}" for term in PLAN.search_terms),
            *(f"projectId={project}&sort=updatedAt:desc" for project in PLAN.projects[:3]),
        ])  # fmt: skip
        self.call("GET", f"/api/v1/workspaces?{params}", LIST_WORKSPACES, "listWorkspaces")

    @task(1)
    def projects(self) -> None:
        params = random.choice(["limit=20", "status=active", *(f"search={term}" for term in PLAN.search_terms)])
        self.call("GET", f"/api/v1/projects?{params}", LIST_PROJECTS, "listProjects")

    @task(1)
    def stats(self) -> None:
        if PLAN.projects:
            project = random.choice(PLAN.projects)
            self.call("GET", f"/api/v1/projects/{project}/stats", STATS, "getProjectStats")


class Churn(ApiUser):
    """Create, wait until ready, stop, start, wait again, stop, delete: time-to-ready is its own metric."""

    weight = PLAN.mix.get("churn", 1)

    def wait_time(self) -> float:
        return 1.0

    @task
    def lifecycle(self) -> None:
        body = {"name": f"{PLAN.prefix}churn-{secrets.token_hex(3)}", "description": "load churn",
                "environmentType": "jupyter"}  # fmt: skip
        created = self.call("POST", "/api/v1/workspaces", CREATE, "createWorkspace", expect=(201,), json=body,
                            body=True)  # fmt: skip
        if created is None:
            return
        path = f"/api/v1/workspaces/{created['workspaceId']}"
        try:
            if self.until_ready(path):
                self.call("POST", f"{path}/stop", STOP, "stopWorkspace")
                self.call("POST", f"{path}/start", START, "startWorkspace")
                self.until_ready(path)
        finally:
            self.call("POST", f"{path}/stop", STOP, "stopWorkspace", expect=(200, 409))
            self.call("DELETE", path, DELETE, "deleteWorkspace", expect=(204,))

    def until_ready(self, path: str) -> bool:
        started = time.monotonic()
        while time.monotonic() - started < PLAN.provision_wait:
            status = self.call("GET", f"{path}/status", STATUS, "getWorkspaceStatus", body=True)
            if status is not None and status["ready"]:
                elapsed = (time.monotonic() - started) * 1000
                self.environment.events.request.fire(request_type="METRIC", name=TIME_TO_READY, response_time=elapsed,
                                                     response_length=0, exception=None, context={})  # fmt: skip
                return True
            gevent.sleep(min(PLAN.poll_interval, 0.25))
        return False


class OpenModelDriver(ApiUser):
    """Sends ``PLAN.rate`` requests per second on a timetable, whatever the server does."""

    weight = 1
    concurrency = 1000  # connections this one user may have in flight

    def wait_time(self) -> float:
        return 0.0

    @task
    def drive(self) -> None:
        routes = [route for route, weight in PLAN.routes.items() for _ in range(weight)]
        interval = 1.0 / PLAN.rate
        pool = Pool(2000)
        origin = time.time()
        for sent in itertools.count():
            if self.environment.runner is None or self.environment.runner.state in ENDING:
                return  # the run is stopping: send nothing new, let what is in flight finish
            intended = origin + sent * interval
            delay = intended - time.time()
            if delay > 0:
                gevent.sleep(delay)
            pool.spawn(self.send, routes[sent % len(routes)], intended)

    def send(self, route: str, intended: float) -> None:
        context = {"intended": intended}
        workspace = PLAN.workspaces[hash(intended) % len(PLAN.workspaces)]
        if route == "status":
            self.call("GET", f"/api/v1/workspaces/{workspace}/status", STATUS, "getWorkspaceStatus", context=context)
        elif route == "metrics":
            self.call("GET", f"/api/v1/workspaces/{workspace}/metrics", METRICS, "getWorkspaceMetrics", context=context)
        else:
            self.call("GET", "/api/v1/workspaces?limit=20", LIST_WORKSPACES, "listWorkspaces", context=context)
