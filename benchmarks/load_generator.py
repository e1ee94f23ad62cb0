"""Load generator efficiency: requests/s one Locust core produces on the status route, beside wrk.

    python -m benchmarks.load_generator [--seconds 15] [--runs 3]

The reference server runs on core 0; the generator on core 1 (taskset): our load scenario (pollers
only, no think time, 10 users) with response validation off, on one answer in 20, and on every
answer; the same with `--workers 2` (master and two workers, all on core 1); and wrk (one thread,
10 connections) on the same route. Median of the runs. Needs `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import common
from benchmarks.common import ADMIN, ROOT, machine, median, pinned, reference_server, save, table
from benchmarks.reference_server import seeded, wrk

STATUS = "GET /api/v1/workspaces/{id}/status"


def profiles(directory: Path, seconds: int) -> Path:
    (directory / "slo.toml").write_text((ROOT / "load" / "slo.toml").read_text())
    path = directory / "profiles.toml"
    blocks = []
    for name, every in (("off", 0), ("sampled", 20), ("every", 1)):
        blocks.append(f'[{name}]\nmodel = "closed"\nduration = {seconds}\nusers = 10\nspawn_rate = 10\n'
                      f'poll_interval = 0\nmix = {{ pollers = 1 }}\nworkspaces = 10\nvalidate_every = {every}\n'
                      'slo = "slo.toml"\n')  # fmt: skip
    path.write_text("\n".join(blocks))
    return path


def locust(url: str, profile_file: Path, profile: str, workers: int) -> float:
    with tempfile.TemporaryDirectory() as reports:
        command = ["load", "--base-url", url, "--profiles", str(profile_file), "--profile", profile, "--quiet",
                   "--reports", reports, "--workers", str(workers)]  # fmt: skip
        code, _, output = harness_pinned(command)
        if code not in (0, 1):
            raise RuntimeError(f"the load run failed ({code}): {output[-500:]}")
        summary = json.loads((Path(reports) / "load" / "summary.json").read_text())
    return float(summary["routes"][STATUS]["rps"])


def harness_pinned(command: list[str]) -> tuple[int, float, str]:
    """strongly-harness pinned to core 1, so that Locust (its child) is too."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGLY_")} | {"STRONGLY_API_KEY": ADMIN}
    started = time.monotonic()
    run = subprocess.run(pinned(1, [sys.executable, "-m", "harness", *command]), cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    return run.returncode, time.monotonic() - started, run.stdout + run.stderr


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    rows, results = [], {"machine": machine(), "runs": args.runs}
    with tempfile.TemporaryDirectory() as directory, reference_server(core=0, delay=0) as url:
        profile_file = profiles(Path(directory), args.seconds)
        for label, profile, workers in (("Locust, validation off", "off", 0), ("Locust, 1 answer in 20 validated",
                                        "sampled", 0), ("Locust, every answer validated", "every", 0),
                                        ("Locust --workers 2 (all on core 1), validation off", "off", 2)):  # fmt: skip
            rps = median([locust(url, profile_file, profile, workers) for _ in range(args.runs)])
            results[label] = rps
            rows.append([label, f"{rps:.0f}"])
        workspace = seeded(url)
        rps = median(
            [wrk(f"{url}/api/v1/workspaces/{workspace}/status", args.seconds)["rps"] for _ in range(args.runs)]
        )
        results["wrk"] = rps
        rows.append(["wrk -t1 -c10", f"{rps:.0f}"])
    save("load_generator", results)
    print(f"Machine: {results['machine']}; server on core 0, generator on core 1; median of {args.runs} runs.\n")
    print(table(["generator (one core)", "status requests/s"], rows))


if __name__ == "__main__":
    main()
