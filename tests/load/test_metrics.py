"""Live metrics (--metrics-port): Locust's stats as Prometheus counters and histograms, scraped for real."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from harness.cli import main
from harness.load.metrics import LocustCollector, cumulative
from harness.paths import LOAD

STATUS = "GET /api/v1/workspaces/{id}/status"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


class FakeEntry:
    """The fields of a Locust StatsEntry the collector reads (importing Locust here would monkey-patch pytest)."""

    def __init__(self, method: str, name: str) -> None:
        self.method, self.name = method, name
        self.num_requests = self.num_failures = 0
        self.response_times: dict[float, int] = {}
        self.total_response_time = 0.0

    def log(self, milliseconds: float) -> None:
        self.num_requests += 1
        self.response_times[milliseconds] = self.response_times.get(milliseconds, 0) + 1
        self.total_response_time += milliseconds


class FakeEnvironment:
    """What the collector reads: ``stats.entries`` keyed like Locust's, and a runner with a user count."""

    def __init__(self) -> None:
        self.stats = type("Stats", (), {"entries": {}})()
        self.runner = type("Runner", (), {"user_count": 7})()

    def log(self, method: str, name: str, milliseconds: float, *, failed: bool = False) -> None:
        entry = self.stats.entries.setdefault((name, method), FakeEntry(method, name))
        entry.log(milliseconds)
        entry.num_failures += failed


def scrape(environment: FakeEnvironment) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LocustCollector(environment, skip=("warmup",)))
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_locust_response_times_become_cumulative_prometheus_buckets() -> None:
    """0.3 ms, 7 ms and 30 s land under 0.0005, 0.01 and +Inf; counts only rise."""
    buckets = dict(cumulative({0.3: 2, 7.0: 1, 30_000.0: 1}))

    assert (buckets["0.0005"], buckets["0.005"], buckets["0.01"], buckets["10.0"], buckets["+Inf"]) == (2, 2, 3, 3, 4)


def test_the_collector_exports_counts_histograms_and_users_per_route() -> None:
    """Requests, failures and latency per route; the warmup and time-to-ready entries stay out."""
    environment = FakeEnvironment()
    for milliseconds in (0.4, 0.6, 12.0):
        environment.log("GET", STATUS, milliseconds, failed=milliseconds > 10)
    environment.log("GET", "warmup", 3.0)
    environment.log("METRIC", "time-to-ready", 900.0)

    samples = scrape(environment)

    route = (("route", STATUS),)
    assert samples["strongly_load_requests_total"] == {route: 3.0}
    assert samples["strongly_load_failures_total"] == {route: 1.0}
    assert samples["strongly_load_latency_seconds_bucket"][(("le", "0.001"), ("route", STATUS))] == 2.0
    assert samples["strongly_load_latency_seconds_count"][route] == 3.0
    assert samples["strongly_load_latency_seconds_sum"][route] == pytest.approx(0.013)
    assert samples["strongly_load_users"][()] == 7.0


def test_a_metrics_port_in_use_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """--metrics-port on a taken port: exit 2 before anything runs."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert main(["load", "--metrics-port", str(port), "--reports", "/nonexistent"]) == 2
    assert re.fullmatch(rf"strongly-harness: --metrics-port {port}: cannot listen on 127\.0\.0\.1:{port} \(.*\)\n",
                        capsys.readouterr().err)  # fmt: skip


EXPORTED = {"strongly_load_requests_total", "strongly_load_failures_total", "strongly_load_users",
            "strongly_load_latency_seconds_bucket", "strongly_load_latency_seconds_sum",
            "strongly_load_latency_seconds_count"}  # fmt: skip


def unknown_metrics(dashboard: dict[str, Any]) -> set[str]:
    """Metric names a dashboard's queries use that the collector does not export."""
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return {name for expr in expressions for name in re.findall(r"\bstrongly_load_\w+", expr)} - EXPORTED


def test_the_grafana_dashboard_queries_only_metrics_we_export() -> None:
    """load/grafana/strongly-load.json parses, queries our counters and histogram, and nothing we do not export."""
    dashboard = json.loads((LOAD / "grafana" / "strongly-load.json").read_text())
    text = json.dumps(dashboard)

    assert unknown_metrics(dashboard) == set()
    assert "strongly_load_requests_total" in text
    assert "strongly_load_latency_seconds_bucket" in text
    planted = {"panels": [{"targets": [{"expr": "rate(strongly_load_request_total[1m])"}]}]}
    assert unknown_metrics(planted) == {"strongly_load_request_total"}, "a misspelt metric is found"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
@pytest.mark.skipif(not Path(PROMETHEUS).exists(), reason="no Prometheus server: apt-get install prometheus")
def test_a_real_prometheus_scrapes_the_masters_merged_view(tmp_path: Path) -> None:
    """With --workers 2, Prometheus scrapes the master and a query returns the status route's request count."""
    # the master runs no users itself: any count it serves is the merge of its workers' reports
    metrics_port, prometheus_port = free_port(), free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: strongly-load\n"
        f"    static_configs:\n      - targets: ['127.0.0.1:{metrics_port}']\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    load_command = [sys.executable, "-m", "harness", "load", "--duration", "12", "--workers", "2", "--quiet",
                    "--metrics-port", str(metrics_port), "--reports", str(tmp_path / "reports")]  # fmt: skip
    prometheus_command = [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}",
                          f"--storage.tsdb.path={tmp_path / 'data'}",
                          f"--web.listen-address=127.0.0.1:{prometheus_port}"]  # fmt: skip
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    with (
        subprocess.Popen(load_command, env=env, **quiet) as load,
        subprocess.Popen(prometheus_command, **quiet) as prometheus,
    ):
        try:
            count = 0.0
            query = f'strongly_load_requests_total{{route="{STATUS}"}}'
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and load.poll() is None and count == 0:
                time.sleep(1)
                try:
                    url = f"http://127.0.0.1:{prometheus_port}/api/v1/query"
                    answer = httpx.get(url, params={"query": query}).json()
                except httpx.TransportError:
                    continue  # Prometheus is still starting
                count = max((float(result["value"][1]) for result in answer["data"]["result"]), default=0.0)
            code = load.wait(timeout=120)
        finally:
            for process in (prometheus, load):
                if process.poll() is None:
                    process.terminate()
                    process.wait(timeout=30)

    assert count > 0, "Prometheus never scraped a request count for the status route"
    assert code == 0
