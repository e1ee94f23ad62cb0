"""The contract and its default-level file pass Spectral and Redocly: no errors, no warnings beyond the
documented exceptions.

The exceptions, each with its reason, are the rulesets themselves: `openapi/.spectral.yaml` and
`openapi/redocly.yaml`. Both linters come from npm; .ci/run installs them, and these tests skip
(saying so) where they are missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.paths import DEFAULT_LEVEL_SPEC, OPENAPI, SPEC
from tests.tools import require, run

pytestmark = pytest.mark.slow  # each linter starts Node: a second or two
FILES = pytest.mark.parametrize("contract", [SPEC, DEFAULT_LEVEL_SPEC], ids=lambda path: path.name)


@FILES
def test_spectral_finds_nothing(contract: Path, tmp_path: Path) -> None:
    """Spectral's `spectral:oas` rules, with the ruleset's exceptions, report no error and no warning."""
    spectral = require("spectral")
    report = tmp_path / "spectral.json"

    ruleset = OPENAPI / ".spectral.yaml"
    result = run(spectral, "lint", str(contract), f"--ruleset={ruleset}", "--format=json", f"--output={report}")

    assert report.is_file(), f"spectral wrote no report (exit {result.returncode}): {result.stderr[-2000:]}"
    findings = [
        f"{item['code']} ({_severity(item['severity'])}) at {'.'.join(map(str, item['path']))}: {item['message']}"
        for item in json.loads(report.read_text(encoding="utf-8"))
    ]
    assert findings == [], "fix the contract, or add a reasoned exception to openapi/.spectral.yaml"
    assert result.returncode == 0, result.stderr[-2000:]


@FILES
def test_redocly_finds_nothing(contract: Path) -> None:
    """Redocly's `recommended` rules, with the config's exceptions, report no error and no warning."""
    redocly = require("redocly")

    result = run(redocly, "lint", "--config", str(OPENAPI / "redocly.yaml"), "--format", "json", str(contract))

    report = json.loads(result.stdout)
    findings = [
        f"{problem['ruleId']} ({problem['severity']}) at {problem['location'][0]['pointer']}: {problem['message']}"
        for problem in report["problems"]
    ]
    assert findings == [], "fix the contract, or add a reasoned exception to openapi/redocly.yaml"
    assert report["totals"]["errors"] == report["totals"]["warnings"] == 0
    assert result.returncode == 0, result.stderr[-2000:]


def _severity(level: int) -> str:
    return ("error", "warning", "info", "hint")[level]
