"""The contract loaded for schemathesis, pointed at the run's target before collection.

Schemathesis sends its own requests, so it gets the run's limits too: the request timeout and,
when given, the request rate.
"""

from __future__ import annotations

import schemathesis

from harness.conformance.plugin import current_run
from harness.paths import CONTRACTS, SPEC

settings = current_run().settings
schema = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_path(CONTRACTS / "schemathesis.toml"))
schema.config.update(base_url=settings.target.base_url, request_timeout=settings.request_timeout)
if settings.rate_limit:
    per_minute = round(settings.rate_limit * 60)
    schema.config.update(rate_limit=f"{round(settings.rate_limit)}/s" if per_minute >= 60 else f"{per_minute}/m")
if settings.profile == "readonly":
    schema.config.phases.coverage.unexpected_methods = set()  # probing undeclared methods could write
