"""Find, and optionally remove, what harness runs left behind: only names that carry a run prefix.

Names are matched by prefix, never by anything broader, so a sweep cannot touch resources the
harness did not create. ``strongly-harness sweep`` uses it, and so does every run at its end to
enforce the leak budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.client import ApiClient
from harness.expect import expect
from harness.registry import ORDER, Created, remove

LISTS = {
    "workspace": ("/api/v1/workspaces", "listWorkspaces", "workspaces", "name"),
    "volume": ("/api/v1/volumes", "listVolumes", "volumes", "label"),
    "project": ("/api/v1/projects", "listProjects", "projects", "name"),
}
ANY_RUN = "sh-"


@dataclass
class SweepReport:
    found: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)


def find(client: ApiClient, prefix: str) -> list[tuple[Created, str]]:
    """Every workspace, volume and project whose name starts with ``prefix``, in deletion order."""
    found = []
    for kind in ORDER:
        path, operation_id, key, name_field = LISTS[kind]
        offset = 0
        while True:
            page = expect(client.get(path, search=prefix, limit=100, offset=offset), operation_id, 200)
            items: list[dict[str, Any]] = page[key]
            found += [
                (Created(kind, item["id"]), item[name_field]) for item in items if item[name_field].startswith(prefix)
            ]
            offset += len(items)
            if not items or offset >= page["count"]:
                break
    return found


def sweep(client: ApiClient, prefix: str, *, delete: bool) -> SweepReport:
    """List (and with ``delete``, remove) the resources named with ``prefix``."""
    if not prefix.startswith(ANY_RUN):
        raise ValueError(f"refusing to sweep names that do not start with {ANY_RUN!r}")
    report = SweepReport()
    for created, name in find(client, prefix):
        line = f"{created.kind} {created.id} ({name})"
        report.found.append(line)
        if not delete:
            continue
        problem = remove(client, created)
        (report.remaining if problem else report.removed).append(problem or line)
    return report
