"""Simulated compute: workspace lifecycle, runtime status, metrics and logs.

No container runs.  Provisioning is modelled as a deadline stored with the workspace
(``_readyAt``): a ``pending`` workspace is ``running`` from that instant on.  The
transition is applied lazily, under the store lock, by whichever request first looks
at the workspace after the deadline (and then persisted), so the answer never depends
on a background thread and is the same before and after a server restart.

Internal bookkeeping lives in fields whose names start with ``_``; they are stored
but never sent to clients.
"""

import hashlib
import random
import re

from .timeutil import iso

ACTIVE = ("pending", "running")
STATUSES = ("pending", "running", "stopped", "failed", "terminated")
PHASES = {
    "pending": "Pending",
    "running": "Running",
    "stopped": "Stopped",
    "failed": "Failed",
    "terminated": "Terminated",
}
MAX_EVENTS = 200


def _event(ws, at, kind, **extra):
    ev = {"at": at, "kind": kind}
    ev.update(extra)
    events = ws.setdefault("_events", [])
    events.append(ev)
    del events[:-MAX_EVENTS]


def begin_provisioning(ws, now, delay, kind="provision"):
    ws["status"] = "pending"
    ws["_provisionAt"] = now
    ws["_readyAt"] = now + delay
    ws["_stoppedAt"] = None
    _event(ws, now, kind, image=ws["image"], resources=dict(ws["resources"]))


def advance(ws, now):
    """Apply a due pending -> running transition in place; True if it changed."""
    ready_at = ws.get("_readyAt")
    if ws.get("status") == "pending" and ready_at is not None and now >= ready_at:
        ws["status"] = "running"
        ws["updatedAt"] = iso(ready_at)
        _event(ws, ready_at, "ready")
        return True
    return False


def stop(ws, now):
    was = ws["status"]
    ws["status"] = "stopped"
    ws["_readyAt"] = None
    ws["_stoppedAt"] = now
    _event(ws, now, "stop", cancelled=(was == "pending"))


def record_sync(ws, now):
    _event(ws, now, "sync")


# ------------------------------------------------------------------- status
def status_report(ws):
    status = ws["status"]
    provision_at = ws.get("_provisionAt")
    conditions = []
    if status == "pending":
        message = "Workspace is being provisioned"
        conditions = [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": iso(provision_at)},
            {"type": "Ready", "status": "False", "lastTransitionTime": iso(provision_at)},
        ]
    elif status == "running":
        message = "Workspace is running and ready"
        conditions = [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": iso(provision_at)},
            {"type": "Ready", "status": "True", "lastTransitionTime": iso(ws["_readyAt"])},
        ]
    elif status == "stopped":
        message = "Workspace is stopped; start it to use it"
        at = ws.get("_stoppedAt") or provision_at
        conditions = [
            {"type": "PodScheduled", "status": "False", "lastTransitionTime": iso(at)},
            {"type": "Ready", "status": "False", "lastTransitionTime": iso(at)},
        ]
    elif status == "failed":
        message = ws.get("_failureMessage") or "Workspace failed to start"
        at = ws.get("_stoppedAt") or provision_at
        conditions = [{"type": "Ready", "status": "False", "lastTransitionTime": iso(at)}]
    else:
        message = "Workspace has been terminated"
        at = ws.get("_stoppedAt") or provision_at
        conditions = [{"type": "Ready", "status": "False", "lastTransitionTime": iso(at)}]
    return {
        "workspaceId": ws["id"],
        "status": status,
        "phase": PHASES.get(status, status.capitalize()),
        "ready": status == "running",
        "message": message,
        "conditions": conditions,
    }


# ------------------------------------------------------------------ metrics
_QTY = re.compile(r"^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|K|M|G|T)?$")
_GI = {
    None: 1.0 / 1024 ** 3,
    "Ki": 1.0 / 1024 ** 2,
    "Mi": 1.0 / 1024,
    "Gi": 1.0,
    "Ti": 1024.0,
    "K": 1e3 / 1024 ** 3,
    "M": 1e6 / 1024 ** 3,
    "G": 1e9 / 1024 ** 3,
    "T": 1e12 / 1024 ** 3,
}


def cpu_cores(value):
    m = _QTY.match(value or "")
    if not m:
        return 0.0
    n = float(m.group(1))
    return n / 1000.0 if m.group(2) == "m" else n


def gibibytes(value):
    m = _QTY.match(value or "")
    if not m or m.group(2) == "m":
        return 0.0
    return float(m.group(1)) * _GI[m.group(2)]


def _rng(ws_id, now, salt=""):
    seed = hashlib.sha256(("%s|%d|%s" % (ws_id, int(now // 5), salt)).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def metrics(ws, now):
    res = ws.get("resources") or {}
    rnd = _rng(ws["id"], now)
    cores = cpu_cores(res.get("cpu")) or 1.0
    mem = gibibytes(res.get("memory")) or 1.0
    disk = gibibytes(res.get("storage")) or 1.0
    gpus = int(res.get("gpu") or 0)

    cpu_pct = rnd.uniform(8, 75)
    mem_pct = rnd.uniform(20, 80)
    # Disk usage drifts slowly and deterministically rather than jumping around.
    disk_pct = 10 + (int(hashlib.sha256(ws["id"].encode()).hexdigest()[:4], 16) % 40) + rnd.uniform(0, 2)
    gpu_pct = rnd.uniform(30, 95) if gpus > 0 else 0.0

    return {
        "workspaceId": ws["id"],
        "cpuUsage": "%.1f" % (cores * cpu_pct / 100.0),
        "memoryUsage": "%.1fGi" % (mem * mem_pct / 100.0),
        "gpuUsage": "%d%%" % round(gpu_pct),
        "diskUsage": "%.1fGi" % (disk * disk_pct / 100.0),
        "cpuPercent": round(cpu_pct, 1),
        "memoryPercent": round(mem_pct, 1),
        "gpuPercent": round(gpu_pct, 1),
        "diskPercent": round(disk_pct, 1),
        "timestamp": iso(now),
    }


# --------------------------------------------------------------------- logs
LOG_TYPES = ("build", "deploy", "pod")

_START_LINES = {
    "jupyter": ["Starting Jupyter server...", "Jupyter server is running at https://0.0.0.0:8888"],
    "vscode": ["Starting code-server...", "code-server is listening on https://0.0.0.0:8080"],
    "rstudio": ["Starting RStudio Server...", "RStudio Server is listening on https://0.0.0.0:8787"],
}


def _pod_name(ws):
    return ws["id"].replace("_", "-") + "-0"


def _node_name(ws, at):
    digest = hashlib.sha256(("%s|%s" % (ws["id"], at)).encode()).hexdigest()
    return "strongly-node-%d" % (int(digest[:4], 16) % 12 + 1)


def logs(ws, log_type, volume_ids):
    events = ws.get("_events", [])
    lines = []
    pod = _pod_name(ws)
    env = ws.get("environmentType")
    if log_type == "pod":
        # Runtime logs of the current (or most recent) pod only.
        last = max((i for i, e in enumerate(events) if e["kind"] in ("provision", "restart")), default=0)
        events = events[last:]
    for ev in events:
        t = iso(ev["at"])
        kind = ev["kind"]
        if log_type == "build":
            if kind in ("provision", "restart"):
                image = ev.get("image") or ws.get("image")
                lines += [
                    "%s Resolving image %s" % (t, image),
                    "%s Pulling image %s" % (t, image),
                    "%s Image %s is ready" % (t, image),
                ]
        elif log_type == "deploy":
            if kind in ("provision", "restart"):
                r = ev.get("resources") or {}
                lines.append("%s Creating pod %s (cpu=%s, memory=%s, gpu=%s, storage=%s)" % (
                    t, pod, r.get("cpu"), r.get("memory"), r.get("gpu"), r.get("storage")))
                lines.append("%s Pod %s scheduled on %s" % (t, pod, _node_name(ws, ev["at"])))
                if volume_ids:
                    lines.append("%s Mounting volumes: %s" % (t, ", ".join(volume_ids)))
            elif kind == "ready":
                lines.append("%s Pod %s is ready" % (t, pod))
            elif kind == "stop":
                if ev.get("cancelled"):
                    lines.append("%s Provisioning cancelled; deleting pod %s" % (t, pod))
                else:
                    lines.append("%s Deleting pod %s" % (t, pod))
                lines.append("%s Compute resources released" % t)
        else:  # pod
            if kind == "ready":
                start = _START_LINES.get(env) or [
                    "Starting container %s..." % ws.get("image"),
                    "Container is running",
                ]
                lines += ["%s %s" % (t, s) for s in start]
            elif kind == "sync":
                lines += [
                    "%s Syncing workspace files to persistent storage..." % t,
                    "%s Sync complete" % t,
                ]
            elif kind == "stop" and not ev.get("cancelled"):
                lines.append("%s Received SIGTERM, shutting down" % t)
    text = "".join(line + "\n" for line in lines)
    return text, lines
