"""End-to-end tests: start ./serve.sh on a free 127.0.0.1 port, exercise every route,
SIGTERM it, restart it on the same data directory, and hammer it concurrently.

    .venv/bin/python tests/test_api.py          (or python3 tests/test_api.py)

Uses only the standard library.  All files go under tests/.run-* inside this folder.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUN_DIR = os.path.join(HERE, ".run-%d" % os.getpid())
DATA = os.path.join(RUN_DIR, "data")
DELAY = 0.5

ADMIN = "strongly-dev-admin"
READER = "strongly-dev-reader"
OTHER = "strongly-dev-other"

FAILURES = []
PASSES = 0


def check(cond, what, extra=None):
    global PASSES
    if cond:
        PASSES += 1
    else:
        FAILURES.append(what if extra is None else "%s -- %s" % (what, extra))
        print("FAIL:", what, "" if extra is None else extra, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, port):
        self.port = port
        self.proc = None

    def start(self):
        log = open(os.path.join(RUN_DIR, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [os.path.join(ROOT, "serve.sh"), "--host", "127.0.0.1", "--port", str(self.port),
             "--data", DATA, "--provision-delay", str(DELAY)],
            stdout=log, stderr=log)
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


PORT = None


def req(method, path, body=None, key=ADMIN, raw=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    hdrs = dict(headers or {})
    if key is not None:
        hdrs["X-API-Key"] = key
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    conn.request(method, "/api/v1" + path, body=data, headers=hdrs)
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    parsed = None
    if payload:
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = payload
    return resp.status, parsed, dict(resp.getheaders())


def is_error(status, body, expected):
    return status == expected and isinstance(body, dict) and "error" in body \
        and "code" in body["error"] and "message" in body["error"]


def wait_status(wid, status, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        s, b, _ = req("GET", "/workspaces/%s" % wid)
        if s == 200 and b["status"] == status:
            return b
        time.sleep(0.1)
    return None


# ------------------------------------------------------------------ scenarios
def test_auth_and_errors():
    s, b, _ = req("GET", "/projects", key=None)
    check(is_error(s, b, 401), "missing key -> 401 JSON", (s, b))
    s, b, _ = req("GET", "/projects", key="nope")
    check(is_error(s, b, 401), "bad key -> 401 JSON", (s, b))
    s, b, _ = req("POST", "/projects", {"name": "x", "description": "y"}, key=READER)
    check(is_error(s, b, 403), "reader write -> 403", (s, b))
    s, b, _ = req("GET", "/nope")
    check(is_error(s, b, 404), "unknown route -> 404 JSON", (s, b))
    s, b, h = req("PATCH", "/projects")
    check(is_error(s, b, 405) and "Allow" in h, "wrong method -> 405 JSON + Allow", (s, b, h))
    s, b, _ = req("POST", "/projects", raw=b"{not json", headers={"Content-Type": "application/json"})
    check(is_error(s, b, 400), "bad JSON -> 400", (s, b))
    s, b, _ = req("POST", "/projects", raw=b"[1,2]", headers={"Content-Type": "application/json"})
    check(is_error(s, b, 400), "array body -> 400", (s, b))
    s, b, _ = req("POST", "/projects", raw=b'{"name":"a","description":"b"}',
                  headers={"Content-Type": "text/plain"})
    check(is_error(s, b, 415), "text/plain body -> 415", (s, b))
    s, b, _ = req("POST", "/projects", raw=b"")
    check(is_error(s, b, 400), "empty body -> 400", (s, b))
    s, b, _ = req("POST", "/projects", raw=b'{"name":NaN,"description":"b"}',
                  headers={"Content-Type": "application/json"})
    check(is_error(s, b, 400), "NaN -> 400", (s, b))
    s, b, _ = req("POST", "/projects", raw=b"[" * 100000, headers={"Content-Type": "application/json"})
    check(is_error(s, b, 400), "deep nesting -> 400", (s, b))
    s, b, _ = req("POST", "/projects", raw=b'{"name":"' + b"a" * (2 * 1024 * 1024) + b'"}',
                  headers={"Content-Type": "application/json"})
    check(is_error(s, b, 413), "huge body -> 413", (s, b if not isinstance(b, bytes) else b[:100]))
    s, b, _ = req("POST", "/projects", raw=b'\xff\xfe{"name"', headers={"Content-Type": "application/json"})
    check(is_error(s, b, 400), "invalid utf-8 -> 400", (s, b))
    s, b, _ = req("GET", "/projects?limit=abc")
    check(is_error(s, b, 400), "limit=abc -> 400", (s, b))
    s, b, _ = req("GET", "/projects?limit=0")
    check(is_error(s, b, 400), "limit=0 -> 400", (s, b))
    s, b, _ = req("GET", "/projects?offset=-1")
    check(is_error(s, b, 400), "offset=-1 -> 400", (s, b))
    s, b, _ = req("GET", "/projects?limit=1000")
    check(s == 200 and b["limit"] == 100, "limit capped at 100", (s, b))
    s, b, _ = req("GET", "/workspaces?project_id=x")
    check(is_error(s, b, 400) and "projectId" in b["error"]["message"], "snake query -> 400 hint", (s, b))
    s, b, _ = req("GET", "/workspaces?status=bogus")
    check(is_error(s, b, 400), "bad status filter -> 400", (s, b))
    s, b, _ = req("GET", "/workspaces?sort=bogus:desc")
    check(is_error(s, b, 400), "bad sort -> 400", (s, b))


def test_projects():
    s, b, _ = req("POST", "/projects", {"description": "no name"})
    check(is_error(s, b, 400) and b["error"]["details"][0]["field"] == "name", "missing name -> 400", b)
    s, b, _ = req("POST", "/projects", {"name": "x", "description": "y", "visibility": "public"})
    check(is_error(s, b, 400), "bad visibility -> 400", b)
    s, b, _ = req("POST", "/projects", {"name": "x", "description": "y", "tags": "ml"})
    check(is_error(s, b, 400), "tags not list -> 400", b)
    s, b, _ = req("POST", "/projects", {"name": 5, "description": "y"})
    check(is_error(s, b, 400), "name int -> 400", b)
    s, b, _ = req("POST", "/projects", {"name": "x", "description": "y", "status": "archived"})
    check(is_error(s, b, 400), "read-only field -> 400", b)
    s, b, _ = req("POST", "/projects", {"name": "x", "description": "y", "default_data_volume_id": "v"})
    check(is_error(s, b, 400), "snake body field -> 400", b)

    s, p, h = req("POST", "/projects", {
        "name": "customer-churn-analysis", "description": "Predict and analyze customer churn patterns",
        "category": "machine-learning", "visibility": "organization", "tags": ["ml", "churn", "production"]})
    check(s == 201 and p["id"].startswith("proj_") and p["status"] == "active" and p["archived"] is False,
          "create project", (s, p))
    check(h.get("Location") == "/api/v1/projects/%s" % p["id"], "project Location header", h)
    for key in ("id", "name", "description", "status", "category", "visibility", "organizationId", "owner",
                "ownerId", "collaborators", "sharedWith", "tags", "archived", "defaultDataVolumeId",
                "attachedVolumeIds", "createdAt", "updatedAt"):
        check(key in p, "project has field %s" % key)
    check(p["owner"] == "Dev Admin" and p["ownerId"] == "user_admin" and p["organizationId"] == "org_a",
          "project owner fields", p)
    pid = p["id"]
    s, p2, _ = req("POST", "/projects", {"name": "fraud-detection", "description": "", "category": "analytics",
                                         "tags": ["fraud"]})
    check(s == 201 and p2["visibility"] == "organization" and p2["description"] == "", "create project 2", p2)

    s, b, _ = req("GET", "/projects/%s" % pid)
    check(s == 200 and b["id"] == pid, "get project", b)
    s, b, _ = req("GET", "/projects/%s" % pid, key=READER)
    check(s == 200, "reader sees org project", b)
    s, b, _ = req("GET", "/projects/%s" % pid, key=OTHER)
    check(is_error(s, b, 404), "other org -> 404", b)
    s, b, _ = req("GET", "/projects", key=OTHER)
    check(s == 200 and all(x["organizationId"] == "org_b" for x in b["projects"]), "other org list isolated", b)

    s, b, _ = req("GET", "/projects?search=CHURN")
    check(s == 200 and [x["id"] for x in b["projects"]] == [pid], "search projects", b)
    s, b, _ = req("GET", "/projects?tag=production")
    check(s == 200 and [x["id"] for x in b["projects"]] == [pid], "tag filter", b)
    s, b, _ = req("GET", "/projects?category=analytics")
    check(s == 200 and [x["id"] for x in b["projects"]] == [p2["id"]], "category filter", b)
    s, b, _ = req("GET", "/projects?status=archived")
    check(s == 200 and b["count"] == 0, "status filter", b)
    s, b, _ = req("GET", "/projects?sort=name:asc&limit=1&offset=1")
    check(s == 200 and b["count"] >= 2 and len(b["projects"]) == 1, "sort+pagination", b)

    s, b, _ = req("PUT", "/projects/%s" % pid, {"description": "Updated", "tags": ["ml", "v2"]})
    check(s == 200 and b["description"] == "Updated" and b["tags"] == ["ml", "v2"] and b["name"] == p["name"],
          "update project", b)
    s, b, _ = req("PUT", "/projects/%s" % pid, {"id": "proj_x"})
    check(is_error(s, b, 400), "update read-only id -> 400", b)
    s, b, _ = req("PUT", "/projects/%s" % pid, {"defaultDataVolumeId": "vol_nope"})
    check(is_error(s, b, 400), "bad default volume -> 400", b)
    s, b, _ = req("PUT", "/projects/proj_nope", {"name": "x"})
    check(is_error(s, b, 404), "update missing -> 404", b)

    # collaborators
    s, b, _ = req("POST", "/projects/%s/collaborators" % pid, {"email": "teammate@company.com", "role": "editor"})
    check(s == 201 and b["collaborator"]["role"] == "editor" and b["collaborator"]["isOwner"] is False,
          "add collaborator", b)
    uid = b["collaborator"]["userId"]
    s, b, _ = req("POST", "/projects/%s/collaborators" % pid, {"email": "TEAMMATE@company.com", "role": "viewer"})
    check(is_error(s, b, 409), "duplicate collaborator -> 409", b)
    s, b, _ = req("POST", "/projects/%s/collaborators" % pid, {"email": "x@y.z", "role": "owner"})
    check(is_error(s, b, 400), "role owner -> 400", b)
    s, b, _ = req("POST", "/projects/%s/collaborators" % pid, {"email": "not-an-email", "role": "viewer"})
    check(is_error(s, b, 400), "bad email -> 400", b)
    s, b, _ = req("POST", "/projects/%s/collaborators" % pid, {"email": "reader@org-a.example", "role": "viewer"})
    check(s == 201 and b["collaborator"]["userId"] == "user_reader", "known user id resolved", b)
    s, b, _ = req("POST", "/projects/%s/collaborators" % pid,
                  {"email": "someone@company.com", "role": "viewer", "userId": "user-xyz789"})
    check(s == 201 and b["collaborator"]["userId"] == "user-xyz789", "explicit userId", b)
    s, b, _ = req("GET", "/projects/%s/collaborators" % pid)
    check(s == 200 and b["count"] == 4 and b["collaborators"][0]["isOwner"] is True, "list collaborators", b)
    for key in ("userId", "email", "role", "isOwner", "grantedAt", "grantedBy"):
        check(key in b["collaborators"][1], "collaborator has %s" % key)
    s, b, _ = req("PUT", "/projects/%s/collaborators/user-xyz789" % pid, {"role": "editor"})
    check(s == 200 and b["collaborator"]["role"] == "editor", "update collaborator role", b)
    s, b, _ = req("PUT", "/projects/%s/collaborators/user_admin" % pid, {"role": "viewer"})
    check(is_error(s, b, 409), "change owner role -> 409", b)
    s, b, _ = req("DELETE", "/projects/%s/collaborators/user_admin" % pid)
    check(is_error(s, b, 409), "remove owner -> 409", b)
    s, b, _ = req("DELETE", "/projects/%s/collaborators/user-xyz789" % pid)
    check(s == 204 and b is None, "remove collaborator", (s, b))
    s, b, _ = req("DELETE", "/projects/%s/collaborators/user-xyz789" % pid)
    check(is_error(s, b, 404), "remove again -> 404", b)
    s, b, _ = req("GET", "/projects/%s" % pid)
    check(sorted(b["sharedWith"]) == sorted([uid, "user_reader"]), "sharedWith", b["sharedWith"])

    # private project visible only to members
    s, priv, _ = req("POST", "/projects", {"name": "secret", "description": "d", "visibility": "private"})
    s, b, _ = req("GET", "/projects/%s" % priv["id"], key=READER)
    check(is_error(s, b, 404), "private project hidden from non-member", b)
    req("POST", "/projects/%s/collaborators" % priv["id"], {"email": "reader@org-a.example", "role": "viewer"})
    s, b, _ = req("GET", "/projects/%s" % priv["id"], key=READER)
    check(s == 200, "private project visible to collaborator", b)
    return pid


def test_volumes(pid):
    s, b, _ = req("POST", "/volumes", {"label": "x", "sizeGb": 5})
    check(is_error(s, b, 400), "volume without projectId -> 400", b)
    s, b, _ = req("POST", "/volumes", {"projectId": pid, "label": "x", "sizeGb": -1})
    check(is_error(s, b, 400), "negative size -> 400", b)
    s, b, _ = req("POST", "/volumes", {"projectId": pid, "label": "x", "sizeGb": "5"})
    check(is_error(s, b, 400), "string size -> 400", b)
    s, b, _ = req("POST", "/volumes", {"projectId": pid, "label": "x", "sizeGb": True})
    check(is_error(s, b, 400), "bool size -> 400", b)
    s, b, _ = req("POST", "/volumes", {"projectId": "proj_nope", "label": "x", "sizeGb": 5})
    check(is_error(s, b, 400), "unknown project -> 400", b)
    s, b, _ = req("POST", "/volumes", {"projectId": pid, "label": "x", "sizeGb": 5, "mountPath": "relative"})
    check(is_error(s, b, 400), "relative mountPath -> 400", b)
    s, b, _ = req("POST", "/volumes", {"projectId": pid, "label": "x", "sizeGb": 5, "mountPath": "/data/../etc"})
    check(is_error(s, b, 400), "dotdot mountPath -> 400", b)
    s, b, _ = req("POST", "/volumes", {"projectId": pid, "label": "x", "sizeGb": 5, "type": "weird"})
    check(is_error(s, b, 400), "bad type -> 400", b)

    s, v, _ = req("POST", "/volumes", {"projectId": pid, "label": "training-data", "sizeGb": 50.0,
                                       "description": "Training datasets", "type": "data",
                                       "mountPath": "/data/training"})
    check(s == 201 and v["id"].startswith("vol_") and v["sizeGb"] == 50.0 and v["status"] == "available",
          "create volume", (s, v))
    for key in ("id", "label", "name", "description", "status", "type", "volumeType", "sizeGb", "mountPath",
                "organizationId", "owner", "ownerId", "projectId", "isShared", "shared", "sharedWith",
                "createdAt", "updatedAt"):
        check(key in v, "volume has field %s" % key)
    s, b, _ = req("POST", "/volumes", {"projectId": pid, "label": "dup", "sizeGb": 1, "mountPath": "/data/training/"})
    check(is_error(s, b, 409), "duplicate mountPath -> 409", b)
    s, v2, _ = req("POST", "/volumes", {"projectId": pid, "label": "models", "sizeGb": 10, "type": "model"})
    check(s == 201 and v2["mountPath"].startswith("/mnt/") and v2["sizeGb"] == 10.0, "volume defaults", v2)
    s, p, _ = req("GET", "/projects/%s" % pid)
    check(p["defaultDataVolumeId"] == v["id"] and p["attachedVolumeIds"] == [v["id"], v2["id"]],
          "project default/attached volumes", p)

    s, b, _ = req("GET", "/volumes?search=training")
    check(s == 200 and [x["id"] for x in b["volumes"]] == [v["id"]], "volume search", b)
    s, b, _ = req("GET", "/volumes?type=model")
    check(s == 200 and [x["id"] for x in b["volumes"]] == [v2["id"]], "volume type filter", b)
    s, b, _ = req("GET", "/volumes?projectId=%s" % pid)
    check(s == 200 and b["count"] == 2, "volume project filter", b)
    s, b, _ = req("GET", "/projects/%s/volumes" % pid)
    check(s == 200 and b["count"] == 2, "project volumes", b)
    s, b, _ = req("GET", "/volumes/%s" % v["id"], key=OTHER)
    check(is_error(s, b, 404), "volume other org -> 404", b)

    s, b, _ = req("PUT", "/volumes/%s" % v["id"], {"sizeGb": 10})
    check(is_error(s, b, 400), "shrink -> 400", b)
    s, b, _ = req("PUT", "/volumes/%s" % v["id"], {"sizeGb": 75, "label": "training-data-v2"})
    check(s == 200 and b["sizeGb"] == 75.0 and b["label"] == "training-data-v2" and b["name"] == v["name"],
          "update volume", b)
    s, b, _ = req("PUT", "/volumes/%s" % v["id"], {"isShared": True})
    check(is_error(s, b, 400), "update read-only isShared -> 400", b)

    s, b, _ = req("POST", "/volumes/%s/sync" % v["id"])
    check(s == 200 and b["status"] == "syncing" and b["volumeId"] == v["id"], "sync volume", b)
    s, b, _ = req("POST", "/volumes/%s/sync" % v["id"])
    check(is_error(s, b, 409), "sync while syncing -> 409", b)
    time.sleep(DELAY + 0.2)
    s, b, _ = req("GET", "/volumes/%s" % v["id"])
    check(b["status"] == "available", "sync finishes", b)

    s, b, _ = req("GET", "/volumes/shared")
    check(s == 200 and b["count"] == 0, "no shared volumes yet", b)
    s, b, _ = req("POST", "/volumes/%s/share" % v["id"])
    check(s == 200 and b["isShared"] is True, "share volume", b)
    s, b, _ = req("POST", "/volumes/%s/share" % v["id"])
    check(s == 200, "share again idempotent", b)
    s, b, _ = req("GET", "/volumes/shared?search=training")
    check(s == 200 and [x["id"] for x in b["volumes"]] == [v["id"]] and b["volumes"][0]["shared"] is True,
          "list shared", b)
    s, b, _ = req("GET", "/volumes/shared", key=OTHER)
    check(s == 200 and b["count"] == 0, "shared not visible to other org", b)
    return v, v2


def test_workspaces(pid, vol_ids):
    s, b, _ = req("POST", "/workspaces", {"name": "x", "description": "y"})
    check(is_error(s, b, 400), "missing environmentType -> 400", b)
    s, b, _ = req("POST", "/workspaces", {"name": "x", "description": "y", "environmentType": "emacs"})
    check(is_error(s, b, 400), "bad environmentType -> 400", b)
    s, b, _ = req("POST", "/workspaces", {"name": "x", "description": "y", "environmentType": "custom"})
    check(is_error(s, b, 400), "custom without image -> 400", b)
    s, b, _ = req("POST", "/workspaces", {"name": "x", "description": "y", "environmentType": "jupyter",
                                          "resources": {"cpu": "lots"}})
    check(is_error(s, b, 400), "bad cpu -> 400", b)
    s, b, _ = req("POST", "/workspaces", {"name": "x", "description": "y", "environmentType": "jupyter",
                                          "resources": {"ram": "1Gi"}})
    check(is_error(s, b, 400), "unknown resource -> 400", b)
    s, b, _ = req("POST", "/workspaces", {"name": "x", "description": "y", "environmentType": "jupyter",
                                          "resources": []})
    check(is_error(s, b, 400), "resources array -> 400", b)
    s, b, _ = req("POST", "/workspaces", {"name": "x", "description": "y", "environmentType": "jupyter",
                                          "projectId": "proj_nope"})
    check(is_error(s, b, 400), "unknown projectId -> 400", b)
    s, b, _ = req("POST", "/workspaces", {"name": "x", "description": "y", "environment_type": "jupyter"})
    check(is_error(s, b, 400) and "environmentType" in json.dumps(b), "snake_case field hint", b)

    s, w, h = req("POST", "/workspaces", {
        "name": "Training Environment", "description": "GPU-enabled workspace for model training",
        "environmentType": "jupyter", "image": "strongly/jupyter-gpu:latest",
        "resources": {"cpu": "4", "memory": "16Gi", "gpu": "1", "gpuType": "nvidia-a10g", "storage": "50Gi"},
        "projectId": pid})
    check(s == 201 and w["workspaceId"] == w["id"] and w["status"] == "pending" and w["url"] is None,
          "create workspace", (s, w))
    wid = w["id"]
    check(h.get("Location") == "/api/v1/workspaces/%s" % wid, "workspace Location", h)
    check(w["owner"] == {"id": "user_admin", "name": "Dev Admin", "email": "admin@org-a.example"},
          "workspace owner object", w)
    check(w["volumeIds"] == vol_ids, "workspace volumeIds", (w["volumeIds"], vol_ids))
    s, st, _ = req("GET", "/workspaces/%s/status" % wid)
    check(s == 200 and st["phase"] == "Pending" and st["ready"] is False, "status pending", st)
    s, b, _ = req("GET", "/workspaces/%s/metrics" % wid)
    check(is_error(s, b, 409), "metrics while pending -> 409", b)
    s, b, _ = req("DELETE", "/workspaces/%s" % wid)
    check(is_error(s, b, 409), "delete pending -> 409", b)

    got = wait_status(wid, "running")
    check(got is not None and got["url"] == "https://%s.workspaces.strongly.ai" % wid.replace("_", "-"),
          "becomes running with url", got)
    s, st, _ = req("GET", "/workspaces/%s/status" % wid)
    check(s == 200 and st["phase"] == "Running" and st["ready"] is True and len(st["conditions"]) == 2,
          "status running", st)
    s, m, _ = req("GET", "/workspaces/%s/metrics" % wid)
    check(s == 200 and all(k in m for k in ("cpuUsage", "memoryUsage", "gpuUsage", "diskUsage"))
          and m["memoryUsage"].endswith("Gi") and m["gpuUsage"].endswith("%"), "metrics", m)
    for t in ("build", "deploy", "pod"):
        s, lg, _ = req("GET", "/workspaces/%s/logs?type=%s" % (wid, t))
        check(s == 200 and lg["logType"] == t and lg["logs"] and lg["content"] == lg["logs"]
              and isinstance(lg["lines"], list), "logs %s" % t, lg)
    s, lg, _ = req("GET", "/workspaces/%s/logs" % wid)
    check(s == 200 and lg["logType"] == "pod" and "Jupyter" in lg["logs"], "default pod logs", lg)
    s, b, _ = req("GET", "/workspaces/%s/logs?type=audit" % wid)
    check(is_error(s, b, 400), "bad log type -> 400", b)
    s, b, _ = req("POST", "/workspaces/%s/sync" % wid)
    check(s == 200 and b == {"message": "Workspace sync initiated", "workspaceId": wid}, "workspace sync", b)

    s, b, _ = req("PUT", "/workspaces/%s" % wid, {"resources": {"cpu": "8"}})
    check(is_error(s, b, 409), "resources while running -> 409", b)
    s, b, _ = req("PUT", "/workspaces/%s" % wid, {"name": "Updated Training Environment"})
    check(s == 200 and b["name"] == "Updated Training Environment", "rename while running", b)
    s, b, _ = req("PUT", "/workspaces/%s" % wid, {"status": "stopped"})
    check(is_error(s, b, 400), "PUT status -> 400", b)
    s, b, _ = req("POST", "/workspaces/%s/start" % wid)
    check(is_error(s, b, 409), "start running -> 409", b)
    s, b, _ = req("POST", "/workspaces/%s/start" % wid, key=READER)
    check(is_error(s, b, 403), "reader start -> 403", b)

    s, b, _ = req("POST", "/workspaces/%s/restart" % wid)
    check(s == 200 and b["status"] == "pending" and b["message"] == "Workspace restarting", "restart", b)
    check(wait_status(wid, "running") is not None, "running after restart")

    s, b, _ = req("POST", "/workspaces/%s/stop" % wid)
    check(s == 200 and b == {"message": "Workspace stopping", "workspaceId": wid, "status": "stopped"}, "stop", b)
    s, b, _ = req("POST", "/workspaces/%s/stop" % wid)
    check(is_error(s, b, 409), "stop stopped -> 409", b)
    s, b, _ = req("POST", "/workspaces/%s/restart" % wid)
    check(is_error(s, b, 409), "restart stopped -> 409", b)
    s, b, _ = req("GET", "/workspaces/%s" % wid)
    check(b["url"] is None and b["status"] == "stopped", "stopped has no url", b)
    s, st, _ = req("GET", "/workspaces/%s/status" % wid)
    check(st["phase"] == "Stopped" and st["ready"] is False, "status stopped", st)
    s, b, _ = req("POST", "/workspaces/%s/sync" % wid)
    check(is_error(s, b, 409), "sync stopped -> 409", b)

    s, b, _ = req("PUT", "/workspaces/%s" % wid, {"resources": {"cpu": "8", "memory": "32Gi", "gpu": "2"}})
    check(s == 200 and b["resources"] == {"cpu": "8", "memory": "32Gi", "gpu": "2", "gpuType": "nvidia-a10g",
                                          "storage": "50Gi"}, "resources merge while stopped", b)
    s, b, _ = req("POST", "/workspaces/%s/start" % wid)
    check(s == 200 and b == {"message": "Workspace starting", "workspaceId": wid, "status": "pending"}, "start", b)

    # list / filters
    s, w2, _ = req("POST", "/workspaces", {"name": "analysis-env", "description": "Data analysis workspace",
                                           "environmentType": "vscode"})
    check(s == 201 and w2["image"] == "strongly/vscode:latest" and w2["projectId"] is None
          and w2["resources"]["cpu"] == "2" and w2["volumeIds"] == [], "defaults for workspace", w2)
    s, b, _ = req("GET", "/workspaces?projectId=%s" % pid)
    check(s == 200 and [x["id"] for x in b["workspaces"]] == [wid], "filter by projectId", b)
    s, b, _ = req("GET", "/workspaces?search=analysis")
    check(s == 200 and [x["id"] for x in b["workspaces"]] == [w2["id"]], "search workspaces", b)
    s, b, _ = req("GET", "/workspaces?sort=createdAt:asc")
    ids = [x["id"] for x in b["workspaces"]]
    check(s == 200 and ids.index(wid) < ids.index(w2["id"]), "sort asc", ids)
    s, b, _ = req("GET", "/projects/%s/workspaces" % pid)
    check(s == 200 and b["count"] == 1, "project workspaces", b)
    s, b, _ = req("GET", "/workspaces/%s" % wid, key=OTHER)
    check(is_error(s, b, 404), "workspace other org -> 404", b)
    s, b, _ = req("GET", "/workspaces", key=OTHER)
    check(s == 200 and b["count"] == 0, "other org sees no workspaces", b)
    s, b, _ = req("GET", "/workspaces/%s" % wid, key=READER)
    check(s == 200, "reader sees workspace", b)

    # project-level checks while a workspace is active
    wait_status(wid, "running")
    s, b, _ = req("GET", "/projects/%s/stats" % pid)
    check(s == 200 and b["workspaceCount"] == 1 and b["activeWorkspaces"] == 1 and b["volumeCount"] == 2
          and b["totalStorageGb"] == 85.0, "stats", b)
    s, b, _ = req("POST", "/projects/%s/archive" % pid)
    check(is_error(s, b, 409), "archive with active workspace -> 409", b)
    s, b, _ = req("DELETE", "/volumes/%s" % vol_ids[1])
    check(is_error(s, b, 409), "delete mounted volume -> 409", b)
    req("POST", "/workspaces/%s/stop" % wid)
    s, b, _ = req("POST", "/projects/%s/archive" % pid)
    check(s == 200 and b["status"] == "archived", "archive", b)
    s, b, _ = req("POST", "/projects/%s/archive" % pid)
    check(is_error(s, b, 409), "archive twice -> 409", b)
    s, b, _ = req("POST", "/workspaces/%s/start" % wid)
    check(is_error(s, b, 409), "start in archived project -> 409", b)
    s, b, _ = req("POST", "/workspaces", {"name": "x", "description": "", "environmentType": "rstudio",
                                          "projectId": pid})
    check(is_error(s, b, 409), "create in archived -> 409", b)
    s, b, _ = req("GET", "/projects?status=archived")
    check(s == 200 and [x["id"] for x in b["projects"]] == [pid], "archived filter", b)
    s, b, _ = req("POST", "/projects/%s/restore" % pid)
    check(s == 200 and b["status"] == "active", "restore", b)
    s, b, _ = req("POST", "/projects/%s/restore" % pid)
    check(is_error(s, b, 409), "restore active -> 409", b)
    s, b, _ = req("DELETE", "/projects/%s" % pid)
    check(is_error(s, b, 409), "delete non-empty project -> 409", b)

    s, b, _ = req("GET", "/projects/%s/activity?limit=5" % pid)
    check(s == 200 and len(b["activity"]) == 5 and b["count"] > 5 and
          all("createdAt" in e and "action" in e for e in b["activity"]), "activity", b)
    check(b["activity"][0]["action"] == "project.restored", "activity newest first", b["activity"][0])
    return wid, w2["id"]


def test_cleanup(pid, wid, wid2, vols):
    req("POST", "/workspaces/%s/stop" % wid2)
    for w in (wid, wid2):
        s, b, _ = req("DELETE", "/workspaces/%s" % w)
        check(s == 204, "delete workspace", (s, b))
    s, b, _ = req("GET", "/workspaces/%s" % wid)
    check(is_error(s, b, 404), "deleted workspace 404", b)
    for v in vols:
        s, b, _ = req("DELETE", "/volumes/%s" % v["id"])
        check(s == 204, "delete volume", (s, b))
    s, b, _ = req("GET", "/projects/%s" % pid)
    check(b["defaultDataVolumeId"] is None and b["attachedVolumeIds"] == [], "project volumes cleared", b)
    s, b, _ = req("DELETE", "/projects/%s" % pid)
    check(s == 204, "delete project", (s, b))
    s, b, _ = req("GET", "/projects/%s/activity" % pid)
    check(is_error(s, b, 404), "deleted project 404", b)


def snapshot():
    out = {}
    for path, key in (("/projects?limit=100", "projects"), ("/workspaces?limit=100", "workspaces"),
                      ("/volumes?limit=100", "volumes")):
        s, b, _ = req("GET", path)
        out[key] = {x["id"]: x for x in b[key]}
    return out


def test_concurrency():
    s, p, _ = req("POST", "/projects", {"name": "concurrency", "description": "burst"})
    pid = p["id"]
    errors = []
    created = {"ws": [], "collab": []}
    lock = threading.Lock()

    def worker(i):
        try:
            s1, w, _ = req("POST", "/workspaces", {"name": "burst-%d" % i, "description": "",
                                                   "environmentType": "jupyter", "projectId": pid})
            s2, c, _ = req("POST", "/projects/%s/collaborators" % pid,
                           {"email": "user%d@company.com" % i, "role": "viewer"})
            s3, _, _ = req("GET", "/workspaces?projectId=%s" % pid, key=READER)
            s4, _, _ = req("PUT", "/projects/%s" % pid, {"description": "burst %d" % i})
            with lock:
                if s1 != 201 or s2 != 201 or s3 != 200 or s4 != 200:
                    errors.append((s1, s2, s3, s4))
                else:
                    created["ws"].append(w["id"])
                    created["collab"].append(c["collaborator"]["userId"])
        except Exception as exc:  # noqa
            with lock:
                errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(60)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("burst of %d x 4 requests took %.2fs" % (len(threads), time.time() - t0))
    check(not errors, "concurrent burst without errors", errors[:5])
    s, b, _ = req("GET", "/projects/%s/collaborators" % pid)
    check(b["count"] == 61, "no lost collaborator updates", b["count"])
    s, b, _ = req("GET", "/projects/%s/workspaces?limit=100" % pid)
    check(b["count"] == 60, "all workspaces created", b["count"])

    # concurrent lifecycle on one workspace: exactly one stop wins
    wid = created["ws"][0]
    wait_status(wid, "running")
    results = []

    def stopper():
        s, _, _ = req("POST", "/workspaces/%s/stop" % wid)
        with lock:
            results.append(s)

    threads = [threading.Thread(target=stopper) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(sorted(results) == [200] + [409] * 19, "exactly one concurrent stop succeeds", sorted(results))
    return pid


def test_restart(server, before):
    s, w, _ = req("POST", "/workspaces", {"name": "restart-me", "description": "", "environmentType": "rstudio"})
    wid = w["id"]
    s, b, _ = req("POST", "/workspaces/%s/stop" % wid)
    s, b, _ = req("POST", "/workspaces/%s/start" % wid)  # pending at shutdown time
    before = snapshot()
    server.stop()
    server.start()
    after = snapshot()
    for kind in ("projects", "volumes"):
        check(before[kind] == after[kind], "%s identical after restart" % kind)
    check(set(before["workspaces"]) == set(after["workspaces"]), "same workspaces after restart")
    for i, ws in before["workspaces"].items():
        a = after["workspaces"][i]
        same = {k: v for k, v in ws.items() if k not in ("status", "url", "updatedAt")}
        check(same == {k: v for k, v in a.items() if k not in ("status", "url", "updatedAt")},
              "workspace %s fields survive restart" % i)
        if ws["status"] in ("stopped", "running"):
            check(a["status"] == ws["status"], "workspace %s status survives" % i, (ws["status"], a["status"]))
    check(wait_status(wid, "running") is not None, "pending workspace finishes provisioning after restart")


def test_sigterm_under_load(server):
    """SIGTERM while many clients are writing: every acknowledged write survives."""
    s, p, _ = req("POST", "/projects", {"name": "sigterm", "description": "load"})
    pid = p["id"]
    acked = {"projects": [], "collab": [], "ws": []}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(i):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                s1, b1, _ = req("POST", "/projects", {"name": "load-%d-%d" % (i, n), "description": ""})
                if s1 == 201:
                    with lock:
                        acked["projects"].append(b1["id"])
                s2, b2, _ = req("POST", "/projects/%s/collaborators" % pid,
                                {"email": "load%d-%d@company.com" % (i, n), "role": "viewer"})
                if s2 == 201:
                    with lock:
                        acked["collab"].append(b2["collaborator"]["userId"])
                s3, b3, _ = req("POST", "/workspaces", {"name": "load-%d-%d" % (i, n), "description": "",
                                                        "environmentType": "vscode"})
                if s3 == 201:
                    with lock:
                        acked["ws"].append(b3["id"])
            except Exception:
                time.sleep(0.05)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.stop()          # SIGTERM mid-burst
    stop.set()
    for t in threads:
        t.join()
    server.start()
    print("acknowledged before SIGTERM: %d projects, %d collaborators, %d workspaces"
          % (len(acked["projects"]), len(acked["collab"]), len(acked["ws"])))
    check(len(acked["projects"]) > 10, "load generated writes", acked["projects"][:3])
    missing = [x for x in acked["projects"] if req("GET", "/projects/%s" % x)[0] != 200]
    check(not missing, "all acknowledged projects survived SIGTERM", missing[:5])
    missing = [x for x in acked["ws"] if req("GET", "/workspaces/%s" % x)[0] != 200]
    check(not missing, "all acknowledged workspaces survived SIGTERM", missing[:5])
    s, b, _ = req("GET", "/projects/%s/collaborators" % pid)
    have = {c["userId"] for c in b["collaborators"]}
    check(set(acked["collab"]) <= have, "all acknowledged collaborators survived SIGTERM",
          len(set(acked["collab"]) - have))


def main():
    global PORT
    os.makedirs(RUN_DIR, exist_ok=True)
    PORT = free_port()
    server = Server(PORT)
    server.start()
    try:
        test_auth_and_errors()
        pid = test_projects()
        v, v2 = test_volumes(pid)
        wid, wid2 = test_workspaces(pid, [v["id"], v2["id"]])
        test_cleanup(pid, wid, wid2, [v, v2])
        test_concurrency()
        test_restart(server, None)
        test_sigterm_under_load(server)
        # Nothing was left half-written.
        leftovers = [f for d, _, fs in os.walk(DATA) for f in fs if f.startswith(".tmp-")]
        check(not leftovers, "no temporary files left", leftovers)
    finally:
        server.stop()
    print("%d checks passed, %d failed" % (PASSES, len(FAILURES)))
    if not FAILURES and "--keep" not in sys.argv:
        shutil.rmtree(RUN_DIR, ignore_errors=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
