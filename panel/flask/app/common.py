"""Shared helpers: ids, tenancy/visibility rules, serializers, activity feed."""

import copy
import logging
import re
import secrets

from flask import current_app, g

from . import sim
from .errors import ApiError, not_found
from .store import StorageError
from .timeutil import iso, now

log = logging.getLogger("strongly.api")


def store():
    return current_app.extensions["strongly.store"]


def provision_delay():
    return current_app.config["PROVISION_DELAY"]


def new_id(kind, prefix):
    s = store()
    while True:
        oid = "%s_%s" % (prefix, secrets.token_hex(6))
        if kind is None or s.get(kind, oid) is None:
            return oid


def slug(text, max_len=40):
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out[:max_len].strip("-")


# ------------------------------------------------------------------ tenancy
def is_member(user, project):
    if project.get("ownerId") == user.id:
        return True
    email = user.email.casefold()
    for c in project.get("collaborators", []):
        if c.get("userId") == user.id or (c.get("email") or "").casefold() == email:
            return True
    return False


def project_visible(user, project):
    if project is None or project.get("organizationId") != user.org:
        return False
    return project.get("visibility") != "private" or is_member(user, project)


def _parent_visible(user, doc):
    pid = doc.get("projectId")
    if pid is None:
        return True
    project = store().get("projects", pid)
    return project is None or project_visible(user, project)


def workspace_visible(user, ws):
    if ws.get("organizationId") != user.org:
        return False
    return ws.get("ownerId") == user.id or _parent_visible(user, ws)


def volume_visible(user, vol):
    if vol.get("organizationId") != user.org:
        return False
    return vol.get("isShared") or vol.get("ownerId") == user.id or _parent_visible(user, vol)


# --------------------------------------------------- lazy simulated transitions
def refresh_workspace(ws, t=None):
    """Apply a due provisioning transition and persist it (best effort on reads)."""
    t = now() if t is None else t
    if ws.get("status") == "pending" and ws.get("_readyAt") is not None and t >= ws["_readyAt"]:
        new = copy.deepcopy(ws)
        sim.advance(new, t)
        try:
            store().put("workspaces", new)
        except StorageError:
            log.warning("could not persist transition of %s; will retry", ws["id"])
        return new
    return ws


def refresh_volume(vol, t=None):
    t = now() if t is None else t
    done_at = vol.get("_syncDoneAt")
    if vol.get("status") == "syncing" and done_at is not None and t >= done_at:
        new = copy.deepcopy(vol)
        new["status"] = "available"
        new["_syncDoneAt"] = None
        new["_lastSyncedAt"] = done_at
        new["updatedAt"] = iso(done_at)
        try:
            store().put("volumes", new)
        except StorageError:
            log.warning("could not persist transition of %s; will retry", vol["id"])
        return new
    return vol


def all_workspaces():
    t = now()
    return [refresh_workspace(ws, t) for ws in store().all("workspaces")]


def all_volumes():
    t = now()
    return [refresh_volume(v, t) for v in store().all("volumes")]


# ---------------------------------------------------------------- lookups
def get_project(pid, user=None):
    user = user or g.user
    project = store().get("projects", pid)
    if project is None or not project_visible(user, project):
        raise not_found("Project", pid)
    return project


def get_workspace(wid, user=None):
    user = user or g.user
    ws = store().get("workspaces", wid)
    if ws is None or not workspace_visible(user, ws):
        raise not_found("Workspace", wid)
    return refresh_workspace(ws)


def get_volume(vid, user=None, for_write=False):
    user = user or g.user
    vol = store().get("volumes", vid)
    if vol is None or not volume_visible(user, vol):
        raise not_found("Volume", vid)
    if for_write and not (vol.get("ownerId") == user.id or _parent_visible(user, vol)):
        # Visible only because it is shared with the organization: usable, not changeable.
        raise ApiError(403, "forbidden",
                       "Volume '%s' is shared with you read-only; only members of its project "
                       "can change it" % vid)
    return refresh_volume(vol)


def project_volumes(pid):
    vols = [v for v in store().all("volumes") if v.get("projectId") == pid]
    vols.sort(key=lambda v: v.get("_seq", 0))
    return vols


def volume_ids_by_project():
    out = {}
    for v in sorted(store().all("volumes"), key=lambda v: v.get("_seq", 0)):
        if v.get("projectId"):
            out.setdefault(v["projectId"], []).append(v["id"])
    return out


# ------------------------------------------------------------- serializers
def public(doc):
    return {k: copy.deepcopy(v) for k, v in doc.items() if not k.startswith("_")}


PROJECT_FIELDS = (
    "id", "name", "description", "status", "category", "visibility", "organizationId",
    "owner", "ownerId", "collaborators", "sharedWith", "tags", "archived",
    "defaultDataVolumeId", "attachedVolumeIds", "createdAt", "updatedAt",
)


def ser_project(p):
    out = {}
    for key in PROJECT_FIELDS:
        if key == "sharedWith":
            out[key] = [c["userId"] for c in p.get("collaborators", []) if not c.get("isOwner")]
        elif key == "attachedVolumeIds":
            out[key] = [v["id"] for v in project_volumes(p["id"])]
        elif key == "defaultDataVolumeId":
            # Guard against a crash between a volume write and the project update that
            # follows it: never point at a volume that is not attached.
            vols = project_volumes(p["id"])
            default = p.get(key)
            if default is not None and default not in [v["id"] for v in vols]:
                data = [v["id"] for v in vols if v.get("type") == "data"]
                default = data[0] if data else None
            out[key] = default
        else:
            out[key] = copy.deepcopy(p.get(key))
    return out


WORKSPACE_FIELDS = (
    "id", "name", "description", "status", "environmentType", "image", "resources",
    "organizationId", "owner", "ownerId", "url", "projectId", "volumeIds",
    "createdAt", "updatedAt",
)


def workspace_url(ws):
    return "https://%s.workspaces.strongly.ai" % ws["id"].replace("_", "-")


def ser_workspace(ws, vol_index=None):
    if vol_index is None:
        vol_index = volume_ids_by_project()
    out = {}
    for key in WORKSPACE_FIELDS:
        if key == "url":
            out[key] = workspace_url(ws) if ws["status"] == "running" else None
        elif key == "volumeIds":
            out[key] = list(vol_index.get(ws.get("projectId"), [])) if ws.get("projectId") else []
        else:
            out[key] = copy.deepcopy(ws.get(key))
    return out


VOLUME_FIELDS = (
    "id", "label", "name", "description", "status", "type", "volumeType", "sizeGb",
    "mountPath", "organizationId", "owner", "ownerId", "projectId", "isShared", "shared",
    "sharedWith", "createdAt", "updatedAt",
)


def ser_volume(v):
    out = {}
    for key in VOLUME_FIELDS:
        if key == "shared":
            out[key] = bool(v.get("isShared"))
        elif key == "sizeGb":
            out[key] = float(v["sizeGb"])
        else:
            out[key] = copy.deepcopy(v.get(key))
    return out


# ---------------------------------------------------------------- activity
def record(project_id, action, target_type, target_id, message, user=None):
    """Append an event to a project's activity feed (durably, before answering)."""
    if not project_id or store().get("projects", project_id) is None:
        return
    user = user or g.user
    event = {
        "id": new_id(None, "evt"),
        "projectId": project_id,
        "action": action,
        "actorId": user.id,
        "actorName": user.name,
        "targetType": target_type,
        "targetId": target_id,
        "message": message,
        "createdAt": iso(now()),
        "_seq": store().next_seq(),
    }
    store().add_event(project_id, event)


def locked(fn):
    """Run the whole request under the store lock (one consistent snapshot)."""
    import functools

    from flask import request

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        # Read the request body *before* taking the lock, so that a slow client
        # cannot hold every other request up while it trickles its body in.
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            request.get_data(cache=True)
        with store().lock:
            return fn(*args, **kwargs)

    return wrapper


def created(body, location):
    from flask import jsonify

    resp = jsonify(body)
    resp.status_code = 201
    resp.headers["Location"] = location
    return resp


def no_content():
    from flask import Response

    return Response(status=204)
