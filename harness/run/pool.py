"""Running workspaces provisioned ahead of the checks that need one.

On a real deployment a workspace takes tens of seconds to become ready. A check that needs "a
running workspace, any" (``make.running_workspace(pooled=True)``) would wait that long each time;
the pool creates them when the phase starts, all at once, so the waits overlap with each other and
with the checks before. (A check that needs a workspace created at its own moment, say to see that
ids are never reused after a delete, does not ask for a pooled one.) Each check's
``@pytest.mark.running_workspaces(n)`` sizes the pool, never above ``--max-workspaces``.

The processes of a phase share one pool through a folder: the first process to start fills it,
one file per workspace, while the others wait for it to finish (a moment: creates only, no
provisioning wait), and a check claims one by renaming its file (atomic: no two checks ever
get the same workspace). A claimed workspace belongs to the check: it goes into the check's
registry, is removed when the check ends, and the check may change its state. The pool only
creates: a create the target refuses just leaves the pool short, and the checks then create their
own, where the refusal is reported against the check. What no check claimed is removed by the
runner once the phase is over (``leftovers``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from harness.client import LOG
from harness.registry import Registry

if TYPE_CHECKING:
    from harness.factory import Factory

__all__ = ["WorkspacePool", "leftovers"]

READY, CLAIMED, FILLING, FILLED = "ready", "claimed", "filling", "filled"


class WorkspacePool:
    """The phase's pool, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        for name in (READY, CLAIMED):
            (folder / name).mkdir(parents=True, exist_ok=True)

    def fill(self, maker: Factory, count: int, wait: float = 60.0) -> str | None:
        """Create ``count`` workspaces, or wait (at most ``wait`` seconds) while another process of the phase
        does; why the pool stopped short, if it did."""
        try:
            os.close(os.open(self.folder / FILLING, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            deadline = time.monotonic() + wait
            while not (self.folder / FILLED).exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            return None
        try:
            return self.create(maker, count)
        finally:
            (self.folder / FILLED).touch()

    def create(self, maker: Factory, count: int) -> str | None:
        with LOG.aside():  # the pool's creates belong to no check
            for number in range(count):
                try:
                    workspace_id = maker.workspace()["id"]
                except Exception as refusal:  # whatever it was, the checks meet it again and report it there
                    return f"the workspace pool stopped at {number} of {count}: {type(refusal).__name__}"
                (self.folder / READY / f"{number:04d}-{workspace_id}").touch()
                maker.forget("workspace", workspace_id)  # the pool owns it now, then the check that claims it
        return None

    def take(self, registry: Registry) -> str | None:
        """The oldest unclaimed workspace's id, now in ``registry``; None when none is left."""
        for name in sorted(os.listdir(self.folder / READY)):
            try:
                os.rename(self.folder / READY / name, self.folder / CLAIMED / name)
            except FileNotFoundError:  # another check claimed it first
                continue
            workspace_id = name.split("-", 1)[1]
            registry.add("workspace", workspace_id)
            return workspace_id
        return None


def leftovers(folder: Path) -> list[str]:
    """The ids of the workspaces no check claimed, once the phase is over."""
    ready = folder / READY
    return [name.split("-", 1)[1] for name in sorted(os.listdir(ready))] if ready.is_dir() else []
