"""Planted faults of response shape: bodies, statuses and content types the contract does not allow."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.faults.machinery import (
    ANY,
    PROJECT,
    WORKSPACE,
    Wrapper,
    edit_json,
    fault,
    middleware,
    read_body,
    replay,
    respond,
    rewrite_responses,
)

if TYPE_CHECKING:
    from harness.reference.app import Reference


@fault("workspace-missing-status", area="shape", catches=("GEN-SCHEMA-001",))
def workspace_missing_status(ref: Reference) -> Wrapper:
    """GET /workspaces/{id} answers without the required status field."""
    return rewrite_responses("GET", WORKSPACE, edit_json(lambda body: {k: v for k, v in body.items() if k != "status"}))


@fault("metrics-as-numbers", area="shape", catches=("GEN-SCHEMA-005",), strict=True)
def metrics_as_numbers(ref: Reference) -> Wrapper:
    """Metrics are floats (the SDK's reading) instead of the REST reference's strings."""
    return rewrite_responses("GET", rf"{WORKSPACE}/metrics", edit_json(lambda body: {k: 1.5 for k in body}))


@fault("delete-answers-200", area="shape", catches=("GEN-SCHEMA-002", "WS-LIFE-007"))
def delete_answers_200(ref: Reference) -> Wrapper:
    """Workspace delete answers 200 with a body instead of 204."""

    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if status != 204:
            return status, headers, body
        return 200, {**headers, "content-type": "application/json"}, b'{"deleted": true}'

    return rewrite_responses("DELETE", WORKSPACE, rewrite)


@fault("html-content-type", area="shape", catches=("GEN-SCHEMA-003",))
def html_content_type(ref: Reference) -> Wrapper:
    """GET /projects/{id} is served as text/html."""

    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        return status, {**headers, "content-type": "text/html; charset=utf-8"}, body

    return rewrite_responses("GET", PROJECT, rewrite)


@fault("locked-instead-of-conflict", area="shape", catches=("GEN-ERR-004",), strict=True)
def locked_instead_of_conflict(ref: Reference) -> Wrapper:
    """Every 409 is answered as 423 Locked, a status the contract never documents."""

    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        return (423 if status == 409 else status), headers, body

    return rewrite_responses(None, ANY, rewrite)


@fault("server-error-on-unicode", area="shape", catches=("GEN-SCHEMA-004",))
def server_error_on_unicode(ref: Reference) -> Wrapper:
    """A request body holding non-ASCII text makes the server answer 500."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] in ("POST", "PUT"):
            raw = await read_body(receive)
            if any(byte > 127 for byte in raw) or b"\\u" in raw:
                await respond(send, 500, b"Internal Server Error", {"content-type": "text/plain"})
                return
            receive = replay(raw)
        await app(scope, receive, send)

    return middleware(handle)


@fault("server-error-on-long-names", area="shape", catches=("GEN-SCHEMA-004",))
def server_error_on_long_names(ref: Reference) -> Wrapper:
    """A name, label or description longer than 100 characters crashes the server (500)."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] in ("POST", "PUT"):
            raw = await read_body(receive)
            try:
                document = json.loads(raw)
            except ValueError:
                document = None
            fields = ("name", "label", "description")
            if isinstance(document, dict) and any(len(str(document.get(f, ""))) > 100 for f in fields):
                await respond(send, 500, b"Internal Server Error", {"content-type": "text/plain"})
                return
            receive = replay(raw)
        await app(scope, receive, send)

    return middleware(handle)


@fault("create-answers-id", area="shape", catches=("GEN-SCHEMA-001", "WS-LIFE-001"))
def create_answers_id(ref: Reference) -> Wrapper:
    """Creating a workspace answers {"id": ...} instead of {"workspaceId": ...}."""

    def rename(body: dict[str, Any]) -> dict[str, Any]:
        return {"id": body.pop("workspaceId"), **body}

    return rewrite_responses("POST", "/api/v1/workspaces", edit_json(rename, status=201))


@fault("collaborator-answers-message", area="shape", catches=("GEN-SCHEMA-005",), strict=True)
def collaborator_answers_message(ref: Reference) -> Wrapper:
    """Adding a collaborator answers 201 {"message": ...} without the collaborator (the SDK's "Returns dict")."""
    return rewrite_responses(
        "POST", PROJECT + "/collaborators", edit_json(lambda body: {"message": "Collaborator added"}, status=201)
    )


@fault("json-as-text-plain", area="shape", catches=("GEN-SCHEMA-003",))
def json_as_text_plain(ref: Reference) -> Wrapper:
    """Every JSON answer is labelled text/plain (the body is still JSON)."""

    def relabel(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if headers.get("content-type", "").startswith("application/json"):
            headers = {**headers, "content-type": "text/plain; charset=utf-8"}
        return status, headers, body

    return rewrite_responses(None, ANY, relabel)


@fault("counts-as-strings", area="shape", catches=("GEN-SCHEMA-001",))
def counts_as_strings(ref: Reference) -> Wrapper:
    """Every ``count`` (lists) and every stats counter is a JSON string ("3"), as a bigint driver returns it."""

    def stringify(body: Any) -> Any:
        if isinstance(body, dict):
            for key, value in body.items():
                if (key == "count" or key.endswith("Count") or key == "activeWorkspaces") and type(value) is int:
                    body[key] = str(value)
        return body

    return rewrite_responses("GET", ANY, edit_json(stringify))
