"""load.html: plots, the SLO table and time-to-ready, from summary.json alone."""

from __future__ import annotations

from harness.loadtest.baseline import Tolerance, Tolerances, compare
from harness.reports.load_html import nice, render
from harness.results.load import Capacity, CapacityStep, LoadRun, LoadSummary

SUMMARY = {
    "run": {
        "id": "r1",
        "profile": "open",
        "model": "open",
        "target": "http://t",
        "workers": 0,
        "readonly": False,
        "startedAt": "a",
        "finishedAt": "b",
        "profileSettings": {"rate": 10},
    },
    "verdict": "broken",
    "seconds": 3.0,
    "routes": {
        "GET /x": {
            "requests": 30,
            "rps": 10.0,
            "p50_ms": 1.2,
            "p95_ms": 800.0,
            "p99_ms": 990.0,
            "max_ms": 1000.0,
            "errors": 0,
            "error_ratio": 0.0,
        },
        "time-to-ready": {
            "requests": 4,
            "rps": 1.0,
            "p50_ms": 510.0,
            "p95_ms": 800.0,
            "p99_ms": 800.0,
            "max_ms": 820.0,
            "errors": 0,
            "error_ratio": 0.0,
        },
    },
    "slo": [{"route": "GET /x", "limit": "p99_ms", "allowed": 150.0, "seen": 990.0, "held": False, "text": "x"}],
    "timeToReady": {"requests": 4, "p50_ms": 510.0, "p95_ms": 800.0, "max_ms": 820.0},
    "cleanup": [],
    "series": [
        {
            "second": s,
            "routes": {
                "total": {"rps": 10.0, "p50_ms": 1.0, "p95_ms": 2.0 + s * 400, "p99_ms": 3.0 + s * 490},
                "GET /x": {"rps": 10.0},
            },
        }
        for s in range(3)
    ],
}


def test_the_load_report_draws_its_plots_and_verdicts() -> None:
    """Two SVG charts, the broken SLO marked, time-to-ready in seconds, nothing fetched from elsewhere."""
    page = render(LoadSummary.from_document(SUMMARY))

    assert page.count("<svg") == 2
    assert "<tr class='broken'><td>GET /x</td><td>p99_ms</td>" in page
    assert "median 0.51 s" in page
    assert "<script" not in page
    assert "<link" not in page


def test_axes_end_on_round_numbers() -> None:
    """Axis tops are 1, 2, 2.5 or 5 times a power of ten."""
    assert [nice(v) for v in (0.3, 7, 218, 291, 1000)] == [0.5, 10, 250, 500, 1000]


def capacity_summary(rps: float | None) -> LoadSummary:
    steps = [
        CapacityStep(40, 40.0, 1.0, 2.0, 0.0, True, []),
        CapacityStep(80, 79.5, 3.0, 9.0, 0.0, True, []),
        CapacityStep(120, 90.0, 300.0, 900.0, 0.0, False, ["BROKEN: total p95_ms 300 ms (at most 50 ms)"]),
    ]
    if rps is None:
        steps = steps[2:]
    run = LoadRun("r2", "capacity", "capacity", "http://t")
    return LoadSummary(run, "held" if rps else "broken", {}, capacity=Capacity(rps, steps), seconds=9.0)


def test_the_capacity_report_plots_the_knee_and_marks_the_capacity() -> None:
    """Offered rate against p95/p99 and against achieved throughput, the highest rate that held marked."""
    page = render(capacity_summary(80))

    assert "<h2 id='capacity-found'>Capacity: 80 req/s</h2>" in page
    latency = page.split("id='knee-latency'")[1].split("</figure>")[0]
    throughput = page.split("id='knee-throughput'")[1].split("</figure>")[0]
    for chart in (latency, throughput):
        assert "capacity 80 req/s" in chart
        assert "offered requests per second" in chart
    assert ">p95<" in latency
    assert ">p99<" in latency
    assert ">achieved<" in throughput
    assert ">offered<" in throughput


def test_a_capacity_below_the_first_step_marks_nothing() -> None:
    """When no step held, the page says so and draws no capacity marker."""
    page = render(capacity_summary(None))

    assert "Capacity: below the first step" in page
    assert "capacity " not in page.split("id='knee-latency'")[1]


def test_a_comparison_shows_baseline_and_current_side_by_side() -> None:
    """The comparison table marks the regressed row, and the baseline's curves are overlaid dashed."""
    current = LoadSummary.from_document(SUMMARY)
    baseline = LoadSummary.from_document(SUMMARY)
    current.comparison = compare(baseline, current, Tolerances(Tolerance(min_requests=1), {}), "base/summary.json")
    current.comparison.rows[0].regressed = True

    page = render(current)

    assert "<h2>Against the baseline</h2>" in page
    assert page.count("<tr class='broken'><td>GET /x</td><td>p50_ms</td>") == 1
    assert "baseline p95" in page
    assert "stroke-dasharray='6 4'" in page
    assert "REGRESSED against the baseline" in page
