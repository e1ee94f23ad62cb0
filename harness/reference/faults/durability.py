"""Planted faults of durability: data lost on a restart or under concurrent writes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.faults.machinery import (
    PROJECT,
    Wrapper,
    fault,
    matches,
    middleware,
)
from harness.reference.store import Store

if TYPE_CHECKING:
    from harness.reference.app import Reference


@fault("lost-on-restart", area="durability", catches=("DUR-001",))
def lost_on_restart(ref: Reference) -> None:
    """Data is kept in memory only, whatever --db says: a restart loses everything."""
    memory = Store(":memory:")
    for part in (ref.backend, ref.workspaces, ref.projects, ref.volumes):
        part.override("store", lambda _: memory)


@fault("lost-concurrent-writes", area="durability", catches=("DUR-002",))
def lost_concurrent_writes(ref: Reference) -> Wrapper:
    """Collaborators are saved read-modify-write: concurrent adds overwrite each other."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, "POST", rf"{PROJECT}/collaborators"):
            await app(scope, receive, send)
            return
        project_id = scope["path"].split("/")[4]
        store = ref.backend.store
        before = [tuple(row) for row in store.all("SELECT * FROM collaborators WHERE project_id = ?", project_id)]
        await asyncio.sleep(0.02)  # the gap in which a concurrent add lands, and is then overwritten
        await app(scope, receive, send)
        mine = store.all("SELECT * FROM collaborators WHERE project_id = ? ORDER BY seq DESC LIMIT 1", project_id)
        with store.transaction() as db:
            db.execute("DELETE FROM collaborators WHERE project_id = ?", (project_id,))
            for row in [*before, *(tuple(row) for row in mine if tuple(row) not in before)]:
                db.execute("INSERT INTO collaborators VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)

    return middleware(handle)
