"""A load run against a baseline run: route by route, within tolerances that leave noise alone.

Two clean runs of the same build never measure the same: on a shared machine a route's p95 moved
between 3.9 and 22 ms over 40 clean runs. So a latency change is a regression only when it passes
*both* its percentage and a floor in milliseconds, and a percentile is judged only when both runs
had enough requests beyond it to mean something. The defaults live in load/baseline.toml, next to
slo.toml; benchmarks/baseline_noise.py measures that clean pairs pass them.
"""

from __future__ import annotations

import io
import math
import tarfile
import zipfile
from dataclasses import dataclass, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any

from harness.errors import UsageError
from harness.loadtest.slo import TOTAL
from harness.reports import RESULT_FILES
from harness.results.load import Comparison, ComparisonRow, LoadRun, LoadSummary, RouteStats, SeriesPoint
from harness.tomlfile import read_toml

LATENCIES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}
NOT_REQUESTS = ("time-to-ready",)  # a measurement, not a route: it has no throughput to compare
IN_REPORTS = RESULT_FILES[LoadSummary]  # where a reports folder holds the summary (load/summary.json)
SUMMARY = PurePosixPath(IN_REPORTS).name


@dataclass(frozen=True)
class Tolerance:
    """How far one route may move before it counts as a regression."""

    p50_pct: float = 25.0
    p95_pct: float = 15.0
    p99_pct: float = 25.0
    # a latency change smaller than these is noise, whatever its percentage (tails swing most)
    p50_min_ms: float = 10.0
    p95_min_ms: float = 20.0
    p99_min_ms: float = 40.0
    rps_pct: float = 15.0  # throughput may fall by this much
    error_ratio: float = 0.001  # the error ratio may rise by this much (absolute)
    min_requests: int = 200  # fewer requests in either run: the route is not judged
    min_tail: int = 20  # a percentile is judged only with this many requests beyond it in both runs

    def describe(self) -> str:
        return (f"latency counts past both +{self.p50_pct:g} % and +{self.p50_min_ms:g} ms (p50), +{self.p95_pct:g} %"
                f" and +{self.p95_min_ms:g} ms (p95), +{self.p99_pct:g} % and +{self.p99_min_ms:g} ms (p99);"
                f" throughput past -{self.rps_pct:g} %; error ratio past "
                f"+{self.error_ratio:g}; a route needs {self.min_requests} requests in both runs to be judged, and a"
                f" percentile {self.min_tail} requests beyond it"
                f" (p95: {self.needed(0.95)} requests, p99: {self.needed(0.99)})")  # fmt: skip

    def needed(self, fraction: float) -> int:
        """Requests a run needs for its ``fraction`` percentile to be judged: min_tail beyond it."""
        return max(self.min_requests, math.ceil(self.min_tail / (1 - fraction) - 1e-9))


@dataclass(frozen=True)
class Tolerances:
    default: Tolerance
    routes: dict[str, Tolerance]

    def for_route(self, route: str) -> Tolerance:
        return self.routes.get(route, self.default)


def load_tolerances(path: Path) -> Tolerances:
    """Read [default] and [routes."GET /path"] tables; a route's table overrides only what it names."""
    document = read_toml(path, "tolerances file")
    unknown = set(document) - {"default", "routes"}
    if unknown:
        raise UsageError(f'tolerances file {path}: unknown tables {sorted(unknown)}; use [default] and [routes."..."]')
    default = _tolerance(Tolerance(), document.get("default", {}), f"{path}, [default]")
    routes = {
        route: _tolerance(default, table, f"{path}, {route}") for route, table in document.get("routes", {}).items()
    }
    return Tolerances(default, routes)


def _tolerance(base: Tolerance, table: Any, where: str) -> Tolerance:
    if not isinstance(table, dict):
        raise UsageError(f"{where}: must be a table of tolerances")
    known = {f.name for f in fields(Tolerance)}
    for name, value in table.items():
        if name not in known:
            raise UsageError(f"{where}: unknown tolerance {name!r} (known: {', '.join(sorted(known))})")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise UsageError(f"{where}, {name}: must be a number of zero or more")
    return replace(base, **{name: int(v) if name == "min_requests" else float(v) for name, v in table.items()})


def find_summary(path: Path) -> tuple[LoadSummary, str]:
    """The load summary in a summary.json, a folder of reports, or a bundle (.tar.gz, .tar or .zip)."""
    if path.is_dir():
        candidates = [p for p in (path / SUMMARY, path / IN_REPORTS) if p.is_file()] or sorted(path.rglob(SUMMARY))
        if not candidates:
            raise UsageError(f"{path} holds no {SUMMARY}: point --baseline at a load run's reports")
        if len(candidates) > 1 and not (path / SUMMARY).is_file() and not (path / IN_REPORTS).is_file():
            raise UsageError(
                f"{path} holds {len(candidates)} summaries; name one: {', '.join(map(str, candidates[:3]))}"
            )
        return LoadSummary.read(candidates[0]), str(candidates[0])
    if not path.is_file():
        raise UsageError(f"baseline {path} does not exist")
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            names = [member.name for member in archive.getmembers() if member.isfile()]
            name = _pick(names, path)
            handle = archive.extractfile(name)
            assert handle is not None  # a regular file member always has a body
            return LoadSummary.from_text(handle.read().decode("utf-8"), f"{path}:{name}"), f"{path}:{name}"
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            name = _pick(archive.namelist(), path)
            text = io.TextIOWrapper(archive.open(name), encoding="utf-8").read()
            return LoadSummary.from_text(text, f"{path}:{name}"), f"{path}:{name}"
    return LoadSummary.read(path), str(path)


def _pick(names: list[str], archive: Path) -> str:
    summaries = [name for name in names if name.rsplit("/", 1)[-1] == SUMMARY]
    preferred = [name for name in summaries if name.endswith(IN_REPORTS)] or summaries
    if not preferred:
        raise UsageError(f"{archive} holds no load {SUMMARY}: bundle a load run's reports, or pass the file itself")
    return preferred[0]


def check_comparable(baseline: LoadRun, current: LoadRun) -> None:
    """Refuse a baseline that ran another profile, model, arrival rate or number of users."""
    if baseline.profile != current.profile:
        raise UsageError(f"the baseline ran profile {baseline.profile!r}, this run {current.profile!r}: "
                         "compare like with like")  # fmt: skip
    if baseline.model != current.model:
        raise UsageError(f"the baseline ran the {baseline.model} model, this run the {current.model} model")
    if current.model == "capacity":
        raise UsageError("a capacity search has no per-route numbers to compare; compare open-model runs instead")
    key, unit = ("rate", "req/s") if current.model == "open" else ("users", "users")
    before, now = baseline.profile_settings.get(key), current.profile_settings.get(key)
    if before is not None and now is not None and float(before) != float(now):
        raise UsageError(f"the baseline ran at {before:g} {unit}, this run at {now:g} {unit}: compare like with like")


def compare(baseline: LoadSummary, current: LoadSummary, tolerances: Tolerances, source: str = "") -> Comparison:
    """Every route the baseline measured, measure by measure, against this run."""
    check_comparable(baseline.run, current.run)
    rows: list[ComparisonRow] = []
    for route, before in baseline.routes.items():
        tolerance = tolerances.for_route(route)
        now = current.routes.get(route)
        if now is None:
            if before.requests >= tolerance.min_requests and route not in NOT_REQUESTS:
                rows.append(ComparisonRow(route, "rps", before.rps, 0.0, f"-{tolerance.rps_pct:g} %", True,
                                          "not called in this run"))  # fmt: skip
            continue
        rows += compare_route(route, before, now, tolerance)
    series = [SeriesPoint(p.second, {TOTAL: p.routes[TOTAL]}) for p in baseline.series if TOTAL in p.routes]
    warnings = [warning] if (warning := busier_machine(baseline.run, current.run)) else []
    return Comparison(source or baseline.run.id, baseline.run, rows, series, tolerances.default.describe(), warnings)


def busier_machine(baseline: LoadRun, current: LoadRun) -> str | None:
    """A warning when either run's machine was oversubscribed, or one was much busier than the other.

    Latency on a machine with more work than cores grows whatever the build does: in the
    baseline-noise benchmark, the clean pair flagged as a regression ran at 4 processes per core.
    """
    if not baseline.host_load or not current.host_load:
        return None
    before, now = max(baseline.host_load), max(current.host_load)
    oversubscribed = max(before, now) >= 1.5
    uneven = max(before, now) >= 1.0 and max(before, now) >= 1.5 * max(min(before, now), 0.1)
    if not (oversubscribed or uneven):
        return None
    return (
        f"the machine running Locust had {before:.1f} runnable processes per core during the baseline and"
        f" {now:.1f} during this run: latency differences may be the machine's, not the build's"
    )


def compare_route(route: str, before: RouteStats, now: RouteStats, tolerance: Tolerance) -> list[ComparisonRow]:
    enough = min(before.requests, now.requests) >= tolerance.min_requests
    few = "" if enough else f"not judged: fewer than {tolerance.min_requests} requests"
    rows = []
    for measure, fraction in LATENCIES.items():
        percent = getattr(tolerance, measure.replace("_ms", "_pct"))
        floor = getattr(tolerance, measure.replace("_ms", "_min_ms"))
        old, new = getattr(before, measure), getattr(now, measure)
        limit = max(old * (1 + percent / 100), old + floor)
        # the p99 of 500 requests is the 5th slowest: one hiccup of the machine moves it, so it needs more
        needed = tolerance.needed(fraction)
        judged = min(before.requests, now.requests) >= needed
        regressed = judged and new > limit
        unjudged = few or ("" if judged else f"not judged: {measure[:3]} needs {needed} requests")
        note = unjudged or (f"{_percent(old, new)} ({new - old:+.3g} ms), past the tolerance" if regressed else "")
        rows.append(ComparisonRow(route, measure, old, new, f"+{percent:g} % and +{floor:g} ms",
                                  regressed, note))  # fmt: skip
    regressed = enough and now.error_ratio - before.error_ratio > tolerance.error_ratio
    note = few or (f"{now.error_ratio - before.error_ratio:+.3g}, past the tolerance" if regressed else "")
    rows.append(ComparisonRow(route, "error_ratio", before.error_ratio, now.error_ratio,
                              f"+{tolerance.error_ratio:g}", regressed, note))  # fmt: skip
    if route not in NOT_REQUESTS:
        regressed = enough and now.rps < before.rps * (1 - tolerance.rps_pct / 100)
        note = few or (f"{_percent(before.rps, now.rps)}, past the tolerance" if regressed else "")
        rows.append(ComparisonRow(route, "rps", before.rps, now.rps, f"-{tolerance.rps_pct:g} %", regressed, note))
    return rows


def _percent(old: float, new: float) -> str:
    return f"{(new - old) / old * 100:+.0f} %" if old else "from zero"
