"""Waiting for a target to get somewhere: polling with back-off, and a run's patience."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from harness.findings import Rule

T = TypeVar("T")


class TimedOut(AssertionError):
    """What was awaited did not happen in time (a failure of the target, like any assertion)."""

    def __init__(self, message: str, rule: Rule | None = None) -> None:
        super().__init__(message)
        self.rule = rule


def poll_until(read: Callable[[], T], done: Callable[[T], bool], *, timeout: float, what: str, goal: str = "") -> T:
    """Read until ``done`` holds, backing off from 0.05 s to 1 s, failing after ``timeout`` seconds. ``goal``
    says what was awaited without ids ("a workspace becoming running"), so that every timeout of it is one
    root cause."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() + delay > deadline:
            rule = Rule(f"timeout|{goal}", f"{goal} did not happen in time") if goal else None
            raise TimedOut(f"{what}: still not so after {timeout:g}s (last seen: {value!r:.300})", rule)
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


class Patience:
    """How long to wait for a workspace to reach a state; one for a whole run, shared by its factories.

    After workspaces have missed the full wait for a state ``misses`` times in a row, later waits for
    that state are short, so against a server whose workspaces never get there each check that needs
    one fails in seconds rather than minutes apiece; the first that arrives in time brings back the full
    wait. Each state counts apart: workspaces that start in time say nothing about stops that never land.
    """

    def __init__(self, full: float, *, short: float = 5.0, misses: int = 2) -> None:
        self.full = full
        self.short = min(short, full)
        self.misses = misses
        self.missed: dict[str, int] = {}

    def seconds(self, state: str = "") -> float:
        return self.short if self.missed.get(state, 0) >= self.misses else self.full

    def reason(self, state: str = "") -> str:
        """Why the wait is what it is, for the failure message."""
        if self.missed.get(state, 0) < self.misses:
            return ""
        return f" (shortened once {self.misses} waits in a row of {self.full:g}s had ended without it)"

    def note(self, arrived: bool, state: str = "") -> None:
        self.missed[state] = 0 if arrived else self.missed.get(state, 0) + 1
