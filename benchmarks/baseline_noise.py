"""Baseline noise: are two clean runs of the same build ever called a regression?

    python -m benchmarks.baseline_noise [--pairs 10] [--seconds 10] [--profile smoke]

Runs ``strongly-harness load`` 2 x pairs times against the embedded reference server (clean, the
same build), compares each pair with the default tolerances (load/baseline.toml), and counts the
pairs called a regression. It also compares every run with every other (more pairs from the same
runs), and records how far p95 and throughput moved between clean runs: the spread the tolerance
floors have to absorb. Sequential runs; nothing else of ours on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from dataclasses import asdict
from pathlib import Path

from benchmarks.common import harness, machine, save, table
from harness.loadtest.baseline import compare, load_tolerances
from harness.paths import LOAD
from harness.results.load import LoadSummary


def run_once(reports: Path, profile: str, seconds: int) -> LoadSummary:
    code, _, output = harness("load", "--profile", profile, "--duration", str(seconds), "--quiet",
                              "--reports", str(reports), timeout=600)  # fmt: skip
    if code not in (0, 1):
        raise RuntimeError(f"the load run failed ({code}): {output[-500:]}")
    return LoadSummary.read(reports / "load" / "summary.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--profile", default="smoke")
    parser.add_argument("--tolerances", type=Path, default=LOAD / "baseline.toml")
    args = parser.parse_args()
    tolerances = load_tolerances(args.tolerances)
    runs: list[LoadSummary] = []
    with tempfile.TemporaryDirectory(prefix="baseline-noise-") as workdir:
        for index in range(2 * args.pairs):
            runs.append(run_once(Path(workdir) / str(index), args.profile, args.seconds))
            print(f"run {index + 1}/{2 * args.pairs} done", flush=True)
    pairs = []
    for first, second in zip(runs[::2], runs[1::2], strict=True):
        comparison = compare(first, second, tolerances)
        pairs.append({"baseline": first.run.id, "current": second.run.id, "verdict": comparison.verdict,
                      "regressed": [row.describe() for row in comparison.rows if row.regressed]})  # fmt: skip
    every = [compare(a, b, tolerances).verdict for a, b in itertools.permutations(runs, 2)]
    spread = {}
    for route in runs[0].routes:
        values = [run.routes[route] for run in runs if route in run.routes]
        judged = [v for v in values if v.requests >= tolerances.for_route(route).min_requests]
        if len(judged) < 2:
            continue
        p95 = [v.p95_ms for v in judged]
        rps = [v.rps for v in judged]
        spread[route] = {"runs": len(judged), "requests_min": min(v.requests for v in judged),
                         "p95_min_ms": min(p95), "p95_max_ms": max(p95),
                         "p95_max_over_min": round(max(p95) / min(p95), 2) if min(p95) else None,
                         "rps_min": min(rps), "rps_max": max(rps)}  # fmt: skip
    result = {
        "machine": machine(),
        "profile": args.profile,
        "seconds": args.seconds,
        "tolerances": tolerances.default.describe(),
        "pairs": pairs,
        "pairs_regressed": sum(pair["verdict"] == "regressed" for pair in pairs),
        "all_ordered_pairs": len(every),
        "all_ordered_pairs_regressed": every.count("regressed"),
        "spread": spread,
        # every run's routes, so that other tolerances can be tried on the same runs without running again
        "runs": [
            {"id": run.run.id, "routes": {name: asdict(stats) for name, stats in run.routes.items()}} for run in runs
        ],
    }
    save("baseline_noise", result)
    print(f"{result['pairs_regressed']} of {len(pairs)} clean pairs called a regression; "
          f"{result['all_ordered_pairs_regressed']} of {len(every)} ordered pairs of the same runs")  # fmt: skip
    rows = [[route, s["runs"], s["requests_min"], f"{s['p95_min_ms']:g}-{s['p95_max_ms']:g}", s["p95_max_over_min"],
             f"{s['rps_min']:g}-{s['rps_max']:g}"] for route, s in spread.items()]  # fmt: skip
    print(table(["route", "runs", "fewest requests", "p95 ms (min-max)", "p95 max/min", "req/s (min-max)"], rows))


if __name__ == "__main__":
    main()
