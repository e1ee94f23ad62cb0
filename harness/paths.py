"""Where the contract, the suites and the load scenarios are, installed or in a source tree."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    # A wheel carries them under harness/_bundled/; a source checkout has them beside harness/.
    bundled = PACKAGE / "_bundled" / name
    return bundled if bundled.is_dir() else PACKAGE.parent / name


OPENAPI = _locate("openapi")
SPEC = OPENAPI / "strongly-v1.yaml"
DEFAULT_LEVEL_SPEC = OPENAPI / "strongly-v1.default-level.yaml"  # generated from SPEC by harness/leniency.py
CONTRACTS = _locate("contracts")
LOAD = _locate("load")
LOCUSTFILE = LOAD / "locustfile.py"  # the load scenarios
REQUIREMENTS = PACKAGE / "requirements.yaml"
