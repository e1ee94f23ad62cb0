"""Run the reference server under uvicorn (``strongly-harness serve``).

SIGHUP restarts the server in place: it shuts down gracefully, then re-executes itself with the
same arguments, so a durability check sees a genuinely new process reading the same ``--db``.
With ``--fd`` the listening socket is inherited and outlives the restart, so the address never
changes and clients only queue for a moment. ``--ready-file`` receives a fresh token once each
boot is serving, which is how a restarter knows the new process is up.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import uuid
from pathlib import Path
from types import FrameType

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.app import ServerConfig, create_app
from harness.reference.keys import DEV_KEYS


def banner(address: str, config: ServerConfig) -> str:
    lines = [f"Strongly reference server on {address} (db {config.db}, provision delay {config.provision_delay:g}s)"]
    if config.keys == DEV_KEYS:
        for key, who in DEV_KEYS.items():
            lines.append(f"  key {key}: {who.organization_id}, {who.user_id}, {len(who.scopes)} scopes")
    else:
        lines.append(f"  {len(config.keys)} key(s) from the keys file")
    if config.faults:
        lines.append(f"  PLANTED FAULTS: {', '.join(config.faults)}")
    return "\n".join(lines)


class InFlight:
    """Counts the requests being handled at once, and the most at any moment (benchmarks read it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.now = 0
        self.peak = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready_file: Path | None, in_flight: InFlight | None) -> None:
        super().__init__(config)
        self.ready_file = ready_file
        self.in_flight = in_flight
        self.restart_requested = False

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self.ready_file is not None:
            staging = self.ready_file.with_suffix(".tmp")
            staging.write_text(f"{os.getpid()} {uuid.uuid4().hex}\n")
            staging.replace(self.ready_file)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets=sockets)
        if self.in_flight is not None:  # here, not after run(): uvicorn re-raises the signal that stopped it
            print(f"peak requests in flight: {self.in_flight.peak}", flush=True)

    def request_restart(self, signum: int, frame: FrameType | None) -> None:
        self.restart_requested = True
        self.should_exit = True


def serve(
    host: str,
    port: int,
    config: ServerConfig,
    *,
    fd: int | None = None,
    ready_file: Path | None = None,
    access_log: bool = False,
) -> None:
    """Serve until SIGINT/SIGTERM; on SIGHUP, restart in place. Committed writes are on disk."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(config)
    in_flight = InFlight(app) if access_log else None  # only where every request is logged anyway
    sockets = None
    address = f"http://{host}:{port}"
    if fd is not None:
        # uvicorn closes the socket it is given on shutdown; hand it a duplicate so the inherited
        # descriptor stays open (and listening) across a restart.
        os.set_inheritable(fd, True)
        sockets = [socket.socket(fileno=os.dup(fd))]
        address = "http://{}:{}".format(*sockets[0].getsockname()[:2])
    log_level = "info" if access_log else "warning"  # uvicorn logs each request at info
    server = _Server(
        uvicorn.Config(
            in_flight or app, host=host, port=port, log_level=log_level, access_log=access_log, lifespan="off"
        ),
        ready_file,
        in_flight,
    )
    signal.signal(signal.SIGHUP, server.request_restart)
    print(banner(address, config), flush=True)
    server.run(sockets=sockets)
    if server.restart_requested:
        os.execv(sys.executable, sys.orig_argv)  # noqa: S606 - the restart is this very command again
