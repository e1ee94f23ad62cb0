"""The reference server's HTTP layer: routes, authentication, and JSON errors.

Order of refusals (D-15): 401 no or unknown key, 403 missing scope, 404 unknown resource, 400/422
bad input, 409 state. Handlers never await while they use the store, so requests are atomic.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.backend import Backend
from harness.reference.errors import ApiError, bad_request
from harness.reference.keys import DEV_KEYS, Principal
from harness.reference.projects import ProjectService
from harness.reference.seams import Seams
from harness.reference.store import Store
from harness.reference.validation import (
    CATEGORY,
    LOG_TYPES,
    PROJECT_STATUSES,
    REFERENCE_ID,
    TAG,
    VOLUME_TYPES,
    WORKSPACE_STATUSES,
    ListQuery,
    Text,
    parse_json_body,
    parse_list_query,
    single,
)
from harness.reference.volumes import VolumeService
from harness.reference.workspaces import WorkspaceService

log = logging.getLogger("strongly.reference")

MAX_BODY_BYTES = 1 << 20
SEARCH = Text(max_length=200)


@dataclass
class ServerConfig:
    db: str = ":memory:"
    provision_delay: float = 1.0
    keys: dict[str, Principal] = field(default_factory=lambda: dict(DEV_KEYS))
    faults: tuple[str, ...] = ()
    latency: float = 0.0  # seconds added before every answer: a deployment a network hop away


class Authenticator(Seams):
    SEAMS = frozenset({"authenticate", "authorize"})

    def __init__(self, keys: dict[str, Principal]) -> None:
        self.keys = keys

    def authenticate(self, request: Request) -> Principal:
        key = request.headers.get("x-api-key")
        if not key:
            raise ApiError(401, "unauthorized", "missing X-API-Key header")
        principal = self.keys.get(key)
        if principal is None:
            raise ApiError(401, "unauthorized", "unknown API key")
        return principal

    def authorize(self, principal: Principal, scopes: tuple[str, ...]) -> None:
        missing = [scope for scope in scopes if scope not in principal.scopes]
        if missing:
            raise ApiError(403, "forbidden", f"this key lacks the {', '.join(missing)} scope")


@dataclass
class Reference:
    """The server's parts; a planted fault overrides one of their seams (harness/reference/faults/)."""

    backend: Backend
    auth: Authenticator
    workspaces: WorkspaceService
    projects: ProjectService
    volumes: VolumeService

    @classmethod
    def build(cls, config: ServerConfig) -> Reference:
        backend = Backend(Store(config.db), provision_delay=config.provision_delay)
        known_users = {principal.email: principal.user_id for principal in config.keys.values()}
        return cls(
            backend=backend,
            auth=Authenticator(config.keys),
            workspaces=WorkspaceService(backend),
            projects=ProjectService(backend, known_users),
            volumes=VolumeService(backend),
        )


Handler = Callable[[Reference, Request, Principal], Awaitable[Response]]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json", headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


def page(key: str, items: list[dict[str, Any]], count: int, query: ListQuery) -> Response:
    return json_response(200, {"count": count, "limit": query.limit, "offset": query.offset, key: items})


async def body_of(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise bad_request(f"the body is larger than {MAX_BODY_BYTES} bytes")
    return parse_json_body(raw)


def params(request: Request) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        grouped.setdefault(name, []).append(value)
    return grouped


def created(key: str, resource_id: str) -> Response:
    return json_response(201, {key: resource_id})


# ------------------------------------------------------------------ workspaces
async def list_workspaces(ref: Reference, request: Request, who: Principal) -> Response:
    query = parse_list_query(
        params(request),
        default_limit=20,
        sort_fields=("name", "status", "createdAt", "updatedAt"),
        filters={"search": SEARCH, "status": Text(choices=WORKSPACE_STATUSES), "projectId": REFERENCE_ID},
    )
    return page("workspaces", *ref.workspaces.find(who, query), query)


async def create_workspace(ref: Reference, request: Request, who: Principal) -> Response:
    return created("workspaceId", ref.workspaces.create(who, await body_of(request)))


async def get_workspace(ref: Reference, request: Request, who: Principal) -> Response:
    return json_response(200, ref.workspaces.get(who, request.path_params["workspaceId"]))


async def update_workspace(ref: Reference, request: Request, who: Principal) -> Response:
    workspace_id = request.path_params["workspaceId"]
    ref.workspaces.row(who, workspace_id)
    return json_response(200, ref.workspaces.update(who, workspace_id, await body_of(request)))


async def delete_workspace(ref: Reference, request: Request, who: Principal) -> Response:
    ref.workspaces.delete(who, request.path_params["workspaceId"])
    return no_content()


def workspace_action(name: str) -> Handler:
    async def handler(ref: Reference, request: Request, who: Principal) -> Response:
        return json_response(200, getattr(ref.workspaces, name)(who, request.path_params["workspaceId"]))

    handler.__name__ = f"{name}_workspace"
    return handler


async def workspace_logs(ref: Reference, request: Request, who: Principal) -> Response:
    workspace_id = request.path_params["workspaceId"]
    ref.workspaces.row(who, workspace_id)
    log_type = single(params(request), "type")
    log_type = "pod" if log_type is None else log_type
    if log_type not in LOG_TYPES:
        raise ApiError(400, "invalid_parameter", f"type must be one of {', '.join(LOG_TYPES)}")
    return json_response(200, ref.workspaces.logs(who, workspace_id, log_type))


# ------------------------------------------------------------------ projects
async def list_projects(ref: Reference, request: Request, who: Principal) -> Response:
    query = parse_list_query(
        params(request),
        default_limit=20,
        sort_fields=("name", "createdAt", "updatedAt"),
        filters={"search": SEARCH, "status": Text(choices=PROJECT_STATUSES), "category": CATEGORY, "tag": TAG},
    )
    return page("projects", *ref.projects.find(who, query), query)


async def create_project(ref: Reference, request: Request, who: Principal) -> Response:
    return created("projectId", ref.projects.create(who, await body_of(request)))


async def get_project(ref: Reference, request: Request, who: Principal) -> Response:
    return json_response(200, ref.projects.get(who, request.path_params["projectId"]))


async def update_project(ref: Reference, request: Request, who: Principal) -> Response:
    project_id = request.path_params["projectId"]
    ref.backend.project_row(who, project_id)
    return json_response(200, ref.projects.update(who, project_id, await body_of(request)))


async def delete_project(ref: Reference, request: Request, who: Principal) -> Response:
    ref.projects.delete(who, request.path_params["projectId"])
    return no_content()


def project_action(name: str) -> Handler:
    async def handler(ref: Reference, request: Request, who: Principal) -> Response:
        return json_response(200, getattr(ref.projects, name)(who, request.path_params["projectId"]))

    handler.__name__ = f"{name}_project"
    return handler


async def project_activity(ref: Reference, request: Request, who: Principal) -> Response:
    project_id = request.path_params["projectId"]
    ref.backend.project_row(who, project_id)
    query = parse_list_query(params(request), default_limit=50)
    return page("activities", *ref.projects.activity(who, project_id, query), query)


async def add_collaborator(ref: Reference, request: Request, who: Principal) -> Response:
    project_id = request.path_params["projectId"]
    ref.backend.project_row(who, project_id)
    return json_response(201, ref.projects.add_collaborator(who, project_id, await body_of(request)))


async def update_collaborator(ref: Reference, request: Request, who: Principal) -> Response:
    project = ref.backend.project_row(who, request.path_params["projectId"])
    user_id = request.path_params["userId"]
    ref.projects.collaborator(project["id"], user_id)
    body = await body_of(request)
    return json_response(200, ref.projects.update_collaborator(who, project["id"], user_id, body))


async def remove_collaborator(ref: Reference, request: Request, who: Principal) -> Response:
    ref.projects.remove_collaborator(who, request.path_params["projectId"], request.path_params["userId"])
    return no_content()


async def project_volumes(ref: Reference, request: Request, who: Principal) -> Response:
    project = ref.backend.project_row(who, request.path_params["projectId"])
    query = in_project(parse_list_query(params(request), default_limit=50), project["id"])
    return page("volumes", *ref.volumes.find(who, query), query)


async def project_workspaces(ref: Reference, request: Request, who: Principal) -> Response:
    project = ref.backend.project_row(who, request.path_params["projectId"])
    query = in_project(parse_list_query(params(request), default_limit=50), project["id"])
    return page("workspaces", *ref.workspaces.find(who, query), query)


def in_project(query: ListQuery, project_id: str) -> ListQuery:
    """A project's sub-list: its own items only, oldest first."""
    return replace(query, sort_field="createdAt", descending=False, filters={"projectId": project_id})


# ------------------------------------------------------------------ volumes
async def list_volumes(ref: Reference, request: Request, who: Principal) -> Response:
    query = parse_list_query(
        params(request),
        default_limit=20,
        sort_fields=("label", "sizeGb", "createdAt", "updatedAt"),
        filters={"search": SEARCH, "type": Text(choices=VOLUME_TYPES), "projectId": REFERENCE_ID},
    )
    return page("volumes", *ref.volumes.find(who, query), query)


async def list_shared_volumes(ref: Reference, request: Request, who: Principal) -> Response:
    query = parse_list_query(params(request), default_limit=50, filters={"search": SEARCH})
    return page("volumes", *ref.volumes.find(who, query, shared_only=True), query)


async def create_volume(ref: Reference, request: Request, who: Principal) -> Response:
    return created("volumeId", ref.volumes.create(who, await body_of(request)))


async def get_volume(ref: Reference, request: Request, who: Principal) -> Response:
    return json_response(200, ref.volumes.get(who, request.path_params["volumeId"]))


async def update_volume(ref: Reference, request: Request, who: Principal) -> Response:
    volume_id = request.path_params["volumeId"]
    ref.volumes.row(who, volume_id)
    return json_response(200, ref.volumes.update(who, volume_id, await body_of(request)))


async def delete_volume(ref: Reference, request: Request, who: Principal) -> Response:
    ref.volumes.delete(who, request.path_params["volumeId"])
    return no_content()


def volume_action(name: str) -> Handler:
    async def handler(ref: Reference, request: Request, who: Principal) -> Response:
        return json_response(200, getattr(ref.volumes, name)(who, request.path_params["volumeId"]))

    handler.__name__ = f"{name}_volume"
    return handler


# ------------------------------------------------------------------ routing
WS_R, WS_W = ("workspaces:read",), ("workspaces:write",)
PR_R, PR_W = ("projects:read",), ("projects:write",)
VO_R, VO_W = ("volumes:read",), ("volumes:write",)
W = "/api/v1/workspaces/{workspaceId}"
P = "/api/v1/projects/{projectId}"
V = "/api/v1/volumes/{volumeId}"

ROUTES: list[tuple[str, dict[str, tuple[tuple[str, ...], Handler]]]] = [
    ("/api/v1/workspaces", {"GET": (WS_R, list_workspaces), "POST": (WS_W, create_workspace)}),
    (W, {"GET": (WS_R, get_workspace), "PUT": (WS_W, update_workspace), "DELETE": (WS_W, delete_workspace)}),
    (W + "/start", {"POST": (WS_W, workspace_action("start"))}),
    (W + "/stop", {"POST": (WS_W, workspace_action("stop"))}),
    (W + "/restart", {"POST": (WS_W, workspace_action("restart"))}),
    (W + "/status", {"GET": (WS_R, workspace_action("status"))}),
    (W + "/metrics", {"GET": (WS_R, workspace_action("metrics"))}),
    (W + "/logs", {"GET": (WS_R, workspace_logs)}),
    (W + "/sync", {"POST": (WS_W, workspace_action("sync"))}),
    ("/api/v1/projects", {"GET": (PR_R, list_projects), "POST": (PR_W, create_project)}),
    (P, {"GET": (PR_R, get_project), "PUT": (PR_W, update_project), "DELETE": (PR_W, delete_project)}),
    (P + "/archive", {"POST": (PR_W, project_action("archive"))}),
    (P + "/restore", {"POST": (PR_W, project_action("restore"))}),
    (P + "/stats", {"GET": (PR_R, project_action("stats"))}),
    (P + "/activity", {"GET": (PR_R, project_activity)}),
    (P + "/collaborators", {"GET": (PR_R, project_action("collaborators")), "POST": (PR_W, add_collaborator)}),
    (P + "/collaborators/{userId}", {"PUT": (PR_W, update_collaborator), "DELETE": (PR_W, remove_collaborator)}),
    (P + "/volumes", {"GET": (PR_R + VO_R, project_volumes)}),
    (P + "/workspaces", {"GET": (PR_R + WS_R, project_workspaces)}),
    ("/api/v1/volumes", {"GET": (VO_R, list_volumes), "POST": (VO_W, create_volume)}),
    ("/api/v1/volumes/shared", {"GET": (VO_R, list_shared_volumes)}),
    (V, {"GET": (VO_R, get_volume), "PUT": (VO_W, update_volume), "DELETE": (VO_W, delete_volume)}),
    (V + "/sync", {"POST": (VO_W, volume_action("sync"))}),
    (V + "/share", {"POST": (VO_W, volume_action("share"))}),
]


def endpoint(
    ref: Reference, methods: dict[str, tuple[tuple[str, ...], Handler]]
) -> Callable[[Request], Awaitable[Response]]:
    async def dispatch(request: Request) -> Response:
        scopes, handler = methods["GET" if request.method == "HEAD" else request.method]
        principal = ref.auth.authenticate(request)
        ref.auth.authorize(principal, scopes)
        ref.workspaces.promote_due()
        return await handler(ref, request, principal)

    return dispatch


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return json_response(exc.status, exc.body(), exc.headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "invalid_request")
    message = {404: "no such endpoint", 405: f"{request.method} is not allowed here"}.get(exc.status_code, exc.detail)
    return json_response(exc.status_code, {"code": code, "message": message}, dict(exc.headers or {}))


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error serving %s %s", request.method, request.url.path)
    return json_response(500, {"code": "internal_error", "message": "internal server error"})


def create_app(config: ServerConfig | None = None) -> ASGIApp:
    """Build the reference server, with any planted faults of ``config.faults`` switched on."""
    from harness.reference import faults

    config = config or ServerConfig()
    ref = Reference.build(config)
    wrappers = faults.apply(config.faults, ref)
    routes = [Route(path, endpoint(ref, methods), methods=list(methods)) for path, methods in ROUTES]
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: server_error},
    )
    app.router.redirect_slashes = False
    app.state.reference = ref
    asgi: ASGIApp = app
    for wrap in wrappers:
        asgi = wrap(asgi)
    return delayed(asgi, config.latency) if config.latency > 0 else asgi


def delayed(app: ASGIApp, seconds: float) -> ASGIApp:
    """Hold every HTTP request ``seconds`` before it is handled, as a round trip to a remote deployment would."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(seconds)
        await app(scope, receive, send)

    return wrapper
