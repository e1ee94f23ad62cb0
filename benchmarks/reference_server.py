"""Reference server throughput and p99 on the hot routes under wrk, beside a Prism mock of the same spec.

    python -m benchmarks.reference_server [--seconds 10] [--runs 3] [--prism PATH]

The server runs on core 0 and wrk on core 1 (taskset), 10 connections, one thread; each number is
the median of the runs. Prism (`npm install @stoplight/prism-cli`) is an outside point of
comparison: a mock that answers from the contract's examples, with no storage behind it.
Needs `wrk` (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import time

import httpx

from benchmarks import common
from benchmarks.common import HEADERS, free_port, machine, median, pinned, reference_server, save, table, wait_for
from harness.paths import SPEC

ROUTES = {"list": "/api/v1/workspaces?limit=20", "status": "/api/v1/workspaces/{id}/status",
          "metrics": "/api/v1/workspaces/{id}/metrics"}  # fmt: skip


def wrk(url: str, seconds: int) -> dict[str, float]:
    """Requests per second and latency percentiles from `wrk --latency`."""
    command = pinned(
        1, ["wrk", "-t1", "-c10", f"-d{seconds}s", "--latency", "-H", f"X-API-Key: {HEADERS['X-API-Key']}", url]
    )
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}  # type: ignore[union-attr]
    for name, percent in (("p50", "50"), ("p99", "99")):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)", output, re.M).groups()  # type: ignore[union-attr]
        found[name] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    found["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    return found


def seeded(url: str) -> str:
    """20 running workspaces; returns one of their ids."""
    with httpx.Client(base_url=url, headers=HEADERS) as client:
        body = {"name": "benchmark", "description": "", "environmentType": "jupyter"}
        ids = [client.post("/api/v1/workspaces", json=body).json()["workspaceId"] for _ in range(20)]
        time.sleep(0.2)
        client.get("/api/v1/workspaces")
    return ids[0]


def measure(url: str, workspace: str, seconds: int, runs: int) -> dict[str, dict[str, float]]:
    """Per route, the median of each number over ``runs`` wrk runs."""
    results = {}
    for name, path in ROUTES.items():
        samples = [wrk(url + path.format(id=workspace), seconds) for _ in range(runs)]
        results[name] = {key: median([sample[key] for sample in samples]) for key in samples[0]}
    return results


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prism", default=shutil.which("prism"), help="the prism command (npm @stoplight/prism-cli)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    results: dict[str, object] = {"machine": machine(), "runs": args.runs}
    with reference_server(core=0, delay=0) as url:
        results["reference"] = measure(url, seeded(url), args.seconds, args.runs)
    if args.prism:
        port = free_port()
        command = [args.prism, "mock", str(SPEC), "-h", "127.0.0.1", "-p", str(port), "--errors"]
        prism = subprocess.Popen(pinned(0, command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"http://127.0.0.1:{port}")
            results["prism"] = measure(f"http://127.0.0.1:{port}", "ws_ghi789", args.seconds, args.runs)
        finally:
            prism.terminate()
            prism.wait(timeout=30)
    save("reference_server", results)

    rows = []
    for server in ("reference", "prism"):
        for route, numbers in results.get(server, {}).items():  # type: ignore[union-attr]
            rows.append([server, route, f"{numbers['rps']:.0f}", f"{numbers['p50']:.2f}", f"{numbers['p99']:.2f}",
                         int(numbers["non_2xx"])])  # fmt: skip
    print(f"Machine: {results['machine']}; server on core 0, wrk -t1 -c10 on core 1, "
          f"{args.seconds} s per route, median of {args.runs} runs.\n")  # fmt: skip
    print(table(["server", "route", "req/s", "p50 ms", "p99 ms", "non-2xx"], rows))


if __name__ == "__main__":
    main()
