"""Profiles and SLO files: read as written, refused in one line when they do not fit."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.cli import build_parser
from harness.errors import UsageError
from harness.loadtest.profiles import duration, load_profile
from harness.loadtest.slo import Objective, evaluate, load_objectives
from harness.paths import LOAD
from harness.results.load import RouteStats


@pytest.mark.parametrize("name", ["smoke", "polling", "open", "throughput", "soak", "capacity"])
def test_every_shipped_profile_loads_with_its_slo_file(name: str) -> None:
    """The profiles in load/ parse, and each names an SLO file that parses."""
    profile = load_profile(LOAD / "profiles.toml", name)

    assert load_objectives(LOAD / profile.slo)


def test_the_kubernetes_example_is_wired_together() -> None:
    """The manifest's master and worker arguments parse with our CLI and agree on profile, port and count."""
    documents = {d["kind"]: d for d in yaml.safe_load_all((LOAD / "kubernetes" / "strongly-load.yaml").read_text())}
    (master,) = documents["Job"]["spec"]["template"]["spec"]["containers"]
    (worker,) = documents["Deployment"]["spec"]["template"]["spec"]["containers"]
    load, work = build_parser().parse_args(master["args"]), build_parser().parse_args(worker["args"])

    load_profile(LOAD / "profiles.toml", load.profile)
    assert (load.command, work.command) == ("load", "load-worker")
    assert work.master_host == documents["Service"]["metadata"]["name"]
    assert work.master_port == int(load.bind.rsplit(":", 1)[1]) == documents["Service"]["spec"]["ports"][0]["port"]
    assert load.remote_workers == documents["Deployment"]["spec"]["replicas"]


def test_the_smoke_profile_fits_ci() -> None:
    """smoke runs at most 30 seconds."""
    assert load_profile(LOAD / "profiles.toml", "smoke").duration <= 30


@pytest.mark.parametrize(
    ("text", "seconds"), [(90, 90.0), ("90", 90.0), ("90s", 90.0), ("5m", 300.0), ("1h30m", 5400.0)]
)
def test_durations(text: object, seconds: float) -> None:
    """Durations are seconds, or h/m/s strings."""
    assert duration(text, "test") == seconds


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[smoke\n", "not valid TOML"),
        ("[other]\nusers = 1\n", "no profile 'smoke'"),
        ("[smoke]\nusers = -1\n", "zero or more"),
        ("[smoke]\nduration = 'soon'\n", "not a duration"),
        ("[smoke]\nmodel = 'psychic'\n", "model must be one of"),
        ("[smoke]\nmix = { pollers = 'many' }\n", "whole-number weights"),
        ("[smoke]\nthreads = 4\n", "unknown setting"),
    ],
)
def test_a_bad_profile_is_refused_in_one_line(tmp_path: Path, text: str, complaint: str) -> None:
    """Bad TOML, a missing profile, bad values or unknown settings are a UsageError naming them."""
    path = tmp_path / "profiles.toml"
    path.write_text(text)

    with pytest.raises(UsageError, match=complaint):
        load_profile(path, "smoke")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[routes\n", "not valid TOML"),
        ("[limits]\n", "unknown tables"),
        ("[routes.'GET /x']\np95 = 5\n", "unknown limit"),
        ("[total]\nerror_ratio = 'low'\n", "zero or more"),
    ],
)
def test_a_bad_slo_file_is_refused_in_one_line(tmp_path: Path, text: str, complaint: str) -> None:
    """Bad TOML, unknown tables or limits and non-numbers are a UsageError naming them."""
    path = tmp_path / "slo.toml"
    path.write_text(text)

    with pytest.raises(UsageError, match=complaint):
        load_objectives(path)


def test_verdicts_say_what_broke_and_by_how_much() -> None:
    """A limit passed is broken; min_rps breaks from below; an uncalled route has only its floor judged."""
    objectives = [Objective("GET /a", p95_ms=50, error_ratio=0.01), Objective("GET /b", min_rps=10, p99_ms=5)]
    routes = {"GET /a": RouteStats(requests=9, p95_ms=75.0, p99_ms=90.0, error_ratio=0.0, rps=3.0)}

    verdicts = evaluate(objectives, routes)

    assert [(v.route, v.limit, v.held) for v in verdicts] == [
        ("GET /a", "p95_ms", False), ("GET /a", "error_ratio", True), ("GET /b", "min_rps", False)
    ]  # fmt: skip
    assert verdicts[0].describe() == "BROKEN: GET /a p95_ms 75 ms (at most 50 ms)"
