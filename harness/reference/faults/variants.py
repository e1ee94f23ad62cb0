"""Legitimate alternatives: where the documents leave room, a server may choose otherwise and must still
pass. Each is planted like a fault (``VARIANTS``); the suite must stay green against it."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from harness.reference.faults.machinery import (
    ANY,
    PROJECT,
    VOLUME,
    Wrapper,
    captured,
    each_item,
    edit_json,
    replay,
    respond,
    rewrite_requests,
    rewrite_responses,
    variant,
)

if TYPE_CHECKING:
    from harness.reference.app import Reference


@variant("whole-second-timestamps")
def whole_second_timestamps(ref: Reference) -> Wrapper:
    """Every timestamp is answered in whole seconds, as the documents' examples are."""
    stamp = re.compile(rb'("(?:createdAt|updatedAt|lastTransitionTime|timestamp)": "[^".]+)\.\d+(Z|[+-][\d:]+)?"')

    def truncate(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        return status, headers, stamp.sub(lambda m: m.group(1) + (m.group(2) or b"") + b'"', body)

    return rewrite_responses(None, ANY, truncate)


@variant("extra-fields")
def extra_fields(ref: Reference) -> Wrapper:
    """Every JSON object answered carries a field the contract does not name (answers may grow, D-17)."""

    def grow(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if not body or not headers.get("content-type", "").startswith("application/json"):
            return status, headers, body
        document = json.loads(body)
        if isinstance(document, dict):
            document["vendorExtension"] = {"region": "eu-1"}
        return status, headers, json.dumps(document).encode()

    return rewrite_responses(None, ANY, grow)


async def internal_get(app: ASGIApp, scope: Scope, path: str) -> Any:
    """GET ``path`` from the app with the caller's headers (the full object behind a create answer)."""
    inner = {**scope, "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b""}
    inner["headers"] = [(k, v) for k, v in scope["headers"] if k not in (b"content-length", b"content-type")]
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(inner, replay(b""), capture)
    return json.loads(b"".join(chunks) or b"null")


def full_object_on_create(app: ASGIApp) -> ASGIApp:
    """Creates answer the whole new object, as the SDK's create 'Returns Project/Volume/Workspace' reads;
    a workspace keeps the REST reference's workspaceId beside it."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        kind = re.fullmatch(r"/api/v1/(workspaces|projects|volumes)", scope.get("path", ""))
        if scope["type"] != "http" or scope["method"] != "POST" or kind is None:
            await app(scope, receive, send)
            return
        status, headers, body = await captured(app, scope, receive)
        if status == 201:
            key = {"workspaces": "workspaceId", "projects": "projectId", "volumes": "volumeId"}[kind.group(1)]
            new_id = json.loads(body)[key]
            whole = await internal_get(app, scope, f"{scope['path']}/{new_id}")
            body = json.dumps({**whole, "workspaceId": new_id} if key == "workspaceId" else whole).encode()
        await respond(send, status, body, headers)

    return asgi


def other_error_envelope(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """{"error": {"type", "message"}} for every refusal, and 400 rather than 422 for an invalid body."""
    if not 400 <= status < 500 or not body:
        return status, headers, body
    document = json.loads(body)
    envelope = {"error": {"type": document.get("code"), "message": document.get("message")}}
    return (400 if status == 422 else status), headers, json.dumps(envelope).encode()


def idempotent_share(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sharing a volume that is already shared answers 200 (nothing changes) instead of 409."""
    if status != 409:
        return status, headers, body
    return 200, headers, json.dumps({"message": "Volume already shared"}).encode()


def open_values(body: Any) -> Any:
    """Volumes report their state in the vendor's own words: 'ready' (the SDK's 'status str Current status')."""

    def reword(item: dict[str, Any]) -> None:
        if item.get("status") == "available" and "sizeGb" in item:
            item["status"] = "ready"

    return each_item(reword)(body)


def accept_open_values(body: dict[str, Any]) -> dict[str, Any]:
    """Any visibility or volume type, and names of any length, are accepted (stored as the nearest we have)."""
    if isinstance(body.get("visibility"), str) and body["visibility"] not in ("private", "organization"):
        body["visibility"] = "organization"
    if isinstance(body.get("type"), str) and body["type"] not in ("data", "model", "scratch"):
        body["type"] = "data"
    for key in ("name", "label"):
        if isinstance(body.get(key), str):
            body[key] = body[key][:128]
    return body


@variant("alternative-choices")
def alternative_choices(ref: Reference) -> Wrapper:
    """Where the documents leave room, choose otherwise than we do: another error envelope and 400 for
    validation, idempotent share, project volumes as a plain list, full objects on create, open values."""
    layers = [
        rewrite_responses(None, ANY, other_error_envelope),
        rewrite_responses("POST", rf"{VOLUME}/share", idempotent_share),
        rewrite_requests("GET", rf"{PROJECT}/volumes", query=lambda params: {**params, "limit": "100", "offset": "0"}),
        rewrite_responses("GET", rf"{PROJECT}/volumes", edit_json(lambda body: open_values(body)["volumes"])),
        rewrite_responses(None, rf"/api/v1/volumes(/shared)?|{VOLUME}", edit_json(open_values)),
        full_object_on_create,
        rewrite_requests(None, ANY, body=accept_open_values),
    ]

    def wrap(app: ASGIApp) -> ASGIApp:
        for layer in layers:
            app = layer(app)
        return app

    return wrap
