"""A swarm's worker (harness/conformance/swarm.py): a pytest process that takes the phase's checks one at a
time from a queue every worker of the phase shares, until none is left or the runner retires it.

Every worker collects the same checks in the same order (phases.queued), so a check is known by its index;
taking it is creating the file of that index in the phase's claims folder, which only one process can do
(``O_EXCL``). A worker takes the next check before it runs the current one, as pytest-xdist's workers do: pytest
needs the next check to know which fixtures to keep. Workers can therefore start at any time, and stop
after any check, without a controller handing checks out; the runner only decides how many run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # the runner imports this module, and needs no pytest of its own
    import pytest

HOOKIMPL = pluggy.HookimplMarker("pytest")  # pytest.hookimpl, without importing pytest


class Claims:
    """The phase's shared queue, as this worker sees it: indexes below ``next`` are taken (by whoever)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.next = 0

    def take(self, count: int) -> int | None:
        """The lowest index below ``count`` no worker has taken, now this one's; None when all are taken."""
        while self.next < count:
            index, self.next = self.next, self.next + 1
            try:
                os.close(os.open(self.folder / f"{index:05d}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                continue
            return index
        return None


def taken(folder: Path) -> int:
    """How many of the phase's checks the workers have taken so far."""
    return len(os.listdir(folder)) if folder.is_dir() else 0


class QueueWorker:
    """Replaces pytest's run loop in a swarm's worker: take, run, until the queue is empty or retired."""

    def __init__(self, claims: Claims, retired: Path) -> None:
        self.claims = claims
        self.retired = retired

    def take(self, items: list[pytest.Item]) -> int | None:
        return None if self.retired.exists() else self.claims.take(len(items))

    @HOOKIMPL(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            raise session.Interrupted(f"{session.testsfailed} error(s) during collection")
        if session.config.option.collectonly:
            return True
        items = session.items
        current = self.take(items)
        while current is not None:
            following = self.take(items)
            nextitem = items[following] if following is not None else None
            items[current].config.hook.pytest_runtest_protocol(item=items[current], nextitem=nextitem)
            if session.shouldfail:
                raise session.Failed(session.shouldfail)
            if session.shouldstop:
                raise session.Interrupted(session.shouldstop)
            current = following
        return True
