"""Finding bugs, head to head: strongly-harness contract vs plain `st run` over the fault catalogue.

    python -m benchmarks.bug_finding [--jobs 2] [--fault NAME ...] [--area NAME ...] [--save-as NAME]
                                     [--resume] [--stop-after SECONDS] [--first-catch]
                                     [--st-from NAME] [--apart]

For each contract fault, against a reference server with that fault on:
  - `strongly-harness contract` (default profile; with --strict for a fault that breaks only one of
    our decisions, as the kill matrix runs it): caught when a requirement the fault declares fails;
    the seconds until the first such failure come from conformance.json;
  - plain `st run` (schemathesis' CLI, default settings, the same spec and admin key) with the same
    wall-clock budget our run took (`--max-time`): caught when it reports any failure (it reports
    none against the clean server); the seconds to its first failing scenario come from its NDJSON.
Prints a table per fault category and the faults where the two disagree.

The whole catalogue takes about three hours on two cores. Faults go in the order that answers the
claim soonest: first those `st run` caught in an earlier result (only they can make "caught by st
run only" non-empty), then those that break only a decision, then the rest. Each row is saved as
it completes; `--resume` skips the faults already saved, and `--stop-after` starts no new fault
after that many seconds, so a run can be spread over several sittings.

`--first-catch` measures only the time to the first finding, as a vendor fixing one bug at a time
sees it: both tools stop at their first failure (`contract -x`, `st run --max-failures 1`), st with
a budget of FIRST_CATCH_BUDGET seconds. Ours is the first root cause on screen, from the command's launch
(counted when it fails a requirement the fault declares); st's, the end of its first failing scenario, from
its launch against a server already up (ours starts its own; with `--apart`, ours too is pointed at a server
already up, with the fault planted in it). `--st-from NAME` reuses st's rows of an
earlier results file where it has one (st does not change between our commits); its rows say ``"reused": true``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import common
from benchmarks.common import ADMIN, ROOT, harness, machine, median, reference_server, save, table
from benchmarks.suite_speed import KEYS
from harness.findings import ROUTE
from harness.paths import SPEC
from harness.reference.faults import CATALOGUE, Fault

WHERE = re.compile(r" in \d+ operations?$")  # how far a root cause was seen, at the end of its title
FIRST_CATCH_BUDGET = 60.0  # seconds for st with --first-catch: ten times its slowest median first catch (§1)


def ours(fault: Fault, first_catch: bool = False, apart: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as reports:
        level = ["--strict"] if fault.strict else []
        if first_catch and apart:  # as st is run: against a server already up, with the fault planted in it
            with reference_server(faults=(fault.name,)) as url:
                command = ["contract", "--base-url", url, *level, "-x", "--reports", reports]
                return first_on_screen(fault, command, Path(reports), KEYS)
        if first_catch:
            return first_on_screen(fault, ["contract", "--fault", fault.name, *level, "-x", "--reports", reports],
                                   Path(reports))  # fmt: skip
        code, seconds, _ = harness("contract", "--fault", fault.name, *level, "--quiet", "--reports", reports)
        path = Path(reports) / "conformance.json"
        document = json.loads(path.read_text()) if path.exists() else {"checks": []}
    firsts = [c["started"] + c["duration"] for c in document["checks"]
              if any(f["requirement"] in fault.catches for f in c["failures"])]  # fmt: skip
    return {"caught": bool(firsts), "first": min(firsts) if firsts else None, "seconds": seconds, "exit": code}


def first_on_screen(fault: Fault, args: list[str], reports: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """A `-x` run as a person watches it: seconds from its launch to the first root cause on screen, counted when
    that root cause fails a requirement the fault declares (its title looked up in the run's report)."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "harness", *args], cwd=ROOT,
                               env={**common.clean_environment(), **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    shown: tuple[float, str] | None = None
    assert process.stdout is not None
    for line in process.stdout:
        if shown is None and line.strip().startswith("root cause: "):
            shown = (time.monotonic() - started, line.strip().removeprefix("root cause: "))
    code = process.wait()
    seconds = time.monotonic() - started
    path = reports / "conformance.json"
    causes = json.loads(path.read_text())["rootCauses"] if path.exists() else []
    on_requirement = shown is not None and any(
        same_title(cause["title"][:200], shown[1]) and set(cause["fails"]) & set(fault.catches) for cause in causes
    )
    first = shown[0] if shown and on_requirement else None
    return {"caught": first is not None, "first": first, "seconds": seconds, "exit": code,
            "shown": shown[1] if shown else None}  # fmt: skip


def same_title(final: str, live: str) -> bool:
    """A root cause's title in the report and on screen: its count of operations may have grown meanwhile, and a
    recommendation's (one root cause on every route) may be told by a sighting on another route."""
    final, live = WHERE.sub("", final), WHERE.sub("", live)
    if "recommended: " in live:  # advice is one root cause whatever the route (harness/findings.py's ROUTE)
        final, live = ROUTE.sub("*", final), ROUTE.sub("*", live)
    return final == live


def st(fault: Fault, budget: float, first_catch: bool = False) -> dict[str, Any]:
    program = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    with tempfile.TemporaryDirectory() as workdir, reference_server(faults=(fault.name,)) as url:
        started = time.time()
        run = subprocess.run(
            [program, "run", str(SPEC), "--url", url, "--header", f"X-API-Key: {ADMIN}", "--max-time",
             str(math.ceil(budget)), "--report", "ndjson", "--report-dir", workdir, "--seed", "1", "--no-color",
             *(["--max-failures", "1"] if first_catch else [])],
            cwd=workdir, capture_output=True, text=True, timeout=budget * 3 + 120, check=False,
            env={k: v for k, v in os.environ.items() if not k.startswith("STRONGLY_")},
        )  # fmt: skip
        elapsed = time.time() - started
        first = first_failure(Path(workdir), started)
    return {"caught": run.returncode == 1, "first": first, "seconds": elapsed, "exit": run.returncode}


def first_failure(directory: Path, started: float) -> float | None:
    """Seconds from the start to the first scenario that finished with a failure, from st's NDJSON."""
    times = []
    for path in directory.rglob("*.ndjson"):
        for line in path.read_text().splitlines():
            event = json.loads(line)
            for name, body in event.items() if isinstance(event, dict) else ():
                if name == "ScenarioFinished" and isinstance(body, dict) and body.get("status") == "failure":
                    times.append(body["timestamp"] - started)
    return min(times) if times else None


def compare(
    fault: Fault, first_catch: bool = False, earlier: dict[str, Any] | None = None, apart: bool = False
) -> dict[str, Any]:
    """Both tools against one fault; st's row from ``earlier`` (an earlier result's rows by fault) where it has one."""
    mine = ours(fault, first_catch, apart)
    if earlier and fault.name in earlier:
        return {"fault": fault.name, "area": fault.area, "strict": fault.strict, "ours": mine,
                "st": {**earlier[fault.name]["st"], "reused": True}}  # fmt: skip
    theirs = st(fault, FIRST_CATCH_BUDGET if first_catch else mine["seconds"], first_catch)
    return {"fault": fault.name, "area": fault.area, "strict": fault.strict, "ours": mine, "st": theirs}


def earlier_st_catches() -> set[str]:
    """Faults `st run` caught in any result saved before."""
    caught = set()
    for path in (ROOT / "benchmarks" / "results").glob("bug_finding*.json"):
        rows = json.loads(path.read_text()).get("rows", [])
        caught |= {row["fault"] for row in rows if row["st"]["caught"]}
    return caught


def in_order(faults: list[Fault]) -> list[Fault]:
    """Where the claim can change first: earlier st catches, then decision-only faults, then the rest."""
    caught = earlier_st_catches()
    return sorted(faults, key=lambda fault: (fault.name not in caught, not fault.strict))


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument("--area", action="append", default=[], help="only the faults of these categories")
    parser.add_argument("--first-catch", action="store_true", help="both tools stop at their first failure")
    parser.add_argument("--save-as", default="bug_finding", help="results file (keep the full run apart)")
    parser.add_argument("--resume", action="store_true", help="keep the rows already saved; run only the others")
    parser.add_argument("--stop-after", type=float, default=None, help="start no new fault after these seconds")
    parser.add_argument("--st-from", default=None, help="reuse st's rows of this earlier results file (its name)")
    parser.add_argument("--apart", action="store_true",
                        help="with --first-catch: ours too against a server already up, as st is run")  # fmt: skip
    args = parser.parse_args()
    faults = [CATALOGUE[name] for name in args.fault] or [f for f in CATALOGUE.values() if f.suite == "contract"]
    faults = [fault for fault in faults if not args.area or fault.area in args.area]
    saved = ROOT / "benchmarks" / "results" / f"{args.save_as}.json"
    rows: list[dict[str, Any]] = json.loads(saved.read_text())["rows"] if args.resume and saved.exists() else []
    done = {row["fault"] for row in rows}
    stop_at = time.monotonic() + args.stop_after if args.stop_after else math.inf
    lock = threading.Lock()
    earlier_file = ROOT / "benchmarks" / "results" / f"{args.st_from}.json"
    earlier = {row["fault"]: row for row in json.loads(earlier_file.read_text())["rows"]} if args.st_from else None

    def compare_and_save(fault: Fault) -> None:
        if time.monotonic() > stop_at:
            return
        row = compare(fault, args.first_catch, earlier, args.apart)
        with lock:
            rows.append(row)
            save(args.save_as, {"machine": machine(), "rows": rows})

    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(compare_and_save, in_order([f for f in faults if f.name not in done])))

    by_area = []
    for area in sorted({row["area"] for row in rows}):
        group = [row for row in rows if row["area"] == area]
        firsts = {
            tool: [row[tool]["first"] for row in group if row[tool]["first"] is not None] for tool in ("ours", "st")
        }
        both = [row for row in group if row["ours"]["first"] is not None and row["st"]["first"] is not None]
        sooner = sum(row["ours"]["first"] <= row["st"]["first"] for row in both)
        by_area.append([area, len(group), sum(row["ours"]["caught"] for row in group),
                        sum(row["st"]["caught"] for row in group),
                        f"{median(firsts['ours']):.1f}" if firsts["ours"] else "-",
                        f"{median(firsts['st']):.1f}" if firsts["st"] else "-",
                        f"{sooner} of {len(both)}"])  # fmt: skip
    total = ["all", len(rows), sum(r["ours"]["caught"] for r in rows), sum(r["st"]["caught"] for r in rows), "", "", ""]
    print(f"Machine: {machine()}\n")
    print(table(["category", "faults", "caught by strongly-harness", "caught by st run",
                 "median s to first catch (ours)", "median s to first catch (st)", "ours no later, where both timed"],
                [*by_area, total]))  # fmt: skip
    only_st = [r["fault"] for r in rows if r["st"]["caught"] and not r["ours"]["caught"]]
    only_ours = [r["fault"] for r in rows if r["ours"]["caught"] and not r["st"]["caught"]]
    print(f"\nCaught by st run only: {', '.join(only_st) or 'none'}")
    print(f"Caught by strongly-harness only ({len(only_ours)}): {', '.join(only_ours)}")
    strict = [r for r in rows if r["strict"]]
    caught = sum(r["ours"]["caught"] for r in strict)
    print(f"Run with --strict (they break only a decision): {len(strict)}, caught {caught}")


if __name__ == "__main__":
    main()
