"""Reading views of a target and judging them against the model's predictions, at the run's level.

A list is walked page by page where the documents give it an offset (the workspaces list, the activity
feed; any list under --strict): the pages must concatenate without gaps or overlaps. Elsewhere it is read
in one page of the largest size (with ``limit`` where the documents give one), and judged as far as that
page shows. Each page must hold what ``limit`` and ``count`` promise (where the documents give them), the
items must be a set the model accepts (``required`` at least, ``allowed`` at most) and come in the order
asked for, equal sort keys in any order and, at the default level, in any reasonable collation of strings.
Items are found under the documented key, else ours, else the envelope's one array (contracts/support.py),
and a list the SDK returns whole may come as a plain array. A rule the documents do not state for a list
is one of our own choices (GEN-LIST-006, GEN-LIST-007): judged only under --strict.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from contracts.support import COLLATIONS, documents, entries, envelope
from harness.client import ApiClient
from harness.expect import ContractViolation, expect, read_field

MAX_PAGES = 12  # a walk asks at most this many pages; the limit grows to fit
LARGEST_PAGE = 100


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
    collations: tuple[str, ...] = ("code point",)  # the orders of strings accepted (COLLATIONS' names)


@dataclass
class Walk:
    operation_id: str
    ids: list[str] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    counts: list[int | None] = field(default_factory=list)
    pages: list[tuple[int, int | None, int]] = field(default_factory=list)  # (offset, limit applied, items)
    whole: bool = False  # answered unpaged: a plain list, or an envelope without limit (D-30)
    complete: bool = True  # every match was seen (not so: one full page of a list that cannot be paged on)
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
    params: dict[str, Any],
    limit: int | None,
    total_hint: int,
    *,
    paged: bool,
    whole: bool = False,
    refusable: bool = False,
) -> Walk:
    """The list's items. ``paged``: walk it page by page with offset (``limit`` None sends none and follows the
    limit the answer echoes, D-05); else read one page of the largest size, with ``limit`` only where the
    documents give the list one (``paged`` is False only where they give it no offset).

    ``whole``: the SDK returns this list whole, so an unpaged answer is the whole list in one page.
    ``refusable``: a 4xx to the first page is returned (``refused``) instead of failing the walk.
    """
    if not paged:
        limit = LARGEST_PAGE if documents(operation_id, "limit") else None
    elif limit is not None and total_hint // limit > MAX_PAGES:
        limit = min(LARGEST_PAGE, total_hint // MAX_PAGES + 1)
    result = Walk(operation_id)
    offset = 0
    for _ in range(MAX_PAGES + 2):
        query = {**params, **({"offset": offset} if paged and offset else {}),
                 **({"limit": limit} if limit is not None else {})}  # fmt: skip
        response = api.get(path, **query)
        if refusable and offset == 0 and 400 <= response.status_code < 500:
            result.refused = response
            return result
        body = expect(response, operation_id, 200)
        origin = f"GET {path}"
        items = entries(body, operation_id)
        count = envelope(body, "count")
        result.items += list(items)
        result.ids += [read_field(item, "id", str, origin) for item in items]
        result.counts.append(count)
        if offset == 0 and (isinstance(body, list) or (whole and envelope(body, "limit") is None)):
            result.whole = True
            result.pages = [(0, None, len(items))]
            return result
        applied = limit if limit is not None else envelope(body, "limit")
        result.pages.append((offset, applied, len(items)))
        if not paged or applied is None:
            result.complete = applied is None or len(items) < applied or count == len(items)
            return result
        if len(items) < applied or len(set(result.ids)) < len(result.ids):
            return result  # a short page ends the list; a repeat would never end it
        offset += applied
    return result


def judge(label: str, seen: Walk, expected: Expected, judges: Callable[[str], bool]) -> None:
    """Raise a finding for the first way the walked list departs from what the model accepts, at the level of
    the requirement each rule belongs to for this list (``judges``: whether the run holds it as a MUST)."""
    operation = seen.operation_id
    paging = "GEN-LIST-001" if documents(operation, "offset") else "GEN-LIST-006"
    counting = "GEN-LIST-003" if operation == "listWorkspaces" else "GEN-LIST-006"
    sizing = "GEN-LIST-002" if documents(operation, "limit") else "GEN-LIST-006"
    where = f"{label} (pages {', '.join(f'offset {o} limit {n}: {k}' for o, n, k in seen.pages)})"
    repeated = sorted({i for i in seen.ids if seen.ids.count(i) > 1})
    if repeated and judges(paging):
        raise ContractViolation(paging, f"{where} listed {repeated[:3]} on more than one page")
    counts = [count for count in seen.counts if count is not None]
    if len(set(counts)) > 1 and judges(counting):
        raise ContractViolation(counting, f"{where} answered count {counts} on pages of one list")
    got = set(seen.ids)
    # every item the model expects is there: a page short of what count promises means the count is wrong
    complete = expected.required <= got <= expected.allowed and not set(expected.strangers or {}) & got
    for (offset, limit, answered), count in zip(seen.pages, seen.counts, strict=False):
        should = limit if count is None else max(0, min(count - offset, limit if limit is not None else count))
        if should is None or answered == should or (count is None and answered < should):
            continue  # without a count, a short page is the list's end
        requirement = sizing if answered > should else counting if complete else paging
        if judges(requirement):
            raise ContractViolation(requirement, f"{where}: the page at offset {offset} held {answered} items; "
                                    f"count {count} and limit {limit} promise {should}")  # fmt: skip
    strangers = expected.strangers or {}
    foreign = sorted(got & set(strangers))
    if foreign:
        raise ContractViolation(strangers[foreign[0]], f"{where} listed {foreign[:3]}, which belong elsewhere")
    missing = sorted(expected.required - got) if seen.complete else []
    extra = sorted(got - expected.allowed)
    if missing or extra:
        raise ContractViolation(
            expected.membership,
            f"{where} left out {missing[:3]} and listed {extra[:3]} "
            f"({len(got)} listed, the model expects {len(expected.required)}"
            f"..{len(expected.allowed)})",
        )
    if counts and seen.complete and counts[0] != len(seen.ids) and judges(counting):
        raise ContractViolation(counting, f"{where} answered count {counts[0]} for {len(seen.ids)} items")
    if expected.key is not None and judges(expected.order):
        keys = [expected.key(i) for i in seen.ids]
        if not any(in_order(keys, expected.descending, COLLATIONS[name]) for name in expected.collations):
            before, after = first_out_of_order(keys, expected.descending, COLLATIONS[expected.collations[0]])
            raise ContractViolation(
                expected.order,
                f"{where}: {seen.ids[before]} ({keys[before]!r}) comes before {seen.ids[after]} ({keys[after]!r})"
                f" in no accepted order ({', '.join(expected.collations)})",
            )


def in_order(keys: list[Any], descending: bool, collate: Callable[[Any], Any]) -> bool:
    """Whether the keys (None: not known, skipped) are in order under ``collate``; equal keys in any order."""
    return first_out_of_order(keys, descending, collate) == (-1, -1)


def first_out_of_order(keys: list[Any], descending: bool, collate: Callable[[Any], Any]) -> tuple[int, int]:
    known = [(index, collate(key)) for index, key in enumerate(keys) if key is not None]
    for (i, before), (j, after) in itertools.pairwise(known):
        try:
            if (after > before) if descending else (after < before):
                return i, j
        except TypeError:
            return i, j
    return -1, -1


def within(value: Any, bounds: tuple[float, float]) -> bool:
    """A number the model accepts: between its least and most, to a float's precision."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return bounds[0] - 1e-6 <= value <= bounds[1] + 1e-6
