"""Locust scenarios of the load suite, run by ``strongly-harness load``.

Closed model: Pollers poll their workspaces' status at the SDK's cadence (a share also scrape
metrics), Dashboards list and filter, Churn walks the lifecycle and records time-to-ready.
Open model: the driver sends requests from ``ROUTES`` on a fixed timetable, each in its own
greenlet, timed from when it should have been sent, so a stalled server cannot hide behind waiting
clients.

This file holds the scenarios and their one route table, nothing else. Each scenario names its
key in a profile's ``mix`` (load/profiles.toml); a route's name (METHOD and path) is its key in
load/slo.toml. What a scenario reads of the run (the seeded workspaces and projects, the poll
interval, the key) comes from its Locust environment: ``self.data``, ``self.load.profile``. The
machinery (configuration, choosing users, recording, the open-model driver, ``call``) lives in
harness/loadtest/users.py.
"""

from __future__ import annotations

import itertools
import random
import secrets
import time

import gevent
from locust import task

from harness.loadtest.users import ApiUser, Endpoint, TimetableDriver

STATUS = Endpoint("GET", "/api/v1/workspaces/{id}/status", "getWorkspaceStatus")
METRICS = Endpoint("GET", "/api/v1/workspaces/{id}/metrics", "getWorkspaceMetrics")
LIST_WORKSPACES = Endpoint("GET", "/api/v1/workspaces", "listWorkspaces")
LIST_PROJECTS = Endpoint("GET", "/api/v1/projects", "listProjects")
STATS = Endpoint("GET", "/api/v1/projects/{id}/stats", "getProjectStats")
CREATE = Endpoint("POST", "/api/v1/workspaces", "createWorkspace")
START = Endpoint("POST", "/api/v1/workspaces/{id}/start", "startWorkspace")
STOP = Endpoint("POST", "/api/v1/workspaces/{id}/stop", "stopWorkspace")
DELETE = Endpoint("DELETE", "/api/v1/workspaces/{id}", "deleteWorkspace")
TIME_TO_READY = "time-to-ready"

# The open model's requests: a profile's `routes` weights them by these keys.
ROUTES = {
    "status": STATUS,
    "metrics": METRICS,
    "list": Endpoint("GET", "/api/v1/workspaces", "listWorkspaces", query="limit=20"),
}

_pollers = itertools.count()


class Poller(ApiUser):
    """Owns a few workspaces and polls their status every poll interval; one in four also scrapes metrics."""

    mix = "pollers"

    def wait_time(self) -> float:
        return max(0.0, self.load.profile.poll_interval - (time.monotonic() - self.started))

    def on_start(self) -> None:
        super().on_start()
        index = next(_pollers)
        start = index * 3
        workspaces = self.data.workspaces
        self.owned = [workspaces[(start + i) % len(workspaces)] for i in range(min(3, len(workspaces)))]
        # every fourth poller, not a random quarter: a coin per user made the metrics route's throughput
        # differ by up to 2x between two runs of the same build, which a baseline comparison calls a regression
        self.scrapes_metrics = index % 4 == 3

    @task
    def poll(self) -> None:
        self.started = time.monotonic()  # the SDK's cadence: one round every poll interval
        for workspace in self.owned:
            self.call(STATUS, id=workspace)
            if self.scrapes_metrics:
                self.call(METRICS, id=workspace)


class Dashboard(ApiUser):
    """Lists workspaces with filters, search, sort and pages; lists projects and reads their stats."""

    mix = "dashboards"

    def wait_time(self) -> float:
        interval = self.load.profile.poll_interval
        return random.uniform(interval, 2 * interval)

    @task(3)
    def workspaces(self) -> None:
        query = random.choice(
            [
                "limit=20",
                "status=running",
                "sort=name:asc",
                "limit=10&offset=10",
                *(f"search={term}" for term in self.data.search_terms),
                *(f"projectId={project}&sort=updatedAt:desc" for project in self.data.projects[:3]),
            ]
        )
        self.call(LIST_WORKSPACES, query=query)

    @task(1)
    def projects(self) -> None:
        query = random.choice(["limit=20", "status=active", *(f"search={term}" for term in self.data.search_terms)])
        self.call(LIST_PROJECTS, query=query)

    @task(1)
    def stats(self) -> None:
        if self.data.projects:
            self.call(STATS, id=random.choice(self.data.projects))


class Churn(ApiUser):
    """Create, wait until ready, stop, start, wait again, stop, delete: time-to-ready is its own metric."""

    mix = "churn"
    writes = True

    def wait_time(self) -> float:
        return 1.0

    @task
    def lifecycle(self) -> None:
        body = {
            "name": f"{self.config.prefix}churn-{secrets.token_hex(3)}",
            "description": "load churn",
            "environmentType": "jupyter",
        }
        created = self.call(CREATE, expect=(201,), json=body, body=True)
        if created is None:
            return
        workspace = created["workspaceId"]
        try:
            if self.until_ready(workspace):
                self.call(STOP, id=workspace)
                self.call(START, id=workspace)
                self.until_ready(workspace)
        finally:
            self.call(STOP, expect=(200, 409), id=workspace)
            self.call(DELETE, expect=(204,), id=workspace)

    def until_ready(self, workspace: str) -> bool:
        started = time.monotonic()
        while time.monotonic() - started < self.config.limits.provision_wait:
            status = self.call(STATUS, body=True, id=workspace)
            if status is not None and status["ready"]:
                self.measured(TIME_TO_READY, (time.monotonic() - started) * 1000)
                return True
            gevent.sleep(min(self.load.profile.poll_interval, 0.25))
        return False


class OpenModelDriver(TimetableDriver):
    """The open model: requests from this file's route table, on the step's timetable."""

    routes = ROUTES
