"""Our overhead: the status route, in the same run, from a bare FastHttpUser and from our scenario.

    python -m benchmarks.overhead [--seconds 20] [--runs 3] [--users 5]

The reference server runs on core 0 and Locust on core 1 (taskset); ``--users`` of each class run
side by side in one process for ``--seconds``. The overhead is CPU time per request in Locust, ours
over bare, minus one (each user greenlet's CPU is counted switch by switch): it holds whichever side
is the bottleneck. Requests per second of each class are reported beside it; they differ only when
Locust's core, not the server, limits the run. Median of runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import common
from benchmarks.common import ADMIN, ROOT, machine, median, pinned, reference_server, save, table
from benchmarks.reference_server import seeded
from harness.loadtest.profiles import Profile
from harness.run import LoadConfig, LoadData, LoadStep, RunConfig, Target
from harness.run.config import without_user_variables
from harness.run.scratch import config_file

BARE, OURS = "bare FastHttpUser", "our scenario"
NAMES = {BARE: BARE, "GET /api/v1/workspaces/{id}/status": OURS}  # Locust's entry name -> which user sent it


def workspaces(url: str) -> list[str]:
    import httpx

    seeded(url)
    answer = httpx.get(f"{url}/api/v1/workspaces", params={"limit": 100}, headers={"X-API-Key": ADMIN}).json()
    return [item["id"] for item in answer["workspaces"]]


def one_run(url: str, ids: list[str], seconds: int, users: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="overhead-") as workdir:
        load = LoadConfig(profile=Profile("overhead", validate_every=20), profiles_file=Path(workdir) / "none.toml",
                          data=LoadData(workspaces=tuple(ids)),
                          step=LoadStep(duration=seconds, recordings=str(Path(workdir) / "recordings")))  # fmt: skip
        config = RunConfig(Target(url, ADMIN), load=load).write(config_file(Path(workdir)))
        cpu_file = Path(workdir) / "cpu.json"
        env = without_user_variables() | {"PYTHONPATH": str(ROOT), "OVERHEAD_CPU_FILE": str(cpu_file)}
        command = [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "overhead_locustfile.py"),
                   "--run-config", str(config), "--headless", "--host", url, "-u", str(2 * users),
                   "-r", str(2 * users), "-t", f"{seconds}s",
                   "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
                   "--json-file", str(Path(workdir) / "stats"), "Bare", "Ours"]  # fmt: skip
        subprocess.run(pinned(1, command), cwd=workdir, env=env, check=True, capture_output=True, timeout=seconds + 60)
        entries = json.loads((Path(workdir) / "stats.json").read_text())
        cpu = json.loads(cpu_file.read_text())
    result = {}
    for entry in entries:
        if entry["name"] in NAMES:
            window = max(entry["last_request_timestamp"] - entry["start_time"], 1e-3)
            requests = entry["num_requests"]
            user = NAMES[entry["name"]]
            result[user] = {"requests": requests, "rps": requests / window, "failures": entry["num_failures"],
                            "cpu_us_per_request": cpu[user] / requests * 1e6}  # fmt: skip
    return result


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--users", type=int, default=5, help="users of each class")
    args = parser.parse_args()
    runs = []
    with reference_server(core=0, delay=0) as url:
        ids = workspaces(url)
        for index in range(args.runs):
            runs.append(one_run(url, ids, args.seconds, args.users))
            rates = ", ".join(f"{name} {numbers['rps']:.0f} req/s" for name, numbers in runs[-1].items())
            print(f"run {index + 1}/{args.runs}: {rates}", flush=True)
    cpu_ratios = [run[OURS]["cpu_us_per_request"] / run[BARE]["cpu_us_per_request"] for run in runs]
    rps_ratios = [run[BARE]["rps"] / run[OURS]["rps"] for run in runs]
    result = {
        "machine": machine(),
        "seconds": args.seconds,
        "users_each": args.users,
        "runs": runs,
        "bare": {key: median([run[BARE][key] for run in runs]) for key in ("rps", "cpu_us_per_request")},
        "ours": {key: median([run[OURS][key] for run in runs]) for key in ("rps", "cpu_us_per_request")},
        "overhead_cpu": round(median(cpu_ratios) - 1, 4),
        "overhead_rps": round(median(rps_ratios) - 1, 4),
    }
    save("overhead", result)
    rows = [[name, f"{result[key]['rps']:.0f}", f"{result[key]['cpu_us_per_request']:.0f}"]
            for name, key in ((BARE, "bare"), (OURS, "ours"))]  # fmt: skip
    print(table(["user class (same run, same route)", "req/s (median)", "Locust CPU µs per request (median)"], rows))
    print(f"overhead: {result['overhead_cpu'] * 100:+.1f} % CPU per request, {result['overhead_rps'] * 100:+.1f} % "
          f"requests per second (median of {args.runs} runs)")  # fmt: skip


if __name__ == "__main__":
    main()
