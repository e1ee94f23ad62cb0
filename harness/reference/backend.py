"""What the three resource services share: storage, clock, rules, activity feed and lookups."""

from __future__ import annotations

from typing import Any

from harness.reference.errors import not_found
from harness.reference.keys import Principal
from harness.reference.rules import Rules
from harness.reference.seams import Seams
from harness.reference.store import Clock, Store, iso, loads, new_id
from harness.reference.validation import ListQuery


class Backend(Seams):
    # what a planted fault may replace (harness/reference/seams.py)
    SEAMS = frozenset({"new_id", "record", "project_volume_ids", "store"})

    def __init__(self, store: Store, *, provision_delay: float) -> None:
        self.store = store
        self.rules = Rules()
        self.clock = Clock()
        self.provision_delay = provision_delay

    def now(self) -> str:
        return iso(self.clock.now())

    def new_id(self, prefix: str) -> str:
        return new_id(prefix)

    def record(self, project_id: str | None, action: str, actor: Principal, target_type: str, target_id: str) -> None:
        """Add one event to a project's activity feed (D-29); resources outside a project have none."""
        if project_id is None:
            return
        self.store.db.execute(
            "INSERT INTO activity (id, project_id, action, actor_id, target_type, target_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self.new_id("evt"), project_id, action, actor.user_id, target_type, target_id, self.now()),
        )

    def project_row(self, principal: Principal, project_id: str) -> dict[str, Any]:
        """The caller's organization's project, or 404 (D-20)."""
        row = self.store.one(
            "SELECT * FROM projects WHERE id = ? AND org_id = ?", project_id, principal.organization_id
        )
        if row is None:
            raise not_found("project", project_id)
        return dict(row)

    def project_volume_ids(self, project_id: str | None) -> list[str]:
        """The volumes a project holds, oldest first: what its workspaces mount (D-13, D-34)."""
        if project_id is None:
            return []
        rows = self.store.all("SELECT id FROM volumes WHERE project_id = ? ORDER BY seq", project_id)
        return [row["id"] for row in rows]

    def page(
        self, table: str, where: list[str], params: list[Any], query: ListQuery, columns: dict[str, str]
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of ``table`` (its rows and the total count) for a list query."""
        clause = " AND ".join(where)
        count = self.store.scalar(f"SELECT COUNT(*) FROM {table} WHERE {clause}", *params)
        rows = self.store.all(
            f"SELECT * FROM {table} WHERE {clause} {order_by(query, columns)} LIMIT ? OFFSET ?",
            *params,
            query.limit,
            query.offset,
        )
        return [dict(row) for row in rows], count


def owner_of(row: dict[str, Any]) -> dict[str, str]:
    return loads(row["owner"])


def order_by(query: ListQuery, columns: dict[str, str]) -> str:
    """ORDER BY for a sort field, ties broken by creation order in the same direction (D-12)."""
    direction = "DESC" if query.descending else "ASC"
    return f"ORDER BY {columns[query.sort_field]} {direction}, seq {direction}"
