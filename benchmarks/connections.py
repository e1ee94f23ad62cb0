"""Connections reused: how many TCP connections one full contract run opens for its requests.

    python -m benchmarks.connections [--runs 3]

Each run is `strongly-harness contract --profile full` against a fresh reference server on loopback
that logs every request with its client address; distinct client ports are connections opened.
A connection opened per request pays a handshake on top of every round trip on a real network.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from benchmarks import common
from benchmarks.common import harness, machine, median, reference_server, save, table
from benchmarks.suite_speed import KEYS

REQUEST = re.compile(r'127\.0\.0\.1:(\d+) - "[A-Z]+ ')


def one_run() -> tuple[int, int]:
    """(requests, connections) of one full run."""
    with tempfile.TemporaryDirectory() as workdir:
        log = Path(workdir) / "access.log"
        with reference_server(access_log=log) as url:
            harness("contract", "--profile", "full", "--quiet", "--reports", workdir,
                    env={"STRONGLY_BASE_URL": url, **KEYS})  # fmt: skip
        ports = REQUEST.findall(log.read_text())
    return len(ports), len(set(ports))


def main() -> None:
    common.stop_children_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    save("connections", {"machine": machine(), "runs": [{"requests": r, "connections": c} for r, c in runs]})
    requests, connections = median([r for r, _ in runs]), median([c for _, c in runs])
    print(f"Machine: {machine()}\n")
    print(table(["requests (median)", "connections opened (median)", "requests per connection"],
                [[f"{requests:.0f}", f"{connections:.0f}", f"{requests / connections:.1f}"]]))  # fmt: skip


if __name__ == "__main__":
    main()
