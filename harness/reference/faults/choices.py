"""Planted faults for the issue-24 audit: the other reasonable readings, and the sentences that still hold.

Most faults here break only a recommendation (``strict=True``): a server that makes one of these
choices is conformant at the default level, and the SHOULD that names our choice must notice it
under ``--strict``. The others break a sentence the audit kept at MUST, so the MUST check still
has a fault that makes it fail.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from harness.reference.errors import conflict
from harness.reference.faults.machinery import (
    PROJECT,
    VOLUME,
    Wrapper,
    each_item,
    edit_json,
    fault,
    json_error,
    middleware,
    read_body,
    replay,
    rewrite_responses,
)

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from harness.reference.app import Reference


@fault("project-create-answers-200", area="shape", catches=("GEN-STATUS-001",), strict=True)
def project_create_answers_200(ref: Reference) -> Wrapper:
    """Creating a project answers 200, not 201 (the SDK names no status)."""

    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        return (200 if status == 201 else status), headers, body

    return rewrite_responses("POST", "/api/v1/projects", rewrite)


@fault("refuses-control-characters", area="validation", catches=("GEN-VALID-007",), strict=True)
def refuses_control_characters(ref: Reference) -> Wrapper:
    """A name, label or description holding a control character is refused (422), though the contract allows it."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] in ("POST", "PUT"):
            raw = await read_body(receive)
            try:
                document = json.loads(raw)
            except ValueError:
                document = None
            texts = [document.get(f) for f in ("name", "label", "description")] if isinstance(document, dict) else []
            if any(isinstance(text, str) and any(ord(c) < 32 for c in text) for text in texts):
                await json_error(send, 422, "validation_failed", "names may not hold control characters")
                return
            receive = replay(raw)
        await app(scope, receive, send)

    return middleware(handle)


@fault("unknown-volume-answers-200", area="errors", catches=("GEN-ERR-003",))
def unknown_volume_answers_200(ref: Reference) -> Wrapper:
    """Reading a volume that does not exist answers 200 with an empty volume, as if it were there."""

    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if status != 404:
            return status, headers, body
        return 200, {**headers, "content-type": "application/json"}, b'{"id": "", "label": "", "sizeGb": 0}'

    return rewrite_responses("GET", VOLUME, rewrite)


@fault("updated-at-still-on-actions", area="semantics", catches=("GEN-TIME-002",), strict=True)
def updated_at_still_on_actions(ref: Reference) -> Wrapper:
    """updatedAt moves with updates (PUT) but not with actions: archive, share and start leave it as it was."""
    last: dict[str, str] = {}  # what each resource read after its last update

    def remember(item: dict[str, Any]) -> None:
        if "id" in item and "updatedAt" in item:
            item["updatedAt"] = last.setdefault(item["id"], item["updatedAt"])

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "PUT":  # an update moves it: the next read shows the new time
            last.pop(scope["path"].rsplit("/", 1)[-1], None)
        await app(scope, receive, send)

    pin = rewrite_responses("GET", "/api/v1/.*", edit_json(each_item(remember)))
    return lambda app: middleware(handle)(pin(app))


@fault("archive-keeps-status-active", area="lists", catches=("GEN-LIST-009",), strict=True)
def archive_keeps_status_active(ref: Reference) -> Wrapper:
    """An archived project keeps status active (archived: true says it), and status=active lists it too."""

    def active(item: dict[str, Any]) -> None:
        if item.get("status") == "archived":
            item["status"] = "active"

    def widen(app: ASGIApp) -> ASGIApp:
        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/api/v1/projects":
                query = scope["query_string"].decode()
                kept = "&".join(part for part in query.split("&") if part != "status=active")
                scope = {**scope, "query_string": kept.encode()}
            await app(scope, receive, send)

        return asgi

    reads = rewrite_responses("GET", rf"/api/v1/projects|{PROJECT}", edit_json(each_item(active)))
    return lambda app: widen(reads(app))


@fault("restart-starts-a-stopped-one", area="lifecycle", catches=("WS-LIFE-018",), strict=True)
def restart_starts_a_stopped_one(ref: Reference) -> None:
    """Restart of a stopped workspace starts it ("equivalent to stop followed by start"), rather than refusing."""
    restart, start = ref.backend.rules.restart, ref.backend.rules.start

    def either(workspace: dict[str, Any]) -> None:
        (start if workspace["status"] in ("stopped", "failed") else restart)(workspace)

    ref.backend.rules.override("restart", lambda _: either)


@fault("project-search-skips-names", area="lists", catches=("PRJ-LIST-001",))
def project_search_skips_names(ref: Reference) -> None:
    """Project search looks only in descriptions, never in names ("Search by name")."""
    find = ref.projects.find

    def descriptions_only(principal: Any, query: Any) -> Any:
        term = query.filters.get("search")
        if not term:
            return find(principal, query)
        everything, _ = find(principal, replace(query, limit=10**6, offset=0))
        kept = [p for p in everything if term.casefold() in (p["description"] or "").casefold()]
        return kept[query.offset : query.offset + query.limit], len(kept)

    ref.projects.override("find", lambda _: descriptions_only)


@fault("volumes-never-shrink", area="semantics", catches=("VOL-LIFE-005",), strict=True)
def volumes_never_shrink(ref: Reference) -> None:
    """A smaller sizeGb is refused (409): volumes only grow."""
    update, get = ref.volumes.update, ref.volumes.get

    def grow_only(principal: Any, volume_id: str, body: dict[str, Any]) -> Any:
        size = body.get("sizeGb")
        if isinstance(size, int | float) and size < get(principal, volume_id)["sizeGb"]:
            raise conflict(f"volume {volume_id} cannot shrink")
        return update(principal, volume_id, body)

    ref.volumes.override("update", lambda _: grow_only)


@fault("removed-collaborator-stays", area="semantics", catches=("PRJ-COLLAB-004",))
def removed_collaborator_stays(ref: Reference) -> None:
    """Removing a collaborator answers 204 and keeps them listed ("Remove a collaborator")."""
    ref.projects.override("remove_collaborator", lambda _: lambda principal, project_id, user_id: None)


@fault("non-object-bodies-accepted", area="validation", catches=("GEN-VALID-004",), strict=True)
def non_object_bodies_accepted(ref: Reference) -> Wrapper:
    """A JSON body that is not an object (an array, a string) is read as an empty one: an update with it changes
    nothing and answers 200."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] in ("POST", "PUT"):
            raw = await read_body(receive)
            try:
                document = json.loads(raw)
            except ValueError:
                document = {}
            raw = raw if isinstance(document, dict) else b"{}"
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            scope = {**scope, "headers": [*headers, (b"content-length", str(len(raw)).encode())]}
            receive = replay(raw)
        await app(scope, receive, send)

    return middleware(handle)
