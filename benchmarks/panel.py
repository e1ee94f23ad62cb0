"""The panel: the default level against each server written from the documents alone, MUST failures counted.

    python -m benchmarks.panel [--harness PATH] [--save-as NAME] [--seed 1]

For each panel server (panel/README.md), a fresh copy on a free loopback port with its restart
command, and one full run of `strongly-harness contract` at the default level against it. Each MUST
that failed is listed with its root causes, to be read: a true deviation quotes a sentence of the
documents the server breaks; anything else is the harness's. ``--harness`` runs another install of
the harness (an older checkout's ``.venv/bin/strongly-harness``, for the table before the audit).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import common
from benchmarks.common import ROOT, machine, save, table
from panel.launch import SERVERS, PanelServer


def one_run(name: str, harness: list[str], seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as reports, PanelServer(name) as server:
        started = time.monotonic()
        run = subprocess.run(
            [*harness, "contract", "--seed", str(seed), "--concurrency", "2", "--reports", reports],
            cwd=ROOT,
            env={**common.clean_environment(), **server.environment()},
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        seconds = time.monotonic() - started
        document = json.loads((Path(reports) / "conformance.json").read_text())
    musts = {row["id"]: row for row in document["requirements"] if row["level"] == "MUST"}
    failed = sorted(rid for rid, row in musts.items() if row["status"] == "fail")
    causes = [
        {"id": cause["id"], "fails": cause["fails"], "says": (cause.get("title") or cause["message"])[:200]}
        for cause in document["rootCauses"]
        if set(cause["fails"]) & set(failed)
    ]
    return {
        "server": name,
        "exit": run.returncode,
        "seconds": round(seconds, 1),
        "verdict": document["verdict"],
        "headline": document["headline"],
        "mustFailed": failed,
        "rootCauses": len(document["rootCauses"]),
        "mustRootCauses": causes,
        "cleanup": document["cleanup"]["problems"],
    }


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--harness", type=Path, help="a strongly-harness executable (default: this checkout's)")
    parser.add_argument("--save-as", default="panel")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    harness = [str(args.harness)] if args.harness else [sys.executable, "-m", "harness"]
    rows = []
    for name in SERVERS:
        rows.append(one_run(name, harness, args.seed))
        print(f"{name}: {rows[-1]['headline']} ({rows[-1]['seconds']} s)", flush=True)
    save(args.save_as, {"machine": machine(), "harness": " ".join(harness), "seed": args.seed, "runs": rows})
    print(
        table(
            ["server", "MUST failed", "root causes", "exit", "s"],
            [[r["server"], len(r["mustFailed"]), r["rootCauses"], r["exit"], r["seconds"]] for r in rows],
        )
    )


if __name__ == "__main__":
    main()
