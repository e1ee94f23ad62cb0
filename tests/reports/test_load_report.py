"""load.html: plots, the SLO table and time-to-ready, from summary.json alone."""

from __future__ import annotations

from harness.load.results import LoadSummary
from harness.reports.load_html import nice, render

SUMMARY = {
    "run": {"id": "r1", "profile": "open", "model": "open", "target": "http://t", "workers": 0, "readonly": False,
            "startedAt": "a", "finishedAt": "b"},
    "verdict": "broken",
    "seconds": 3.0,
    "routes": {"GET /x": {"requests": 30, "rps": 10.0, "p50_ms": 1.2, "p95_ms": 800.0, "p99_ms": 990.0,
                          "max_ms": 1000.0, "errors": 0, "error_ratio": 0.0},
               "time-to-ready": {"requests": 4, "rps": 1.0, "p50_ms": 510.0, "p95_ms": 800.0, "p99_ms": 800.0,
                                 "max_ms": 820.0, "errors": 0, "error_ratio": 0.0}},
    "slo": [{"route": "GET /x", "limit": "p99_ms", "allowed": 150.0, "seen": 990.0, "held": False, "text": "x"}],
    "timeToReady": {"requests": 4, "p50_ms": 510.0, "p95_ms": 800.0, "max_ms": 820.0},
    "cleanup": [],
    "series": [{"second": s, "routes": {"total": {"rps": 10.0, "p50_ms": 1.0, "p95_ms": 2.0 + s * 400, "p99_ms": 3.0 + s * 490},
                                          "GET /x": {"rps": 10.0}}} for s in range(3)],
}  # fmt: skip


def test_the_load_report_draws_its_plots_and_verdicts() -> None:
    """Two SVG charts, the broken SLO marked, time-to-ready in seconds, nothing fetched from elsewhere."""
    page = render(LoadSummary.from_document(SUMMARY))

    assert page.count("<svg") == 2
    assert "<tr class='broken'><td>GET /x</td><td>p99_ms</td>" in page
    assert "median 0.51 s" in page
    assert "<script" not in page and "<link" not in page


def test_axes_end_on_round_numbers() -> None:
    """Axis tops are 1, 2, 2.5 or 5 times a power of ten."""
    assert [nice(v) for v in (0.3, 7, 218, 291, 1000)] == [0.5, 10, 250, 500, 1000]
