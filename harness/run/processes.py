"""Running the harness's child processes: bounded in time, and ended in order on Ctrl-C or SIGTERM.

Children start in their own session, so a Ctrl-C at the terminal reaches only us; we pass exactly
one SIGINT (or SIGTERM) on, which lets them clean up and write their results, and a second signal
to us can never cut that short.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

GRACE = 60.0
TICK = 0.5  # seconds between calls of a progress display
FOLLOWERS_GRACE = 5.0  # once the leader is done, its followers have nothing left to contribute
TIMED_OUT = -1
INTERRUPTED = -2


def supervise(
    commands: list[list[str]], *, cwd: Path, timeout: float, quiet: bool = False, env: Mapping[str, str] | None = None
) -> int:
    """Run the commands together; the first one leads (its exit code is returned), the rest follow it."""
    output = subprocess.DEVNULL if quiet else None
    return watch([start(command, cwd=cwd, env=env, output=output) for command in commands], timeout=timeout)


def start(
    command: list[str], *, cwd: Path, env: Mapping[str, str] | None = None, output: IO[bytes] | int | None = None
) -> subprocess.Popen[bytes]:
    """A child in its own session: a Ctrl-C at the terminal reaches only us, and we pass it on."""
    return subprocess.Popen(command, env=None if env is None else dict(env), cwd=cwd, stdout=output, stderr=output,
                            start_new_session=True)  # fmt: skip


def forwarding_to(children: Callable[[], list[subprocess.Popen[bytes]]]) -> Callable[[int, object], None]:
    """A signal handler that passes the signal on to each child still running, to its group: its own workers
    end in order too."""

    def forward(signum: int, frame: object) -> None:
        for child in children():
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signum)

    return forward


def watch(
    children: list[subprocess.Popen[bytes]],
    *,
    timeout: float,
    tick: Callable[[], None] | None = None,
    keep_followers: bool = False,
) -> int:
    """Wait for the first child, the leader; signals reach them all, and ``tick`` is called twice a second
    (a progress display). Once the leader is done its followers are ended too, unless ``keep_followers``
    (they have more to do, and are watched again later); after a signal or a timeout they always are."""
    leader = children[0]
    forward = forwarding_to(lambda: children)
    previous = signal.signal(signal.SIGTERM, forward)
    try:
        code = wait(leader, timeout, tick)
    except KeyboardInterrupt:
        forward(signal.SIGINT, None)
        leader.wait(timeout=GRACE)
        code = INTERRUPTED
    except subprocess.TimeoutExpired:
        for child in children:
            child.terminate()
        code = TIMED_OUT
    finally:
        signal.signal(signal.SIGTERM, previous)
    ending = [leader] if keep_followers and code not in (INTERRUPTED, TIMED_OUT) else children
    for child in ending:
        end(child, FOLLOWERS_GRACE if child is not leader else GRACE)
    return code


def watch_group(
    group: Callable[[], list[subprocess.Popen[bytes]]],
    *,
    timeout: float,
    tick: Callable[[], None],
    followers: Sequence[subprocess.Popen[bytes]] = (),
) -> list[int]:
    """Wait until every child of ``group`` has ended (the group may grow meanwhile: ``tick``, called twice a
    second, may start more); their exit codes. Signals reach the group and its followers; after a signal or a
    timeout every one of them is ended and the codes are ``[INTERRUPTED]`` or ``[TIMED_OUT]``, as ``watch`` says."""

    def everyone() -> list[subprocess.Popen[bytes]]:
        return [*group(), *followers]

    forward = forwarding_to(everyone)
    previous = signal.signal(signal.SIGTERM, forward)
    deadline = time.monotonic() + timeout
    try:
        while any(child.poll() is None for child in group()):
            if time.monotonic() >= deadline:
                for child in everyone():
                    child.terminate()
                codes = [TIMED_OUT]
                break
            time.sleep(TICK)
            tick()
        else:
            return [child.returncode for child in group()]
    except KeyboardInterrupt:
        forward(signal.SIGINT, None)
        codes = [INTERRUPTED]
    finally:
        signal.signal(signal.SIGTERM, previous)
    for child in everyone():
        end(child, GRACE)
    return codes


def wait(child: subprocess.Popen[bytes], timeout: float, tick: Callable[[], None] | None) -> int:
    """The child's exit code; ``subprocess.TimeoutExpired`` past ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return child.wait(timeout=min(TICK, max(deadline - time.monotonic(), 0)) if tick else timeout)
        except subprocess.TimeoutExpired:
            if tick is None or time.monotonic() >= deadline:
                raise
            tick()


def stop(child: subprocess.Popen[bytes]) -> None:
    """Ask a child and its group (SIGTERM) to end in order, then make sure it has."""
    if child.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
    end(child, GRACE)


def end(child: subprocess.Popen[bytes], grace: float) -> None:
    """Wait ``grace`` seconds for a child to finish, then terminate it, then kill it."""
    try:
        child.wait(timeout=grace)
        return
    except subprocess.TimeoutExpired:
        child.terminate()
    try:
        child.wait(timeout=GRACE)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
