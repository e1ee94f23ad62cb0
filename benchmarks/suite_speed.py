"""Suite speed: wall time and requests sent per profile, growth with data already on the server,
and the full profile against a simulated real deployment.

    python -m benchmarks.suite_speed [--runs 3] [--sizes 0,1000,10000]
    python -m benchmarks.suite_speed --grid [--provisioning 0.5,10,30] [--latency 0,50] [--concurrency 1,8]

Each run is `strongly-harness contract` against a fresh reference server on loopback; the sizes
runs point the full profile at a server that already holds that many workspaces (another team's,
untouched by the suite). The grid rehearses a deployment whose workspaces take that long to
provision and whose every answer comes that much later (`serve --provision-delay --latency`), and
counts, at the server, the requests the run sent and the most it had in flight at once. Prints
markdown tables and keeps the raw numbers in results/.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks import common
from benchmarks.common import ADMIN, HEADERS, harness, machine, median, reference_server, save, table

KEYS = {"STRONGLY_API_KEY": ADMIN, "STRONGLY_READONLY_API_KEY": "strongly-dev-reader",
        "STRONGLY_OTHER_API_KEY": "strongly-dev-other"}  # fmt: skip


def one_run(*args: str, env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(seconds, requests sent, exit code) of one contract run."""
    with tempfile.TemporaryDirectory() as reports:
        code, seconds, _ = harness("contract", "--quiet", "--reports", reports, *args, env=env)
        document = json.loads((Path(reports) / "conformance.json").read_text())
    return seconds, sum(document["operations"].values()), code


def populate(url: str, count: int) -> None:
    """``count`` workspaces of someone else's, created ten at a time."""
    body = {"name": "existing workspace", "description": "already here", "environmentType": "jupyter"}
    with httpx.Client(base_url=url, headers=HEADERS, timeout=30) as client, ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda _: client.post("/api/v1/workspaces", json=body).raise_for_status(), range(count)))


def deployment_run(provisioning: float, latency_ms: float, concurrency: int) -> dict[str, object]:
    """One full-profile run against a simulated deployment; what the server saw of it."""
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "access.log"
        with reference_server(delay=provisioning, latency_ms=latency_ms, access_log=log) as url:
            seconds, _, code = one_run("--base-url", url, "--concurrency", str(concurrency), env=KEYS)
        text = log.read_text()
    peak = re.search(r"peak requests in flight: (\d+)", text)
    return {
        "provisioning": provisioning, "latencyMs": latency_ms, "concurrency": concurrency,
        "seconds": round(seconds, 1), "exit": code, "requests": len(re.findall(r'HTTP/[\d.]+" \d{3}', text)),
        "peakInFlight": int(peak.group(1)) if peak else None,
    }  # fmt: skip


def grid(args: argparse.Namespace) -> None:
    cells = []
    for provisioning in (float(value) for value in args.provisioning.split(",")):
        for latency in (float(value) for value in args.latency.split(",")):
            for concurrency in (int(value) for value in args.concurrency.split(",")):
                cells.append(deployment_run(provisioning, latency, concurrency))
                print(cells[-1], flush=True)
    # without a restart command the run is INCOMPLETE (exit 4) for DUR-001 alone; anything else is a finding
    assert all(cell["exit"] == 4 for cell in cells), f"a run was not clean: {cells}"
    save("suite_speed_grid", {"machine": machine(), "cells": cells})
    rows = [[c["provisioning"], c["latencyMs"], c["concurrency"], c["seconds"], c["requests"], c["peakInFlight"]]
            for c in cells]  # fmt: skip
    headers = ["provisioning (s)", "added latency (ms)", "--concurrency", "wall time (s)", "requests", "peak in flight"]
    print(table(headers, rows))


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="0,1000,10000")
    parser.add_argument("--grid", action="store_true", help="the full profile against simulated deployments")
    parser.add_argument("--provisioning", default="0.5,10,30", help="the grid's provisioning times (s)")
    parser.add_argument("--latency", default="0,50", help="the grid's added latencies (ms)")
    parser.add_argument("--concurrency", default="8", help="the grid's --concurrency values")
    args = parser.parse_args()
    if args.grid:
        grid(args)
        return
    results: dict[str, object] = {"machine": machine(), "runs": args.runs}

    profiles = []
    for profile in ("smoke", "core", "full"):
        runs = [one_run("--profile", profile) for _ in range(args.runs)]
        assert all(code == 0 for _, _, code in runs), f"{profile} was not conformant: {runs}"
        profiles.append([profile, round(median([s for s, _, _ in runs]), 1), int(median([r for _, r, _ in runs]))])
    results["profiles"] = profiles

    growth = []
    for size in (int(size) for size in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as directory, reference_server(db=Path(directory) / "db") as url:
            populate(url, size)
            runs = [one_run("--base-url", url, env=KEYS) for _ in range(args.runs)]
        assert all(code == 0 for _, _, code in runs), f"full with {size} workspaces was not conformant: {runs}"
        growth.append([size, round(median([s for s, _, _ in runs]), 1), int(median([r for _, r, _ in runs]))])
    results["growth"] = growth
    save("suite_speed", results)

    print(f"Machine: {results['machine']}; median of {args.runs} runs each.\n")
    print(table(["profile", "wall time (s)", "requests sent"], profiles))
    print()
    print(table(["workspaces already on the server", "full profile wall time (s)", "requests sent"], growth))


if __name__ == "__main__":
    main()
