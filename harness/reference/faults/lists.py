"""Planted faults of lists: filters, search, pages, counts and sort orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from harness.reference.faults.machinery import (
    PROJECT,
    Wrapper,
    fault,
    rewrite_requests,
)
from harness.reference.keys import Principal

if TYPE_CHECKING:
    from harness.reference.app import Reference


def without_filter(find: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A list lookup that ignores one of its filters."""

    def ignoring(principal: Principal, query: Any, **kwargs: Any) -> Any:
        filters = {key: value for key, value in query.filters.items() if key != name}
        return find(principal, replace(query, filters=filters), **kwargs)

    return ignoring


def ignored_filter(name: str, service: str, filter_name: str, requirement: str) -> None:
    """Register a fault under which a service's list lookup drops one of its filters."""

    def plant(ref: Reference) -> None:
        target = getattr(ref, service)
        target.override("find", lambda find: without_filter(find, filter_name))

    plant.__doc__ = f"GET /{service} ignores its {filter_name} filter."
    fault(name, area="lists", catches=(requirement,))(plant)


ignored_filter("workspace-search-ignored", "workspaces", "search", "WS-LIST-001")


ignored_filter("workspace-status-filter-ignored", "workspaces", "status", "WS-LIST-002")


ignored_filter("workspace-project-filter-ignored", "workspaces", "projectId", "WS-LIST-003")


ignored_filter("project-status-filter-ignored", "projects", "status", "PRJ-LIST-002")


ignored_filter("category-filter-ignored", "projects", "category", "PRJ-LIST-003")


ignored_filter("tag-filter-ignored", "projects", "tag", "PRJ-LIST-004")


ignored_filter("volume-search-ignored", "volumes", "search", "VOL-LIST-001")


ignored_filter("volume-type-filter-ignored", "volumes", "type", "VOL-LIST-002")


@fault("volume-project-filter-ignored", area="lists", catches=("VOL-LIST-003",))
def volume_project_filter_ignored(ref: Reference) -> Wrapper:
    """The projectId filter of GET /volumes is ignored."""
    return rewrite_requests(
        "GET", r"/api/v1/volumes", query=lambda params: {k: v for k, v in params.items() if k != "projectId"}
    )


@fault("project-search-case-sensitive", area="lists", catches=("GEN-LIST-008",), strict=True)
def project_search_case_sensitive(ref: Reference) -> None:
    """Project search only matches the exact case."""
    find = ref.projects.find

    def case_sensitive(principal: Principal, query: Any) -> Any:
        term = query.filters.get("search")
        if not term:
            return find(principal, query)
        everything, _ = find(principal, replace(query, limit=10**6, offset=0))
        kept = [p for p in everything if term in p["name"] or term in p["description"]]
        return kept[query.offset : query.offset + query.limit], len(kept)

    ref.projects.override("find", lambda _: case_sensitive)


@fault("offset-ignored", area="lists", catches=("GEN-LIST-006",), strict=True)
def offset_ignored(ref: Reference) -> None:
    """Every page of projects starts at the first item, whatever the offset (the SDK gives projects no offset)."""
    find = ref.projects.find
    ref.projects.override("find", lambda _: lambda principal, query: find(principal, replace(query, offset=0)))


@fault("workspace-offset-ignored", area="lists", catches=("GEN-LIST-001",))
def workspace_offset_ignored(ref: Reference) -> None:
    """Every page of workspaces starts at the first item, whatever the offset ("Number of results to skip")."""
    find = ref.workspaces.find
    ref.workspaces.override("find", lambda _: lambda principal, query: find(principal, replace(query, offset=0)))


@fault("limit-ignored", area="lists", catches=("GEN-LIST-002",))
def limit_ignored(ref: Reference) -> None:
    """Volume pages hold up to 100 items, whatever the limit."""
    find = ref.volumes.find
    ref.volumes.override(
        "find", lambda _: lambda principal, query, **kw: find(principal, replace(query, limit=100), **kw)
    )


@fault("count-is-page-size", area="lists", catches=("GEN-LIST-003",))
def count_is_page_size(ref: Reference) -> None:
    """Workspace lists report the page size as count."""
    find = ref.workspaces.find

    def paged(principal: Principal, query: Any) -> Any:
        items, _ = find(principal, query)
        return items, len(items)

    ref.workspaces.override("find", lambda _: paged)


@fault("workspace-sort-ignored", area="lists", catches=("GEN-LIST-004",))
def workspace_sort_ignored(ref: Reference) -> None:
    """Workspace lists are always newest first, whatever sort asks ("Sort field and direction")."""
    find = ref.workspaces.find
    ref.workspaces.override(
        "find",
        lambda _: lambda principal, query: find(principal, replace(query, sort_field="createdAt", descending=True)),
    )


@fault("sort-ignored", area="lists", catches=("GEN-LIST-007",), strict=True)
def sort_ignored(ref: Reference) -> None:
    """Project lists are always newest first, whatever sort asks (the SDK gives projects no sort)."""
    find = ref.projects.find
    ref.projects.override(
        "find",
        lambda _: lambda principal, query: find(principal, replace(query, sort_field="createdAt", descending=True)),
    )


@fault("sublists-unfiltered", area="lists", catches=("PRJ-SUB-001", "PRJ-SUB-002"))
def sublists_unfiltered(ref: Reference) -> Wrapper:
    """A project's volume and workspace lists show every volume and workspace."""
    return rewrite_requests(
        "GET", rf"{PROJECT}/(volumes|workspaces)", to_path=lambda path: "/api/v1/" + path.rsplit("/", 1)[1]
    )


@fault("unshared-in-shared-list", area="lists", catches=("VOL-SHARE-002",))
def unshared_in_shared_list(ref: Reference) -> None:
    """The shared list shows unshared volumes too."""
    find = ref.volumes.find
    ref.volumes.override("find", lambda _: lambda principal, query, shared_only=False: find(principal, query))


@fault("sdk-lists-default-20", area="lists", catches=("GEN-LIST-006",), strict=True)
def sdk_lists_default_20(ref: Reference) -> Wrapper:
    """The lists only the SDK defines (project sub-lists, activity, shared volumes) default to 20, not 50."""
    return rewrite_requests("GET", rf"{PROJECT}/(volumes|workspaces|activity)|/api/v1/volumes/shared",
                            query=lambda params: {"limit": "20", **params})  # fmt: skip


@fault("default-order-oldest-first", area="lists", catches=("GEN-LIST-007",), strict=True)
def default_order_oldest_first(ref: Reference) -> Wrapper:
    """Top-level lists without a sort come oldest first instead of newest first."""
    return rewrite_requests("GET", r"/api/v1/(workspaces|projects|volumes)",
                            query=lambda params: {"sort": "createdAt:asc", **params})  # fmt: skip
