"""Planted faults of keys, scopes and isolation between organizations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference.faults.machinery import (
    VOLUME,
    Wrapper,
    fault,
    json_error,
    matches,
    middleware,
)
from harness.reference.keys import Principal

if TYPE_CHECKING:
    from harness.reference.app import Reference


def as_organization_a(ref: Reference, when: Callable[[Request], bool]) -> None:
    """The other organization's key acts inside organization A when ``when`` holds."""
    authenticate = ref.auth.authenticate

    def leaky(request: Request) -> Principal:
        principal = authenticate(request)
        if principal.organization_id != "org_a" and when(request):
            return replace(principal, organization_id="org_a")
        return principal

    ref.auth.override("authenticate", lambda _: leaky)


def has_id(request: Request) -> bool:
    return bool(request.path_params)


@fault("no-key-accepted", area="auth", catches=("AUTH-KEY-001",))
def no_key_accepted(ref: Reference) -> None:
    """A request without X-API-Key is served as the admin."""
    authenticate = ref.auth.authenticate
    admin = next(p for p in ref.auth.keys.values() if p.user_id == "user_admin")
    ref.auth.override(
        "authenticate",
        lambda _: lambda request: admin if not request.headers.get("x-api-key") else authenticate(request),
    )


@fault("unknown-key-accepted", area="auth", catches=("AUTH-KEY-002",))
def unknown_key_accepted(ref: Reference) -> None:
    """Any key the server does not know is served as the admin."""
    authenticate = ref.auth.authenticate
    admin = next(p for p in ref.auth.keys.values() if p.user_id == "user_admin")

    def lenient(request: Request) -> Principal:
        key = request.headers.get("x-api-key")
        return admin if key and key not in ref.auth.keys else authenticate(request)

    ref.auth.override("authenticate", lambda _: lenient)


@fault("reader-can-write", area="auth", catches=("AUTH-SCOPE-001",))
def reader_can_write(ref: Reference) -> None:
    """Write scopes are not checked: the read-only key can change anything."""
    authorize = ref.auth.authorize
    ref.auth.override(
        "authorize",
        lambda _: lambda principal, scopes: authorize(principal, tuple(s for s in scopes if s.endswith(":read"))),
    )


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
