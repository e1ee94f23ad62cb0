"""Finding the third-party tools some tests run (generators, linters), and skipping without them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# What installs each tool; .ci/run installs them all, so in CI these tests run rather than skip.
INSTALL = {
    "openapi-python-client": "pip install -e '.[test]'",
    "openapi-typescript": "npm install --global openapi-typescript@7.13",
    "tsc": "npm install --global typescript@5.9",
    "spectral": "npm install --global @stoplight/spectral-cli@6.16",
    "redocly": "npm install --global @redocly/cli@2.77",
    "chromium": "apt-get install chromium, or set STRONGLY_CHROMIUM to a Chromium or Chrome binary",
}
CHROMIUM = "/usr/bin/chromium"  # Debian's package; a browser downloaded by a test tool is not used


def require(name: str) -> str:
    """The path of a tool, looked up beside this Python first (an unactivated venv), else skip the test."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if name == "chromium":
        found = os.environ.get("STRONGLY_CHROMIUM") or (CHROMIUM if Path(CHROMIUM).is_file() else None)
    if found is None:
        message = f"{name} is not installed ({INSTALL[name]}); .ci/run installs it"
        if os.environ.get("STRONGLY_REQUIRE_TOOLS"):  # set by .ci/run: there a missing tool is a failure
            pytest.fail(message)
        pytest.skip(message)
    return found


def run(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a tool to the end and keep what it said (never raises on a non-zero exit)."""
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
