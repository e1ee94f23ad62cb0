"""Live metrics of a load run in the Prometheus text format (``strongly-harness load --metrics-port``).

The numbers are Locust's own aggregated statistics, read at each scrape. In a distributed run the
master's statistics are the merge of every worker's reports (Locust sends them every few seconds),
so the master alone exposes the whole run. prometheus-client does the exposition; this module only
maps Locust's entries onto counters and histograms. Latency here is Locust's response time (from
when a request left); the open model's from-the-timetable latency is in summary.json at the end.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

# upper bounds in seconds: from a loopback sub-millisecond answer to a 10 s stall
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PREFIX = "strongly_load"


class LocustCollector(Collector):
    """Per-route request and failure counters and latency histograms, from ``environment.stats``."""

    def __init__(self, environment: Any, skip: tuple[str, ...] = ()) -> None:
        self.environment = environment
        self.skip = skip  # entries that are not requests of the run (the first connect of each user)

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(f"{PREFIX}_requests", "Requests answered, by route", labels=["route"])
        failures = CounterMetricFamily(f"{PREFIX}_failures", "Requests that failed, by route", labels=["route"])
        latency = HistogramMetricFamily(f"{PREFIX}_latency_seconds", "Response time by route", labels=["route"])
        for entry in list(self.environment.stats.entries.values()):
            if entry.name in self.skip or entry.method == "METRIC":
                continue  # time-to-ready is a measurement, not a request
            requests.add_metric([entry.name], entry.num_requests)
            failures.add_metric([entry.name], entry.num_failures)
            latency.add_metric([entry.name], cumulative(entry.response_times), entry.total_response_time / 1000)
        yield requests
        yield failures
        yield latency
        runner = self.environment.runner
        yield GaugeMetricFamily(f"{PREFIX}_users", "Users running now", value=runner.user_count if runner else 0)


def cumulative(response_times: dict[float, int]) -> list[tuple[str, float]]:
    """Locust's {milliseconds: count} as Prometheus' cumulative (upper bound in seconds, count) buckets."""
    counts = [0] * (len(BUCKETS) + 1)
    for milliseconds, count in response_times.items():
        counts[bisect.bisect_left(BUCKETS, milliseconds / 1000)] += count
    running, buckets = 0, []
    for bound, count in zip((*map(str, BUCKETS), "+Inf"), counts, strict=True):
        running += count
        buckets.append((bound, running))
    return buckets


def serve(environment: Any, port: int, host: str = "127.0.0.1", skip: tuple[str, ...] = ()) -> None:
    """Expose the metrics on http://host:port/metrics for as long as the process runs."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LocustCollector(environment, skip))
    start_http_server(port, addr=host, registry=registry)
