"""Two users on the status route in one Locust process: a bare FastHttpUser, and our scenario's.

Run by benchmarks/overhead.py. ``Bare`` sends the request and nothing else. ``Ours`` is the load
suite's own ApiUser.call (catch_response, status check, JSON parse, one answer in 20 validated
against the contract) with our per-route, per-second histogram recorder listening. Locust's own
statistics count both the same way. Requests per second only show a difference when Locust's
core is the bottleneck; so each user greenlet's CPU time is also counted, switch by switch
(greenlet.settrace), which gives CPU microseconds per request for each class whatever the bottleneck.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import gevent
import greenlet
from locust import FastHttpUser, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))
import locustfile as ours  # the load suite's scenarios, importable once their folder is on the path
from locust.env import Environment

from harness.loadtest import users

BARE, OURS = "bare FastHttpUser", "our scenario"
OURS_ROUTE = users.Endpoint("GET", "/api/v1/workspaces/{id}/status", "getWorkspaceStatus")


@events.init.add_listener
def record_ours_only(environment: Environment, **kwargs: Any) -> None:
    """Our recorder sees our scenario's requests only, so the bare user pays nothing of ours."""
    recorder = users.recorder_of(environment)
    environment.events.request.remove_listener(recorder.on_request)

    def ours_only(name: str, **kwargs: Any) -> None:
        if name != BARE:
            recorder.on_request(name=name, **kwargs)

    environment.events.request.add_listener(ours_only)
    for user in (Bare, Ours):  # both classes run, one user each per --users, whatever the scenarios' mix says
        user.weight = 1
    environment.user_classes[:] = [Bare, Ours]


CPU: dict[str, float] = defaultdict(float)  # user class -> CPU seconds spent in its greenlets
_since = [time.thread_time()]


def account(event: str, args: Any) -> None:
    """On every greenlet switch, the CPU time since the last one goes to the greenlet switched away from."""
    if event in ("switch", "throw"):
        now = time.thread_time()
        owner = getattr(args[0], "cpu_owner", None)
        if owner is not None:
            CPU[owner] += now - _since[0]
        _since[0] = now


greenlet.settrace(account)


@events.quitting.add_listener
def write_cpu(**kwargs: Any) -> None:
    Path(os.environ["OVERHEAD_CPU_FILE"]).write_text(json.dumps(CPU))


class Bare(FastHttpUser):
    def wait_time(self) -> float:
        return 0.0

    def on_start(self) -> None:
        gevent.getcurrent().cpu_owner = BARE
        config = users.config_of(self.environment)
        self.headers = {"X-API-Key": config.target.api_key}
        self.workspaces = config.require_load().data.workspaces

    @task
    def status(self) -> None:
        workspace = random.choice(self.workspaces)
        self.client.get(f"/api/v1/workspaces/{workspace}/status", headers=self.headers, name=BARE)


class Ours(ours.ApiUser):
    mix = "pollers"  # a key the profile's mix weights, so the run has a scenario; record_ours_only sets the weights

    def wait_time(self) -> float:
        return 0.0

    def on_start(self) -> None:
        gevent.getcurrent().cpu_owner = OURS  # and no warmup request: the bare user has none either
        self.headers = {"X-API-Key": self.config.target.api_key}

    @task
    def status(self) -> None:
        self.call(OURS_ROUTE, id=random.choice(self.data.workspaces))
