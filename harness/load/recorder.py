"""Recording inside each Locust process: per route and per second, latency and failures.

A standalone process writes its own file when the test stops; in a distributed run each worker
sends its recording to the master, which keeps each as a file. The runner merges the files. A
request that carries ``context["intended"]`` (the open model's timetable) is timed from when it
should have been sent, so a stalled server cannot hide behind waiting clients.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from harness.load.histogram import Histogram, bucket

WARMUP = "warmup (first connect)"


class Recorder:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started = time.time()
        self.first: float | None = None  # the measured window: first and last request answered
        self.last: float | None = None
        # second since start -> route -> [requests, failures, latency histogram, service-time histogram]
        self.seconds: dict[int, dict[str, list[Any]]] = defaultdict(dict)

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float,
        response_length: int,
        exception: BaseException | None = None,
        context: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if name == WARMUP:
            return  # the first connect of each user stays out of the SLOs
        now = time.time()
        self.first = self.first or now
        self.last = now
        routes = self.seconds[int(now - self.started)]
        cell = routes.get(name)
        if cell is None:  # not setdefault: that would build two histograms on every request (a third of our cost)
            cell = routes[name] = [0, 0, Histogram(), Histogram()]
        cell[0] += 1
        cell[1] += exception is not None
        # this runs for every request: bucket once when latency and service time are the same (closed model)
        service = bucket(response_time)
        intended = context.get("intended") if context else None
        cell[2].counts[service if intended is None else bucket((now - intended) * 1000)] += 1
        cell[3].counts[service] += 1

    def document(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "first": self.first,
            "last": self.last,
            "seconds": {
                str(second): {
                    name: {"requests": c[0], "failures": c[1], "latency": c[2].to_json(), "service": c[3].to_json()}
                    for name, c in routes.items()
                }
                for second, routes in self.seconds.items()
            },
        }

    def write(self, **kwargs: Any) -> None:
        """Standalone: this process's own recording."""
        self.keep(self.document(), str(os.getpid()))

    def keep(self, document: dict[str, Any], origin: str) -> None:
        """A recording (this process's, or one a worker sent the master) as one file to merge."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"recorder-{re.sub(r'[^A-Za-z0-9_.-]', '_', origin)}.json"
        staging = target.with_suffix(".tmp")
        staging.write_text(json.dumps(document))
        staging.replace(target)
