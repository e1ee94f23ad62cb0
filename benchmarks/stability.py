"""Stability: consecutive full runs with concurrency on, against a clean reference server, none flaky.

    python -m benchmarks.stability [--runs 20] [--concurrency N] [--provisioning 0.5] [--first-seed 1]

Each run is the full profile against its own fresh reference server on loopback, as a deployment is
run, at the default concurrency (adapted to the target) or a fixed `--concurrency N`, with its own
seed: a run that is not clean can be replayed with `strongly-harness contract --seed S`. Clean means exit 4 and nothing
but DUR-001 unchecked (no restart command is given), no failure, nothing left behind. The seeds,
times and verdicts are kept in results/stability.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks import common
from benchmarks.common import harness, machine, median, reference_server, save
from benchmarks.suite_speed import KEYS


def one_run(seed: int, concurrency: int | None, provisioning: float) -> dict[str, object]:
    fixed = ["--concurrency", str(concurrency)] if concurrency else []
    with tempfile.TemporaryDirectory() as reports, reference_server(delay=provisioning) as url:
        code, seconds, _ = harness("contract", "--quiet", "--base-url", url, "--reports", reports, "--seed", str(seed),
                                   *fixed, env=KEYS)  # fmt: skip
        document = json.loads((Path(reports) / "conformance.json").read_text())
    unchecked = [line.split()[0] for line in document["unchecked"]]
    totals = document["totals"]
    clean = code == 4 and unchecked == ["DUR-001"] and totals["fail"] == totals["error"] == totals["blocked"] == 0
    clean = clean and not document["cleanup"]["problems"]
    causes = [] if clean else [cause["title"] for cause in document["rootCauses"]]  # what flaked, to replay
    return {"seed": seed, "seconds": round(seconds, 1), "exit": code, "clean": clean, "unchecked": unchecked,
            "totals": totals, "cleanup": document["cleanup"]["problems"], "rootCauses": causes}  # fmt: skip


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--concurrency", type=int, help="fixed (default: the run's own, adapted to the target)")
    parser.add_argument("--provisioning", type=float, default=0.5)
    parser.add_argument("--first-seed", type=int, default=1)
    args = parser.parse_args()
    runs = []
    for seed in range(args.first_seed, args.first_seed + args.runs):
        runs.append(one_run(seed, args.concurrency, args.provisioning))
        print(runs[-1], flush=True)
    clean = sum(1 for run in runs if run["clean"])
    save("stability", {"machine": machine(), "concurrency": args.concurrency or "adaptive",
                       "provisioning": args.provisioning, "clean": clean, "runs": runs})  # fmt: skip
    print(f"{clean} of {len(runs)} runs clean; median {median([r['seconds'] for r in runs]):.1f}s")  # type: ignore[misc]


if __name__ == "__main__":
    main()
