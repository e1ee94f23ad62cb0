"""Resources the harness created, and their removal in reverse dependency order.

Cleanup stops workspaces, deletes workspaces, then volumes, then projects; an id that is already
gone (404) counts as removed. Whatever cannot be removed is reported, never silently dropped.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx

from harness.client import ApiClient

ORDER = ("workspace", "volume", "project")
PATHS = {"workspace": "/api/v1/workspaces", "volume": "/api/v1/volumes", "project": "/api/v1/projects"}


@dataclass(frozen=True)
class Created:
    kind: str
    id: str

    @property
    def path(self) -> str:
        return f"{PATHS[self.kind]}/{self.id}"


class Registry:
    """What one scope (a check, or the whole run) created, in creation order."""

    def __init__(self) -> None:
        self._items: list[Created] = []
        self._lock = threading.Lock()

    def add(self, kind: str, resource_id: str) -> None:
        with self._lock:
            self._items.append(Created(kind, resource_id))

    def forget(self, kind: str, resource_id: str) -> None:
        """The check deleted it itself."""
        with self._lock:
            self._items = [item for item in self._items if item != Created(kind, resource_id)]

    def items(self) -> list[Created]:
        with self._lock:
            return list(self._items)

    def cleanup(self, client: ApiClient) -> list[str]:
        """Remove everything recorded; return a line for each resource that could not be removed."""
        problems = []
        items = self.items()
        for kind in ORDER:
            for item in reversed([item for item in items if item.kind == kind]):
                problem = remove(client, item)
                if problem is None:
                    self.forget(item.kind, item.id)
                else:
                    problems.append(problem)
        return problems


def still_there(client: ApiClient, item: Created) -> bool:
    """Whether the resource exists (an unreachable server counts as yes: nothing is assumed gone)."""
    try:
        return client.get(item.path).status_code != 404
    except httpx.HTTPError:
        return True


def remove(client: ApiClient, item: Created) -> str | None:
    """Delete one resource (stopping a workspace first); ``None`` when it is gone."""
    try:
        if item.kind == "workspace":
            client.post(f"{item.path}/stop")
        status = client.delete(item.path).status_code
    except httpx.HTTPError as exc:
        return f"{item.kind} {item.id}: {type(exc).__name__}"
    if status in (204, 404):
        return None
    return f"{item.kind} {item.id}: delete answered {status}"
