"""Planted faults of derived views: answers that are each valid but drift from what was done.

Registered in the one catalogue (``faults.CATALOGUE``) like every other fault, from its own module
of the catalogue. Each is a class of drift the model-based phase (contracts/model/) can see and fixed
checks with fixed data tend to miss: a counter that forgets deletes, a list that loses an item only
past offset 100 or only under two filters, a sort unstable on ties, an activity feed missing one
event type, stats stale after a resize, a lost concurrent update, a key accepted outside its header.

GEN-MODEL-001 judges each prediction at the level of the requirement it rests on, so a drift fault is
``strict`` exactly when the other requirements it declares are SHOULDs (our own choices): the
activity feed's events (D-29), the key's only place (AUTH-KEY-003), and paging, counts and sorts of
the lists whose offset, count and sort the documents do not give (projects, volumes, collaborators:
GEN-LIST-006) are caught under --strict; the workspaces list's count, stats, filters, fields and lost
updates break what the documents say.
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


@fault("projects-drop-past-100", area="lists", catches=("GEN-LIST-006", MODEL), strict=True)
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


@fault("volume-sort-unstable-on-ties", area="lists", catches=("GEN-LIST-006", MODEL), strict=True)
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


# ---------------------------------------------------------------- what a change must change, or leave alone, elsewhere
# One per class of drift the model's map covers (contracts/model/effects.yaml), for each resource: a view that
# keeps what was deleted, a counter that does not go down, a field that changes when nothing changed it, a list
# that disagrees with the object. Each answers every request with a valid body; only a model of what was done
# sees them, and its systematic pass reaches each on every run. A project has no counter the documents show
# (its lists' and collaborators' counts are ours, GEN-LIST-006): that one is caught under --strict.
def whole_then_page(find: Any, principal: Principal, query: Any, extra: list[dict[str, Any]], **kwargs: Any) -> Any:
    """A list's page as if ``extra`` items were part of it (appended after the real ones)."""
    everything, count = find(principal, replace(query, limit=10**6, offset=0), **kwargs)
    everything = everything + extra
    return everything[query.offset : query.offset + query.limit], count + len(extra)


def matches_search(item: dict[str, Any], query: Any, fields: tuple[str, ...]) -> bool:
    term = str(query.filters.get("search", "")).casefold()
    return term in "\0".join(str(item.get(name, "")) for name in fields).casefold()


@fault("stats-count-deleted-workspaces", area="semantics", catches=("PRJ-STATS-001", MODEL))
def stats_count_deleted_workspaces(ref: Reference) -> None:
    """Project stats keep counting deleted workspaces (workspaceCount never goes down)."""
    deleted: dict[str, int] = {}
    delete, stats = ref.workspaces.delete, ref.projects.stats

    def counted_delete(principal: Principal, workspace_id: str) -> None:
        project_id = ref.workspaces.row(principal, workspace_id)["project_id"]
        delete(principal, workspace_id)
        deleted[project_id] = deleted.get(project_id, 0) + 1

    def stale(principal: Principal, project_id: str) -> dict[str, Any]:
        answer = stats(principal, project_id)
        return {**answer, "workspaceCount": answer["workspaceCount"] + deleted.get(project_id, 0)}

    ref.workspaces.override("delete", lambda _: counted_delete)
    ref.projects.override("stats", lambda _: stale)


@fault("shared-list-keeps-deleted", area="lists", catches=("VOL-SHARE-002", MODEL))
def shared_list_keeps_deleted(ref: Reference) -> None:
    """GET /volumes/shared keeps listing a shared volume after it was deleted, as it last was."""
    gone: list[tuple[str, dict[str, Any]]] = []
    delete, find = ref.volumes.delete, ref.volumes.find

    def remembering(principal: Principal, volume_id: str) -> None:
        shown = ref.volumes.get(principal, volume_id)
        delete(principal, volume_id)
        if shown["isShared"]:
            gone.append((principal.organization_id, shown))

    def haunted(principal: Principal, query: Any, *, shared_only: bool = False) -> Any:
        if not shared_only:
            return find(principal, query)
        ghosts = [item for org, item in gone if org == principal.organization_id
                  and matches_search(item, query, ("label", "name", "description"))]  # fmt: skip
        return whole_then_page(find, principal, query, ghosts, shared_only=True)

    ref.volumes.override("delete", lambda _: remembering)
    ref.volumes.override("find", lambda _: haunted)


@fault("project-list-keeps-deleted", area="lists", catches=("PRJ-LIST-002", MODEL))
def project_list_keeps_deleted(ref: Reference) -> None:
    """GET /projects filtered by status keeps listing a deleted project, as it last was."""
    gone: list[tuple[str, dict[str, Any]]] = []
    delete, find = ref.projects.delete, ref.projects.find

    def remembering(principal: Principal, project_id: str) -> None:
        shown = ref.projects.get(principal, project_id)
        delete(principal, project_id)
        gone.append((principal.organization_id, shown))

    def haunted(principal: Principal, query: Any) -> Any:
        if "status" not in query.filters:
            return find(principal, query)
        ghosts = [item for org, item in gone if org == principal.organization_id
                  and item["status"] == query.filters["status"]
                  and query.filters.get("tag", item["tags"][0] if item["tags"] else None) in item["tags"]
                  and matches_search(item, query, ("name", "description"))]  # fmt: skip
        return whole_then_page(find, principal, query, ghosts)

    ref.projects.override("delete", lambda _: remembering)
    ref.projects.override("find", lambda _: haunted)


@fault("stats-active-ignores-stops", area="semantics", catches=("PRJ-STATS-001", MODEL))
def stats_active_ignores_stops(ref: Reference) -> None:
    """Project stats count a workspace that was stopped while running as still active."""
    stopped: set[str] = set()
    stop, stats = ref.workspaces.stop, ref.projects.stats

    def remembered_stop(principal: Principal, workspace_id: str) -> dict[str, str]:
        was = ref.workspaces.row(principal, workspace_id)["status"]
        answer = stop(principal, workspace_id)
        if was == "running":
            stopped.add(workspace_id)
        return answer

    def stale(principal: Principal, project_id: str) -> dict[str, Any]:
        answer = stats(principal, project_id)
        rows = ref.backend.store.all("SELECT id FROM workspaces WHERE project_id = ? AND status = 'stopped'",
                                     project_id)  # fmt: skip
        still = sum(1 for row in rows if row["id"] in stopped)
        return {**answer, "activeWorkspaces": answer["activeWorkspaces"] + still}

    ref.workspaces.override("stop", lambda _: remembered_stop)
    ref.projects.override("stats", lambda _: stale)


@fault("workspace-count-ignores-deletes", area="lists", catches=("GEN-LIST-003", MODEL))
def workspace_count_ignores_deletes(ref: Reference) -> None:
    """GET /workspaces answers the right items but a count that still includes the organization's deleted ones."""
    deleted: dict[str, int] = {}
    delete, find = ref.workspaces.delete, ref.workspaces.find

    def counted_delete(principal: Principal, workspace_id: str) -> None:
        delete(principal, workspace_id)
        deleted[principal.organization_id] = deleted.get(principal.organization_id, 0) + 1

    def inflated(principal: Principal, query: Any) -> Any:
        items, count = find(principal, query)
        return items, count + deleted.get(principal.organization_id, 0)

    ref.workspaces.override("delete", lambda _: counted_delete)
    ref.workspaces.override("find", lambda _: inflated)


@fault("collaborator-count-ignores-removals", area="semantics", catches=("GEN-LIST-006", MODEL), strict=True)
def collaborator_count_ignores_removals(ref: Reference) -> None:
    """A project's collaborator list drops a removed collaborator but its count still includes them."""
    removed: dict[str, int] = {}
    remove, collaborators = ref.projects.remove_collaborator, ref.projects.collaborators

    def counted_remove(principal: Principal, project_id: str, user_id: str) -> None:
        remove(principal, project_id, user_id)
        removed[project_id] = removed.get(project_id, 0) + 1

    def inflated(principal: Principal, project_id: str) -> dict[str, Any]:
        answer = collaborators(principal, project_id)
        return {**answer, "count": answer["count"] + removed.get(project_id, 0)}

    ref.projects.override("remove_collaborator", lambda _: counted_remove)
    ref.projects.override("collaborators", lambda _: inflated)


@fault("restart-moves-created-at", area="semantics", catches=("GEN-TIME-001", MODEL))
def restart_moves_created_at(ref: Reference) -> None:
    """Restarting a workspace sets its createdAt to the time of the restart."""
    restart = ref.workspaces.restart

    def renewed(principal: Principal, workspace_id: str) -> dict[str, str]:
        answer = restart(principal, workspace_id)
        with ref.backend.store.transaction() as db:
            db.execute("UPDATE workspaces SET created_at = ? WHERE id = ?", (ref.backend.now(), workspace_id))
        return answer

    ref.workspaces.override("restart", lambda _: renewed)


@fault("share-resets-mount-path", area="semantics", catches=("VOL-LIFE-002", MODEL))
def share_resets_mount_path(ref: Reference) -> None:
    """Sharing a volume moves its mountPath to /mnt/shared/<id>, though nothing asked for it."""
    share = ref.volumes.share

    def moved(principal: Principal, volume_id: str) -> dict[str, Any]:
        answer = share(principal, volume_id)
        with ref.backend.store.transaction() as db:
            db.execute("UPDATE volumes SET mount_path = ? WHERE id = ?", (f"/mnt/shared/{volume_id}", volume_id))
        return answer

    ref.volumes.override("share", lambda _: moved)


@fault("archive-clears-category", area="semantics", catches=("PRJ-LIFE-002", MODEL))
def archive_clears_category(ref: Reference) -> None:
    """Archiving a project clears its category."""
    archive = ref.projects.archive

    def clearing(principal: Principal, project_id: str) -> dict[str, str]:
        answer = archive(principal, project_id)
        with ref.backend.store.transaction() as db:
            db.execute("UPDATE projects SET category = NULL WHERE id = ?", (project_id,))
        return answer

    ref.projects.override("archive", lambda _: clearing)


@fault("workspace-list-stale-status", area="lists", catches=("WS-LIFE-004", MODEL))
def workspace_list_stale_status(ref: Reference) -> None:
    """GET /workspaces shows each workspace with the status it had before its last start, stop or restart."""
    before: dict[str, str] = {}
    find = ref.workspaces.find

    def remembering(action: Any) -> Any:
        def acted(principal: Principal, workspace_id: str) -> dict[str, str]:
            was = ref.workspaces.row(principal, workspace_id)["status"]
            answer = action(principal, workspace_id)
            before[workspace_id] = was
            return answer

        return acted

    def stale(principal: Principal, query: Any) -> Any:
        items, count = find(principal, query)
        return [{**item, "status": before.get(item["id"], item["status"])} for item in items], count

    for verb in ("start", "stop", "restart"):
        ref.workspaces.override(verb, remembering)
    ref.workspaces.override("find", lambda _: stale)


@fault("volume-list-stale-size", area="lists", catches=("VOL-LIFE-002", MODEL))
def volume_list_stale_size(ref: Reference) -> None:
    """GET /volumes shows each volume with the size it was created with; the volume itself has its new size."""
    created: dict[str, float] = {}
    create, find = ref.volumes.create, ref.volumes.find

    def remembering(principal: Principal, body: dict[str, Any]) -> str:
        volume_id = create(principal, body)
        created[volume_id] = float(body["sizeGb"])
        return volume_id

    def stale(principal: Principal, query: Any, *, shared_only: bool = False) -> Any:
        items, count = find(principal, query, shared_only=shared_only)
        return [{**item, "sizeGb": created.get(item["id"], item["sizeGb"])} for item in items], count

    ref.volumes.override("create", lambda _: remembering)
    ref.volumes.override("find", lambda _: stale)


@fault("project-list-stale-status", area="lists", catches=("PRJ-LIFE-003", MODEL))
def project_list_stale_status(ref: Reference) -> None:
    """GET /projects shows every project as active, archived or not; the project itself and the filters are right."""
    find = ref.projects.find

    def stale(principal: Principal, query: Any) -> Any:
        items, count = find(principal, query)
        return [{**item, "status": "active", "archived": False} for item in items], count

    ref.projects.override("find", lambda _: stale)


@fault("delete-workspace-drops-volumes", area="semantics", catches=("PRJ-SUB-001", "PRJ-STATS-001", MODEL))
def delete_workspace_drops_volumes(ref: Reference) -> None:
    """Deleting a workspace also deletes the volumes of its project, which the documents say persist."""
    delete = ref.workspaces.delete

    def sweeping(principal: Principal, workspace_id: str) -> None:
        project_id = ref.workspaces.row(principal, workspace_id)["project_id"]
        delete(principal, workspace_id)
        with ref.backend.store.transaction() as db:
            db.execute("DELETE FROM volumes WHERE project_id = ?", (project_id,))

    ref.workspaces.override("delete", lambda _: sweeping)
