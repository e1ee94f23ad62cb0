"""Concurrency by target: the default against each fixed `--concurrency`, cell by cell (issue 28).

    python -m benchmarks.concurrency [--cell NAME ...] [--concurrency 1,2,4,8,16] [--rounds N] [--resume]

One full-profile run (`strongly-harness contract --seed 7`) per cell and setting, one after the other:
the run's default (no `--concurrency`), then each fixed value. The cells are the targets the issue
names: the embedded server; a reference server started apart on this machine (as a docker-compose
stack on a CI runner is); and two simulated deployments, `serve --provision-delay 10` and
`--provision-delay 30 --latency 50`. A server started apart gets a fresh one per run. Prints, per cell,
the wall time of each setting, the best fixed one and how far the default is from it; every run is
kept in results/concurrency.json as it completes (`--resume` runs only the missing ones).

`--rounds N` runs every setting of a cell N times, round after round (the settings interleaved, so a machine
that slows down weighs on each alike), and compares their medians: on a shared 2-core machine one full run
varies by 10 to 15 %, as much as the issue's bound, so one run per setting cannot tell the default from the best.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import common
from benchmarks.common import ROOT, harness, machine, median, reference_server, save, table
from benchmarks.suite_speed import KEYS

CELLS = {  # name: (provisioning s, added latency ms); None is the embedded server
    "embedded": None,
    "apart": (0.5, 0.0),
    "provision-10": (10.0, 0.0),
    "provision-30-latency-50": (30.0, 50.0),
}


@contextlib.contextmanager
def target(cell: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The arguments and environment that point a run at the cell's target."""
    shape = CELLS[cell]
    if shape is None:
        yield [], {}
        return
    with reference_server(delay=shape[0], latency_ms=shape[1]) as url:
        yield ["--base-url", url], KEYS


def one_run(cell: str, concurrency: int | None) -> dict[str, Any]:
    fixed = ["--concurrency", str(concurrency)] if concurrency else []
    with tempfile.TemporaryDirectory() as reports, target(cell) as (where, env):
        code, seconds, _ = harness("contract", "--quiet", "--reports", reports, "--seed", "7", *where, *fixed, env=env)
        document = json.loads((Path(reports) / "conformance.json").read_text())
    return {"cell": cell, "concurrency": concurrency or "default", "seconds": round(seconds, 1), "exit": code,
            "chosen": document["run"]["config"].get("concurrency"), "failed": document["totals"]["fail"]}  # fmt: skip


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", action="append", choices=list(CELLS), help="only these cells (default: all)")
    parser.add_argument("--concurrency", default="1,2,4,8,16", help="the fixed settings to compare with")
    parser.add_argument("--resume", action="store_true", help="keep the runs already saved; run only the others")
    parser.add_argument("--rounds", type=int, default=1, help="runs per setting, interleaved; medians compared")
    args = parser.parse_args()
    cells = args.cell or list(CELLS)
    settings: list[int | None] = [None, *(int(value) for value in args.concurrency.split(","))]
    saved = ROOT / "benchmarks" / "results" / "concurrency.json"
    runs: list[dict[str, Any]] = json.loads(saved.read_text())["runs"] if args.resume and saved.exists() else []
    for cell in cells:
        for number, concurrency in ((n, c) for n in range(1, args.rounds + 1) for c in settings):
            done = [run for run in runs if run["cell"] == cell and run["concurrency"] == (concurrency or "default")]
            if len(done) >= number:
                continue
            runs.append({**one_run(cell, concurrency), "round": number})
            print(runs[-1], flush=True)
            save("concurrency", {"machine": machine(), "runs": runs})
    rows = []
    for cell in cells:
        seconds: dict[Any, list[float]] = {}
        for run in runs:
            if run["cell"] == cell:
                seconds.setdefault(run["concurrency"], []).append(run["seconds"])
        fixed = {value: round(median(times), 1) for value, times in seconds.items() if value != "default"}
        if "default" not in seconds or not fixed:
            continue
        best = min(fixed, key=fixed.__getitem__)
        default = round(median(seconds["default"]), 1)
        rows.append([cell, *(fixed.get(value, "-") for value in settings[1:]), default,
                     f"{best} ({fixed[best]})", f"{(default / fixed[best] - 1) * 100:+.0f} %"])  # fmt: skip
    headers = [
        "cell",
        *(f"--concurrency {value}" for value in settings[1:]),
        "default",
        "best fixed",
        "default vs best",
    ]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
