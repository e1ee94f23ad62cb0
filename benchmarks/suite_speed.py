"""Suite speed: wall time and requests sent per profile, and growth with data already on the server.

    python -m benchmarks.suite_speed [--runs 3] [--sizes 0,1000,10000]

Each run is `strongly-harness contract` against a fresh reference server on loopback; the sizes
runs point the full profile at a server that already holds that many workspaces (another team's,
untouched by the suite). Prints a markdown table and keeps the raw numbers in results/.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="0,1000,10000")
    args = parser.parse_args()
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
