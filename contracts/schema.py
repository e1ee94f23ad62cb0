"""The contract loaded for schemathesis, pointed at the run's target before collection."""

from __future__ import annotations

import schemathesis

from harness.contract.plugin import current_run
from harness.paths import CONTRACTS, SPEC

schema = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_path(CONTRACTS / "schemathesis.toml"))
schema.config.update(base_url=current_run().settings.target.base_url)
if current_run().settings.profile == "readonly":
    schema.config.phases.coverage.unexpected_methods = set()  # probing undeclared methods could write
