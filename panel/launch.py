"""Start a panel server on a free loopback port, restart it in place, stop it.

Each panel server (panel/<name>/) was written from the two source documents alone, by another hand
(panel/README.md). They share one interface, from their brief: ``./build.sh`` prepares, and
``./serve.sh --host 127.0.0.1 --port PORT --data DIR --provision-delay S`` serves in the foreground,
keeping all state under DIR, and stops on SIGTERM. A restart is SIGTERM and the same command again,
which is what ``restart_command`` runs (``python -m panel.launch restart STATE``) for the durability
check. ``python -m panel.launch serve NAME`` serves one by hand until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

PANEL = Path(__file__).resolve().parent
SERVERS = ("node", "flask", "java")  # Node.js stdlib, Python Flask, Java JDK HttpServer
KEYS = {
    "STRONGLY_API_KEY": "strongly-dev-admin",
    "STRONGLY_READONLY_API_KEY": "strongly-dev-reader",
    "STRONGLY_OTHER_API_KEY": "strongly-dev-other",
}
STARTUP = 60.0  # seconds for a server to answer after it is started (the JVM, a cold venv)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/api/v1/projects", headers={"X-API-Key": KEYS["STRONGLY_API_KEY"]},
                         timeout=2).status_code == 200  # fmt: skip
    except httpx.HTTPError:
        return False


def spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start the server in its own session (so that a restart from another process can end it), logging to ``log``."""
    with log.open("ab") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_serving(base_url: str, pid: int, timeout: float = STARTUP) -> None:
    deadline = time.monotonic() + timeout
    while not answers(base_url):
        if time.monotonic() > deadline or not alive(pid):
            raise RuntimeError(f"the panel server at {base_url} did not start (pid {pid})")
        time.sleep(0.2)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def end(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM the server's session, then SIGKILL what is left after ``timeout`` seconds."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.05)


class PanelServer:
    """One panel server (or a copy of one, e.g. with a planted violation) serving on a free loopback port."""

    def __init__(self, name: str, *, source: Path | None = None, provision_delay: float = 0.5) -> None:
        self.name = name
        self.source = source or PANEL / name
        self.provision_delay = provision_delay
        self._workdir = tempfile.TemporaryDirectory(prefix=f"strongly-panel-{name}-")
        self.workdir = Path(self._workdir.name)
        self.state = self.workdir / "state.json"
        self.log = self.workdir / "server.log"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._first: subprocess.Popen[bytes] | None = None  # reaped on stop; a restart's server is not our child

    def command(self) -> list[str]:
        return [str(self.source / "serve.sh"), "--host", "127.0.0.1", "--port", str(self.port),
                "--data", str(self.workdir / "data"), "--provision-delay", str(self.provision_delay)]  # fmt: skip

    @property
    def restart_command(self) -> str:
        """A shell command that restarts the server in place: SIGTERM, the same command, until it answers."""
        return f"{shlex.quote(sys.executable)} -m panel.launch restart {shlex.quote(str(self.state))}"

    def environment(self) -> dict[str, str]:
        """What a contract run against it needs: the target, the three keys, the restart command."""
        return {**KEYS, "STRONGLY_BASE_URL": self.base_url, "STRONGLY_RESTART_COMMAND": self.restart_command}

    def start(self) -> PanelServer:
        build(self.source)
        command = self.command()
        self._first = spawn(command, self.log)
        pid = self._first.pid
        self.state.write_text(json.dumps({"command": command, "pid": pid, "base_url": self.base_url,
                                          "log": str(self.log)}))  # fmt: skip
        try:
            wait_until_serving(self.base_url, pid)
        except RuntimeError:
            self.stop()
            raise RuntimeError(f"{self.name} did not start; its log ends: {self.log_tail()}") from None
        return self

    def stop(self) -> None:
        if self.state.exists():
            end(json.loads(self.state.read_text())["pid"])
        if self._first is not None:
            end(self._first.pid)
            self._first.wait(timeout=10)

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def __enter__(self) -> PanelServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
        self._workdir.cleanup()


def build(source: Path) -> None:
    """Run the server's ./build.sh (idempotent, and quick once done: it compiles or installs what changed)."""
    done = subprocess.run([str(source / "build.sh")], cwd=source, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{source.name}/build.sh failed: {done.stdout[-1000:]}{done.stderr[-1000:]}")


def copy_of(name: str, into: Path) -> Path:
    """A copy of a panel server's source (without what its build made), to plant a violation in."""
    target = into / name
    shutil.copytree(PANEL / name, target, ignore=shutil.ignore_patterns(".venv", "build", "__pycache__"))
    return target


def restart(state_file: Path) -> None:
    """What ``restart_command`` runs: end the server, start it again with the same command, wait until it answers."""
    state = json.loads(state_file.read_text())
    end(state["pid"])
    pid = spawn(state["command"], Path(state["log"])).pid  # outlives this process: its session is its own
    state_file.write_text(json.dumps({**state, "pid": pid}))
    wait_until_serving(state["base_url"], pid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m panel.launch", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve one panel server until Ctrl-C, printing how to test it")
    serve.add_argument("name", choices=SERVERS)
    serve.add_argument("--provision-delay", type=float, default=0.5)
    again = commands.add_parser("restart", help="restart a served panel server in place")
    again.add_argument("state", type=Path)
    args = parser.parse_args(argv)
    if args.command == "restart":
        restart(args.state)
        return 0
    with PanelServer(args.name, provision_delay=args.provision_delay) as server:
        print(" ".join(f"{key}={shlex.quote(value)}" for key, value in server.environment().items()), flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
