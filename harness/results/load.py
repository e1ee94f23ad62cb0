"""The typed load summary: what ``summary.json`` holds (schema: harness/schemas/load-summary.schema.json).

The runner builds a ``LoadSummary``; the reports, the baseline comparison and the kill matrix read
it back with ``LoadSummary.read``, so none of them indexes a loose dict. The JSON keys are the ones
summary.json has always had (percentiles as ``p95_ms``, run fields in camelCase).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import UsageError

HELD, BROKEN = "held", "broken"
TOTAL = "total"  # the row of all routes together, beside each route's
SAME, REGRESSED = "held", "regressed"


@dataclass
class RouteStats:
    """One route (or the total) over a window: counts, throughput, latency percentiles in ms."""

    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    service_p99_ms: float = 0.0
    errors: int = 0
    error_ratio: float = 0.0

    @classmethod
    def from_document(cls, data: dict[str, Any]) -> RouteStats:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


@dataclass
class SeriesPoint:
    second: int
    routes: dict[str, RouteStats]

    def to_document(self) -> dict[str, Any]:
        return {"second": self.second, "routes": {name: asdict(stats) for name, stats in self.routes.items()}}

    @classmethod
    def from_document(cls, data: dict[str, Any]) -> SeriesPoint:
        return cls(data["second"], {name: RouteStats.from_document(s) for name, s in data["routes"].items()})


@dataclass
class SloResult:
    route: str
    limit: str
    allowed: float
    seen: float
    held: bool
    text: str


@dataclass
class CapacityStep:
    rate: float
    achieved_rps: float
    p95_ms: float
    p99_ms: float
    error_ratio: float
    held: bool
    broken: list[str]

    def to_document(self) -> dict[str, Any]:
        return {"rate": self.rate, "achievedRps": self.achieved_rps, "p95_ms": self.p95_ms, "p99_ms": self.p99_ms,
                "errorRatio": self.error_ratio, "held": self.held, "broken": self.broken}  # fmt: skip

    @classmethod
    def from_document(cls, data: dict[str, Any]) -> CapacityStep:
        return cls(data["rate"], data["achievedRps"], data["p95_ms"], data["p99_ms"], data["errorRatio"],
                   data["held"], list(data["broken"]))  # fmt: skip


@dataclass
class Capacity:
    rps: float | None
    steps: list[CapacityStep]


@dataclass
class LoadRun:
    """Which run this was: enough to tell whether two runs may be compared."""

    id: str
    profile: str
    model: str
    target: str
    workers: int = 0
    readonly: bool = False
    started_at: str = ""
    finished_at: str = ""
    profile_settings: dict[str, Any] = field(default_factory=dict)
    # load average per core of the machine that ran Locust, at the start and the end: latency
    # measured on a busier machine is slower whatever the build, so comparisons say when it differed
    host_load: list[float] = field(default_factory=list)
    # the run's limits (requestTimeout, provisionWait, deadline, rateLimit): a rate limit caps the throughput
    limits: dict[str, float | None] = field(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        return {"id": self.id, "profile": self.profile, "model": self.model, "target": self.target,
                "workers": self.workers, "readonly": self.readonly, "startedAt": self.started_at,
                "finishedAt": self.finished_at, "profileSettings": self.profile_settings,
                "hostLoad": self.host_load, "limits": self.limits}  # fmt: skip

    @classmethod
    def from_document(cls, data: dict[str, Any]) -> LoadRun:
        return cls(data["id"], data["profile"], data["model"], data["target"], data.get("workers", 0),
                   data.get("readonly", False), data.get("startedAt", ""), data.get("finishedAt", ""),
                   dict(data.get("profileSettings", {})), list(data.get("hostLoad", [])),
                   dict(data.get("limits", {})))  # fmt: skip


@dataclass
class ComparisonRow:
    """One measure of one route, baseline against current, and whether the change is a regression."""

    route: str
    measure: str  # p50_ms, p95_ms, p99_ms, error_ratio or rps
    baseline: float
    current: float
    allowed: str  # the tolerance in words, e.g. "+15 % and +2 ms"
    regressed: bool
    note: str = ""  # why a change was not judged (too few requests) or how far past the tolerance

    @property
    def change(self) -> float | None:
        """Relative change, +0.2 for 20 % more; None when the baseline is zero."""
        return (self.current - self.baseline) / self.baseline if self.baseline else None

    def describe(self) -> str:
        """'REGRESSED: GET /x p95_ms 0.41 -> 301 ms (+73317 % (+300 ms), past the tolerance), allowed ...'."""
        unit = " ms" if self.measure.endswith("_ms") else (" req/s" if self.measure == "rps" else "")
        state = "REGRESSED" if self.regressed else "held"
        detail = f" ({self.note})" if self.note else ""
        values = f"{self.baseline:g} -> {self.current:g}{unit}"
        return f"{state}: {self.route} {self.measure} {values}{detail}, allowed {self.allowed}"


@dataclass
class Comparison:
    """This run against a baseline: the rows, and the baseline's latency over time for the overlay."""

    source: str
    baseline_run: LoadRun
    rows: list[ComparisonRow]
    baseline_series: list[SeriesPoint] = field(default_factory=list)
    noise: str = ""  # how run-to-run spread is treated, in one sentence, for the reports
    warnings: list[str] = field(default_factory=list)  # why a verdict may be the machine's, not the build's

    @property
    def verdict(self) -> str:
        return REGRESSED if any(row.regressed for row in self.rows) else SAME

    def to_document(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "verdict": self.verdict,
            "noise": self.noise,
            "warnings": self.warnings,
            "baselineRun": self.baseline_run.to_document(),
            "rows": [asdict(row) for row in self.rows],
            "baselineSeries": [point.to_document() for point in self.baseline_series],
        }

    @classmethod
    def from_document(cls, data: dict[str, Any]) -> Comparison:
        series = [SeriesPoint.from_document(point) for point in data.get("baselineSeries", [])]
        rows = [ComparisonRow(**row) for row in data["rows"]]
        return cls(data["source"], LoadRun.from_document(data["baselineRun"]), rows, series, data.get("noise", ""),
                   list(data.get("warnings", [])))  # fmt: skip


@dataclass
class LoadSummary:
    run: LoadRun
    verdict: str  # held: every SLO held; broken: one did not
    routes: dict[str, RouteStats]
    slo: list[SloResult] = field(default_factory=list)
    series: list[SeriesPoint] = field(default_factory=list)
    seconds: float = 0.0
    time_to_ready: RouteStats | None = None
    capacity: Capacity | None = None
    cleanup: list[str] = field(default_factory=list)
    comparison: Comparison | None = None
    stopped_early: str = ""  # why the run did not run all it planned (its deadline); such a run never passes

    @property
    def exit_code(self) -> int:
        """0 when the whole run ran, every SLO held and nothing regressed against a baseline, else 1."""
        regressed = self.comparison is not None and self.comparison.verdict == REGRESSED
        return 0 if self.verdict == HELD and not regressed and not self.stopped_early else 1

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "run": self.run.to_document(),
            "verdict": self.verdict,
            "seconds": self.seconds,
            "routes": {name: asdict(stats) for name, stats in self.routes.items()},
            "slo": [asdict(result) for result in self.slo],
            "timeToReady": asdict(self.time_to_ready) if self.time_to_ready else None,
            "series": [point.to_document() for point in self.series],
            "cleanup": self.cleanup,
        }
        if self.stopped_early:
            document["stoppedEarly"] = self.stopped_early
        if self.capacity is not None:
            document["capacity"] = {"rps": self.capacity.rps,
                                    "steps": [step.to_document() for step in self.capacity.steps]}  # fmt: skip
        if self.comparison is not None:
            document["comparison"] = self.comparison.to_document()
        return document

    @classmethod
    def from_document(cls, data: dict[str, Any]) -> LoadSummary:
        capacity = data.get("capacity")
        ready = data.get("timeToReady")
        return cls(
            run=LoadRun.from_document(data["run"]),
            verdict=data["verdict"],
            routes={name: RouteStats.from_document(stats) for name, stats in data["routes"].items()},
            slo=[SloResult(**result) for result in data.get("slo", [])],
            series=[SeriesPoint.from_document(point) for point in data.get("series", [])],
            seconds=data.get("seconds", 0.0),
            time_to_ready=RouteStats.from_document(ready) if ready else None,
            capacity=Capacity(capacity["rps"], [CapacityStep.from_document(s) for s in capacity["steps"]])
            if capacity
            else None,
            cleanup=list(data.get("cleanup", [])),
            comparison=Comparison.from_document(data["comparison"]) if data.get("comparison") else None,
            stopped_early=data.get("stoppedEarly", ""),
        )

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_document(), indent=2, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> LoadSummary:
        """A summary.json; one that is not JSON or not a load summary is a UsageError naming the file."""
        try:
            return cls.from_text(path.read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None

    @classmethod
    def from_text(cls, text: str, where: str) -> LoadSummary:
        try:
            return cls.from_document(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UsageError(f"{where} is not a load summary.json ({type(exc).__name__}: {exc})") from None
