"""Planted faults of lifecycles: workspaces that do not move as the documents say, and reads that lag."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.errors import ApiError
from harness.reference.faults.machinery import (
    VOLUME,
    WORKSPACE,
    Wrapper,
    allow,
    captured,
    each_item,
    edit_json,
    fault,
    json_error,
    matches,
    middleware,
    respond,
    rewrite_responses,
)
from harness.reference.keys import Principal

if TYPE_CHECKING:
    from harness.reference.app import Reference


@fault("deleted-still-readable", area="lifecycle", catches=("GEN-STATE-001", "WS-LIFE-007", "VOL-LIFE-003"))
def deleted_still_readable(ref: Reference) -> Wrapper:
    """A deleted workspace or volume still reads back (its last state) instead of 404."""
    last_seen: dict[str, bytes] = {}

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, "GET", rf"{WORKSPACE}|{VOLUME}"):
            await app(scope, receive, send)
            return
        status, headers, body = await captured(app, scope, receive)
        if status == 200:
            last_seen[scope["path"]] = body
        elif status == 404 and scope["path"] in last_seen:
            await respond(send, 200, last_seen[scope["path"]], {"content-type": "application/json"})
            return
        await respond(send, status, body, headers)

    return middleware(handle)


@fault("created-not-found-at-first", area="lifecycle", catches=("GEN-STATE-002", "WS-LIFE-001"))
def created_not_found_at_first(ref: Reference) -> None:
    """A new workspace answers 404 the first time it is read."""
    unseen: set[str] = set()
    create, get = ref.workspaces.create, ref.workspaces.get

    def creating(principal: Principal, body: dict[str, Any]) -> str:
        workspace_id = create(principal, body)
        unseen.add(workspace_id)
        return workspace_id

    def getting(principal: Principal, workspace_id: str) -> dict[str, Any]:
        if workspace_id in unseen:
            unseen.discard(workspace_id)
            raise ApiError(404, "not_found", f"workspace {workspace_id} not found")
        return get(principal, workspace_id)

    ref.workspaces.override("create", lambda _: creating)
    ref.workspaces.override("get", lambda _: getting)


@fault("delete-running", area="lifecycle", catches=("WS-LIFE-008",))
def delete_running(ref: Reference) -> None:
    """A running workspace can be deleted."""
    ref.backend.rules.override("delete_workspace", lambda _: allow)


@fault("resources-while-running", area="lifecycle", catches=("WS-LIFE-010",))
def resources_while_running(ref: Reference) -> None:
    """Resources and image change while the workspace runs."""
    ref.backend.rules.override("change_runtime", lambda _: allow)


def answers_without_acting(ref: Reference, action: str, message: str, status: str) -> None:
    """The workspace action checks its rule and answers as if done, but changes nothing."""

    def pretend(principal: Principal, workspace_id: str) -> dict[str, str]:
        row = ref.workspaces.row(principal, workspace_id)
        getattr(ref.backend.rules, action)(row)
        return {"message": message, "workspaceId": row["id"], "status": status}

    ref.workspaces.override(action, lambda _: pretend)


@fault("start-does-nothing", area="lifecycle", catches=("WS-LIFE-005",))
def start_does_nothing(ref: Reference) -> None:
    """Start answers 200 pending but the workspace stays stopped."""
    answers_without_acting(ref, "start", "Workspace starting", "pending")


@fault("stop-does-nothing", area="lifecycle", catches=("WS-LIFE-004",))
def stop_does_nothing(ref: Reference) -> None:
    """Stop answers 200 stopped but the workspace keeps running."""
    answers_without_acting(ref, "stop", "Workspace stopping", "stopped")


@fault("stuck-pending", area="lifecycle", catches=("WS-LIFE-002",))
def stuck_pending(ref: Reference) -> None:
    """Workspaces never leave pending."""
    ref.workspaces.override("promote_due", lambda _: lambda: None)


@fault("ready-after-stop", area="lifecycle", catches=("WS-LIFE-003",))
def ready_after_stop(ref: Reference) -> Wrapper:
    """The status endpoint still says Running and ready after a stop."""

    def still_ready(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("phase") == "Stopped":
            body.update(phase="Running", ready=True, message="Workspace is running and ready")
        return body

    return rewrite_responses("GET", rf"{WORKSPACE}/status", edit_json(still_ready))


@fault("start-while-running", area="lifecycle", catches=("WS-LIFE-009",))
def start_while_running(ref: Reference) -> None:
    """Start on a running workspace answers 200 (and restarts it) instead of 409."""
    ref.backend.rules.override("start", lambda _: allow)


@fault("restart-does-nothing", area="lifecycle", catches=("WS-LIFE-006",))
def restart_does_nothing(ref: Reference) -> None:
    """Restart answers 200 pending but nothing restarts."""
    answers_without_acting(ref, "restart", "Workspace restarting", "pending")


@fault("metrics-when-stopped", area="lifecycle", catches=("WS-LIFE-011",))
def metrics_when_stopped(ref: Reference) -> None:
    """Metrics answer 200 for a stopped workspace."""
    ref.backend.rules.override("read_metrics", lambda _: allow)


@fault("sync-without-volume", area="lifecycle", catches=("WS-LIFE-016",), strict=True)
def sync_without_volume(ref: Reference) -> None:
    """Sync answers 200 for a running workspace that has no volume."""
    rule = ref.backend.rules.sync_workspace
    ref.backend.rules.override(
        "sync_workspace", lambda _: lambda workspace, volumes: rule(workspace, volumes or ["nowhere"])
    )


@fault("logs-frozen", area="lifecycle", catches=("WS-LIFE-013",), strict=True)
def logs_frozen(ref: Reference) -> None:
    """Deploy and pod logs never get a line; only the build log is written."""
    log = ref.workspaces.append_log

    def build_only(workspace_id: str, log_type: str, text: str, *, at: str | None = None) -> None:
        if log_type == "build":
            log(workspace_id, log_type, text, at=at)

    ref.workspaces.override("append_log", lambda _: build_only)


@fault("url-when-stopped", area="lifecycle", catches=("WS-LIFE-014",), strict=True)
def url_when_stopped(ref: Reference) -> Wrapper:
    """A stopped workspace still shows an access URL."""

    def keep_url(item: dict[str, Any]) -> None:
        if item.get("status") == "stopped":
            item["url"] = f"https://ws-{item['id']}.workspaces.strongly.local"

    return rewrite_responses("GET", rf"/api/v1/workspaces|{WORKSPACE}", edit_json(each_item(keep_url)))


@fault("stop-answers-stopping", area="lifecycle", catches=("GEN-SCHEMA-001", "WS-LIFE-004"))
def stop_answers_stopping(ref: Reference) -> Wrapper:
    """Stop answers status `stopping`, a status the contract does not have (the workspace reads stopped)."""
    return rewrite_responses("POST", WORKSPACE + "/stop", edit_json(lambda body: {**body, "status": "stopping"}))


@fault("stop-takes-a-moment", area="lifecycle", catches=("WS-LIFE-017",), strict=True)
def stop_takes_a_moment(ref: Reference) -> Wrapper:
    """For 1.5 s after a stop the workspace cannot be deleted yet (409), though it reads stopped."""
    stopped_at: dict[str, float] = {}

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        if method == "POST" and re.fullmatch(WORKSPACE + "/stop", path):
            stopped_at[path.rsplit("/", 2)[1]] = time.monotonic()
        elif method == "DELETE" and re.fullmatch(WORKSPACE, path):
            since = stopped_at.get(path.rsplit("/", 1)[1])
            if since is not None and time.monotonic() - since < 1.5:
                await json_error(send, 409, "conflict", "the workspace is still stopping")
                return
        await app(scope, receive, send)

    return middleware(handle)


@fault("image-while-running", area="lifecycle", catches=("WS-LIFE-015",), strict=True)
def image_while_running(ref: Reference) -> None:
    """The image changes while the workspace runs (resources are still refused)."""
    rule = ref.backend.rules.change_runtime
    ref.backend.rules.override(
        "change_runtime",
        lambda _: lambda workspace, changes: rule(workspace, {k: v for k, v in changes.items() if k != "image"}),
    )


@fault("sync-refused-with-volume", area="lifecycle", catches=("WS-LIFE-012",))
def sync_refused_with_volume(ref: Reference) -> None:
    """Sync is refused (409) even for a running workspace with a volume."""

    def refuse(workspace: dict[str, Any], volume_ids: list[str]) -> None:
        raise ApiError(409, "conflict", "sync is not available")

    ref.backend.rules.override("sync_workspace", lambda _: refuse)
