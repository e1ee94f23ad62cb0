"""The embedded default target: the reference server as a child process on a free loopback port.

``target_for`` is what both suites call: the run's configuration as given, or pointed at a fresh
embedded server (with the run's planted faults) when it names no target.

The parent binds the listening socket (127.0.0.1, port 0) and hands it to the child, so there is
no race for the port and a restart keeps the address. The child writes a fresh boot token to a
ready file once it serves; ``restart_command`` sends SIGHUP and waits for the token to change,
which is what the durability check runs between writing and reading back.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from harness.errors import InternalError
from harness.run import RunConfig

EMBEDDED_PROVISION_DELAY = 0.3  # seconds from pending to running: real enough, and quick
EMBEDDED_PROVISION_WAIT = 30.0  # the longest wait for ready against it


class EmbeddedServer:
    """Start, restart and stop one reference server; use it as a context manager."""

    def __init__(
        self,
        *,
        provision_delay: float = 0.3,
        latency_ms: float = 0.0,
        faults: tuple[str, ...] = (),
        db: Path | None = None,
        log: Path | None = None,
        access_log: bool = False,
        startup_timeout: float = 30.0,
    ) -> None:
        self.provision_delay = provision_delay
        self.latency_ms = latency_ms
        self.faults = faults
        self._workdir = tempfile.TemporaryDirectory(prefix="strongly-ref-")
        self.db = db or Path(self._workdir.name) / "reference.db"
        self.ready_file = Path(self._workdir.name) / "ready"
        self.log_path = log
        self.access_log = access_log
        self.startup_timeout = startup_timeout
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "harness", "serve", "--fd", str(self._socket.fileno())]
        args += ["--ready-file", str(self.ready_file), "--db", str(self.db)]
        args += ["--provision-delay", str(self.provision_delay), "--latency", str(self.latency_ms)]
        for name in self.faults:
            args += ["--fault", name]
        return [*args, "--access-log"] if self.access_log else args

    @property
    def restart_command(self) -> str:
        """A shell command that restarts the server in place (a new process on the same socket)."""
        return f"{shlex.quote(sys.executable)} -m harness.run.embedded restart {shlex.quote(str(self.ready_file))}"

    def start(self) -> EmbeddedServer:
        self.ready_file.unlink(missing_ok=True)
        output = subprocess.DEVNULL if self.log_path is None else self.log_path.open("ab")
        try:
            self._process = subprocess.Popen(
                self.command(), pass_fds=(self._socket.fileno(),), stdout=output, stderr=output, start_new_session=True
            )
        finally:
            if output is not subprocess.DEVNULL:
                output.close()  # the child holds its own copy
        wait_for_boot(self.ready_file, None, self.startup_timeout, process=self._process)
        return self

    def restart(self) -> None:
        restart_in_place(self.ready_file, self.startup_timeout)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        self.stop()
        self._socket.close()
        self._workdir.cleanup()

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


@contextmanager
def target_for(config: RunConfig, log: Path) -> Iterator[RunConfig]:
    """The configuration as given, or pointed at a fresh embedded reference server when it names no target."""
    if not config.target.embedded:
        yield config
        return
    with EmbeddedServer(provision_delay=EMBEDDED_PROVISION_DELAY, faults=config.target.faults, log=log) as server:
        target = replace(config.target, base_url=server.base_url, restart_command=server.restart_command)
        limits = replace(config.limits, provision_wait=min(config.limits.provision_wait, EMBEDDED_PROVISION_WAIT))
        yield replace(config, target=target, limits=limits)


def read_boot(ready_file: Path) -> tuple[int, str] | None:
    """The (pid, token) the server wrote when it last started serving, if any."""
    try:
        pid, token = ready_file.read_text().split()
    except (OSError, ValueError):
        return None
    return int(pid), token


def wait_for_boot(
    ready_file: Path, previous: str | None, timeout: float, *, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Wait until a boot token other than ``previous`` is announced, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise InternalError(f"the reference server exited with code {process.returncode} while starting")
        boot = read_boot(ready_file)
        if boot is not None and boot[1] != previous:
            return
        time.sleep(0.02)
    raise InternalError(f"the reference server did not start serving within {timeout:g}s")


def restart_in_place(ready_file: Path, timeout: float = 30.0) -> None:
    boot = read_boot(ready_file)
    if boot is None:
        raise InternalError(f"no running reference server announced in {ready_file}")
    pid, token = boot
    os.kill(pid, signal.SIGHUP)
    wait_for_boot(ready_file, token, timeout)


def _main(argv: list[str]) -> int:
    """``python -m harness.run.embedded restart READY_FILE``: what ``restart_command`` runs."""
    if len(argv) != 2 or argv[0] != "restart":
        print("usage: python -m harness.run.embedded restart READY_FILE", file=sys.stderr)
        return 2
    try:
        restart_in_place(Path(argv[1]))
    except InternalError as exc:
        print(f"restart failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
