"""Workspaces: /api/v1/workspaces..."""

import copy
import re

from flask import Blueprint, g, jsonify

from .. import common as c
from .. import sim
from ..auth import require
from ..errors import ApiError, conflict
from ..timeutil import iso, now
from ..validation import (MISSING, Validator, enum_param, page, pagination, query_params,
                          require_body, sort_docs, sort_param, text_match)

bp = Blueprint("workspaces", __name__)

ENV_TYPES = ("jupyter", "vscode", "rstudio", "custom")
DEFAULT_IMAGES = {
    "jupyter": "strongly/jupyter:latest",
    "vscode": "strongly/vscode:latest",
    "rstudio": "strongly/rstudio:latest",
}
IMAGE_RE = r"[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}"
RESOURCE_KEYS = ("cpu", "memory", "gpu", "gpuType", "storage")
DEFAULT_RESOURCES = {"cpu": "2", "memory": "8Gi", "gpu": "0", "gpuType": None, "storage": "20Gi"}
LIMITS = {"cpu": 64.0, "memory": 1024.0, "gpu": 8, "storage": 4096.0}  # cores, GiB, count, GiB
SORT_FIELDS = ("createdAt", "updatedAt", "name", "status", "environmentType")

CREATE_FIELDS = ("name", "description", "environmentType", "image", "resources", "projectId")
UPDATE_FIELDS = ("name", "description", "image", "resources")
READ_ONLY = ("id", "workspaceId", "status", "environmentType", "organizationId", "owner", "ownerId",
             "url", "projectId", "volumeIds", "createdAt", "updatedAt")

_CPU_RE = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")
_BYTES_RE = re.compile(r"^(\d+(?:\.\d+)?)(Mi|Gi|Ti|M|G|T)$")


def _num_to_str(value):
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _resources(v, partial):
    """Validate ``resources``; returns a dict of the given keys (or MISSING)."""
    if "resources" not in v.body:
        return MISSING
    raw = v.body["resources"]
    if not isinstance(raw, dict):
        v.err("resources", "must be an object")
        return MISSING
    out = {}
    ok = True
    for key, value in raw.items():
        field = "resources.%s" % key
        if key not in RESOURCE_KEYS:
            v.err(field, "unknown resource (allowed: %s)" % ", ".join(RESOURCE_KEYS))
            ok = False
            continue
        if key == "gpuType":
            if value is None:
                out[key] = None
            elif not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}", value.strip()):
                v.err(field, "must be a GPU type name such as nvidia-a10g, or null")
                ok = False
            else:
                out[key] = value.strip()
            continue
        if isinstance(value, bool) or value is None:
            v.err(field, "must be a string such as %r" % DEFAULT_RESOURCES[key])
            ok = False
            continue
        if isinstance(value, (int, float)) and key in ("cpu", "gpu"):
            if value != value or value in (float("inf"), float("-inf")):
                v.err(field, "must be a finite number")
                ok = False
                continue
            value = _num_to_str(value)
        if not isinstance(value, str):
            v.err(field, "must be a string such as %r" % DEFAULT_RESOURCES[key])
            ok = False
            continue
        value = value.strip()
        if key == "cpu":
            m = _CPU_RE.match(value)
            cores = (float(m.group(1)) / (1000.0 if m.group(2) else 1.0)) if m else None
            if cores is None or cores <= 0 or cores > LIMITS["cpu"]:
                v.err(field, "must be a CPU quantity greater than 0 and at most %d cores (e.g. \"4\", \"500m\")" % LIMITS["cpu"])
                ok = False
                continue
        elif key == "gpu":
            if not re.fullmatch(r"\d{1,3}", value) or int(value) > LIMITS["gpu"]:
                v.err(field, "must be a whole number of GPUs from 0 to %d" % LIMITS["gpu"])
                ok = False
                continue
            value = str(int(value))
        else:  # memory / storage
            m = _BYTES_RE.match(value)
            gib = sim.gibibytes(value) if m else None
            minimum = 0.125 if key == "memory" else 1.0
            if gib is None or gib < minimum or gib > LIMITS[key]:
                v.err(field, "must be a size with unit (Mi, Gi, Ti, M, G, T) between %s and %dGi"
                      % ("128Mi" if key == "memory" else "1Gi", LIMITS[key]))
                ok = False
                continue
        out[key] = value
    return out if ok else MISSING


def _ordered_resources(res):
    return {k: res.get(k) for k in RESOURCE_KEYS}


def _project_for_write(pid, v):
    """Resolve a projectId given in a request body (None allowed)."""
    if pid in (MISSING, None):
        return None
    project = c.store().get("projects", pid)
    if project is None or not c.project_visible(g.user, project):
        v.err("projectId", "no project with id '%s'" % pid)
        return None
    return project


def _not_archived(project):
    if project is not None and project.get("archived"):
        raise conflict("Project '%s' is archived; restore it first" % project["id"],
                       code="project_archived")


# -------------------------------------------------------------------- list
def list_workspaces_response(project_id=None):
    allowed = {"search", "status", "limit", "offset", "sort"}
    if project_id is None:
        allowed.add("projectId")
    q = query_params(allowed)
    limit, offset = pagination(q)
    status = enum_param(q, "status", sim.STATUSES)
    field, desc = sort_param(q, SORT_FIELDS)
    search = (q.get("search") or "").strip()
    pid = project_id if project_id is not None else (q.get("projectId") or "").strip() or None
    user = g.user
    docs = [w for w in c.all_workspaces() if c.workspace_visible(user, w)]
    if pid is not None:
        docs = [w for w in docs if w.get("projectId") == pid]
    if status:
        docs = [w for w in docs if w["status"] == status]
    if search:
        docs = [w for w in docs if text_match(search, w.get("name"), w.get("description"))]
    docs = sort_docs(docs, field, desc)
    index = c.volume_ids_by_project()
    body = {"count": len(docs), "limit": limit, "offset": offset}
    if project_id is not None:
        body = {"projectId": project_id, **body}
    body["workspaces"] = [c.ser_workspace(w, index) for w in page(docs, limit, offset)]
    return jsonify(body)


@bp.get("/workspaces")
@require("workspaces:read")
@c.locked
def list_workspaces():
    return list_workspaces_response()


# ------------------------------------------------------------------- CRUD
@bp.post("/workspaces")
@require("workspaces:write")
@c.locked
def create_workspace():
    body = require_body()
    v = Validator(body, CREATE_FIELDS, READ_ONLY)
    name = v.string("name", required=True, max_len=200)
    description = v.string("description", required=True, max_len=5000, allow_empty=True, strip=False)
    env = v.string("environmentType", required=True, choices=ENV_TYPES)
    image = v.string("image", max_len=255, pattern=IMAGE_RE,
                     pattern_msg="must be a container image reference such as strongly/jupyter-gpu:latest")
    resources = _resources(v, partial=False)
    pid = v.string("projectId", max_len=100, nullable=True)
    if env == "custom" and image is MISSING and "image" not in body:
        v.err("image", "is required when environmentType is custom")
    project = _project_for_write(pid, v)
    v.done()
    _not_archived(project)

    user = g.user
    t = now()
    res = dict(DEFAULT_RESOURCES)
    if resources is not MISSING:
        res.update(resources)
    ws = {
        "id": c.new_id("workspaces", "ws"),
        "name": name,
        "description": description,
        "status": "pending",
        "environmentType": env,
        "image": image if image is not MISSING else DEFAULT_IMAGES[env],
        "resources": _ordered_resources(res),
        "organizationId": user.org,
        "owner": {"id": user.id, "name": user.name, "email": user.email},
        "ownerId": user.id,
        "projectId": project["id"] if project else None,
        "createdAt": iso(t),
        "updatedAt": iso(t),
        "_seq": c.store().next_seq(),
        "_events": [],
    }
    sim.begin_provisioning(ws, t, c.provision_delay())
    c.store().put("workspaces", ws)
    if project:
        c.record(project["id"], "workspace.created", "workspace", ws["id"],
                 "Workspace '%s' created" % name)
    out = {"workspaceId": ws["id"]}
    out.update(c.ser_workspace(ws))
    return c.created(out, "/api/v1/workspaces/%s" % ws["id"])


@bp.get("/workspaces/<wid>")
@require("workspaces:read")
@c.locked
def get_workspace(wid):
    return jsonify(c.ser_workspace(c.get_workspace(wid)))


@bp.put("/workspaces/<wid>")
@require("workspaces:write")
@c.locked
def update_workspace(wid):
    ws = c.get_workspace(wid)
    body = require_body()
    v = Validator(body, UPDATE_FIELDS, READ_ONLY)
    name = v.string("name", max_len=200)
    description = v.string("description", max_len=5000, allow_empty=True, strip=False)
    image = v.string("image", max_len=255, pattern=IMAGE_RE,
                     pattern_msg="must be a container image reference such as strongly/jupyter-gpu:latest")
    resources = _resources(v, partial=True)
    v.done()

    new = copy.deepcopy(ws)
    if resources is not MISSING:
        merged = dict(ws["resources"])
        merged.update(resources)
        new["resources"] = _ordered_resources(merged)
    if image is not MISSING:
        new["image"] = image
    if ws["status"] in sim.ACTIVE:
        changed = [k for k in ("resources", "image") if new[k] != ws[k]]
        if changed:
            raise conflict(
                "Workspace '%s' is %s; %s can only be changed while it is stopped"
                % (wid, ws["status"], " and ".join(changed)),
                code="workspace_not_stopped",
            )
    if name is not MISSING:
        new["name"] = name
    if description is not MISSING:
        new["description"] = description
    if body:
        new["updatedAt"] = iso(now())
        c.store().put("workspaces", new)
        c.record(ws.get("projectId"), "workspace.updated", "workspace", wid,
                 "Workspace '%s' updated (%s)" % (new["name"], ", ".join(sorted(body))))
    return jsonify(c.ser_workspace(new))


@bp.delete("/workspaces/<wid>")
@require("workspaces:write")
@c.locked
def delete_workspace(wid):
    ws = c.get_workspace(wid)
    if ws["status"] in sim.ACTIVE:
        raise conflict("Workspace '%s' is %s; stop it before deleting it" % (wid, ws["status"]),
                       code="workspace_not_stopped")
    c.store().delete("workspaces", wid)
    c.record(ws.get("projectId"), "workspace.deleted", "workspace", wid,
             "Workspace '%s' deleted" % ws["name"])
    return c.no_content()


# -------------------------------------------------------------- lifecycle
def _lifecycle_response(message, ws):
    return jsonify({"message": message, "workspaceId": ws["id"], "status": ws["status"]})


@bp.post("/workspaces/<wid>/start")
@require("workspaces:write")
@c.locked
def start_workspace(wid):
    ws = c.get_workspace(wid)
    if ws["status"] not in ("stopped", "failed"):
        raise conflict("Workspace '%s' is %s; only a stopped workspace can be started"
                       % (wid, ws["status"]), code="invalid_state")
    if ws.get("projectId"):
        _not_archived(c.store().get("projects", ws["projectId"]))
    t = now()
    new = copy.deepcopy(ws)
    sim.begin_provisioning(new, t, c.provision_delay())
    new["updatedAt"] = iso(t)
    c.store().put("workspaces", new)
    c.record(ws.get("projectId"), "workspace.started", "workspace", wid,
             "Workspace '%s' started" % ws["name"])
    return _lifecycle_response("Workspace starting", new)


@bp.post("/workspaces/<wid>/stop")
@require("workspaces:write")
@c.locked
def stop_workspace(wid):
    ws = c.get_workspace(wid)
    if ws["status"] not in sim.ACTIVE:
        raise conflict("Workspace '%s' is %s; only a running or starting workspace can be stopped"
                       % (wid, ws["status"]), code="invalid_state")
    t = now()
    new = copy.deepcopy(ws)
    sim.stop(new, t)
    new["updatedAt"] = iso(t)
    c.store().put("workspaces", new)
    c.record(ws.get("projectId"), "workspace.stopped", "workspace", wid,
             "Workspace '%s' stopped" % ws["name"])
    return _lifecycle_response("Workspace stopping", new)


@bp.post("/workspaces/<wid>/restart")
@require("workspaces:write")
@c.locked
def restart_workspace(wid):
    ws = c.get_workspace(wid)
    if ws["status"] != "running":
        raise conflict("Workspace '%s' is %s; only a running workspace can be restarted"
                       % (wid, ws["status"]), code="invalid_state")
    if ws.get("projectId"):
        _not_archived(c.store().get("projects", ws["projectId"]))
    t = now()
    new = copy.deepcopy(ws)
    sim.stop(new, t)
    sim.begin_provisioning(new, t, c.provision_delay(), kind="restart")
    new["updatedAt"] = iso(t)
    c.store().put("workspaces", new)
    c.record(ws.get("projectId"), "workspace.restarted", "workspace", wid,
             "Workspace '%s' restarted" % ws["name"])
    return _lifecycle_response("Workspace restarting", new)


# --------------------------------------------------------------- runtime
@bp.get("/workspaces/<wid>/status")
@require("workspaces:read")
@c.locked
def workspace_status(wid):
    query_params(set())
    return jsonify(sim.status_report(c.get_workspace(wid)))


@bp.get("/workspaces/<wid>/metrics")
@require("workspaces:read")
@c.locked
def workspace_metrics(wid):
    query_params(set())
    ws = c.get_workspace(wid)
    if ws["status"] != "running":
        raise conflict("Workspace '%s' is %s; metrics are available only while it is running"
                       % (wid, ws["status"]), code="workspace_not_running")
    return jsonify(sim.metrics(ws, now()))


@bp.get("/workspaces/<wid>/logs")
@require("workspaces:read")
@c.locked
def workspace_logs(wid):
    q = query_params({"type"})
    log_type = enum_param(q, "type", sim.LOG_TYPES) or "pod"
    ws = c.get_workspace(wid)
    vol_ids = c.volume_ids_by_project().get(ws.get("projectId"), []) if ws.get("projectId") else []
    text, lines = sim.logs(ws, log_type, vol_ids)
    return jsonify({
        "workspaceId": wid,
        "logType": log_type,
        "logs": text,
        "content": text,
        "lines": lines,
    })


@bp.post("/workspaces/<wid>/sync")
@require("workspaces:write")
@c.locked
def sync_workspace(wid):
    ws = c.get_workspace(wid)
    if ws["status"] != "running":
        raise conflict("Workspace '%s' is %s; only a running workspace can be synced"
                       % (wid, ws["status"]), code="workspace_not_running")
    t = now()
    new = copy.deepcopy(ws)
    sim.record_sync(new, t)
    c.store().put("workspaces", new)
    c.record(ws.get("projectId"), "workspace.synced", "workspace", wid,
             "Workspace '%s' files synced" % ws["name"])
    return jsonify({"message": "Workspace sync initiated", "workspaceId": wid})
