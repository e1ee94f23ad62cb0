"""Find, and optionally remove, what harness runs left behind: only names that carry a run prefix.

Names are matched by prefix, never by anything broader, so a sweep cannot touch resources the
harness did not create. ``strongly-harness sweep`` uses it, and so does every run at its end to
enforce the leak budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from harness.answers import ContractViolation, list_items, read_json
from harness.client import ApiClient
from harness.registry import ORDER, Created, remove_in_order

LISTS = {
    "workspace": ("/api/v1/workspaces", "workspaces", "name"),
    "volume": ("/api/v1/volumes", "volumes", "label"),
    "project": ("/api/v1/projects", "projects", "name"),
}
ANY_RUN = "sh-"
PAGE = 100
MAX_PAGES = 1000  # a list that never ends is a finding, not a reason to sweep forever


@dataclass
class SweepReport:
    found: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)  # each with why it stayed
    problems: list[str] = field(default_factory=list)  # lists that could not be read, and why


def find(client: ApiClient, prefix: str, problems: list[str] | None = None) -> list[tuple[Created, str]]:
    """Every workspace, volume and project whose name starts with ``prefix``, in deletion order.

    Lists are read tolerantly: an entry without a readable id or name is skipped, and a page that is
    not the documented envelope ends that list with a line in ``problems``, so one broken list
    neither stops the sweep nor hides what the others hold.
    """
    problems = [] if problems is None else problems
    found = []
    for kind in ORDER:
        path, key, name_field = LISTS[kind]
        offset = 0
        for _ in range(MAX_PAGES):
            try:
                page = read_json(client.get(path, search=prefix, limit=PAGE, offset=offset), f"GET {path}")
                entries = list_items(page, key, f"GET {path}")
            except (ContractViolation, httpx.HTTPError) as finding:
                problems.append(f"could not list {kind}s to sweep: {finding}")
                break
            for entry in entries:
                named = entry.get(name_field) if isinstance(entry, dict) else None
                if isinstance(named, str) and named.startswith(prefix) and isinstance(entry.get("id"), str):
                    found.append((Created(kind, entry["id"]), named))
            offset += len(entries)
            count = page.get("count") if isinstance(page, dict) else None
            if len(entries) < PAGE and not (isinstance(count, int) and offset < count):
                break
    return found


def sweep(client: ApiClient, prefix: str, *, delete: bool, workers: int = 1) -> SweepReport:
    """List (and with ``delete``, remove, up to ``workers`` at once) the resources named with ``prefix``."""
    if not prefix.startswith(ANY_RUN):
        raise ValueError(f"refusing to sweep names that do not start with {ANY_RUN!r}")
    report = SweepReport()
    found = find(client, prefix, report.problems)
    names = {created: name for created, name in found}
    report.found = [f"{created.kind} {created.id} ({name})" for created, name in found]
    if not delete:
        return report
    for created, problem in remove_in_order(client, [created for created, _ in found], workers):
        name = names[created]
        if problem:
            report.remaining.append(f"{problem} ({name})")
        else:
            report.removed.append(f"{created.kind} {created.id} ({name})")
    return report
