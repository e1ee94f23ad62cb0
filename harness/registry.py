"""Resources the harness created, and their removal in reverse dependency order.

Cleanup stops workspaces, deletes workspaces, then volumes, then projects (up to ``workers`` of one
kind at once, never two kinds); an id that is already gone (404) counts as removed. A delete refused
while a stop is still landing is retried, bounded. Whatever cannot be removed is reported with why,
never silently dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from harness.client import ApiClient
from harness.waiting import Patience

ORDER = ("workspace", "volume", "project")
PATHS = {"workspace": "/api/v1/workspaces", "volume": "/api/v1/volumes", "project": "/api/v1/projects"}
# How long a stop may take to land before a workspace can be deleted; once one never did, later
# waits are short, so a server that refuses every delete does not hold cleanup for minutes.
STOPS = Patience(30.0, short=2.0, misses=1)


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

    def cleanup(self, client: ApiClient, workers: int = 1) -> list[str]:
        """Remove everything recorded; return a line for each resource that could not be removed."""
        problems = []
        for item, problem in remove_in_order(client, list(reversed(self.items())), workers):
            if problem is None:
                self.forget(item.kind, item.id)
            else:
                problems.append(problem)
        return problems


def remove_in_order(client: ApiClient, items: Sequence[Created], workers: int = 1) -> list[tuple[Created, str | None]]:
    """Remove ``items`` kind by kind in dependency order, up to ``workers`` of a kind at once (a stop can take a
    while to land on a real deployment); each item with why it stayed, or ``None`` when it is gone."""
    outcomes = []
    for kind in ORDER:
        group = [item for item in items if item.kind == kind]
        if not group:
            continue
        with ThreadPoolExecutor(max(1, min(workers, len(group)))) as pool:
            outcomes += zip(group, pool.map(lambda item: remove(client, item), group), strict=True)
    return outcomes


def still_there(client: ApiClient, item: Created) -> bool:
    """Whether the resource exists (an unreachable server counts as yes: nothing is assumed gone)."""
    try:
        return client.get(item.path).status_code != 404
    except httpx.HTTPError:
        return True


def remove(client: ApiClient, item: Created) -> str | None:
    """Delete one resource (stopping a workspace first); ``None`` when it is gone, else why it stayed."""
    still = ""
    try:
        if item.kind == "workspace":
            client.post(f"{item.path}/stop")
        response = client.delete(item.path)
        if item.kind == "workspace" and response.status_code == 409:
            wait = STOPS.seconds()
            response, status = delete_once_stopped(client, item, wait)
            STOPS.note(arrived=response.status_code != 409)
            still = f" (still {status!r} {wait:g}s after its stop)"
    except httpx.HTTPError as exc:
        return f"{item.kind} {item.id}: {type(exc).__name__}"
    if response.is_success or response.status_code == 404:
        return None
    return f"{item.kind} {item.id}: delete answered {response.status_code}{still}"


def delete_once_stopped(client: ApiClient, item: Created, stop_wait: float) -> tuple[httpx.Response, Any]:
    """A stop may take a moment to land (a `stopping` phase): retry the delete, bounded, until it does."""
    deadline = time.monotonic() + stop_wait
    delay = 0.1
    while True:
        time.sleep(delay)
        delay = min(delay * 2, 2.0)
        status = workspace_status(client, item)
        if status in ("pending", "running"):  # the stop did not take (or the workspace started again)
            client.post(f"{item.path}/stop")
        response = client.delete(item.path)
        if response.status_code != 409 or time.monotonic() > deadline:
            return response, status


def workspace_status(client: ApiClient, item: Created) -> Any:
    """The workspace's status as it reads now, or ``None`` when the answer does not say (read tolerantly)."""
    response = client.get(item.path)
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("status") if isinstance(body, dict) else None
