"""Projects: /api/v1/projects..."""

import copy
import hashlib

from flask import Blueprint, g, jsonify

from .. import common as c
from ..auth import require, users_in_org
from ..errors import ApiError, conflict, not_found
from ..timeutil import iso, now
from ..validation import (MISSING, Validator, enum_param, page, pagination, query_params,
                          require_body, sort_docs, sort_param, text_match)
from .workspaces import list_workspaces_response

bp = Blueprint("projects", __name__)

VISIBILITIES = ("private", "organization")
PROJECT_STATUSES = ("active", "archived")
ROLES = ("admin", "editor", "viewer")
EMAIL_RE = r"[^@\s]+@[^@\s]+\.[^@\s]+"
USER_ID_RE = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}"
SORT_FIELDS = ("createdAt", "updatedAt", "name", "status", "category")

CREATE_FIELDS = ("name", "description", "category", "visibility", "tags")
UPDATE_FIELDS = CREATE_FIELDS + ("defaultDataVolumeId",)
READ_ONLY = ("id", "status", "organizationId", "owner", "ownerId", "collaborators", "sharedWith",
             "archived", "defaultDataVolumeId", "attachedVolumeIds", "createdAt", "updatedAt")


def _validate_common(v):
    out = {}
    out["name"] = v.string("name", required=v._creating, max_len=200)
    out["description"] = v.string("description", required=v._creating, max_len=5000,
                                  allow_empty=True, strip=False)
    out["category"] = v.string("category", max_len=100, nullable=True)
    out["visibility"] = v.string("visibility", choices=VISIBILITIES)
    out["tags"] = v.string_list("tags")
    return out


def _validator(body, creating):
    allowed = CREATE_FIELDS if creating else UPDATE_FIELDS
    read_only = tuple(f for f in READ_ONLY if f not in allowed)
    v = Validator(body, allowed, read_only)
    v._creating = creating
    return v


def _ensure_not_archived(project, what):
    if project.get("archived"):
        raise conflict("Project '%s' is archived; restore it before %s" % (project["id"], what),
                       code="project_archived")


# ------------------------------------------------------------------ routes
@bp.get("/projects")
@require("projects:read")
@c.locked
def list_projects():
    q = query_params({"search", "status", "category", "tag", "limit", "offset", "sort"})
    limit, offset = pagination(q)
    status = enum_param(q, "status", PROJECT_STATUSES)
    field, desc = sort_param(q, SORT_FIELDS)
    search = (q.get("search") or "").strip()
    category = (q.get("category") or "").strip()
    tag = (q.get("tag") or "").strip()
    user = g.user
    docs = [p for p in c.store().all("projects") if c.project_visible(user, p)]
    if search:
        docs = [p for p in docs if text_match(search, p.get("name"), p.get("description"))]
    if status:
        docs = [p for p in docs if p.get("status") == status]
    if category:
        docs = [p for p in docs if (p.get("category") or "").casefold() == category.casefold()]
    if tag:
        docs = [p for p in docs if tag.casefold() in [t.casefold() for t in p.get("tags", [])]]
    docs = sort_docs(docs, field, desc)
    return jsonify({
        "count": len(docs),
        "limit": limit,
        "offset": offset,
        "projects": [c.ser_project(p) for p in page(docs, limit, offset)],
    })


@bp.post("/projects")
@require("projects:write")
@c.locked
def create_project():
    body = require_body()
    v = _validator(body, creating=True)
    f = _validate_common(v)
    v.done()
    user = g.user
    t = now()
    ts = iso(t)
    project = {
        "id": c.new_id("projects", "proj"),
        "name": f["name"],
        "description": f["description"],
        "status": "active",
        "category": None if f["category"] is MISSING else f["category"],
        "visibility": "organization" if f["visibility"] is MISSING else f["visibility"],
        "organizationId": user.org,
        "owner": user.name,
        "ownerId": user.id,
        "collaborators": [{
            "userId": user.id,
            "email": user.email,
            "role": "owner",
            "isOwner": True,
            "grantedAt": ts,
            "grantedBy": user.id,
        }],
        "tags": [] if f["tags"] is MISSING else f["tags"],
        "archived": False,
        "defaultDataVolumeId": None,
        "createdAt": ts,
        "updatedAt": ts,
        "_seq": c.store().next_seq(),
    }
    c.store().put("projects", project)
    c.record(project["id"], "project.created", "project", project["id"],
             "Project '%s' created" % project["name"])
    return c.created(c.ser_project(project), "/api/v1/projects/%s" % project["id"])


@bp.get("/projects/<pid>")
@require("projects:read")
@c.locked
def get_project(pid):
    return jsonify(c.ser_project(c.get_project(pid)))


@bp.put("/projects/<pid>")
@require("projects:write")
@c.locked
def update_project(pid):
    project = c.get_project(pid)
    body = require_body()
    v = _validator(body, creating=False)
    f = _validate_common(v)
    default_vol = v.string("defaultDataVolumeId", max_len=100, nullable=True)
    if default_vol not in (MISSING, None):
        vol = c.store().get("volumes", default_vol)
        if vol is None or vol.get("projectId") != pid:
            v.err("defaultDataVolumeId", "must be the id of a volume attached to this project")
    v.done()
    _ensure_not_archived(project, "updating it")
    new = copy.deepcopy(project)
    for key, value in f.items():
        if value is not MISSING:
            new[key] = value
    if default_vol is not MISSING:
        new["defaultDataVolumeId"] = default_vol
    if body:
        new["updatedAt"] = iso(now())
        c.store().put("projects", new)
        changed = ", ".join(sorted(body.keys()))
        c.record(pid, "project.updated", "project", pid, "Project updated (%s)" % changed)
    return jsonify(c.ser_project(new))


@bp.delete("/projects/<pid>")
@require("projects:write")
@c.locked
def delete_project(pid):
    project = c.get_project(pid)
    n_ws = sum(1 for w in c.store().all("workspaces") if w.get("projectId") == pid)
    n_vol = sum(1 for v in c.store().all("volumes") if v.get("projectId") == pid)
    if n_ws or n_vol:
        raise conflict(
            "Project '%s' still has %d workspace(s) and %d volume(s); delete them first"
            % (project["id"], n_ws, n_vol),
            code="project_not_empty",
        )
    c.store().delete("projects", pid)
    c.store().delete_activity(pid)
    return c.no_content()


@bp.post("/projects/<pid>/archive")
@require("projects:write")
@c.locked
def archive_project(pid):
    project = c.get_project(pid)
    if project.get("archived"):
        raise conflict("Project '%s' is already archived" % pid, code="invalid_state")
    active = [w["id"] for w in c.all_workspaces()
              if w.get("projectId") == pid and w["status"] in ("pending", "running")]
    if active:
        raise conflict("Project '%s' has active workspaces (%s); stop them before archiving"
                       % (pid, ", ".join(sorted(active))), code="workspaces_active")
    new = copy.deepcopy(project)
    new["archived"] = True
    new["status"] = "archived"
    new["updatedAt"] = iso(now())
    c.store().put("projects", new)
    c.record(pid, "project.archived", "project", pid, "Project archived")
    return jsonify({"message": "Project archived", "projectId": pid, "status": "archived",
                    "archived": True})


@bp.post("/projects/<pid>/restore")
@require("projects:write")
@c.locked
def restore_project(pid):
    project = c.get_project(pid)
    if not project.get("archived"):
        raise conflict("Project '%s' is not archived" % pid, code="invalid_state")
    new = copy.deepcopy(project)
    new["archived"] = False
    new["status"] = "active"
    new["updatedAt"] = iso(now())
    c.store().put("projects", new)
    c.record(pid, "project.restored", "project", pid, "Project restored")
    return jsonify({"message": "Project restored", "projectId": pid, "status": "active",
                    "archived": False})


@bp.get("/projects/<pid>/stats")
@require("projects:read")
@c.locked
def project_stats(pid):
    c.get_project(pid)
    workspaces = [w for w in c.all_workspaces() if w.get("projectId") == pid]
    volumes = [v for v in c.store().all("volumes") if v.get("projectId") == pid]
    return jsonify({
        "projectId": pid,
        "workspaceCount": len(workspaces),
        "volumeCount": len(volumes),
        "totalStorageGb": round(float(sum(v["sizeGb"] for v in volumes)), 3),
        "activeWorkspaces": sum(1 for w in workspaces if w["status"] == "running"),
    })


@bp.get("/projects/<pid>/activity")
@require("projects:read")
@c.locked
def project_activity(pid):
    q = query_params({"limit", "offset"})
    limit, offset = pagination(q)
    c.get_project(pid)
    events = sorted(c.store().events(pid), key=lambda e: e.get("_seq", 0), reverse=True)
    return jsonify({
        "projectId": pid,
        "count": len(events),
        "limit": limit,
        "offset": offset,
        "activity": [c.public(e) for e in page(events, limit, offset)],
    })


# ----------------------------------------------------------- collaborators
def _find_collaborator(project, user_id):
    for entry in project.get("collaborators", []):
        if entry["userId"] == user_id:
            return entry
    raise not_found("Collaborator", user_id)


@bp.get("/projects/<pid>/collaborators")
@require("projects:read")
@c.locked
def list_collaborators(pid):
    project = c.get_project(pid)
    collabs = copy.deepcopy(project.get("collaborators", []))
    return jsonify({"projectId": pid, "count": len(collabs), "collaborators": collabs})


@bp.post("/projects/<pid>/collaborators")
@require("projects:write")
@c.locked
def add_collaborator(pid):
    project = c.get_project(pid)
    body = require_body()
    v = Validator(body, ("email", "role", "userId"),
                  read_only=("isOwner", "grantedAt", "grantedBy"))
    email = v.string("email", required=True, max_len=254, pattern=EMAIL_RE,
                     pattern_msg="must be an email address")
    role = v.string("role", required=True, choices=ROLES)
    user_id = v.string("userId", max_len=100, pattern=USER_ID_RE,
                       pattern_msg="must contain only letters, digits, '_', '.' and '-'")
    v.done()
    _ensure_not_archived(project, "changing its collaborators")

    org_users = users_in_org(g.user.org)
    by_email = next((u for u in org_users if u.email.casefold() == email.casefold()), None)
    by_id = next((u for u in org_users if user_id is not MISSING and u.id == user_id), None)
    if user_id is not MISSING:
        if (by_email and by_email.id != user_id) or (by_id and by_id.email.casefold() != email.casefold()):
            raise ApiError(400, "validation_error",
                           "userId: does not match the user with that email",
                           details=[{"field": "userId",
                                     "message": "does not match the user with that email"}])
    else:
        user_id = by_email.id if by_email else (
            "user_" + hashlib.sha256(email.casefold().encode()).hexdigest()[:12])

    for entry in project.get("collaborators", []):
        if entry["userId"] == user_id or entry["email"].casefold() == email.casefold():
            if entry.get("isOwner"):
                raise conflict("That user is the project owner", code="already_exists")
            raise conflict("That user is already a collaborator on this project",
                           code="already_exists")

    ts = iso(now())
    entry = {
        "userId": user_id,
        "email": email,
        "role": role,
        "isOwner": False,
        "grantedAt": ts,
        "grantedBy": g.user.id,
    }
    new = copy.deepcopy(project)
    new["collaborators"].append(entry)
    new["updatedAt"] = ts
    c.store().put("projects", new)
    c.record(pid, "collaborator.added", "collaborator", user_id,
             "Added %s as %s" % (email, role))
    return c.created({"message": "Collaborator added", "projectId": pid, "collaborator": entry},
                     "/api/v1/projects/%s/collaborators/%s" % (pid, user_id))


@bp.put("/projects/<pid>/collaborators/<user_id>")
@require("projects:write")
@c.locked
def update_collaborator(pid, user_id):
    project = c.get_project(pid)
    entry = _find_collaborator(project, user_id)
    body = require_body()
    v = Validator(body, ("role",), read_only=("userId", "email", "isOwner", "grantedAt", "grantedBy"))
    role = v.string("role", required=True, choices=ROLES)
    v.done()
    _ensure_not_archived(project, "changing its collaborators")
    if entry.get("isOwner"):
        raise conflict("The project owner's role cannot be changed", code="owner_immutable")
    new = copy.deepcopy(project)
    updated = None
    for e in new["collaborators"]:
        if e["userId"] == user_id:
            e["role"] = role
            updated = e
    new["updatedAt"] = iso(now())
    c.store().put("projects", new)
    c.record(pid, "collaborator.role_updated", "collaborator", user_id,
             "Changed role of %s to %s" % (entry["email"], role))
    return jsonify({"message": "Collaborator role updated", "projectId": pid,
                    "collaborator": copy.deepcopy(updated)})


@bp.delete("/projects/<pid>/collaborators/<user_id>")
@require("projects:write")
@c.locked
def remove_collaborator(pid, user_id):
    project = c.get_project(pid)
    entry = _find_collaborator(project, user_id)
    _ensure_not_archived(project, "changing its collaborators")
    if entry.get("isOwner"):
        raise conflict("The project owner cannot be removed", code="owner_immutable")
    new = copy.deepcopy(project)
    new["collaborators"] = [e for e in new["collaborators"] if e["userId"] != user_id]
    new["updatedAt"] = iso(now())
    c.store().put("projects", new)
    c.record(pid, "collaborator.removed", "collaborator", user_id,
             "Removed %s" % entry["email"])
    return c.no_content()


# ------------------------------------------------- project volumes / workspaces
@bp.get("/projects/<pid>/volumes")
@require("projects:read", "volumes:read")
@c.locked
def project_volumes(pid):
    query_params(set())
    c.get_project(pid)
    vols = [c.refresh_volume(v) for v in c.project_volumes(pid)]
    return jsonify({"projectId": pid, "count": len(vols), "volumes": [c.ser_volume(v) for v in vols]})


@bp.get("/projects/<pid>/workspaces")
@require("projects:read", "workspaces:read")
@c.locked
def project_workspaces(pid):
    c.get_project(pid)
    return list_workspaces_response(project_id=pid)
