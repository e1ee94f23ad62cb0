"""Volumes: /api/v1/volumes..."""

import copy

from flask import Blueprint, g, jsonify

from .. import common as c
from .. import sim
from ..auth import require
from ..errors import ApiError, conflict
from ..timeutil import iso, now
from ..validation import (MISSING, Validator, enum_param, page, pagination, query_params,
                          require_body, sort_docs, sort_param, text_match)

bp = Blueprint("volumes", __name__)

VOLUME_TYPES = ("data", "model", "scratch")
UNDERLYING_TYPE = "pvc"
MAX_SIZE_GB = 65536.0
SORT_FIELDS = ("createdAt", "updatedAt", "label", "name", "sizeGb", "type")
RESERVED_MOUNTS = ("proc", "sys", "dev", "etc", "bin", "sbin", "usr", "lib", "lib64", "boot", "run")

CREATE_FIELDS = ("projectId", "label", "sizeGb", "description", "type", "mountPath")
UPDATE_FIELDS = ("label", "sizeGb", "description", "type", "mountPath")
READ_ONLY = ("id", "name", "status", "volumeType", "organizationId", "owner", "ownerId", "projectId",
             "isShared", "shared", "sharedWith", "createdAt", "updatedAt")


def _mount_path(v):
    raw = v.string("mountPath", max_len=255, pattern=r"/[A-Za-z0-9._\-/]*",
                   pattern_msg="must be an absolute path made of letters, digits, '.', '_', '-' and '/'")
    if raw is MISSING:
        return MISSING
    segments = [s for s in raw.split("/") if s]
    if not segments:
        v.err("mountPath", "must not be the root directory")
        return MISSING
    if any(s in (".", "..") for s in segments):
        v.err("mountPath", "must not contain '.' or '..' segments")
        return MISSING
    if segments[0] in RESERVED_MOUNTS:
        v.err("mountPath", "must not be inside the reserved system directory /%s" % segments[0])
        return MISSING
    return "/" + "/".join(segments)


def _active_workspaces(project_id):
    return sorted(w["id"] for w in c.all_workspaces()
                  if w.get("projectId") == project_id and w["status"] in sim.ACTIVE)


def _check_mount_unique(project_id, mount_path, exclude=None):
    for other in c.store().all("volumes"):
        if other.get("projectId") == project_id and other["id"] != exclude \
                and other.get("mountPath") == mount_path:
            raise conflict("Volume '%s' of this project is already mounted at %s"
                           % (other["id"], mount_path), code="mount_path_in_use")


# -------------------------------------------------------------------- lists
def _list(shared_only):
    allowed = {"search", "limit", "offset", "sort"}
    if not shared_only:
        allowed |= {"type", "projectId"}
    q = query_params(allowed)
    limit, offset = pagination(q)
    vtype = enum_param(q, "type", VOLUME_TYPES)
    field, desc = sort_param(q, SORT_FIELDS)
    search = (q.get("search") or "").strip()
    pid = (q.get("projectId") or "").strip() or None
    user = g.user
    docs = [v for v in c.all_volumes() if c.volume_visible(user, v)]
    if shared_only:
        docs = [v for v in docs if v.get("isShared")]
    if pid is not None:
        docs = [v for v in docs if v.get("projectId") == pid]
    if vtype:
        docs = [v for v in docs if v.get("type") == vtype]
    if search:
        docs = [v for v in docs if text_match(search, v.get("label"), v.get("name"), v.get("description"))]
    docs = sort_docs(docs, field, desc)
    return jsonify({
        "count": len(docs),
        "limit": limit,
        "offset": offset,
        "volumes": [c.ser_volume(v) for v in page(docs, limit, offset)],
    })


@bp.get("/volumes")
@require("volumes:read")
@c.locked
def list_volumes():
    return _list(shared_only=False)


@bp.get("/volumes/shared")
@require("volumes:read")
@c.locked
def list_shared_volumes():
    return _list(shared_only=True)


# --------------------------------------------------------------------- CRUD
@bp.post("/volumes")
@require("volumes:write")
@c.locked
def create_volume():
    body = require_body()
    v = Validator(body, CREATE_FIELDS, READ_ONLY)
    pid = v.string("projectId", required=True, max_len=100)
    label = v.string("label", required=True, max_len=200)
    size = v.number("sizeGb", required=True, minimum=0, exclusive_min=True, maximum=MAX_SIZE_GB)
    description = v.string("description", max_len=5000, allow_empty=True, strip=False)
    vtype = v.string("type", choices=VOLUME_TYPES)
    mount = _mount_path(v)
    project = None
    if pid is not MISSING:
        project = c.store().get("projects", pid)
        if project is None or not c.project_visible(g.user, project):
            v.err("projectId", "no project with id '%s'" % pid)
            project = None
    v.done()
    if project.get("archived"):
        raise conflict("Project '%s' is archived; restore it first" % pid, code="project_archived")

    user = g.user
    vid = c.new_id("volumes", "vol")
    name = "%s-%s" % (c.slug(label) or "volume", vid.split("_", 1)[1][:8])
    mount = mount if mount is not MISSING else "/mnt/%s" % name
    _check_mount_unique(pid, mount)
    vtype = vtype if vtype is not MISSING else "data"
    ts = iso(now())
    vol = {
        "id": vid,
        "label": label,
        "name": name,
        "description": description if description is not MISSING else "",
        "status": "available",
        "type": vtype,
        "volumeType": UNDERLYING_TYPE,
        "sizeGb": size,
        "mountPath": mount,
        "organizationId": user.org,
        "owner": user.name,
        "ownerId": user.id,
        "projectId": pid,
        "isShared": False,
        "sharedWith": [],
        "createdAt": ts,
        "updatedAt": ts,
        "_seq": c.store().next_seq(),
    }
    c.store().put("volumes", vol)
    if vtype == "data" and not project.get("defaultDataVolumeId"):
        new_project = copy.deepcopy(project)
        new_project["defaultDataVolumeId"] = vid
        new_project["updatedAt"] = ts
        c.store().put("projects", new_project)
    c.record(pid, "volume.created", "volume", vid, "Volume '%s' created (%g GB)" % (label, size))
    return c.created(c.ser_volume(vol), "/api/v1/volumes/%s" % vid)


@bp.get("/volumes/<vid>")
@require("volumes:read")
@c.locked
def get_volume(vid):
    return jsonify(c.ser_volume(c.get_volume(vid)))


@bp.put("/volumes/<vid>")
@require("volumes:write")
@c.locked
def update_volume(vid):
    vol = c.get_volume(vid, for_write=True)
    body = require_body()
    v = Validator(body, UPDATE_FIELDS, READ_ONLY)
    label = v.string("label", max_len=200)
    size = v.number("sizeGb", minimum=0, exclusive_min=True, maximum=MAX_SIZE_GB)
    description = v.string("description", max_len=5000, allow_empty=True, strip=False)
    vtype = v.string("type", choices=VOLUME_TYPES)
    mount = _mount_path(v)
    if size is not MISSING and size < float(vol["sizeGb"]):
        v.err("sizeGb", "volumes can only grow (current size %g GB)" % float(vol["sizeGb"]))
    v.done()

    new = copy.deepcopy(vol)
    if mount is not MISSING and mount != vol["mountPath"]:
        active = _active_workspaces(vol["projectId"])
        if active:
            raise conflict("Volume '%s' is mounted by active workspace(s) %s; stop them before "
                           "changing its mount path" % (vid, ", ".join(active)),
                           code="volume_in_use")
        _check_mount_unique(vol["projectId"], mount, exclude=vid)
        new["mountPath"] = mount
    for key, value in (("label", label), ("sizeGb", size), ("description", description),
                       ("type", vtype)):
        if value is not MISSING:
            new[key] = value
    if body:
        new["updatedAt"] = iso(now())
        c.store().put("volumes", new)
        c.record(vol["projectId"], "volume.updated", "volume", vid,
                 "Volume '%s' updated (%s)" % (new["label"], ", ".join(sorted(body))))
    return jsonify(c.ser_volume(new))


@bp.delete("/volumes/<vid>")
@require("volumes:write")
@c.locked
def delete_volume(vid):
    vol = c.get_volume(vid, for_write=True)
    if vol["status"] == "syncing":
        raise conflict("Volume '%s' is syncing; try again when the sync has finished" % vid,
                       code="volume_busy")
    active = _active_workspaces(vol["projectId"])
    if active:
        raise conflict("Volume '%s' is mounted by active workspace(s) %s; stop them first"
                       % (vid, ", ".join(active)), code="volume_in_use")
    c.store().delete("volumes", vid)
    project = c.store().get("projects", vol["projectId"])
    if project is not None and project.get("defaultDataVolumeId") == vid:
        new_project = copy.deepcopy(project)
        remaining = [x for x in c.project_volumes(project["id"]) if x.get("type") == "data"]
        new_project["defaultDataVolumeId"] = remaining[0]["id"] if remaining else None
        new_project["updatedAt"] = iso(now())
        c.store().put("projects", new_project)
    c.record(vol["projectId"], "volume.deleted", "volume", vid, "Volume '%s' deleted" % vol["label"])
    return c.no_content()


# ------------------------------------------------------------ sync / share
@bp.post("/volumes/<vid>/sync")
@require("volumes:write")
@c.locked
def sync_volume(vid):
    vol = c.get_volume(vid, for_write=True)
    if vol["status"] == "syncing":
        raise conflict("Volume '%s' is already syncing" % vid, code="volume_busy")
    t = now()
    new = copy.deepcopy(vol)
    new["status"] = "syncing"
    new["_syncDoneAt"] = t + c.provision_delay()
    new["updatedAt"] = iso(t)
    c.store().put("volumes", new)
    c.record(vol["projectId"], "volume.synced", "volume", vid, "Volume '%s' sync started" % vol["label"])
    return jsonify({"message": "Volume sync initiated", "volumeId": vid, "status": "syncing"})


@bp.post("/volumes/<vid>/share")
@require("volumes:write")
@c.locked
def share_volume(vid):
    vol = c.get_volume(vid, for_write=True)
    if vol.get("isShared"):
        return jsonify({"message": "Volume is already shared with the organization",
                        "volumeId": vid, "isShared": True, "shared": True})
    new = copy.deepcopy(vol)
    new["isShared"] = True
    new["updatedAt"] = iso(now())
    c.store().put("volumes", new)
    c.record(vol["projectId"], "volume.shared", "volume", vid,
             "Volume '%s' shared with the organization" % vol["label"])
    return jsonify({"message": "Volume shared with the organization", "volumeId": vid,
                    "isShared": True, "shared": True})
