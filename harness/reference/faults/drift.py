"""Planted faults of derived views: answers that are each valid but drift from what was done.

Registered in the one catalogue (``faults.CATALOGUE``) like every other fault, from its own module
of the catalogue. Each is a class of drift the model-based phase (contracts/model/) can see and fixed
checks with fixed data tend to miss: a counter that forgets deletes, a list that loses an item only
past offset 100 or only under two filters, a sort unstable on ties, an activity feed missing one
event type, stats stale after a resize, a lost concurrent update, a key accepted outside its header.

GEN-MODEL-001 judges each prediction at the level of the requirement it rests on, so a drift fault is
``strict`` exactly when the other requirements it declares are SHOULDs (our own choices): the
activity feed's events (D-29) and the key's only place (AUTH-KEY-003) are caught under --strict;
counters, pages, filters, ties across pages and lost updates break what the documents say.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.faults.machinery import PROJECT, Wrapper, fault, matches, middleware, read_body, replay
from harness.reference.keys import Principal

if TYPE_CHECKING:
    from harness.reference.app import Reference

MODEL = "GEN-MODEL-001"


@fault("stats-forget-deletes", area="semantics", catches=("PRJ-STATS-001", MODEL))
def stats_forget_deletes(ref: Reference) -> None:
    """Project stats keep counting deleted volumes (count and storage): the counter forgets deletes."""
    deleted: dict[str, list[float]] = {}
    delete, stats = ref.volumes.delete, ref.projects.stats

    def counted_delete(principal: Principal, volume_id: str) -> None:
        row = ref.volumes.row(principal, volume_id)
        delete(principal, volume_id)
        deleted.setdefault(row["project_id"], []).append(float(row["size_gb"]))

    def stale(principal: Principal, project_id: str) -> dict[str, Any]:
        answer = stats(principal, project_id)
        gone = deleted.get(project_id, [])
        return {**answer, "volumeCount": answer["volumeCount"] + len(gone),
                "totalStorageGb": answer["totalStorageGb"] + sum(gone)}  # fmt: skip

    ref.volumes.override("delete", lambda _: counted_delete)
    ref.projects.override("stats", lambda _: stale)


@fault("stats-stale-after-resize", area="semantics", catches=("PRJ-STATS-001", MODEL))
def stats_stale_after_resize(ref: Reference) -> None:
    """Project stats sum each volume's size as created: a resize never reaches totalStorageGb."""
    created: dict[str, float] = {}
    create, stats = ref.volumes.create, ref.projects.stats

    def remembering(principal: Principal, body: dict[str, Any]) -> str:
        volume_id = create(principal, body)
        created[volume_id] = float(body["sizeGb"])
        return volume_id

    def stale(principal: Principal, project_id: str) -> dict[str, Any]:
        answer = stats(principal, project_id)
        rows = ref.backend.store.all("SELECT id, size_gb FROM volumes WHERE project_id = ?", project_id)
        return {**answer, "totalStorageGb": float(sum(created.get(r["id"], r["size_gb"]) for r in rows))}

    ref.volumes.override("create", lambda _: remembering)
    ref.projects.override("stats", lambda _: stale)


@fault("projects-drop-past-100", area="lists", catches=("GEN-LIST-001", MODEL))
def projects_drop_past_100(ref: Reference) -> None:
    """Project pages at offset 100 or more lose their first item (count stays right)."""
    find = ref.projects.find

    def lossy(principal: Principal, query: Any) -> Any:
        items, count = find(principal, query)
        return (items[1:] if query.offset >= 100 else items), count

    ref.projects.override("find", lambda _: lossy)


@fault("volumes-two-filters-drop-one", area="lists", catches=("VOL-LIST-003", MODEL))
def volumes_two_filters_drop_one(ref: Reference) -> None:
    """GET /volumes with projectId and another filter leaves out the last match (and counts without it)."""
    find = ref.volumes.find

    def lossy(principal: Principal, query: Any, *, shared_only: bool = False) -> Any:
        if "projectId" not in query.filters or len(query.filters) < 2:
            return find(principal, query, shared_only=shared_only)
        everything, _ = find(principal, replace(query, limit=10**6, offset=0), shared_only=shared_only)
        kept = everything[:-1]
        return kept[query.offset : query.offset + query.limit], len(kept)

    ref.volumes.override("find", lambda _: lossy)


@fault("volume-sort-unstable-on-ties", area="lists", catches=("GEN-LIST-001", MODEL))
def volume_sort_unstable_on_ties(ref: Reference) -> None:
    """Volumes sorted by label or sizeGb come in a new random order among equal keys on every request."""
    find = ref.volumes.find
    shuffle = random.Random(18)

    def unstable(principal: Principal, query: Any, *, shared_only: bool = False) -> Any:
        if query.sort_field not in ("label", "sizeGb"):
            return find(principal, query, shared_only=shared_only)
        everything, count = find(principal, replace(query, limit=10**6, offset=0), shared_only=shared_only)
        ties = {item["id"]: shuffle.random() for item in everything}
        ordered = sorted(everything, key=lambda item: (item[query.sort_field], ties[item["id"]]),
                         reverse=query.descending)  # fmt: skip
        return ordered[query.offset : query.offset + query.limit], count

    ref.volumes.override("find", lambda _: unstable)


@fault("activity-misses-shares", area="semantics", catches=("PRJ-ACT-001", MODEL), strict=True)
def activity_misses_shares(ref: Reference) -> None:
    """Sharing a volume adds no volume.shared event to its project's activity feed."""
    record = ref.backend.record

    def partial(project_id: str | None, action: str, actor: Principal, target_type: str, target_id: str) -> None:
        if action != "volume.shared":
            record(project_id, action, actor, target_type, target_id)

    ref.backend.override("record", lambda _: partial)


@fault("project-update-lost-when-concurrent", area="durability", catches=("DUR-002", MODEL))
def project_update_lost_when_concurrent(ref: Reference) -> Wrapper:
    """A project PUT writes back every field as read before it: a concurrent update of another field is lost."""
    columns = ("name", "description", "category", "visibility", "tags")

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, "PUT", PROJECT):
            await app(scope, receive, send)
            return
        project_id = scope["path"].rsplit("/", 1)[1]
        store = ref.backend.store
        before = store.one("SELECT * FROM projects WHERE id = ?", project_id)
        raw = await read_body(receive)
        # the gap in which a concurrent update lands, and is then overwritten: wide enough that two PUTs
        # sent together still overlap on a loaded machine (at 50 ms they did not, now and then)
        await asyncio.sleep(0.3)
        await app(scope, replay(raw), send)
        try:
            sent = json.loads(raw)
        except ValueError:
            return
        if before is None or not isinstance(sent, dict):
            return
        with store.transaction() as db:
            for column in columns:
                if column not in sent:
                    db.execute(f"UPDATE projects SET {column} = ? WHERE id = ?", (before[column], project_id))

    return middleware(handle)


@fault("key-in-query-accepted", area="auth", catches=("AUTH-KEY-003",), strict=True)
def key_in_query_accepted(ref: Reference) -> None:
    """A key sent as the query parameter api_key is accepted when the X-API-Key header is absent."""
    authenticate = ref.auth.authenticate

    def lenient(request: Request) -> Principal:
        key = request.query_params.get("api_key")
        if key and "x-api-key" not in request.headers and key in ref.auth.keys:
            return ref.auth.keys[key]
        return authenticate(request)

    ref.auth.override("authenticate", lambda _: lenient)
