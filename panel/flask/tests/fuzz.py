"""Throw malformed input at every route and check that nothing answers 5xx or non-JSON.

    .venv/bin/python tests/fuzz.py PORT      (against a running ./serve.sh)
"""

import http.client
import itertools
import json
import random
import sys

PORT = int(sys.argv[1])
KEYS = ["strongly-dev-admin", "strongly-dev-reader", "strongly-dev-other", None, "bogus"]


def call(method, path, raw=None, key="strongly-dev-admin", ctype="application/json"):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {}
    if key:
        headers["X-API-Key"] = key
    if raw is not None:
        headers["Content-Type"] = ctype
    conn.request(method, path, body=raw, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body, resp.getheader("Content-Type")


def ok(status, body, ctype, what):
    if status >= 500:
        print("5xx:", what, status, body[:300])
        return False
    if status != 204 and method_has_body(what) and "application/json" not in (ctype or ""):
        print("non-JSON:", what, status, ctype, body[:200])
        return False
    if status != 204 and body:
        try:
            json.loads(body)
        except ValueError:
            print("invalid JSON body:", what, status, body[:200])
            return False
    return True


def method_has_body(what):
    return not what.startswith("HEAD") and not what.startswith("OPTIONS")


def main():
    rnd = random.Random(7)
    # Real objects to aim at.
    s, b, _ = call("POST", "/api/v1/projects", json.dumps({"name": "fuzz", "description": "f"}))
    pid = json.loads(b)["id"]
    s, b, _ = call("POST", "/api/v1/volumes", json.dumps({"projectId": pid, "label": "fz", "sizeGb": 1}))
    vid = json.loads(b)["id"]
    s, b, _ = call("POST", "/api/v1/workspaces", json.dumps({"name": "fz", "description": "", "environmentType": "jupyter", "projectId": pid}))
    wid = json.loads(b)["id"]
    routes = [
        ("GET", "/api/v1/projects"), ("POST", "/api/v1/projects"),
        ("GET", "/api/v1/projects/%s" % pid), ("PUT", "/api/v1/projects/%s" % pid),
        ("POST", "/api/v1/projects/%s/archive" % pid), ("POST", "/api/v1/projects/%s/restore" % pid),
        ("GET", "/api/v1/projects/%s/stats" % pid), ("GET", "/api/v1/projects/%s/activity" % pid),
        ("GET", "/api/v1/projects/%s/collaborators" % pid), ("POST", "/api/v1/projects/%s/collaborators" % pid),
        ("PUT", "/api/v1/projects/%s/collaborators/user_reader" % pid),
        ("GET", "/api/v1/projects/%s/volumes" % pid), ("GET", "/api/v1/projects/%s/workspaces" % pid),
        ("GET", "/api/v1/volumes"), ("POST", "/api/v1/volumes"), ("GET", "/api/v1/volumes/shared"),
        ("GET", "/api/v1/volumes/%s" % vid), ("PUT", "/api/v1/volumes/%s" % vid),
        ("POST", "/api/v1/volumes/%s/sync" % vid), ("POST", "/api/v1/volumes/%s/share" % vid),
        ("GET", "/api/v1/workspaces"), ("POST", "/api/v1/workspaces"),
        ("GET", "/api/v1/workspaces/%s" % wid), ("PUT", "/api/v1/workspaces/%s" % wid),
        ("POST", "/api/v1/workspaces/%s/start" % wid), ("POST", "/api/v1/workspaces/%s/stop" % wid),
        ("POST", "/api/v1/workspaces/%s/restart" % wid), ("GET", "/api/v1/workspaces/%s/status" % wid),
        ("GET", "/api/v1/workspaces/%s/metrics" % wid), ("GET", "/api/v1/workspaces/%s/logs" % wid),
        ("POST", "/api/v1/workspaces/%s/sync" % wid),
    ]
    fields = ["name", "description", "category", "visibility", "tags", "defaultDataVolumeId", "email", "role",
              "userId", "projectId", "label", "sizeGb", "type", "mountPath", "environmentType", "image",
              "resources", "id", "status"]
    values = [None, True, False, 0, -1, 1.5, 1e308, "", " ", "x" * 300, "jupyter", "data", "editor",
              "/data/x", "a@b.co", [], ["a"], [1], {}, {"cpu": "4"}, {"cpu": None}, {"gpu": "x"},
              {"memory": 5}, {"storage": "1Ti"}, "\u0000", "\ud800", pid, vid, "organization", "private"]
    raw_bodies = [b"", b"null", b"[]", b"1", b'"s"', b"{", b"{}", b'{"a":1}', b"\xff", b'{"name":"x"}' * 2]
    bad = 0
    total = 0
    queries = ["", "?limit=-5", "?limit=x", "?offset=1e3", "?sort=name:sideways", "?status=",
               "?search=%00", "?type=data", "?projectId=", "?tag=ml&tag=x", "?limit=99999999999"]
    for (method, path), q in itertools.product(routes, queries):
        if method != "GET":
            continue
        for key in KEYS:
            total += 1
            s, b, ct = call(method, path + q, key=key)
            bad += not ok(s, b, ct, "%s %s%s key=%s" % (method, path, q, key))
    for method, path in routes:
        for raw in raw_bodies:
            total += 1
            s, b, ct = call(method, path, raw=raw)
            bad += not ok(s, b, ct, "%s %s raw=%r" % (method, path, raw))
        for _ in range(60):
            body = {f: rnd.choice(values) for f in rnd.sample(fields, rnd.randint(1, 5))}
            try:
                raw = json.dumps(body).encode()
            except ValueError:
                continue
            total += 1
            s, b, ct = call(method, path, raw=raw, key=rnd.choice(KEYS[:3]))
            bad += not ok(s, b, ct, "%s %s body=%s" % (method, path, raw[:200]))
    for method in ("HEAD", "OPTIONS", "PATCH", "DELETE", "TRACE"):
        total += 1
        s, b, ct = call(method, "/api/v1/projects")
        bad += not ok(s, b, ct, "%s /api/v1/projects" % method)
    print("%d requests, %d bad" % (total, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
