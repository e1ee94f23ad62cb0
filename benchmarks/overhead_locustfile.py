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

BARE, OURS = "bare FastHttpUser", "our scenario"
events.request.remove_listener(ours.RECORDER.on_request)


@events.request.add_listener
def record_ours_only(name: str, **kwargs: Any) -> None:
    """Our recorder sees our scenario's requests only, so the bare user pays nothing of ours."""
    if name != BARE:
        ours.RECORDER.on_request(name=name, **kwargs)


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
    headers = {"X-API-Key": os.environ["STRONGLY_API_KEY"]}

    def wait_time(self) -> float:
        return 0.0

    def on_start(self) -> None:
        gevent.getcurrent().cpu_owner = BARE

    @task
    def status(self) -> None:
        workspace = random.choice(ours.PLAN.workspaces)
        self.client.get(f"/api/v1/workspaces/{workspace}/status", headers=self.headers, name=BARE)


class Ours(ours.ApiUser):
    def wait_time(self) -> float:
        return 0.0

    def on_start(self) -> None:
        gevent.getcurrent().cpu_owner = OURS  # and no warmup request: the bare user has none either

    @task
    def status(self) -> None:
        workspace = random.choice(ours.PLAN.workspaces)
        self.call("GET", f"/api/v1/workspaces/{workspace}/status", OURS, "getWorkspaceStatus")
