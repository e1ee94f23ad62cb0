"""SQLite storage of the reference server, and the clock and id sources it writes with.

All requests are served on the event loop thread and never await while they touch the store, so
each request's reads and writes are one atomic step; WAL keeps readers of the file unblocked.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT,
    visibility TEXT NOT NULL,
    tags TEXT NOT NULL,
    owner TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS projects_org ON projects (org_id, created_at);

CREATE TABLE IF NOT EXISTS workspaces (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    project_id TEXT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    environment_type TEXT NOT NULL,
    image TEXT NOT NULL,
    resources TEXT NOT NULL,
    owner TEXT NOT NULL,
    scheduled_at TEXT,
    ready_at TEXT,
    stopped_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS workspaces_org ON workspaces (org_id, created_at);
CREATE INDEX IF NOT EXISTS workspaces_project ON workspaces (project_id);
CREATE INDEX IF NOT EXISTS workspaces_due ON workspaces (status, ready_at);

CREATE TABLE IF NOT EXISTS volumes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    label TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    type TEXT NOT NULL,
    volume_type TEXT NOT NULL,
    size_gb REAL NOT NULL,
    mount_path TEXT NOT NULL,
    is_shared INTEGER NOT NULL,
    shared_with TEXT NOT NULL,
    owner TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS volumes_org ON volumes (org_id, created_at);
CREATE INDEX IF NOT EXISTS volumes_project ON volumes (project_id);

CREATE TABLE IF NOT EXISTS collaborators (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    is_owner INTEGER NOT NULL,
    granted_at TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    UNIQUE (project_id, user_id)
);

CREATE TABLE IF NOT EXISTS activity (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    action TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS activity_project ON activity (project_id, seq);

CREATE TABLE IF NOT EXISTS logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT NOT NULL,
    log_type TEXT NOT NULL,
    line TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_workspace ON logs (workspace_id, log_type, seq);
"""


def iso(moment: float) -> str:
    """A fixed-width RFC 3339 UTC timestamp, so that string order is time order."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Clock:
    """Wall-clock time that never repeats or goes back, so every change moves updatedAt (D-37)."""

    def __init__(self) -> None:
        self._last = 0.0

    def now(self) -> float:
        moment = max(time.time(), self._last + 1e-6)
        self._last = moment
        return moment


def new_id(prefix: str) -> str:
    """A random id with the REST reference's prefix (D-03); random ids are never reused (D-38)."""
    return f"{prefix}_{secrets.token_hex(8)}"


def casefold_contains(term: str, *texts: str | None) -> bool:
    """Case-insensitive substring match with Unicode case folding (D-22)."""
    needle = term.casefold()
    return any(text is not None and needle in text.casefold() for text in texts)


class Store:
    """One SQLite connection (file or ``:memory:``) with the schema and JSON column helpers."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.create_function("matches", -1, _sql_matches, deterministic=True)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Group the writes of one request; nothing is half-applied when a rule refuses midway."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def one(self, sql: str, *params: Any) -> sqlite3.Row | None:
        return self.db.execute(sql, params).fetchone()

    def all(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        return self.db.execute(sql, params).fetchall()

    def scalar(self, sql: str, *params: Any) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row is not None else None

    def close(self) -> None:
        self.db.close()


def _sql_matches(term: str, *texts: str | None) -> int:
    return int(casefold_contains(term, *texts))


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Any:
    return json.loads(text)
