"""Reading views of a target and judging them against the model's predictions.

A list is walked page by page; the pages must concatenate without gaps or overlaps, each page must
hold what ``limit`` and ``count`` promise, the items must be a set the model accepts (``required``
at least, ``allowed`` at most) and come in the order asked for, equal sort keys in any order. A list
the SDK returns whole (``volumes(project_id) ... List[Volume]``) may come as one unpaged answer, and
a sort the documents do not name may be refused; ``walk`` reports both and the machine judges them
at the run's level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from harness.client import ApiClient
from harness.expect import ContractViolation, expect, read_field

MAX_PAGES = 12  # a walk asks at most this many pages; the limit grows to fit


@dataclass
class Expected:
    """What a list may answer: at least ``required``, at most ``allowed``, ordered by ``key``."""

    required: set[str]
    allowed: set[str]
    key: Callable[[str], Any] | None  # None: the order is not judged (ours to recommend, or not asked for)
    descending: bool
    membership: str  # the requirement a missing or extra item breaks (the filter's, or the sub-list's)
    order: str = "GEN-LIST-004"  # the sort asked for; a default order is GEN-LIST-007's (our choice)
    strangers: dict[str, str] | None = None  # ids known elsewhere (another organization) -> requirement


@dataclass
class Walk:
    ids: list[str]
    items: list[Any]
    counts: list[int]
    pages: list[tuple[int, int, int]]  # (offset, limit, items answered)
    curl: list[str]
    whole: bool = False  # answered unpaged: a plain list, or an envelope without limit (D-30)
    refused: httpx.Response | None = None  # the first page was refused (4xx) and the caller allowed it


def stamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp, or None (its shape is the schema checks' business)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def whole_second(value: Any) -> datetime | None:
    """A timestamp at the documents' precision (D-37: whole seconds), or None."""
    moment = stamp(value)
    return moment.replace(microsecond=0) if moment is not None else None


def walk(
    api: ApiClient,
    path: str,
    operation_id: str,
    envelope: str,
    params: dict[str, Any],
    limit: int | None,
    total_hint: int,
    *,
    whole: bool = False,
    refusable: bool = False,
) -> Walk:
    """Every page of a list: ``limit`` None sends none and follows the limit the answer echoes (D-05).

    ``whole``: the SDK returns this list whole, so an unpaged answer is the whole list in one page.
    ``refusable``: a 4xx to the first page is returned (``refused``) instead of failing the walk.
    """
    if limit is not None and total_hint // limit > MAX_PAGES:
        limit = min(100, total_hint // MAX_PAGES + 1)
    result = Walk([], [], [], [], [])
    offset = 0
    for _ in range(MAX_PAGES + 2):
        query = {**params, "offset": offset, **({"limit": limit} if limit is not None else {})}
        if offset == 0 and limit is None:
            query.pop("offset")
        response = api.get(path, **query)
        if refusable and offset == 0 and 400 <= response.status_code < 500:
            result.refused = response
            return result
        body = expect(response, operation_id, 200)
        origin = f"GET {path}"
        if whole and offset == 0 and (isinstance(body, list) or (isinstance(body, dict) and "limit" not in body)):
            items = body if isinstance(body, list) else read_field(body, envelope, list, origin)
            count = read_field(body, "count", int, origin) if isinstance(body, dict) and "count" in body else len(items)
            result.items, result.counts, result.whole = list(items), [count], True
            result.ids = [read_field(item, "id", str, origin) for item in items]
            result.pages = [(0, max(len(items), 1), len(items))]
            return result
        items = read_field(body, envelope, list, origin)
        count = read_field(body, "count", int, origin)
        applied = limit if limit is not None else read_field(body, "limit", int, origin)
        result.items += list(items)
        result.ids += [read_field(item, "id", str, origin) for item in items]
        result.counts.append(count)
        result.pages.append((offset, applied, len(items)))
        if len(items) < applied or len(set(result.ids)) < len(result.ids):
            return result  # a short page ends the list; a repeat would never end it
        offset += applied
    return result


def judge(label: str, seen: Walk, expected: Expected) -> None:
    """Raise a finding for the first way the walked list departs from what the model accepts."""
    where = f"{label} (pages {', '.join(f'offset {o} limit {n}: {k}' for o, n, k in seen.pages)})"
    repeated = sorted({i for i in seen.ids if seen.ids.count(i) > 1})
    if repeated:
        raise ContractViolation("GEN-LIST-001", f"{where} listed {repeated[:3]} on more than one page")
    if len(set(seen.counts)) > 1:
        raise ContractViolation("GEN-LIST-003", f"{where} answered count {seen.counts} on pages of one list")
    got = set(seen.ids)
    # every item the model expects is there: a page short of what count promises means the count is wrong
    complete = expected.required <= got <= expected.allowed and not set(expected.strangers or {}) & got
    for offset, limit, answered in seen.pages:
        should = max(0, min(limit, seen.counts[0] - offset))
        if answered != should:
            requirement = "GEN-LIST-002" if answered > should else "GEN-LIST-003" if complete else "GEN-LIST-001"
            raise ContractViolation(
                requirement,
                f"{where}: the page at offset {offset} held {answered} items, "
                f"count {seen.counts[0]} and limit {limit} promise {should}",
            )
    strangers = expected.strangers or {}
    foreign = sorted(got & set(strangers))
    if foreign:
        raise ContractViolation(strangers[foreign[0]], f"{where} listed {foreign[:3]}, which belong elsewhere")
    missing, extra = sorted(expected.required - got), sorted(got - expected.allowed)
    if missing or extra:
        raise ContractViolation(
            expected.membership,
            f"{where} left out {missing[:3]} and listed {extra[:3]} "
            f"({len(got)} listed, the model expects {len(expected.required)}"
            f"..{len(expected.allowed)})",
        )
    if seen.counts and seen.counts[0] != len(seen.ids):
        raise ContractViolation("GEN-LIST-003", f"{where} answered count {seen.counts[0]} for {len(seen.ids)} items")
    if expected.key is not None:
        keys = [expected.key(i) for i in seen.ids]
        for index in range(1, len(keys)):
            before, after = keys[index - 1], keys[index]
            if before is None or after is None:
                continue
            if (after > before) if expected.descending else (after < before):
                raise ContractViolation(
                    expected.order,
                    f"{where}: {seen.ids[index - 1]} ({before!r}) comes before {seen.ids[index]} ({after!r})",
                )


def within(value: Any, bounds: tuple[float, float]) -> bool:
    """A number the model accepts: between its least and most, to a float's precision."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return bounds[0] - 1e-6 <= value <= bounds[1] + 1e-6
