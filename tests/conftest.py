"""Shared fixtures: a reference server on a free loopback port, clients for its dev keys, and a vendor's first runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from harness.run.embedded import EmbeddedServer

ADMIN, READER, OTHER = "strongly-dev-admin", "strongly-dev-reader", "strongly-dev-other"


@pytest.fixture(scope="session")
def reference() -> Iterator[EmbeddedServer]:
    """One clean reference server for the session (provisioning takes 0.1 s)."""
    with EmbeddedServer(provision_delay=0.1) as server:
        yield server


@pytest.fixture
def client(reference: EmbeddedServer) -> Iterator[Callable[[str], httpx.Client]]:
    """A factory of clients for the session server, one per API key."""
    opened: list[httpx.Client] = []

    def make(key: str = ADMIN) -> httpx.Client:
        opened.append(httpx.Client(base_url=reference.base_url, headers={"X-API-Key": key}, timeout=10))
        return opened[-1]

    yield make
    for item in opened:
        item.close()


@pytest.fixture
def admin(client: Callable[[str], httpx.Client]) -> httpx.Client:
    return client(ADMIN)


@dataclass(frozen=True)
class Run:
    """One `strongly-harness` command as a vendor's CI would run it: its exit code, what it printed, its reports."""

    exit_code: int
    output: str
    reports: Path


ADOPTION = ("--seed", "1", "--requirement", "WS-LIFE-008", "--requirement", "GEN-LIST-003")


def harness_command(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    """`python -m harness ...` with none of the user's STRONGLY_* variables (the embedded server is the target)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return subprocess.Popen([sys.executable, "-m", "harness", *args], env=env, cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip


@pytest.fixture(scope="session")
def adoption(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """A vendor adopting the harness (issue 29): a run with a planted fault (delete-running, WS-LIFE-008), its
    failures written as expectations, then three runs against them: the same fault, a second fault added
    (count-is-page-size, GEN-LIST-003), and the first removed under --strict-expectations."""
    root = tmp_path_factory.mktemp("adoption")
    known = root / "known.yaml"
    plans = {
        "first": ("--fault", "delete-running"),
        "again": ("--fault", "delete-running", "--expect", str(known)),
        "added": ("--fault", "delete-running", "--fault", "count-is-page-size", "--expect", str(known)),
        "removed": ("--expect", str(known), "--strict-expectations"),
    }
    runs: dict[str, Run] = {}
    for batch in (["first"], ["again", "added", "removed"]):
        started = {name: harness_command("contract", *ADOPTION, *plans[name], "--reports", str(root / name))
                   for name in batch}  # fmt: skip
        for name, process in started.items():
            output, _ = process.communicate(timeout=600)
            runs[name] = Run(process.returncode, output, root / name)
        if batch == ["first"]:
            written = harness_command("expectations", "write", str(root / "first"), "--output", str(known))
            output, _ = written.communicate(timeout=120)
            assert written.returncode == 0, output
            runs["written"] = Run(written.returncode, known.read_text(encoding="utf-8"), root / "first")
    return runs
