"""Service level objectives per route group (load/slo.toml), and the verdict against them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.results.load import TOTAL, RouteStats
from harness.tomlfile import read_toml

LIMITS = ("p95_ms", "p99_ms", "error_ratio", "min_rps")


@dataclass(frozen=True)
class Objective:
    route: str
    p95_ms: float | None = None
    p99_ms: float | None = None
    error_ratio: float | None = None
    min_rps: float | None = None


@dataclass(frozen=True)
class SloVerdict:
    route: str
    limit: str
    allowed: float
    seen: float

    @property
    def held(self) -> bool:
        return self.seen >= self.allowed if self.limit == "min_rps" else self.seen <= self.allowed

    def describe(self) -> str:
        unit = {"p95_ms": " ms", "p99_ms": " ms", "error_ratio": "", "min_rps": " req/s"}[self.limit]
        relation = "at least" if self.limit == "min_rps" else "at most"
        state = "held" if self.held else "BROKEN"
        return f"{state}: {self.route} {self.limit} {self.seen:g}{unit} ({relation} {self.allowed:g}{unit})"


def load_objectives(path: Path) -> list[Objective]:
    """Read the SLO file: [routes."GET /path"] tables and a [total] table, limits as numbers."""
    document = read_toml(path, "SLO file")
    unknown = set(document) - {"routes", TOTAL}
    if unknown:
        raise UsageError(f'SLO file {path}: unknown tables {sorted(unknown)}; use [routes."..."] and [total]')
    tables: dict[str, Any] = dict(document.get("routes", {}))
    if TOTAL in document:
        tables[TOTAL] = document[TOTAL]
    objectives = []
    for route, limits in tables.items():
        if not isinstance(limits, dict):
            raise UsageError(f"SLO file {path}: {route!r} must be a table of limits")
        for name, value in limits.items():
            if name not in LIMITS:
                raise UsageError(f"SLO file {path}, {route}: unknown limit {name!r} (known: {', '.join(LIMITS)})")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise UsageError(f"SLO file {path}, {route}, {name}: must be a number of zero or more")
        objectives.append(Objective(route=route, **{name: float(value) for name, value in limits.items()}))
    return objectives


def evaluate(
    objectives: list[Objective], routes: dict[str, RouteStats], *, with_throughput: bool = True
) -> list[SloVerdict]:
    """Each limit of each objective against the measured routes.

    A route the run never called has no latency or error ratio to judge (its limits are left out);
    only a throughput floor can be judged there, and it breaks.
    """
    verdicts = []
    silent = RouteStats()
    for objective in objectives:
        seen = routes.get(objective.route, silent)
        for limit in LIMITS:
            allowed = getattr(objective, limit)
            if allowed is None or (limit == "min_rps" and not with_throughput):
                continue
            if limit != "min_rps" and not seen.requests:
                continue
            measured = seen.rps if limit == "min_rps" else getattr(seen, limit)
            verdicts.append(SloVerdict(objective.route, limit, allowed, round(measured, 3)))
    return verdicts
