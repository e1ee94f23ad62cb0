"""Plain `st run` with the contract and with its default-level file, against the decision-only faults it caught.

A decision-only fault breaks only one of our own choices (D-NN): a server that does so is conformant at the
default level, so a tool judging by openapi/strongly-v1.default-level.yaml should not report it. For each
such fault that `st run` caught with the contract (benchmarks/results/bug_finding_issue15.json), this runs
st with default settings but a bounded budget (`--max-examples 10 --seed 1`), once with each file and
in its default mode (all) and in `--mode positive`, and records its exit code and failure codes.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ADMIN, ROOT, machine, save, stop_children_on_sigterm, table
from harness.paths import DEFAULT_LEVEL_SPEC, SPEC
from harness.run.embedded import EmbeddedServer

SPECS = {"contract": SPEC, "default level": DEFAULT_LEVEL_SPEC}


def caught_decision_faults() -> list[str]:
    rows = json.loads((ROOT / "benchmarks" / "results" / "bug_finding_issue15.json").read_text())["rows"]
    return [row["fault"] for row in rows if row["strict"] and row["st"]["caught"]]


def st(spec: Path, fault: str, mode: str) -> dict[str, object]:
    program = str(Path(sys.executable).parent / "st")
    with tempfile.TemporaryDirectory() as workdir, EmbeddedServer(provision_delay=0.1, faults=(fault,)) as server:
        started = time.monotonic()
        run = subprocess.run([program, "run", str(spec), "--url", server.base_url, "--header", f"X-API-Key: {ADMIN}",
                              "--max-examples", "10", "--seed", "1", "--workers", "1", "--no-color", "--mode", mode],
                             cwd=workdir, capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    codes = sorted(set(re.findall(r"❌ (ST\d+) ", run.stdout)))
    return {"exit": run.returncode, "codes": codes, "seconds": round(time.monotonic() - started, 1)}


def main() -> None:
    stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save-as", default="default_level")
    args = parser.parse_args()
    rows = []
    for fault in caught_decision_faults():
        row: dict[str, object] = {"fault": fault}
        for name, spec in SPECS.items():
            for mode in ("all", "positive"):
                row[f"{name}, {mode}"] = st(spec, fault, mode)
        rows.append(row)
        print(json.dumps(row), flush=True)
    save(args.save_as, {"machine": machine(), "rows": rows})
    columns = [f"{name}, {mode}" for name in SPECS for mode in ("all", "positive")]
    cells = [[row["fault"], *(" ".join(row[c]["codes"]) or "-" for c in columns)] for row in rows]  # type: ignore[index]
    totals = ["caught", *(sum(bool(row[c]["codes"]) for row in rows) for c in columns)]  # type: ignore[index]
    print(table(["fault", *columns], [*cells, totals]))


if __name__ == "__main__":
    main()
