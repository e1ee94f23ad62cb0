"""Planted faults of errors and transport: error bodies, hangs, dropped connections, broken JSON, 5xx."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.faults.machinery import (
    ANY,
    PROJECT,
    VOLUME,
    WORKSPACE,
    Wrapper,
    edit_json,
    fault,
    json_error,
    matches,
    middleware,
    respond,
    rewrite_responses,
)

if TYPE_CHECKING:
    from harness.reference.app import Reference


@fault("plain-text-errors", area="errors", catches=("GEN-ERR-001", "GEN-SCHEMA-003"))
def plain_text_errors(ref: Reference) -> Wrapper:
    """404 answers are plain text instead of the JSON error body."""

    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if status != 404:
            return status, headers, body
        return 404, {**headers, "content-type": "text/plain"}, b"Not Found"

    return rewrite_responses(None, ANY, rewrite)


@fault("stack-trace-in-errors", area="errors", catches=("GEN-ERR-002",), strict=True)
def stack_trace_in_errors(ref: Reference) -> Wrapper:
    """Validation errors carry the server's traceback in their message."""

    def add_trace(body: dict[str, Any]) -> dict[str, Any]:
        body["message"] += ' Traceback (most recent call last): File "app/views.py", line 12, in create'
        return body

    return rewrite_responses(None, ANY, edit_json(add_trace, status=422))


@fault("forbidden-for-unknown-ids", area="errors", catches=("GEN-ERR-004",), strict=True)
def forbidden_for_unknown_ids(ref: Reference) -> Wrapper:
    """An unknown volume id answers 403 instead of 404."""

    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        return (403 if status == 404 else status), headers, body.replace(b"not_found", b"forbidden")

    return rewrite_responses(None, rf"{VOLUME}(/.*)?", rewrite)


@fault("logs-hang", area="errors", catches=("GEN-HTTP-001",))
def logs_hang(ref: Reference) -> Wrapper:
    """GET /workspaces/{id}/logs answers only after 12 s, past the client's timeout."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if matches(scope, "GET", rf"{WORKSPACE}/logs"):
            await asyncio.sleep(12)
        await app(scope, receive, send)

    return middleware(handle)


@fault("status-drops-connection", area="errors", catches=("GEN-HTTP-001",))
def status_drops_connection(ref: Reference) -> Wrapper:
    """The status route promises a body, sends a few bytes of it and drops the connection."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, "GET", rf"{WORKSPACE}/status"):
            await app(scope, receive, send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"400")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"phase": "Run', "more_body": True})
        raise ConnectionResetError("planted: connection dropped mid-answer")

    return middleware(handle)


@fault("truncated-json", area="errors", catches=("GEN-SCHEMA-001",))
def truncated_json(ref: Reference) -> Wrapper:
    """Workspace lists arrive cut off in the middle, a whole body by HTTP but not valid JSON."""

    def cut(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        return status, headers, body[: max(1, len(body) // 2)]

    return rewrite_responses("GET", r"/api/v1/workspaces", cut)


@fault("html-error-pages", area="errors", catches=("GEN-SCHEMA-004", "GEN-SCHEMA-002"))
def html_error_pages(ref: Reference) -> Wrapper:
    """Reading a project answers a proxy's 502 HTML page."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if matches(scope, "GET", PROJECT):
            page = b"<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
            await respond(send, 502, page, {"content-type": "text/html"})
            return
        await app(scope, receive, send)

    return middleware(handle)


@fault("unavailable-storm", area="errors", catches=("GEN-SCHEMA-004",))
def unavailable_storm(ref: Reference) -> Wrapper:
    """Once the run is under way (after 10 requests) every request answers 503."""
    served = [0]

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        served[0] += 1
        if served[0] > 10:
            await json_error(send, 503, "unavailable", "the service is unavailable")
            return
        await app(scope, receive, send)

    return middleware(handle)
