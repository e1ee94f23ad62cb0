"""Planted faults: small named overrides of the reference server, for proving the harness.

Each fault declares the requirement ids whose checks must catch it; a fault that breaks only one of our
own choices (a SHOULD, see harness/requirements.yaml) says ``strict=True`` and is run with --strict,
while every other fault must fail a MUST at the default level. GEN-MODEL-001 (the model phase) judges
each prediction at its own requirement's level, so it counts at the level of the others a fault
declares. A load fault declares the SLOs that must break (``"<route suffix> <limit>"``) under the
load profile it names. A fault either replaces one part of a ``Reference`` (a rule, a service
method, the authenticator) or wraps the ASGI app to rewrite requests or responses; the clean code
path never asks which faults are on.
``strongly-harness selftest`` runs the suite against each of them.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from harness.reference import validation
from harness.reference.errors import ApiError
from harness.reference.keys import Principal
from harness.reference.store import Store

if TYPE_CHECKING:
    from harness.reference.app import Reference

Wrapper = Callable[[ASGIApp], ASGIApp]
Plant = Callable[["Reference"], Wrapper | None]


@dataclass(frozen=True)
class Fault:
    name: str
    area: str
    summary: str
    catches: tuple[str, ...]
    suite: str
    plant: Plant
    profile: str = "smoke"
    strict: bool = False  # it breaks only a recommendation: selftest runs it with --strict


CATALOGUE: dict[str, Fault] = {}
# Legitimate alternatives: where the documents leave room, a server may choose otherwise and must
# still pass. Each is planted like a fault; the suite must stay green against it.
VARIANTS: dict[str, Plant] = {}


def fault(
    name: str,
    *,
    area: str,
    catches: tuple[str, ...],
    suite: str = "contract",
    profile: str = "smoke",
    strict: bool = False,
) -> Callable[[Plant], Plant]:
    """Register a fault; its docstring's first line is the summary shown by --list-faults."""

    def register(plant: Plant) -> Plant:
        summary = (plant.__doc__ or name).strip().splitlines()[0]
        CATALOGUE[name] = Fault(name, area, summary, catches, suite, plant, profile, strict)
        return plant

    return register


def variant(name: str) -> Callable[[Plant], Plant]:
    """Register a legitimate alternative behaviour (its docstring says which choice it makes)."""

    def register(plant: Plant) -> Plant:
        VARIANTS[name] = plant
        return plant

    return register


class UnknownFaultError(ValueError):
    """A fault name not in the catalogue."""


def known(name: str) -> bool:
    """A fault of the catalogue, a variant, or a seeded mutation (``mutate-<seed>``)."""
    from harness.reference import mutations

    return name in CATALOGUE or name in VARIANTS or mutations.is_mutation(name)


def apply(names: tuple[str, ...] | list[str], ref: Reference) -> list[Wrapper]:
    """Switch the named faults on in ``ref``; return the ASGI wrappers some of them need."""
    from harness.reference import mutations

    unknown = [name for name in names if not known(name)]
    if unknown:
        raise UnknownFaultError(f"unknown fault(s): {', '.join(unknown)}; see --list-faults (or mutate-<seed>)")
    planted = [
        mutations.plant(name) if mutations.is_mutation(name) else (VARIANTS.get(name) or CATALOGUE[name].plant)(ref)
        for name in names
    ]
    return [wrapper for wrapper in planted if wrapper is not None]


# ================================================================== mechanisms
Handler = Callable[[ASGIApp, Scope, Receive, Send], Awaitable[None]]
WORKSPACE = r"/api/v1/workspaces/[^/]+"
PROJECT = r"/api/v1/projects/[^/]+"
VOLUME = r"/api/v1/volumes/(?!shared$)[^/]+"
ANY = r"/api/v1/.*"


def middleware(handle: Handler) -> Wrapper:
    """Wrap the app so every HTTP request goes through ``handle(app, scope, receive, send)``."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            await handle(app, scope, receive, send)

        return asgi

    return wrap


def matches(scope: Scope, method: str | None, path: str) -> bool:
    return (method is None or scope["method"] == method) and re.fullmatch(path, scope["path"]) is not None


async def respond(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(key.encode(), value.encode()) for key, value in {**headers, "content-length": str(len(body))}.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def json_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    await respond(send, status, body, {"content-type": "application/json"})


Rewrite = Callable[[int, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def rewrite_responses(method: str | None, path: str, rewrite: Rewrite) -> Wrapper:
    """Responses to ``method path`` (path a regex; method None for any) pass through ``rewrite``."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, method, path):
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await app(scope, receive, capture)
        headers = {key.decode().lower(): value.decode() for key, value in start.get("headers", [])}
        headers.pop("content-length", None)
        status, headers, body = rewrite(start["status"], headers, b"".join(chunks))
        await respond(send, status, body, headers)

    return middleware(handle)


def edit_json(edit: Callable[[Any], Any], *, status: int = 200) -> Rewrite:
    """A rewrite that changes the JSON body of responses with the given status."""

    def rewrite(code: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if code != status or not body:
            return code, headers, body
        return code, headers, json.dumps(edit(json.loads(body))).encode()

    return rewrite


def each_item(edit: Callable[[dict[str, Any]], None]) -> Callable[[Any], Any]:
    """Apply ``edit`` to a resource body, or to every item of a list envelope."""

    def apply_to(body: Any) -> Any:
        for value in body.values() if isinstance(body, dict) else ():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        edit(item)
        if isinstance(body, dict) and "id" in body:
            edit(body)
        return body

    return apply_to


def rewrite_requests(
    method: str | None,
    path: str,
    *,
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    query: Callable[[dict[str, str]], dict[str, str]] | None = None,
    to_path: Callable[[str], str] | None = None,
) -> Wrapper:
    """Requests to ``method path`` have their JSON body, query or path changed before the app sees them."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, method, path):
            await app(scope, receive, send)
            return
        scope = dict(scope)
        if to_path is not None:
            scope["path"] = to_path(scope["path"])
            scope["raw_path"] = scope["path"].encode()
        if query is not None:
            pairs = dict(parse_qsl(scope["query_string"].decode(), keep_blank_values=True))
            scope["query_string"] = urlencode(query(pairs)).encode()
        if body is not None:
            raw = await read_body(receive)
            try:
                document = json.loads(raw)
            except ValueError:
                document = None
            if isinstance(document, dict):
                raw = json.dumps(body(document)).encode()
            receive = replay(raw)
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            scope["headers"] = [*headers, (b"content-length", str(len(raw)).encode())]
        await app(scope, receive, send)

    return middleware(handle)


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replay(raw: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return receive


def allow(*args: Any, **kwargs: Any) -> None:
    """A rule that allows everything."""


def without_filter(find: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A list lookup that ignores one of its filters."""

    def ignoring(principal: Principal, query: Any, **kwargs: Any) -> Any:
        filters = {key: value for key, value in query.filters.items() if key != name}
        return find(principal, replace(query, filters=filters), **kwargs)

    return ignoring


def as_organization_a(ref: Reference, when: Callable[[Request], bool]) -> None:
    """The other organization's key acts inside organization A when ``when`` holds."""
    authenticate = ref.auth.authenticate

    def leaky(request: Request) -> Principal:
        principal = authenticate(request)
        if principal.organization_id != "org_a" and when(request):
            return replace(principal, organization_id="org_a")
        return principal

    ref.auth.authenticate = leaky  # type: ignore[method-assign]


def has_id(request: Request) -> bool:
    return bool(request.path_params)


# ================================================================== response shape
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


# ================================================================== input validation
@fault("enum-not-checked", area="validation", catches=("GEN-VALID-001",))
def enum_not_checked(ref: Reference) -> Wrapper:
    """An unknown environmentType is accepted (and treated as jupyter)."""

    def fix(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("environmentType") not in validation.ENVIRONMENT_TYPES:
            body["environmentType"] = "jupyter"
        return body

    return rewrite_requests("POST", r"/api/v1/workspaces", body=fix)


@fault("required-not-checked", area="validation", catches=("GEN-VALID-001",))
def required_not_checked(ref: Reference) -> Wrapper:
    """A project created without its required description is accepted."""
    return rewrite_requests("POST", r"/api/v1/projects", body=lambda body: {"description": "", **body})


@fault("size-not-positive", area="validation", catches=("GEN-VALID-001",))
def size_not_positive(ref: Reference) -> Wrapper:
    """A volume of zero or negative size is accepted (stored as 1 GB)."""

    def fix(body: dict[str, Any]) -> dict[str, Any]:
        size = body.get("sizeGb")
        if isinstance(size, int | float) and not isinstance(size, bool) and size <= 0:
            body["sizeGb"] = 1
        return body

    return rewrite_requests(None, r"/api/v1/volumes(/[^/]+)?", body=fix)


@fault("pagination-clamped", area="validation", catches=("GEN-LIST-005",), strict=True)
def pagination_clamped(ref: Reference) -> Wrapper:
    """A limit or offset out of range is clamped instead of refused."""

    def clamp(params: dict[str, str]) -> dict[str, str]:
        for name, low, high in (("limit", 1, 100), ("offset", 0, 10**9)):
            if re.fullmatch(r"-?[0-9]+", params.get(name, "x")):
                params[name] = str(min(max(int(params[name]), low), high))
        return params

    return rewrite_requests("GET", ANY, query=clamp)


@fault("unknown-fields-ignored", area="validation", catches=("GEN-VALID-005",), strict=True)
def unknown_fields_ignored(ref: Reference) -> Wrapper:
    """Body fields the operation does not define (SDK snake_case) are silently dropped."""
    known = set().union(*(shape.fields for shape in (validation.CREATE_WORKSPACE, validation.UPDATE_WORKSPACE,
                        validation.CREATE_PROJECT, validation.ADD_COLLABORATOR, validation.CREATE_VOLUME)))  # fmt: skip
    return rewrite_requests(None, ANY, body=lambda body: {k: v for k, v in body.items() if k in known})


@fault("malformed-json-422", area="validation", catches=("GEN-VALID-004",), strict=True)
def malformed_json_422(ref: Reference) -> Wrapper:
    """Malformed JSON answers 422 instead of 400."""

    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if status == 400 and b"invalid_request" in body:
            return 422, headers, body.replace(b"invalid_request", b"validation_failed")
        return status, headers, body

    return rewrite_responses(None, ANY, rewrite)


@fault("tagged-images-refused", area="validation", catches=("GEN-VALID-002",))
def tagged_images_refused(ref: Reference) -> Wrapper:
    """A valid image with a tag (strongly/jupyter:latest) is refused with 422."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if matches(scope, "POST", r"/api/v1/workspaces"):
            raw = await read_body(receive)
            if re.search(rb'"image"\s*:\s*"[^"]*:', raw):
                await json_error(send, 422, "validation_failed", "image tags are not supported")
                return
            receive = replay(raw)
        await app(scope, receive, send)

    return middleware(handle)


@fault("no-allow-header", area="validation", catches=("GEN-VALID-003",), strict=True)
def no_allow_header(ref: Reference) -> Wrapper:
    """405 answers lack the Allow header."""

    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        return status, {k: v for k, v in headers.items() if k != "allow"}, body

    return rewrite_responses(None, ANY, rewrite)


# ================================================================== errors and transport
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


@fault("forbidden-for-unknown-ids", area="errors", catches=("GEN-ERR-003",))
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


# ================================================================== ids and time
@fault("hyphen-ids", area="semantics", catches=("GEN-ID-001",), strict=True)
def hyphen_ids(ref: Reference) -> None:
    """Ids use the SDK's hyphen (ws-..., proj-...) instead of the REST underscore."""
    new_id = ref.backend.new_id
    ref.backend.new_id = lambda prefix: new_id(prefix).replace("_", "-", 1)  # type: ignore[method-assign]


@fault("ids-reused", area="semantics", catches=("GEN-ID-002",))
def ids_reused(ref: Reference) -> None:
    """The id of the last deleted resource is given to the next new one."""
    freed: dict[str, list[str]] = {"ws": [], "proj": [], "vol": []}
    new_id = ref.backend.new_id

    def recycled(prefix: str) -> str:
        return freed[prefix].pop() if freed.get(prefix) else new_id(prefix)

    def freeing(delete: Callable[[Principal, str], None], prefix: str) -> Callable[[Principal, str], None]:
        def deleted(principal: Principal, resource_id: str) -> None:
            delete(principal, resource_id)
            freed[prefix].append(resource_id)

        return deleted

    ref.backend.new_id = recycled  # type: ignore[method-assign]
    ref.workspaces.delete = freeing(ref.workspaces.delete, "ws")  # type: ignore[method-assign]
    ref.projects.delete = freeing(ref.projects.delete, "proj")  # type: ignore[method-assign]
    ref.volumes.delete = freeing(ref.volumes.delete, "vol")  # type: ignore[method-assign]


@fault("updated-at-frozen", area="semantics", catches=("GEN-TIME-001",))
def updated_at_frozen(ref: Reference) -> Wrapper:
    """updatedAt always shows the creation time."""

    def freeze(item: dict[str, Any]) -> None:
        if "createdAt" in item and "updatedAt" in item:
            item["updatedAt"] = item["createdAt"]

    return rewrite_responses("GET", ANY, edit_json(each_item(freeze)))


# ================================================================== stateful
@fault("deleted-still-readable", area="lifecycle", catches=("GEN-STATE-001", "WS-LIFE-007", "VOL-LIFE-003"))
def deleted_still_readable(ref: Reference) -> Wrapper:
    """A deleted workspace or volume still reads back (its last state) instead of 404."""
    last_seen: dict[str, bytes] = {}

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, "GET", rf"{WORKSPACE}|{VOLUME}"):
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await app(scope, receive, capture)
        body = b"".join(chunks)
        if start["status"] == 200:
            last_seen[scope["path"]] = body
        elif start["status"] == 404 and scope["path"] in last_seen:
            await respond(send, 200, last_seen[scope["path"]], {"content-type": "application/json"})
            return
        headers = {key.decode(): value.decode() for key, value in start["headers"] if key != b"content-length"}
        await respond(send, start["status"], body, headers)

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

    ref.workspaces.create = creating  # type: ignore[method-assign]
    ref.workspaces.get = getting  # type: ignore[method-assign]


# ================================================================== auth and isolation
@fault("no-key-accepted", area="auth", catches=("AUTH-KEY-001",))
def no_key_accepted(ref: Reference) -> None:
    """A request without X-API-Key is served as the admin."""
    authenticate = ref.auth.authenticate
    admin = next(p for p in ref.auth.keys.values() if p.user_id == "user_admin")
    ref.auth.authenticate = lambda request: admin if not request.headers.get("x-api-key") else authenticate(request)  # type: ignore[method-assign]


@fault("unknown-key-accepted", area="auth", catches=("AUTH-KEY-002",))
def unknown_key_accepted(ref: Reference) -> None:
    """Any key the server does not know is served as the admin."""
    authenticate = ref.auth.authenticate
    admin = next(p for p in ref.auth.keys.values() if p.user_id == "user_admin")

    def lenient(request: Request) -> Principal:
        key = request.headers.get("x-api-key")
        return admin if key and key not in ref.auth.keys else authenticate(request)

    ref.auth.authenticate = lenient  # type: ignore[method-assign]


@fault("reader-can-write", area="auth", catches=("AUTH-SCOPE-001",))
def reader_can_write(ref: Reference) -> None:
    """Write scopes are not checked: the read-only key can change anything."""
    authorize = ref.auth.authorize
    ref.auth.authorize = lambda principal, scopes: authorize(principal, tuple(s for s in scopes if s.endswith(":read")))  # type: ignore[method-assign]


@fault("reader-cannot-read-volumes", area="auth", catches=("AUTH-SCOPE-002",))
def reader_cannot_read_volumes(ref: Reference) -> Wrapper:
    """A key without write scopes is refused (403) when it reads a single volume."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        key = dict(scope["headers"]).get(b"x-api-key", b"").decode()
        principal = ref.auth.keys.get(key)
        if matches(scope, "GET", VOLUME) and principal is not None and "volumes:write" not in principal.scopes:
            await json_error(send, 403, "forbidden", "this key lacks the volumes:read scope")
            return
        await app(scope, receive, send)

    return middleware(handle)


@fault("other-org-reads", area="isolation", catches=("AUTH-ISO-001",))
def other_org_reads(ref: Reference) -> None:
    """Another organization's key can read our resources by id."""
    as_organization_a(ref, lambda request: request.method == "GET" and has_id(request))


@fault("other-org-lists", area="isolation", catches=("AUTH-ISO-002",))
def other_org_lists(ref: Reference) -> None:
    """Another organization's lists include our resources."""
    as_organization_a(ref, lambda request: request.method == "GET" and not has_id(request))


@fault("other-org-writes", area="isolation", catches=("AUTH-ISO-003",))
def other_org_writes(ref: Reference) -> None:
    """Another organization's key can change and delete our resources."""
    as_organization_a(ref, lambda request: request.method != "GET" and has_id(request))


@fault("other-org-creates-in-project", area="isolation", catches=("AUTH-ISO-004",))
def other_org_creates_in_project(ref: Reference) -> None:
    """Another organization's key can create workspaces and volumes in our project."""
    as_organization_a(ref, lambda request: request.method == "POST" and not has_id(request))


# ================================================================== lifecycle
@fault("delete-running", area="lifecycle", catches=("WS-LIFE-008",))
def delete_running(ref: Reference) -> None:
    """A running workspace can be deleted."""
    ref.backend.rules.delete_workspace = allow  # type: ignore[method-assign]


@fault("resources-while-running", area="lifecycle", catches=("WS-LIFE-010",))
def resources_while_running(ref: Reference) -> None:
    """Resources and image change while the workspace runs."""
    ref.backend.rules.change_runtime = allow  # type: ignore[method-assign]


def answers_without_acting(ref: Reference, action: str, message: str, status: str) -> None:
    """The workspace action checks its rule and answers as if done, but changes nothing."""

    def pretend(principal: Principal, workspace_id: str) -> dict[str, str]:
        row = ref.workspaces.row(principal, workspace_id)
        getattr(ref.backend.rules, action)(row)
        return {"message": message, "workspaceId": row["id"], "status": status}

    setattr(ref.workspaces, action, pretend)


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
    ref.workspaces.promote_due = lambda: None  # type: ignore[method-assign]


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
    ref.backend.rules.start = allow  # type: ignore[method-assign]


@fault("restart-does-nothing", area="lifecycle", catches=("WS-LIFE-006",))
def restart_does_nothing(ref: Reference) -> None:
    """Restart answers 200 pending but nothing restarts."""
    answers_without_acting(ref, "restart", "Workspace restarting", "pending")


@fault("metrics-when-stopped", area="lifecycle", catches=("WS-LIFE-011",))
def metrics_when_stopped(ref: Reference) -> None:
    """Metrics answer 200 for a stopped workspace."""
    ref.backend.rules.read_metrics = allow  # type: ignore[method-assign]


@fault("sync-without-volume", area="lifecycle", catches=("WS-LIFE-016",), strict=True)
def sync_without_volume(ref: Reference) -> None:
    """Sync answers 200 for a running workspace that has no volume."""
    rule = ref.backend.rules.sync_workspace
    ref.backend.rules.sync_workspace = lambda workspace, volumes: rule(workspace, volumes or ["nowhere"])  # type: ignore[method-assign]


@fault("logs-frozen", area="lifecycle", catches=("WS-LIFE-013",), strict=True)
def logs_frozen(ref: Reference) -> None:
    """Deploy and pod logs never get a line; only the build log is written."""
    log = ref.workspaces._log

    def build_only(workspace_id: str, log_type: str, text: str, *, at: str | None = None) -> None:
        if log_type == "build":
            log(workspace_id, log_type, text, at=at)

    ref.workspaces._log = build_only  # type: ignore[method-assign]


@fault("url-when-stopped", area="lifecycle", catches=("WS-LIFE-014",), strict=True)
def url_when_stopped(ref: Reference) -> Wrapper:
    """A stopped workspace still shows an access URL."""

    def keep_url(item: dict[str, Any]) -> None:
        if item.get("status") == "stopped":
            item["url"] = f"https://ws-{item['id']}.workspaces.strongly.local"

    return rewrite_responses("GET", rf"/api/v1/workspaces|{WORKSPACE}", edit_json(each_item(keep_url)))


# ================================================================== workspace semantics
@fault("metrics-over-allocation", area="semantics", catches=("WS-SEM-001",), strict=True)
def metrics_over_allocation(ref: Reference) -> Wrapper:
    """Reported CPU usage exceeds the cores the workspace was given."""
    return rewrite_responses("GET", rf"{WORKSPACE}/metrics", edit_json(lambda body: {**body, "cpuUsage": "97.5"}))


@fault("resources-replaced", area="semantics", catches=("WS-SEM-002",))
def resources_replaced(ref: Reference) -> Wrapper:
    """Updating some resources resets the others to their defaults (replace, not merge)."""

    def reset(body: dict[str, Any]) -> dict[str, Any]:
        if isinstance(body.get("resources"), dict):
            body["resources"] = {"cpu": "2", "memory": "4Gi", "gpu": "0", "storage": "10Gi", **body["resources"]}
        return body

    return rewrite_requests("PUT", WORKSPACE, body=reset)


@fault("wrong-default-resources", area="semantics", catches=("GEN-DEFAULT-001",), strict=True)
def wrong_default_resources(ref: Reference) -> Wrapper:
    """A workspace created without resources gets 1 CPU instead of the decided 2."""
    return rewrite_requests("POST", r"/api/v1/workspaces", body=lambda body: {"resources": {"cpu": "1"}, **body})


@fault("archived-accepts-changes", area="semantics", catches=("PRJ-LIFE-005",), strict=True)
def archived_accepts_changes(ref: Reference) -> None:
    """An archived project accepts updates, collaborators and new workspaces and volumes."""
    ref.backend.rules.modify_project = allow  # type: ignore[method-assign]


@fault("no-volume-mounts", area="semantics", catches=("WS-SEM-005",), strict=True)
def no_volume_mounts(ref: Reference) -> None:
    """Workspaces mount none of their project's volumes."""
    ref.backend.project_volume_ids = lambda project_id: []  # type: ignore[method-assign]


# ================================================================== lists
def ignored_filter(name: str, service: str, filter_name: str, requirement: str) -> None:
    """Register a fault under which a service's list lookup drops one of its filters."""

    def plant(ref: Reference) -> None:
        target = getattr(ref, service)
        target.find = without_filter(target.find, filter_name)

    plant.__doc__ = f"GET /{service} ignores its {filter_name} filter."
    fault(name, area="lists", catches=(requirement,))(plant)


ignored_filter("workspace-search-ignored", "workspaces", "search", "WS-LIST-001")
ignored_filter("workspace-status-filter-ignored", "workspaces", "status", "WS-LIST-002")
ignored_filter("workspace-project-filter-ignored", "workspaces", "projectId", "WS-LIST-003")
ignored_filter("project-status-filter-ignored", "projects", "status", "PRJ-LIST-002")
ignored_filter("category-filter-ignored", "projects", "category", "PRJ-LIST-003")
ignored_filter("tag-filter-ignored", "projects", "tag", "PRJ-LIST-004")
ignored_filter("volume-search-ignored", "volumes", "search", "VOL-LIST-001")
ignored_filter("volume-type-filter-ignored", "volumes", "type", "VOL-LIST-002")


@fault("volume-project-filter-ignored", area="lists", catches=("VOL-LIST-003",))
def volume_project_filter_ignored(ref: Reference) -> Wrapper:
    """The projectId filter of GET /volumes is ignored."""
    return rewrite_requests(
        "GET", r"/api/v1/volumes", query=lambda params: {k: v for k, v in params.items() if k != "projectId"}
    )


@fault("project-search-case-sensitive", area="lists", catches=("PRJ-LIST-001",))
def project_search_case_sensitive(ref: Reference) -> None:
    """Project search only matches the exact case."""
    find = ref.projects.find

    def case_sensitive(principal: Principal, query: Any) -> Any:
        term = query.filters.get("search")
        if not term:
            return find(principal, query)
        everything, _ = find(principal, replace(query, limit=10**6, offset=0))
        kept = [p for p in everything if term in p["name"] or term in p["description"]]
        return kept[query.offset : query.offset + query.limit], len(kept)

    ref.projects.find = case_sensitive  # type: ignore[method-assign]


@fault("offset-ignored", area="lists", catches=("GEN-LIST-001",))
def offset_ignored(ref: Reference) -> None:
    """Every page of projects starts at the first item, whatever the offset."""
    find = ref.projects.find
    ref.projects.find = lambda principal, query: find(principal, replace(query, offset=0))  # type: ignore[method-assign]


@fault("limit-ignored", area="lists", catches=("GEN-LIST-002",))
def limit_ignored(ref: Reference) -> None:
    """Volume pages hold up to 100 items, whatever the limit."""
    find = ref.volumes.find
    ref.volumes.find = lambda principal, query, **kw: find(principal, replace(query, limit=100), **kw)  # type: ignore[method-assign]


@fault("count-is-page-size", area="lists", catches=("GEN-LIST-003",))
def count_is_page_size(ref: Reference) -> None:
    """Workspace lists report the page size as count."""
    find = ref.workspaces.find

    def paged(principal: Principal, query: Any) -> Any:
        items, _ = find(principal, query)
        return items, len(items)

    ref.workspaces.find = paged  # type: ignore[method-assign]


@fault("sort-ignored", area="lists", catches=("GEN-LIST-004",))
def sort_ignored(ref: Reference) -> None:
    """Project lists are always newest first, whatever sort asks."""
    find = ref.projects.find
    ref.projects.find = lambda principal, query: find(
        principal, replace(query, sort_field="createdAt", descending=True)
    )  # type: ignore[method-assign]


@fault("sublists-unfiltered", area="lists", catches=("PRJ-SUB-001", "PRJ-SUB-002"))
def sublists_unfiltered(ref: Reference) -> Wrapper:
    """A project's volume and workspace lists show every volume and workspace."""
    return rewrite_requests(
        "GET", rf"{PROJECT}/(volumes|workspaces)", to_path=lambda path: "/api/v1/" + path.rsplit("/", 1)[1]
    )


@fault("unshared-in-shared-list", area="lists", catches=("VOL-SHARE-002",))
def unshared_in_shared_list(ref: Reference) -> None:
    """The shared list shows unshared volumes too."""
    find = ref.volumes.find
    ref.volumes.find = lambda principal, query, shared_only=False: find(principal, query)  # type: ignore[method-assign]


# ================================================================== project semantics
@fault("project-defaults-wrong", area="semantics", catches=("GEN-DEFAULT-001",), strict=True)
def project_defaults_wrong(ref: Reference) -> Wrapper:
    """New projects default to organization visibility instead of private."""
    return rewrite_requests("POST", r"/api/v1/projects", body=lambda body: {"visibility": "organization", **body})


@fault("project-update-not-persisted", area="semantics", catches=("PRJ-LIFE-002",))
def project_update_not_persisted(ref: Reference) -> None:
    """A project update answers the changed project but stores nothing."""

    def update(principal: Principal, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        validation.validate(validation.UPDATE_PROJECT, body)
        return {**ref.projects.get(principal, project_id), **body}

    ref.projects.update = update  # type: ignore[method-assign]


@fault("archive-ignored", area="semantics", catches=("PRJ-LIFE-003",))
def archive_ignored(ref: Reference) -> None:
    """Archive answers 200 archived but the project stays active."""

    def archive(principal: Principal, project_id: str) -> dict[str, str]:
        project = ref.backend.project_row(principal, project_id)
        return {"message": "Project archived", "projectId": project["id"], "status": "archived"}

    ref.projects.archive = archive  # type: ignore[method-assign]


@fault("restore-twice", area="semantics", catches=("GEN-IDEM-001",), strict=True)
def restore_twice(ref: Reference) -> None:
    """Restoring a project that is not archived answers 200."""
    ref.backend.rules.restore = allow  # type: ignore[method-assign]


@fault("delete-nonempty-project", area="semantics", catches=("PRJ-LIFE-006", "PRJ-LIFE-007"))
def delete_nonempty_project(ref: Reference) -> None:
    """A project that still has volumes or workspaces can be deleted."""
    ref.backend.rules.delete_project = allow  # type: ignore[method-assign]


@fault("stats-count-stopped-as-active", area="semantics", catches=("PRJ-STATS-001",))
def stats_count_stopped_as_active(ref: Reference) -> None:
    """Project stats count every workspace as active."""
    stats = ref.projects.stats

    def wrong(principal: Principal, project_id: str) -> dict[str, Any]:
        answer = stats(principal, project_id)
        return {**answer, "activeWorkspaces": answer["workspaceCount"]}

    ref.projects.stats = wrong  # type: ignore[method-assign]


@fault("activity-misses-workspaces", area="semantics", catches=("PRJ-ACT-001",), strict=True)
def activity_misses_workspaces(ref: Reference) -> None:
    """Workspace actions are not recorded in the project's activity feed."""
    record = ref.backend.record

    def partial(project_id: str | None, action: str, actor: Principal, target_type: str, target_id: str) -> None:
        if not action.startswith("workspace."):
            record(project_id, action, actor, target_type, target_id)

    ref.backend.record = partial  # type: ignore[method-assign]


@fault("owner-not-listed", area="semantics", catches=("PRJ-COLLAB-001",))
def owner_not_listed(ref: Reference) -> Wrapper:
    """The owner is missing from the collaborators list."""

    def drop_owner(body: dict[str, Any]) -> dict[str, Any]:
        body["collaborators"] = [c for c in body["collaborators"] if not c["isOwner"]]
        body["count"] = len(body["collaborators"])
        return body

    return rewrite_responses("GET", rf"{PROJECT}/collaborators", edit_json(drop_owner))


@fault("duplicate-collaborators", area="semantics", catches=("PRJ-COLLAB-002",))
def duplicate_collaborators(ref: Reference) -> None:
    """The same email can be added again: each add gets a new user id and only ids are compared."""
    rule = ref.backend.rules.add_collaborator
    ref.projects.user_id_for = lambda email: ref.backend.new_id("user")  # type: ignore[method-assign]
    ref.backend.rules.add_collaborator = lambda existing, user_id, email: rule(  # type: ignore[method-assign]
        [c for c in existing if c["userId"] == user_id], user_id, email
    )


@fault("role-change-ignored", area="semantics", catches=("PRJ-COLLAB-003",))
def role_change_ignored(ref: Reference) -> None:
    """A role change answers the new role but is not stored."""

    def update(principal: Principal, project_id: str, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        project = ref.backend.project_row(principal, project_id)
        current = ref.projects.collaborator(project["id"], user_id)
        validation.validate(validation.UPDATE_COLLABORATOR, body)
        ref.backend.rules.change_collaborator(current)
        return {**current, "role": body["role"]}

    ref.projects.update_collaborator = update  # type: ignore[method-assign]


@fault("owner-removable", area="semantics", catches=("PRJ-COLLAB-004", "PRJ-COLLAB-003"))
def owner_removable(ref: Reference) -> None:
    """The project owner can be removed or given another role."""
    ref.backend.rules.change_collaborator = allow  # type: ignore[method-assign]


@fault("project-object-stale", area="semantics", catches=("PRJ-SEM-001",), strict=True)
def project_object_stale(ref: Reference) -> Wrapper:
    """The project object's sharedWith stays empty whoever is added."""

    def empty(item: dict[str, Any]) -> None:
        if "sharedWith" in item:
            item["sharedWith"] = []

    return rewrite_responses("GET", rf"/api/v1/projects|{PROJECT}", edit_json(each_item(empty)))


# ================================================================== volume semantics
@fault("volume-defaults-wrong", area="semantics", catches=("GEN-DEFAULT-001",), strict=True)
def volume_defaults_wrong(ref: Reference) -> Wrapper:
    """A volume created without a type gets scratch instead of data."""
    return rewrite_requests("POST", r"/api/v1/volumes", body=lambda body: {"type": "scratch", **body})


@fault("volume-update-not-persisted", area="semantics", catches=("VOL-LIFE-002",))
def volume_update_not_persisted(ref: Reference) -> None:
    """A volume update answers the changed volume but stores nothing."""

    def update(principal: Principal, volume_id: str, body: dict[str, Any]) -> dict[str, Any]:
        validation.validate(validation.UPDATE_VOLUME, body)
        return {**ref.volumes.get(principal, volume_id), **body}

    ref.volumes.update = update  # type: ignore[method-assign]


@fault("volume-delete-while-mounted", area="semantics", catches=("VOL-LIFE-003",))
def volume_delete_while_mounted(ref: Reference) -> None:
    """A volume that a running workspace mounts can be deleted."""
    ref.backend.rules.delete_volume = allow  # type: ignore[method-assign]


@fault("share-ignored", area="semantics", catches=("VOL-SHARE-001",))
def share_ignored(ref: Reference) -> None:
    """Share answers 200 but the volume stays unshared."""

    def share(principal: Principal, volume_id: str) -> dict[str, Any]:
        row = ref.volumes.row(principal, volume_id)
        return {"message": "Volume shared with the organization", "volumeId": row["id"], "isShared": True}

    ref.volumes.share = share  # type: ignore[method-assign]


@fault("shared-alias-differs", area="semantics", catches=("VOL-SHARE-001",))
def shared_alias_differs(ref: Reference) -> Wrapper:
    """The shared flag stays false when isShared turns true."""

    def stale(item: dict[str, Any]) -> None:
        if "shared" in item:
            item["shared"] = False

    return rewrite_responses("GET", rf"/api/v1/volumes(/shared)?|{VOLUME}", edit_json(each_item(stale)))


# ================================================================== durability
@fault("lost-on-restart", area="durability", catches=("DUR-001",))
def lost_on_restart(ref: Reference) -> None:
    """Data is kept in memory only, whatever --db says: a restart loses everything."""
    memory = Store(":memory:")
    for part in (ref.backend, ref.workspaces, ref.projects, ref.volumes):
        part.store = memory


@fault("lost-concurrent-writes", area="durability", catches=("DUR-002",))
def lost_concurrent_writes(ref: Reference) -> Wrapper:
    """Collaborators are saved read-modify-write: concurrent adds overwrite each other."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if not matches(scope, "POST", rf"{PROJECT}/collaborators"):
            await app(scope, receive, send)
            return
        project_id = scope["path"].split("/")[4]
        store = ref.backend.store
        before = [tuple(row) for row in store.all("SELECT * FROM collaborators WHERE project_id = ?", project_id)]
        await asyncio.sleep(0.02)  # the gap in which a concurrent add lands, and is then overwritten
        await app(scope, receive, send)
        mine = store.all("SELECT * FROM collaborators WHERE project_id = ? ORDER BY seq DESC LIMIT 1", project_id)
        with store.transaction() as db:
            db.execute("DELETE FROM collaborators WHERE project_id = ?", (project_id,))
            for row in [*before, *(tuple(row) for row in mine if tuple(row) not in before)]:
                db.execute("INSERT INTO collaborators VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)

    return middleware(handle)


# ================================================================== what servers we did not write chose
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


@fault("collaborator-not-listed", area="semantics", catches=("PRJ-COLLAB-002",))
def collaborator_not_listed(ref: Reference) -> Wrapper:
    """An added collaborator is answered 201 but never listed: the list holds the owner alone."""

    def owner_only(body: dict[str, Any]) -> dict[str, Any]:
        owners = [person for person in body["collaborators"] if person.get("isOwner")]
        return {**body, "collaborators": owners, "count": len(owners)}

    return rewrite_responses("GET", PROJECT + "/collaborators", edit_json(owner_only))


@fault("stop-answers-stopping", area="lifecycle", catches=("GEN-SCHEMA-001", "WS-LIFE-004"))
def stop_answers_stopping(ref: Reference) -> Wrapper:
    """Stop answers status `stopping`, a status the contract does not have (the workspace reads stopped)."""
    return rewrite_responses("POST", WORKSPACE + "/stop", edit_json(lambda body: {**body, "status": "stopping"}))


@fault("stop-takes-a-moment", area="lifecycle", catches=("WS-LIFE-007",))
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


@fault("json-as-text-plain", area="shape", catches=("GEN-SCHEMA-003",))
def json_as_text_plain(ref: Reference) -> Wrapper:
    """Every JSON answer is labelled text/plain (the body is still JSON)."""

    def relabel(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if headers.get("content-type", "").startswith("application/json"):
            headers = {**headers, "content-type": "text/plain; charset=utf-8"}
        return status, headers, body

    return rewrite_responses(None, ANY, relabel)


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


# ================================================================== our own choices, and what the documents say
@fault("image-while-running", area="lifecycle", catches=("WS-LIFE-015",), strict=True)
def image_while_running(ref: Reference) -> None:
    """The image changes while the workspace runs (resources are still refused)."""
    rule = ref.backend.rules.change_runtime
    ref.backend.rules.change_runtime = lambda workspace, changes: rule(  # type: ignore[method-assign]
        workspace, {k: v for k, v in changes.items() if k != "image"}
    )


@fault("names-unlimited", area="validation", catches=("GEN-VALID-006",), strict=True)
def names_unlimited(ref: Reference) -> Wrapper:
    """Names and labels over the contract's 128 characters are accepted (cut to 128)."""

    def cut(body: dict[str, Any]) -> dict[str, Any]:
        for key in ("name", "label"):
            if isinstance(body.get(key), str):
                body[key] = body[key][:128]
        return body

    return rewrite_requests(None, ANY, body=cut)


@fault("sdk-lists-default-20", area="lists", catches=("GEN-LIST-006",), strict=True)
def sdk_lists_default_20(ref: Reference) -> Wrapper:
    """The lists only the SDK defines (project sub-lists, activity, shared volumes) default to 20, not 50."""
    return rewrite_requests("GET", rf"{PROJECT}/(volumes|workspaces|activity)|/api/v1/volumes/shared",
                            query=lambda params: {"limit": "20", **params})  # fmt: skip


@fault("default-order-oldest-first", area="lists", catches=("GEN-LIST-007",), strict=True)
def default_order_oldest_first(ref: Reference) -> Wrapper:
    """Top-level lists without a sort come oldest first instead of newest first."""
    return rewrite_requests("GET", r"/api/v1/(workspaces|projects|volumes)",
                            query=lambda params: {"sort": "createdAt:asc", **params})  # fmt: skip


@fault("varying-default-image", area="semantics", catches=("WS-SEM-003",))
def varying_default_image(ref: Reference) -> Wrapper:
    """A workspace created without an image gets a different image each time, not its type's default."""
    counter = iter(range(10**9))
    return rewrite_requests("POST", r"/api/v1/workspaces",
                            body=lambda body: {"image": f"strongly/random:{next(counter)}", **body})  # fmt: skip


@fault("unknown-project-accepted", area="semantics", catches=("WS-SEM-004", "VOL-LIFE-004"))
def unknown_project_accepted(ref: Reference) -> Wrapper:
    """A create naming an unknown project answers 201 (with an id that leads nowhere) instead of a refusal."""

    def accept(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if status != 404:
            return status, headers, body
        return (
            201,
            {**headers, "content-type": "application/json"},
            b'{"workspaceId": "ws_nowhere", "volumeId": "vol_nowhere"}',
        )

    return rewrite_responses("POST", r"/api/v1/(workspaces|volumes)", accept)


@fault("sync-refused-with-volume", area="lifecycle", catches=("WS-LIFE-012",))
def sync_refused_with_volume(ref: Reference) -> None:
    """Sync is refused (409) even for a running workspace with a volume."""

    def refuse(workspace: dict[str, Any], volume_ids: list[str]) -> None:
        raise ApiError(409, "conflict", "sync is not available")

    ref.backend.rules.sync_workspace = refuse  # type: ignore[method-assign]


@fault("restore-does-nothing", area="semantics", catches=("PRJ-LIFE-004",))
def restore_does_nothing(ref: Reference) -> None:
    """Restore answers 200 "active" but the project stays archived."""

    def restore(principal: Principal, project_id: str) -> dict[str, str]:
        ref.projects.get(principal, project_id)
        return {"message": "Project restored", "projectId": project_id, "status": "active"}

    ref.projects.restore = restore  # type: ignore[method-assign]


@fault("create-drops-fields", area="semantics", catches=("PRJ-LIFE-001", "VOL-LIFE-001"))
def create_drops_fields(ref: Reference) -> Wrapper:
    """A project's category and tags, and a volume's description, given on create are not kept."""

    def drop(body: dict[str, Any]) -> dict[str, Any]:
        dropped = {"category", "tags"} if "name" in body else {"description"}  # a project has a name, a volume a label
        return {key: value for key, value in body.items() if key not in dropped}

    return rewrite_requests("POST", r"/api/v1/(projects|volumes)", body=drop)


# ================================================================== legitimate alternatives
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
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await app(scope, receive, capture)
        body = b"".join(chunks)
        if start["status"] == 201:
            key = {"workspaces": "workspaceId", "projects": "projectId", "volumes": "volumeId"}[kind.group(1)]
            new_id = json.loads(body)[key]
            whole = await internal_get(app, scope, f"{scope['path']}/{new_id}")
            body = json.dumps({**whole, "workspaceId": new_id} if key == "workspaceId" else whole).encode()
        headers = {key.decode(): value.decode() for key, value in start["headers"] if key != b"content-length"}
        await respond(send, start["status"], body, headers)

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


# ================================================================== load
@fault("slow-status", area="load", catches=("/status p95_ms", "/status p99_ms"), suite="load")
def slow_status(ref: Reference) -> Wrapper:
    """The status route answers after about 300 ms."""

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].endswith("/status"):
            await asyncio.sleep(0.3)
        await app(scope, receive, send)

    return middleware(handle)


@fault("flaky-5xx", area="load", catches=("total error_ratio",), suite="load")
def flaky_5xx(ref: Reference) -> Wrapper:
    """About 5% of requests answer 503."""
    chance = random.Random(5)

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if chance.random() < 0.05:
            await json_error(send, 503, "unavailable", "try again")
            return
        await app(scope, receive, send)

    return middleware(handle)


@fault("periodic-stall", area="load", catches=("/status p99_ms",), suite="load", profile="open")
def periodic_stall(ref: Reference) -> Wrapper:
    """The whole server stalls for 1 s every 5 s (a blocked event loop, like a GC pause)."""
    next_stall = [time.monotonic() + 5.0]

    async def handle(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        if time.monotonic() >= next_stall[0]:
            next_stall[0] = time.monotonic() + 5.0
            time.sleep(1.0)  # blocks every request in flight, on purpose
        await app(scope, receive, send)

    return middleware(handle)


# Faults of derived views (issue 18) live in their own module and register in CATALOGUE on import;
# imported last because that module imports the mechanisms above.
from harness.reference import drift_faults  # noqa: E402, F401
