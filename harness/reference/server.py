"""Run the reference server under uvicorn (``strongly-harness serve``)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from harness.reference.app import ServerConfig, create_app
from harness.reference.keys import DEV_KEYS


def banner(host: str, port: int, config: ServerConfig) -> str:
    lines = [f"Strongly reference server on http://{host}:{port} (db {config.db}, provision delay {config.provision_delay:g}s)"]
    if config.keys == DEV_KEYS:
        for key, who in DEV_KEYS.items():
            lines.append(f"  key {key}: {who.organization_id}, {who.user_id}, {len(who.scopes)} scopes")
    else:
        lines.append(f"  {len(config.keys)} key(s) from the keys file")
    if config.faults:
        lines.append(f"  PLANTED FAULTS: {', '.join(config.faults)}")
    return "\n".join(lines)


def serve(host: str, port: int, config: ServerConfig, *, log_level: str = "warning") -> None:
    """Serve until SIGINT/SIGTERM; committed writes are on disk when --db names a file."""
    app = create_app(config)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    print(banner(host, port, config), flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, lifespan="off")
