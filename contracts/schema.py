"""The contract loaded for schemathesis, pointed at the run's target before collection.

Everything comes from the run's configuration: the base URL, the key (through the contract's
security scheme, so schemathesis knows which header is the credential: its ignored_auth check then
removes or spoils it on purpose, and nothing else does), and the run's limits, the request timeout
and, when given, the request rate.
"""

from __future__ import annotations

import tomllib

import schemathesis

from harness.conformance.plugin import current_run
from harness.paths import CONTRACTS, SPEC

config = current_run().config
settings = tomllib.loads((CONTRACTS / "schemathesis.toml").read_text(encoding="utf-8"))
settings["auth"] = {"openapi": {"ApiKeyAuth": {"api_key": config.target.api_key}}}
schema = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_dict(settings, base_dir=str(CONTRACTS)))
schema.config.update(base_url=config.target.base_url, request_timeout=config.limits.request_timeout)
if config.limits.rate_limit:
    per_minute = round(config.limits.rate_limit * 60)
    schema.config.update(rate_limit=f"{round(config.limits.rate_limit)}/s" if per_minute >= 60 else f"{per_minute}/m")
if config.readonly:
    schema.config.phases.coverage.unexpected_methods = set()  # probing undeclared methods could write
