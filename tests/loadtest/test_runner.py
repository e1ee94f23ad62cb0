"""`strongly-harness load` end to end against the embedded reference server (bounded runs)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from harness.loadtest.profiles import load_profile
from harness.loadtest.runner import LOCUST_START, STOP_TIMEOUT, Deadline, run_load
from harness.loadtest.scenarios import LOCUSTFILE
from harness.paths import LOAD, PACKAGE
from harness.reference.keys import DEV_KEYS
from harness.run import LoadConfig
from harness.run.config import resolve
from tests.conftest import ADMIN
from tests.loadtest.test_scenarios import NEW_SCENARIO

pytestmark = pytest.mark.slow
STATUS = "GET /api/v1/workspaces/{id}/status"
METRICS = "GET /api/v1/workspaces/{id}/metrics"
SCHEMA = PACKAGE / "schemas" / "load-summary.schema.json"
# beyond a deadline: the CLI's start, the embedded server's stop, cleanup and the sweep (each a second or two here)
CLEANUP_ALLOWANCE = 10.0


def load(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    run = subprocess.run([sys.executable, "-m", "harness", "load", "--reports", str(tmp_path), "--quiet", *args],
                         env=env, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    summary = tmp_path / "load" / "summary.json"
    assert summary.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    return run.returncode, json.loads(summary.read_text())


def test_the_smoke_profile_holds_and_writes_every_report(tmp_path: Path) -> None:
    """Against the clean server every SLO holds (exit 0); summary, Locust HTML and CSV are written, keys not."""
    code, summary = load(tmp_path, "--duration", "8")

    assert code == 0, [v["text"] for v in summary["slo"] if not v["held"]]
    assert summary["verdict"] == "held"
    for route in (STATUS, "GET /api/v1/workspaces/{id}/metrics", "GET /api/v1/workspaces", "time-to-ready"):
        assert summary["routes"][route]["requests"] > 0, route
    assert set(summary["routes"][STATUS]) >= {"requests", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors"}
    assert (tmp_path / "load" / "locust.html").exists()
    assert (tmp_path / "load" / "locust_stats.csv").exists()
    written = "".join(p.read_text(errors="replace") for p in (tmp_path / "load").rglob("*") if p.is_file())
    assert not any(key in written for key in DEV_KEYS)
    assert summary["cleanup"] == []
    jsonschema.validate(summary, json.loads((PACKAGE / "schemas" / "load-summary.schema.json").read_text()))


def test_a_slow_status_route_breaks_the_status_slo(tmp_path: Path) -> None:
    """A 300 ms status route breaks its p95 and p99 SLOs: exit 1, and the summary names them."""
    code, summary = load(tmp_path, "--fault", "slow-status", "--duration", "8")

    broken = {(v["route"], v["limit"]) for v in summary["slo"] if not v["held"]}
    assert code == 1
    assert {(STATUS, "p95_ms"), (STATUS, "p99_ms")} <= broken
    assert summary["routes"][STATUS]["p50_ms"] >= 290


def test_five_percent_errors_break_the_error_ratio(tmp_path: Path) -> None:
    """5% of answers failing breaks the error-ratio SLO: exit 1."""
    code, summary = load(tmp_path, "--fault", "flaky-5xx", "--duration", "8")

    assert code == 1
    assert ("total", "error_ratio") in {(v["route"], v["limit"]) for v in summary["slo"] if not v["held"]}
    assert 0.02 < summary["routes"]["total"]["error_ratio"] < 0.1


def test_the_open_model_sees_a_stall_the_closed_model_hides(tmp_path: Path) -> None:
    """A 1 s stall every 5 s: the open model's p99 is near a second; the closed loop's stays small."""
    _, opened = load(tmp_path / "open", "--profile", "open", "--fault", "periodic-stall", "--duration", "16")
    _, closed = load(tmp_path / "closed", "--profile", "throughput", "--fault", "periodic-stall", "--duration", "16")

    assert opened["routes"][STATUS]["p99_ms"] > 500
    assert closed["routes"][STATUS]["p99_ms"] < 150
    assert closed["routes"][STATUS]["max_ms"] > 500, "the closed model did meet the stall, and hid it"


def test_master_and_two_workers_merge_into_one_summary(tmp_path: Path) -> None:
    """--workers 2 gives the summary one process gives, with both workers' requests merged."""
    code, summary = load(tmp_path, "--workers", "2", "--duration", "8")

    assert code == 0
    recordings = list((tmp_path / "load" / "recordings" / "locust").glob("recorder-*.json"))
    active = [path for path in recordings if json.loads(path.read_text())["seconds"]]
    assert len(active) == 2, "each worker recorded its share"
    assert summary["routes"][STATUS]["requests"] > 0
    assert summary["routes"][STATUS]["p99_ms"] >= summary["routes"][STATUS]["p50_ms"] > 0


def capacity_profiles(tmp_path: Path) -> Path:
    """A capacity profile of three short steps, beside a copy of the shipped SLO file."""
    (tmp_path / "slo.toml").write_text((Path(__file__).resolve().parents[2] / "load" / "slo.toml").read_text())
    path = tmp_path / "profiles.toml"
    path.write_text('[capacity]\nmodel = "capacity"\nstart_rate = 40\nstep = 40\nstep_duration = 3\nmax_steps = 3\n'
                    'workspaces = 4\nslo = "slo.toml"\n')  # fmt: skip
    return path


def test_capacity_search_reports_the_highest_rate_that_held(tmp_path: Path) -> None:
    """On the clean server every step holds, so the capacity is the last step's rate."""
    code, summary = load(tmp_path, "--profile", "capacity", "--profiles", str(capacity_profiles(tmp_path)))

    steps = summary["capacity"]["steps"]
    assert code == 0
    assert [step["rate"] for step in steps] == [40, 80, 120]
    assert all(step["held"] for step in steps)
    assert summary["capacity"]["rps"] == 120


def test_capacity_search_stops_at_the_first_broken_step(tmp_path: Path) -> None:
    """With a slow status route the first step already breaks: no capacity, exit 1."""
    profiles = capacity_profiles(tmp_path)
    code, summary = load(tmp_path, "--profile", "capacity", "--profiles", str(profiles), "--fault", "slow-status")

    assert code == 1
    assert len(summary["capacity"]["steps"]) == 1
    assert summary["capacity"]["rps"] is None
    assert any("/status p95_ms" in line for line in summary["capacity"]["steps"][0]["broken"])


def lax_profiles(tmp_path: Path) -> Path:
    """The smoke profile with SLOs no planted slowness breaks, so only the baseline gate can fail the run."""
    (tmp_path / "slo.toml").write_text("[total]\nerror_ratio = 0.5\n")
    path = tmp_path / "profiles.toml"
    smoke = (LOAD / "profiles.toml").read_text().split("[smoke]", 1)[1].split("\n\n", 1)[0]
    path.write_text(f"[smoke]{smoke}\n")
    return path


def test_the_baseline_gate_passes_the_same_build_and_catches_a_slow_route(tmp_path: Path) -> None:
    """Against a clean baseline the clean build exits 0; a 300 ms status route exits 1 naming the route."""
    profiles = lax_profiles(tmp_path)
    common = ("--duration", "8", "--profiles", str(profiles))
    load(tmp_path / "baseline", *common)

    same_code, same = load(tmp_path / "same", *common, "--baseline", str(tmp_path / "baseline"))
    slow_code, slow = load(
        tmp_path / "slow", *common, "--fault", "slow-status", "--baseline", str(tmp_path / "baseline")
    )

    assert (same_code, same["comparison"]["verdict"]) == (0, "held"), [
        r for r in same["comparison"]["rows"] if r["regressed"]
    ]
    assert slow["verdict"] == "held", "the SLOs hold: the exit code below is the gate's alone"
    assert (slow_code, slow["comparison"]["verdict"]) == (1, "regressed")
    regressed = {(row["route"], row["measure"]) for row in slow["comparison"]["rows"] if row["regressed"]}
    assert {(STATUS, "p50_ms"), (STATUS, "rps")} <= regressed
    assert "Against the baseline" in (tmp_path / "slow" / "load" / "load.html").read_text()


def test_the_deadline_ends_the_run_and_the_summary_says_it_was_cut(tmp_path: Path) -> None:
    """--deadline 10 on the 20 s smoke profile: the run ends within the deadline plus cleanup, cleans up, and exits 1
    saying the deadline cut it; what ran is still measured."""
    started = time.monotonic()
    code, summary = load(tmp_path, "--profile", "smoke", "--deadline", "10")
    wall = time.monotonic() - started

    assert wall < 10 + CLEANUP_ALLOWANCE, f"took {wall:.1f}s"
    assert code == 1
    assert "deadline of 10s" in summary["stoppedEarly"]
    assert summary["cleanup"] == []
    assert summary["seconds"] < 10
    jsonschema.validate(summary, json.loads(SCHEMA.read_text()))


def test_a_step_past_the_deadline_is_shortened_to_end_in_time_and_the_cut_is_noted() -> None:
    """With 15 s left a 20 s step shrinks to what leaves Locust its start and a short stop; a 3 s step fits whole;
    without a deadline a step keeps its length and the full stop timeout."""
    cut = Deadline(15, time.monotonic() + 15)
    fits = Deadline(15, time.monotonic() + 15)

    seconds, stop = cut.plan(20)
    assert seconds + stop + LOCUST_START <= 15
    assert seconds > 5
    assert "deadline of 15s cut it short" in cut.cut
    assert fits.plan(3) == (3, pytest.approx(15 - LOCUST_START - 3, abs=0.1))
    assert not fits.cut
    assert Deadline.starting_now(None).plan(20) == (20, STOP_TIMEOUT)


def test_the_rate_limit_caps_the_requests_of_every_user_and_worker(tmp_path: Path) -> None:
    """--rate-limit 20 with two workers of ten users each: at most 20 requests per second in all, and the
    summary shows the limit beside the achieved rate."""
    code, summary = load(tmp_path, "--rate-limit", "20", "--workers", "2", "--duration", "8")

    achieved = summary["routes"]["total"]["rps"]
    assert code == 0
    assert 20 * 0.5 < achieved <= 20 * 1.1, achieved
    assert summary["run"]["limits"]["rateLimit"] == 20


def test_the_request_timeout_fails_a_hanging_route_after_a_second_not_a_minute(tmp_path: Path) -> None:
    """--request-timeout 1 against a metrics route that hangs for 90 s: its requests fail after about a second."""
    started = time.monotonic()
    code, summary = load(tmp_path, "--fault", "metrics-hang", "--request-timeout", "1", "--duration", "6")
    wall = time.monotonic() - started

    metrics = summary["routes"][METRICS]
    assert code == 1
    assert metrics["requests"] > 0
    assert metrics["errors"] == metrics["requests"]
    assert 900 <= metrics["p50_ms"] <= metrics["max_ms"] < 5000
    assert summary["routes"][STATUS]["errors"] == 0
    assert wall < 6 + 30, f"took {wall:.1f}s"


def test_a_rate_limit_below_the_capacity_search_is_refused_before_anything_runs(tmp_path: Path) -> None:
    """A capacity search whose first step is past --rate-limit cannot honour it: exit 2 with one line, and no run."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    run = subprocess.run([sys.executable, "-m", "harness", "load", "--profile", "capacity", "--rate-limit", "20",
                          "--reports", str(tmp_path)], env=env, capture_output=True, text=True, timeout=60,
                         check=False)  # fmt: skip

    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "strongly-harness: --rate-limit 20 is below the capacity search's first step (100 req/s): nothing to search"
    ]
    assert not (tmp_path / "load" / "summary.json").exists()


def test_a_baseline_of_another_profile_is_refused_before_anything_runs(tmp_path: Path) -> None:
    """--profile open against a smoke baseline: exit 2 with one line, and no run."""
    (tmp_path / "base").mkdir()
    run = {"id": "x", "profile": "smoke", "model": "closed", "target": "t"}
    (tmp_path / "base" / "summary.json").write_text(json.dumps({"run": run, "verdict": "held", "routes": {}}))
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    run = subprocess.run([sys.executable, "-m", "harness", "load", "--profile", "open", "--reports", str(tmp_path),
                          "--baseline", str(tmp_path / "base")], env=env, capture_output=True, text=True,
                         timeout=60, check=False)  # fmt: skip

    assert run.returncode == 2
    assert (
        run.stderr.strip()
        == "strongly-harness: the baseline ran profile 'smoke', this run 'open': compare like with like"
    )
    assert not (tmp_path / "load" / "summary.json").exists()


def test_the_web_ui_runs_on_loopback_while_the_harness_still_judges(tmp_path: Path) -> None:
    """--web: Locust's UI answers on 127.0.0.1 during the run, and the run still ends, judges and cleans up."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    command = ["load", "--duration", "10", "--web", "--web-port", str(port), "--quiet", "--reports", str(tmp_path)]
    answered = None
    with subprocess.Popen([sys.executable, "-m", "harness", *command], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as run:  # fmt: skip
        deadline = time.monotonic() + 60
        while answered is None and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
            with contextlib.suppress(httpx.TransportError):
                answered = httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code
        code = run.wait(timeout=120)

    assert answered == 200
    assert code == 0
    summary = json.loads((tmp_path / "load" / "summary.json").read_text())
    assert summary["verdict"] == "held"
    assert summary["routes"][STATUS]["requests"] > 0
    assert summary["cleanup"] == []


def test_a_remote_worker_gets_the_run_from_its_master_and_only_its_own_key(tmp_path: Path) -> None:
    """`load --remote-workers 1` and `load-worker` with the key in its own environment: the worker learns
    the run from its master (Locust's forwarded options, no file, no key) and its requests are measured."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    master = ["load", "--duration", "6", "--remote-workers", "1", "--bind", f"127.0.0.1:{port}", "--quiet",
              "--reports", str(tmp_path)]  # fmt: skip
    worker = ["load-worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
    with subprocess.Popen([sys.executable, "-m", "harness", *master], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as lead:  # fmt: skip
        with subprocess.Popen([sys.executable, "-m", "harness", *worker], env={**env, "STRONGLY_API_KEY": ADMIN},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as follower:  # fmt: skip
            code = lead.wait(timeout=180)
            follower.wait(timeout=60)
        problems = lead.stderr.read() if lead.stderr else ""

    assert code == 0, problems[-2000:]
    summary = json.loads((tmp_path / "load" / "summary.json").read_text())
    assert summary["routes"][STATUS]["requests"] > 0
    assert summary["cleanup"] == []


def test_a_new_scenario_is_one_class_plus_its_profile_and_slo_entries(tmp_path: Path) -> None:
    """The locustfile with one scenario class added, a profile weighting it and an SLO for its route: the run
    sends its requests, measures and judges them; nothing in the harness changed."""
    locustfile = tmp_path / "locustfile.py"
    locustfile.write_text(LOCUSTFILE.read_text() + NEW_SCENARIO)
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('[browse]\nduration = 5\nusers = 4\nmix = { volume_browsers = 1, pollers = 1 }\n'
                        'poll_interval = 0.5\nworkspaces = 2\nslo = "slo.toml"\n')  # fmt: skip
    (tmp_path / "slo.toml").write_text('[routes."GET /api/v1/volumes"]\np99_ms = 1000\nerror_ratio = 0.01\n')
    load = LoadConfig(load_profile(profiles, "browse", locustfile), profiles_file=profiles, locustfile=locustfile)

    summary = run_load(resolve(reports=tmp_path / "reports", quiet=True, load=load, env={}))

    assert summary.routes["GET /api/v1/volumes"].requests > 0
    assert [(v.route, v.limit, v.held) for v in summary.slo] == [
        ("GET /api/v1/volumes", "p99_ms", True), ("GET /api/v1/volumes", "error_ratio", True)
    ]  # fmt: skip
