"""Helpers the conformance checks share: reading lists, comparing objects, reading quantities.

Lists are read by what the documents show of them (harness/leniency.py): the REST reference shows the
workspaces envelope (``count``, ``limit``, ``offset``, ``workspaces``); the SDK shows paginators and
plain lists, whose envelope keys are ours. So the items are found under the documented key, else
under ours, else as the envelope's one array, and a list the SDK returns whole may come as a plain
array; ``count``, ``limit`` and ``offset`` are read where the target gives them.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from harness.client import ApiClient
from harness.expect import MissingField, UnexpectedAnswer, expect, read_json, require
from harness.factory import Factory, new_id
from harness.leniency import DOCUMENTED_ENVELOPES, DOCUMENTED_QUERY, PLAIN_LISTS
from harness.recommend import recommend

# list operation id -> (path template, the contract's key of its items)
LISTS: dict[str, tuple[str, str]] = {
    "listWorkspaces": ("/api/v1/workspaces", "workspaces"),
    "listProjects": ("/api/v1/projects", "projects"),
    "listVolumes": ("/api/v1/volumes", "volumes"),
    "listSharedVolumes": ("/api/v1/volumes/shared", "volumes"),
    "listProjectWorkspaces": ("/api/v1/projects/{projectId}/workspaces", "workspaces"),
    "listProjectVolumes": ("/api/v1/projects/{projectId}/volumes", "volumes"),
    "listProjectActivity": ("/api/v1/projects/{projectId}/activity", "activities"),
}
# the contract's key of each list's items, the lists of LISTS and the collaborators (not paged, D-30)
ITEMS = {**{operation_id: key for operation_id, (_, key) in LISTS.items()}, "listProjectCollaborators": "collaborators"}
VOLATILE = frozenset({"updatedAt"})
# The documents' timestamps are whole seconds ("2025-01-15T10:30:00Z"): two changes within one second
# may carry the same one, so checks that need a timestamp to move wait this long between changes.
TICK = 1.05
WHOLE_LISTS = frozenset(PLAIN_LISTS) & frozenset(LISTS)
ALL = 100  # one page of this many holds every list a check builds


def documents(operation_id: str, parameter: str) -> bool:
    """Whether the documents give this list the parameter (else it is ours: refusing or ignoring it is fine)."""
    return parameter in DOCUMENTED_QUERY.get(operation_id, ())


def page(api: ApiClient, operation_id: str, project_id: str = "", **params: Any) -> Any:
    """One answer of a list operation: its envelope (or, for a list the SDK returns whole, maybe a plain list)."""
    path, _ = LISTS[operation_id]
    return expect(api.get(path.format(projectId=project_id), **params), operation_id, 200)


def entries(body: Any, operation_id: str) -> list[Any]:
    """The items of one answer of a list: under the documented key, else ours, else the envelope's one array."""
    if isinstance(body, list):
        return body
    key = ITEMS[operation_id]
    if operation_id in DOCUMENTED_ENVELOPES or key in body:
        return body[key]
    arrays = [name for name, value in dict.items(body) if isinstance(value, list)]
    if len(arrays) != 1:
        raise MissingField(body.origin, f"its items (no `{key}`, and {len(arrays)} arrays: {arrays[:5]})")
    return body.read_as(arrays[0], key)


def envelope(body: Any, field: str, *, needed: bool = False) -> int | None:
    """``count``, ``limit`` or ``offset`` of a list answer, where the target gives it as an integer (else None).
    ``needed``: the check cannot go on without it, so a value of another type stops it (read typed); otherwise
    that is the schema's finding alone (GEN-SCHEMA-001, noted once) and the check reads it as not given."""
    if isinstance(body, list) or field not in body:
        return None
    value = body[field] if needed else dict.get(body, field)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_whole(body: Any, operation_id: str) -> bool:
    """The answer is a whole, unpaged list (allowed only where the SDK returns a plain list)."""
    return operation_id in WHOLE_LISTS and (isinstance(body, list) or "limit" not in body)


def items(api: ApiClient, operation_id: str, project_id: str = "", **params: Any) -> list[Any]:
    return entries(page(api, operation_id, project_id, **params), operation_id)


def every(api: ApiClient, operation_id: str, project_id: str = "", **params: Any) -> list[Any]:
    """Every item of a list with these filters: one page of ``ALL``, paged on only if the target caps pages
    lower and pages with offset; a list the SDK returns whole is asked without paging parameters."""
    if operation_id in WHOLE_LISTS:
        return items(api, operation_id, project_id, **params)
    first = page(api, operation_id, project_id, limit=ALL, **params)
    found = entries(first, operation_id)
    if len(found) < min(ALL, envelope(first, "limit") or ALL):
        return found
    return walk(api, operation_id, project_id, limit=len(found), **params)


def walk(api: ApiClient, operation_id: str, project_id: str = "", *, limit: int, **params: Any) -> list[Any]:
    """Every item of a list, page by page, until a page comes back short (or repeats an item)."""
    found: list[Any] = []
    for _ in range(1000):
        body = page(api, operation_id, project_id, limit=limit, offset=len(found), **params)
        if is_whole(body, operation_id):
            return entries(body, operation_id)
        batch = entries(body, operation_id)
        repeated = set(ids(batch)) & set(ids(found))
        found += batch
        if len(batch) < limit or repeated:
            return found
    require(False, "GEN-LIST-001/ends", f"{operation_id} did not end after 1000 pages of {limit}")
    return found


def collaborators(api: ApiClient, project_id: str) -> list[Any]:
    """The SDK's collaborators(project_id) 'List[ProjectCollaborator]': all of them, in one answer (D-30)."""
    listed = expect(api.get(f"/api/v1/projects/{project_id}/collaborators"), "listProjectCollaborators", 200)
    people = entries(listed, "listProjectCollaborators")
    count = envelope(listed, "count")
    recommend(
        "GEN-LIST-006",
        count in (None, len(people)),
        f"the collaborators of {project_id} count {count} for {len(people)} listed (D-04)",
    )
    return people


def told(answer: Any, key: str, default: Any) -> Any:
    """What an SDK 'Returns dict' answer says of ``key``: it may say nothing, or not be an object at all."""
    return answer.get(key, default) if isinstance(answer, dict) else default


def register_if_created(make: Factory, response: httpx.Response, kind: str) -> None:
    """A create the check expects refused was accepted: record what it made, so that cleanup removes it."""
    if 200 <= response.status_code < 300:
        with contextlib.suppress(UnexpectedAnswer):
            make.registry.add(kind, new_id(read_json(response, f"create {kind}"), kind))


def ids(entries: list[Any]) -> list[str]:
    return [entry["id"] for entry in entries]


def differences(before: dict[str, Any], after: dict[str, Any], *, allowed: set[str] = frozenset()) -> dict[str, Any]:
    """Fields whose values differ (other than the ones allowed to), as {field: (before, after)}: compared as the
    target answered them, so a field a check does not read never stops it."""
    keys = (before.keys() | after.keys()) - set(allowed)
    return {
        key: (dict.get(before, key), dict.get(after, key))
        for key in sorted(keys)
        if dict.get(before, key) != dict.get(after, key)
    }


def changes_exactly(
    api: ApiClient, make: Factory, kind: str, resource_id: str, change: dict[str, Any], assertions: tuple[str, str]
) -> None:
    """A PUT answers, and reads back, with exactly the given fields changed (nested ones merged) (D-18). The read
    back is the first assertion; that the answer agrees with it, the second."""
    assertion, agrees = assertions
    before = make.get(kind, resource_id)
    path = f"/api/v1/{kind}s/{resource_id}"
    response = api.put(path, json=change)
    answered = expect(response, f"update{kind.capitalize()}", 200)
    after = make.get(kind, resource_id)
    merged = {
        key: {**before[key], **value} if isinstance(value, dict) and isinstance(before.get(key), dict) else value
        for key, value in change.items()
    }
    wrong = {key: (dict.get(after, key), merged[key]) for key in change if not same(dict.get(after, key), merged[key])}
    require(not wrong, assertion, f"PUT {path} with {change}: it reads back {wrong} (read, expected)", response)
    others = differences(before, after, allowed={*VOLATILE, *change})
    require(not others, assertion, f"PUT {path} with {change} also changed {others} (before, after)", response)
    if isinstance(answered, dict):  # the SDK's update "Returns Project": what it says must agree with the next read
        disagree = {
            key: pair for key, pair in differences(answered, after, allowed=set(VOLATILE)).items() if key in answered
        }
        said = f"PUT {path} answered {disagree} where the next GET read otherwise (answer, read)"
        require(not disagree, agrees, said, response)


def same(read: Any, given: Any) -> bool:
    """A value reads back as given: equal, or a number given and read as the same number (2 and 2.0)."""
    if isinstance(given, dict) and isinstance(read, dict):
        return all(same(read.get(key), value) for key, value in given.items())
    if isinstance(given, int | float) and isinstance(read, int | float) and not isinstance(read, bool):
        return float(read) == float(given)
    return bool(read == given)


# ------------------------------------------------------------------ orders
def code_point(text: Any) -> Any:
    return text


def case_folded(text: Any) -> Any:
    return text.casefold() if isinstance(text, str) else text


def accents_folded(text: Any) -> Any:
    """A collation that ignores case and accents (what a database's default collation often does)."""
    if not isinstance(text, str):
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


# The orders a reasonable server sorts strings by: the documents name none ("Sort field and direction").
COLLATIONS: dict[str, Callable[[Any], Any]] = {
    "code point": code_point,
    "case-insensitive": case_folded,
    "case- and accent-insensitive": accents_folded,
}


def sorted_by(keys: list[Any], descending: bool) -> str | None:
    """The first collation under which ``keys`` are in order (ties in any order), or None."""
    for name, collate in COLLATIONS.items():
        try:
            if [collate(key) for key in keys] == sorted((collate(key) for key in keys), reverse=descending):
                return name
        except TypeError:  # keys of mixed types: no order holds
            return None
    return None


# ------------------------------------------------------------------ quantities
def cores(quantity: Any) -> float | None:
    """'2', '0.5', '500m' (or a bare number) as cores; None when it is none of these."""
    if isinstance(quantity, int | float) and not isinstance(quantity, bool):
        return float(quantity)
    try:
        return int(quantity[:-1]) / 1000 if str(quantity).endswith("m") else float(quantity)
    except (TypeError, ValueError):
        return None


def gibibytes(quantity: Any) -> float | None:
    """'12.8Gi', '512Mi', '1Ti' as GiB; None when it is not a binary quantity."""
    if not isinstance(quantity, str):
        return None
    for suffix, scale in (("Ki", 1 / 1024**2), ("Mi", 1 / 1024), ("Gi", 1.0), ("Ti", 1024.0)):
        if quantity.endswith(suffix):
            try:
                return float(quantity[: -len(suffix)]) * scale
            except ValueError:
                return None
    return None


def percent(quantity: Any) -> float | None:
    if isinstance(quantity, int | float) and not isinstance(quantity, bool):
        return float(quantity)
    if not isinstance(quantity, str) or not quantity.endswith("%"):
        return None
    try:
        return float(quantity[:-1])
    except ValueError:
        return None


def whole_seconds(stamp: Any) -> datetime | None:
    """An ISO 8601 timestamp at the precision the documents use (whole seconds); None when it is none."""
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(microsecond=0)
