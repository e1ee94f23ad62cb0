"""Merging what every Locust process recorded into per-route statistics and a time series."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from harness.loadtest.histogram import Histogram
from harness.loadtest.slo import TOTAL
from harness.results.load import RouteStats, SeriesPoint

METRICS = ("time-to-ready",)  # recorded like routes, but not requests: kept out of the total


@dataclass
class RouteTally:
    """One route's requests, failures and latency histograms, added up over processes (or one second)."""

    requests: int = 0
    failures: int = 0
    latency: Histogram = field(default_factory=Histogram)
    service: Histogram = field(default_factory=Histogram)

    def add(self, requests: int, failures: int, latency: Histogram, service: Histogram) -> None:
        self.requests += requests
        self.failures += failures
        self.latency.merge(latency)
        self.service.merge(service)

    def stats(self, seconds: float) -> RouteStats:
        return RouteStats(
            requests=self.requests,
            rps=round(self.requests / seconds, 2) if seconds else 0.0,
            p50_ms=self.latency.percentile(0.50),
            p95_ms=self.latency.percentile(0.95),
            p99_ms=self.latency.percentile(0.99),
            max_ms=self.latency.max,
            service_p99_ms=self.service.percentile(0.99),
            errors=self.failures,
            error_ratio=round(self.failures / self.requests, 5) if self.requests else 0.0,
        )


@dataclass
class Recording:
    routes: dict[str, RouteTally]
    series: list[SeriesPoint]
    seconds: float


def merge(directory: Path) -> Recording:
    """Add up every recorder file in ``directory``, aligning their clocks on wall time."""
    documents = [json.loads(path.read_text()) for path in sorted(directory.glob("recorder-*.json"))]
    if not documents:
        return Recording({}, [], 0.0)
    origin = min(document["started"] for document in documents)
    routes: dict[str, RouteTally] = {}
    per_second: dict[int, dict[str, RouteTally]] = {}
    for document in documents:
        offset = int(document["started"] - origin)
        for second, cells in document["seconds"].items():
            for name, cell in cells.items():
                parts = (
                    cell["requests"],
                    cell["failures"],
                    Histogram.from_json(cell["latency"]),
                    Histogram.from_json(cell["service"]),
                )
                routes.setdefault(name, RouteTally()).add(*parts)
                per_second.setdefault(int(second) + offset, {}).setdefault(name, RouteTally()).add(*parts)
    if not per_second:  # processes that started but answered nothing (a step shorter than their start-up)
        return Recording({}, [], 0.0)
    first, last = min(per_second), max(per_second)
    series = []
    for second in range(first - first, last - first + 1):
        routes_then = per_second.get(second + first, {})
        stats = {name: route.stats(1.0) for name, route in routes_then.items()}
        stats[TOTAL] = total(routes_then).stats(1.0)
        series.append(SeriesPoint(second, stats))
    answered = [document for document in documents if document.get("first")]
    window = max(d["last"] for d in answered) - min(d["first"] for d in answered) if answered else 0.0
    return Recording(routes, series, max(window, 1e-3))


def total(routes: dict[str, RouteTally]) -> RouteTally:
    """Every route that is a request, added up (time-to-ready is a measurement, not a request)."""
    summed = RouteTally()
    for name, route in routes.items():
        if name not in METRICS:
            summed.add(route.requests, route.failures, route.latency, route.service)
    return summed


def route_stats(recording: Recording) -> dict[str, RouteStats]:
    """Statistics per route, and the total over every route that is a request."""
    stats = {name: route.stats(recording.seconds) for name, route in sorted(recording.routes.items())}
    stats[TOTAL] = total(recording.routes).stats(recording.seconds)
    return stats
