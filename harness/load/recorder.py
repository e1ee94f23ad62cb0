"""Recording inside each Locust process: per route and per second, latency and failures.

Each process (standalone, or every worker) writes its own file when the test stops; the runner
merges them. A request that carries ``context["intended"]`` (the open model's timetable) is timed
from when it should have been sent, so a stalled server cannot hide behind waiting clients.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from harness.load.histogram import Histogram

WARMUP = "warmup (first connect)"


class Recorder:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started = time.time()
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
        intended = (context or {}).get("intended")
        latency = (now - intended) * 1000 if intended is not None else response_time
        cell = self.seconds[int(now - self.started)].setdefault(name, [0, 0, Histogram(), Histogram()])
        cell[0] += 1
        cell[1] += exception is not None
        cell[2].add(latency)
        cell[3].add(response_time)

    def write(self, **kwargs: Any) -> None:
        document = {
            "started": self.started,
            "seconds": {
                str(second): {
                    name: {"requests": c[0], "failures": c[1], "latency": c[2].to_json(), "service": c[3].to_json()}
                    for name, c in routes.items()
                }
                for second, routes in self.seconds.items()
            },
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"recorder-{os.getpid()}.json"
        staging = target.with_suffix(".tmp")
        staging.write_text(json.dumps(document))
        staging.replace(target)
