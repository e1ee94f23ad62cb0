"""What the Locust processes need to know, written by the runner and read by load/locustfile.py.

The plan holds no secrets: the key reaches the Locust processes through their environment only.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

PLAN_ENV = "STRONGLY_LOAD_PLAN"


@dataclass
class Plan:
    model: str = "closed"
    rate: float = 0.0  # open model: requests per second for each driver
    poll_interval: float = 5.0
    mix: dict[str, int] = field(default_factory=lambda: {"pollers": 8, "dashboards": 2, "churn": 1})
    routes: dict[str, int] = field(default_factory=lambda: {"status": 7, "metrics": 2, "list": 1})
    validate_every: int = 20
    readonly: bool = False
    workspaces: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    prefix: str = "sh-load-"
    search_terms: list[str] = field(default_factory=list)
    output: str = "."
    provision_wait: float = 60.0
    metrics_port: int = 0  # the master (or the one process) serves Prometheus metrics on 127.0.0.1 here; 0: off

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Plan:
        return cls(**json.loads(path.read_text(encoding="utf-8")))
