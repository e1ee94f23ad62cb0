"""Planted faults of input validation: invalid requests accepted, valid ones refused."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Receive, Scope, Send

from harness.reference import validation
from harness.reference.faults.machinery import (
    ANY,
    Wrapper,
    fault,
    json_error,
    matches,
    middleware,
    read_body,
    replay,
    rewrite_requests,
    rewrite_responses,
)

if TYPE_CHECKING:
    from harness.reference.app import Reference


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


@fault("size-not-positive", area="validation", catches=("GEN-VALID-006",), strict=True)
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


@fault("malformed-json-422", area="validation", catches=("GEN-VALID-004", "GEN-ERR-004"), strict=True)
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


@fault("names-unlimited", area="validation", catches=("GEN-VALID-006",), strict=True)
def names_unlimited(ref: Reference) -> Wrapper:
    """Names and labels over the contract's 128 characters are accepted (cut to 128)."""

    def cut(body: dict[str, Any]) -> dict[str, Any]:
        for key in ("name", "label"):
            if isinstance(body.get(key), str):
                body[key] = body[key][:128]
        return body

    return rewrite_requests(None, ANY, body=cut)
