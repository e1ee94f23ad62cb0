"""The refusals the reference server answers with, as one exception type.

Every 4xx leaves the server as the error body decided in D-14: ``{code, message, details?}``.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal with its HTTP status, machine-readable code and human message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)


def invalid_parameter(name: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", f"{name} {message}")


def validation_failed(details: list[dict[str, str]]) -> ApiError:
    return ApiError(422, "validation_failed", "request body is invalid", details=details)


def not_found(kind: str, resource_id: str) -> ApiError:
    return ApiError(404, "not_found", f"{kind} {resource_id} not found")


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)
