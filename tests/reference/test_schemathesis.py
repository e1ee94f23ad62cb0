"""Plain schemathesis, with its default checks and both positive and negative data, finds nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.paths import SPEC
from harness.run.embedded import EmbeddedServer


@pytest.mark.slow
def test_schemathesis_finds_nothing_in_the_reference_server(tmp_path: Path) -> None:
    """`st run` (examples, coverage, fuzzing, stateful; all default checks) exits 0 with a fixed seed."""
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    with EmbeddedServer(provision_delay=0.1) as server:
        run = subprocess.run(
            [
                st,
                "run",
                str(SPEC),
                "--url",
                server.base_url,
                "--header",
                "X-API-Key: strongly-dev-admin",
                "--mode",
                "all",
                "--max-examples",
                "25",
                "--seed",
                "7",
                "--workers",
                "1",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    assert run.returncode == 0, run.stdout[-3000:]
    assert "FAILURES" not in run.stdout
    assert "ERRORS" not in run.stdout
