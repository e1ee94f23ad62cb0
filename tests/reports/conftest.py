"""One contract run with planted failures, shared by the report tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="package")
def failed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Reports of a run against three planted faults (a lifecycle rule, sort order, metric types)."""
    reports = tmp_path_factory.mktemp("reports")
    env = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    run = subprocess.run(
        [sys.executable, "-m", "harness", "contract", "--quiet", "--reports", str(reports),
         "--fault", "delete-running", "--fault", "workspace-sort-ignored", "--fault", "metrics-as-numbers",
         "--requirement", "WS-LIFE-008", "--requirement", "GEN-LIST-004", "--requirement", "WS-SEM-001",
         "--requirement", "GEN-ID-001"],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    return reports
