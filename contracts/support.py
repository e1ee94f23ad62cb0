"""Helpers the conformance checks share: walking lists, comparing objects, reading quantities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from harness.client import ApiClient
from harness.expect import expect
from harness.factory import Factory

# list operation id -> (path template, key of the items in its envelope)
LISTS: dict[str, tuple[str, str]] = {
    "listWorkspaces": ("/api/v1/workspaces", "workspaces"),
    "listProjects": ("/api/v1/projects", "projects"),
    "listVolumes": ("/api/v1/volumes", "volumes"),
    "listSharedVolumes": ("/api/v1/volumes/shared", "volumes"),
    "listProjectWorkspaces": ("/api/v1/projects/{projectId}/workspaces", "workspaces"),
    "listProjectVolumes": ("/api/v1/projects/{projectId}/volumes", "volumes"),
    "listProjectActivity": ("/api/v1/projects/{projectId}/activity", "activities"),
}
VOLATILE = frozenset({"updatedAt"})
# The documents' timestamps are whole seconds ("2025-01-15T10:30:00Z"): two changes within one second
# may carry the same one, so checks that need a timestamp to move wait this long between changes.
TICK = 1.05


# Lists the SDK returns whole ("volumes(project_id) ... List[Volume]"): a plain list, or an envelope
# without limit and offset, is an alternative to paging them (D-30; paging is recommended, GEN-LIST-006).
WHOLE_LISTS = frozenset({"listProjectVolumes"})


def page(api: ApiClient, operation_id: str, project_id: str = "", **params: Any) -> Any:
    """One answer of a list operation: its envelope (or, for a list the SDK returns whole, maybe a plain list)."""
    path, _ = LISTS[operation_id]
    return expect(api.get(path.format(projectId=project_id), **params), operation_id, 200)


def entries(body: Any, operation_id: str) -> list[dict[str, Any]]:
    return body if isinstance(body, list) else body[LISTS[operation_id][1]]


def is_whole(body: Any, operation_id: str) -> bool:
    """The answer is a whole, unpaged list (allowed only where the SDK returns a plain list)."""
    return operation_id in WHOLE_LISTS and (isinstance(body, list) or "limit" not in body)


def items(api: ApiClient, operation_id: str, project_id: str = "", **params: Any) -> list[dict[str, Any]]:
    return entries(page(api, operation_id, project_id, **params), operation_id)


def walk(api: ApiClient, operation_id: str, project_id: str = "", *, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, page by page, until a page comes back short (or repeats an item)."""
    found: list[dict[str, Any]] = []
    for _ in range(1000):
        body = page(api, operation_id, project_id, limit=limit, offset=len(found), **params)
        if is_whole(body, operation_id):
            return entries(body, operation_id)
        batch = entries(body, operation_id)
        repeated = set(ids(batch)) & set(ids(found))
        found += batch
        if len(batch) < limit or repeated:
            return found
    raise AssertionError(f"{operation_id} did not end after 1000 pages of {limit}")


def ids(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["id"] for entry in entries]


def differences(before: dict[str, Any], after: dict[str, Any], *, allowed: set[str] = frozenset()) -> dict[str, Any]:
    """Fields whose values differ (other than the ones allowed to), as {field: (before, after)}."""
    keys = (before.keys() | after.keys()) - set(allowed)
    return {key: (before.get(key), after.get(key)) for key in sorted(keys) if before.get(key) != after.get(key)}


def changes_exactly(api: ApiClient, make: Factory, kind: str, resource_id: str, change: dict[str, Any]) -> None:
    """A PUT answers, and reads back, with exactly the given fields changed (nested ones merged) (D-18)."""
    before = make.get(kind, resource_id)
    answered = expect(api.put(f"/api/v1/{kind}s/{resource_id}", json=change), f"update{kind.capitalize()}", 200)
    after = make.get(kind, resource_id)
    assert differences(answered, after) == {}, "the answer and the next GET disagree"
    merged = {key: {**before[key], **value} if isinstance(value, dict) else value for key, value in change.items()}
    assert differences(before, after, allowed={"updatedAt"}) == {key: (before[key], merged[key]) for key in change}


def cores(quantity: str | float) -> float:
    """'2', '0.5', '500m' (or a bare number) as cores."""
    if isinstance(quantity, int | float):
        return float(quantity)
    assert isinstance(quantity, str), f"{quantity!r} is not a quantity"
    return int(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def gibibytes(quantity: str) -> float:
    """'12.8Gi', '512Mi', '1Ti' as GiB."""
    assert isinstance(quantity, str), f"{quantity!r} is not a binary quantity"
    for suffix, scale in (("Ki", 1 / 1024**2), ("Mi", 1 / 1024), ("Gi", 1.0), ("Ti", 1024.0)):
        if quantity.endswith(suffix):
            return float(quantity[: -len(suffix)]) * scale
    raise AssertionError(f"{quantity!r} is not a binary quantity")


def percent(quantity: str | float) -> float:
    if isinstance(quantity, int | float):
        return float(quantity)
    assert isinstance(quantity, str), f"{quantity!r} is not a percentage"
    assert quantity.endswith("%"), f"{quantity!r} is not a percentage"
    return float(quantity[:-1])


def whole_seconds(stamp: str) -> datetime:
    """An ISO 8601 timestamp at the precision the documents use (whole seconds)."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise AssertionError(f"{stamp!r} is not an ISO 8601 timestamp") from None
    return moment.replace(microsecond=0)
