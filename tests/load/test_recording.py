"""Recording and merging what Locust processes measured: the hot path and its empty edge."""

from __future__ import annotations

import json
from pathlib import Path

from harness.load.recorder import WARMUP, Recorder
from harness.load.summary import merge, route_stats

STATUS = "GET /api/v1/workspaces/{id}/status"


def test_recordings_that_answered_nothing_merge_into_an_empty_recording(tmp_path: Path) -> None:
    """A process that started but recorded no request leaves no routes, not a crash (the runner says so)."""
    (tmp_path / "recorder-1.json").write_text(json.dumps({"started": 1.0, "first": None, "last": None, "seconds": {}}))

    recording = merge(tmp_path)

    assert (recording.routes, recording.series) == ({}, [])


def test_the_recorder_times_open_model_requests_from_their_intended_start(tmp_path: Path) -> None:
    """Closed: latency is the response time. Open: from when the request should have left. Warmup: not recorded."""
    recorder = Recorder(tmp_path)
    recorder.on_request("GET", STATUS, 2.0, 10)
    recorder.on_request("GET", STATUS, 3.0, 10, context={"intended": recorder.started - 1.0})
    recorder.on_request("GET", STATUS, 4.0, 10, exception=RuntimeError("500"))
    recorder.on_request("GET", WARMUP, 50.0, 10)
    recorder.write()

    stats = route_stats(merge(tmp_path))[STATUS]

    assert (stats.requests, stats.errors) == (3, 1)
    assert stats.p50_ms == 4.0
    assert stats.max_ms >= 1000, "the open-model request waited a second past its slot"
    assert stats.service_p99_ms == 4.0
