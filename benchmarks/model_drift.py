"""Drift faults, seed after seed: does the model phase catch each at the default budget on every seed?

    python -m benchmarks.model_drift [--seeds 50] [--first-seed 1] [--fault NAME ...] [--jobs 2] [--resume]

Every fault that declares GEN-MODEL-001 (harness/reference/faults/drift.py), once per seed:
`strongly-harness contract --requirement GEN-MODEL-001 --fault F --seed S` at the default
`--model-steps` (with `--strict` for a fault that breaks only one of our own choices), each against
its own embedded reference server. A run catches the fault as the kill matrix counts it: it exits 1
and a requirement the fault declares failed (a model finding is charged to the requirement it
names). Seconds to first catch: from the start of the run to the model phase's first finding (the
check's start in conformance.json plus the "first caught N s into the phase" its failure carries).
Prints a markdown table and keeps every run in results/model_drift.json as it completes; `--resume`
keeps the runs already saved and runs only the others.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import common
from benchmarks.common import ROOT, harness, machine, median, save, table
from harness.reference.faults import CATALOGUE
from harness.reference.faults.drift import MODEL

FIRST_CAUGHT = re.compile(r"first caught ([\d.]+)s into the phase, (by the systematic pass|after)")


def one_run(fault: str, seed: int) -> dict[str, object]:
    strict = ["--strict"] if CATALOGUE[fault].strict else []
    with tempfile.TemporaryDirectory() as reports:
        code, seconds, _ = harness("contract", "--quiet", "--reports", reports, "--requirement", MODEL,
                                   "--fault", fault, "--seed", str(seed), *strict)  # fmt: skip
        document = json.loads((Path(reports) / "conformance.json").read_text())
    failed = [r["id"] for r in document["requirements"] if r["status"] == "fail"]
    caught = code == 1 and bool(set(failed) & set(CATALOGUE[fault].catches))
    first, by = None, None
    for check in document["checks"]:
        for failure in check["failures"]:
            found = FIRST_CAUGHT.search(failure["message"])
            if found and first is None:
                first = round(check["started"] + float(found.group(1)), 1)
                by = "systematic" if found.group(2).startswith("by") else "random"
    return {
        "fault": fault,
        "seed": seed,
        "exit": code,
        "caught": caught,
        "seconds": round(seconds, 1),
        "firstCatch": first,
        "by": by,
        "requirements": failed,
    }


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--fault", action="append", help="only these faults (default: every drift fault)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--resume", action="store_true", help="keep the runs already saved; run only the others")
    args = parser.parse_args()
    faults = args.fault or sorted(name for name, fault in CATALOGUE.items() if MODEL in fault.catches)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    saved = ROOT / "benchmarks" / "results" / "model_drift.json"
    runs: list[dict[str, Any]] = json.loads(saved.read_text())["runs"] if args.resume and saved.exists() else []
    done = {(run["fault"], run["seed"]) for run in runs}
    lock = threading.Lock()

    def run_and_save(fault: str, seed: int) -> None:
        run = one_run(fault, seed)
        print(run, flush=True)
        with lock:
            runs.append(run)
            save("model_drift", {"machine": machine(), "seeds": list(seeds), "jobs": args.jobs, "runs": runs})

    todo = [(fault, seed) for seed in seeds for fault in faults if (fault, seed) not in done]
    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda pair: run_and_save(*pair), todo))
    runs = [run for run in runs if run["fault"] in faults and run["seed"] in seeds]
    for run in runs:
        if not run["caught"]:
            print("MISSED", run, flush=True)
    rows = []
    for fault in faults:
        mine = [run for run in runs if run["fault"] == fault]
        firsts = [run["firstCatch"] for run in mine if run["firstCatch"] is not None]
        rows.append([fault, len(mine), sum(1 for run in mine if run["caught"]),
                     sum(1 for run in mine if not run["caught"]), f"{median(firsts):.1f}",
                     f"{max(firsts, default=float('nan')):.1f}", f"{median([r['seconds'] for r in mine]):.1f}",
                     ", ".join(sorted({str(run["by"]) for run in mine}))])  # fmt: skip
    headers = ["fault", "runs", "caught", "missed", "median s to first catch", "slowest", "median s per run", "by"]
    print(table(headers, rows))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
