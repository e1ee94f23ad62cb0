"""What the benchmark scripts share: starting things on loopback, pinning to cores, tables, medians."""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "strongly-dev-admin"
HEADERS = {"X-API-Key": ADMIN}


def stop_children_on_sigterm() -> None:
    """On SIGTERM, stop every process this script started, then exit. Python's default handler ends the
    script at once and leaves its servers and runs behind; raising in the main thread instead would let
    its worker threads go on starting new ones. (A contract run stops its own children on SIGTERM.)"""

    def stop(signum: int, _frame: object) -> None:
        for child in psutil.Process().children():
            child.terminate()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def machine() -> str:
    cpus = os.cpu_count()
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")  # fmt: skip
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    return f"{cpus} cores ({model or platform.machine()}){memory}, Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pinned(core: int | None, command: list[str]) -> list[str]:
    """The command pinned to one core with taskset, when there is taskset and more than one core."""
    if core is None or shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        return command
    return ["taskset", "-c", str(core), *command]


@contextmanager
def reference_server(*, core: int | None = None, faults: tuple[str, ...] = (), delay: float = 0.3,
                     db: Path | None = None, latency_ms: float = 0, access_log: Path | None = None,
                     ) -> Iterator[str]:  # fmt: skip
    """A reference server on a free loopback port (pinned to ``core``), stopped afterwards; with
    ``access_log``, every request is logged there (uvicorn's format: client address, request, status)."""
    port = free_port()
    command = [sys.executable, "-m", "harness", "serve", "--port", str(port), "--provision-delay", str(delay),
               "--latency", str(latency_ms)]  # fmt: skip
    command += ["--db", str(db)] if db else []
    command += ["--access-log"] if access_log else []
    for fault in faults:
        command += ["--fault", fault]
    output = access_log.open("w") if access_log else subprocess.DEVNULL
    process = subprocess.Popen(pinned(core, command), cwd=ROOT, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        if access_log:
            output.close()  # type: ignore[union-attr]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/api/v1/workspaces", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url}")


def clean_environment() -> dict[str, str]:
    """This process's environment without the user's STRONGLY_* settings (a benchmark sets its own)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("STRONGLY_")}


def harness(*args: str, env: dict[str, str] | None = None, timeout: float = 3600) -> tuple[int, float, str]:
    """Run strongly-harness; (exit code, seconds, output)."""
    clean = clean_environment()
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "harness", *args], cwd=ROOT, env={**clean, **(env or {})},
                         capture_output=True, text=True, timeout=timeout, check=False)  # fmt: skip
    return run.returncode, time.monotonic() - started, run.stdout + run.stderr


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def save(name: str, data: object) -> Path:
    """Raw results beside the script, for the README's table and for later comparison."""
    target = ROOT / "benchmarks" / "results" / f"{name}.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(data, indent=2) + "\n")
    return target
