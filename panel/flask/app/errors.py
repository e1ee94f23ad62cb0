"""Error type and JSON error handlers: every error leaves the server as JSON.

Body shape (all 4xx/5xx responses):

    {"error": {"code": "validation_error", "message": "...", "details": [...]}}

``details`` is present only for validation errors (one entry per offending field).
"""

import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .store import StorageError

log = logging.getLogger("strongly.errors")

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "unprocessable_entity",
    429: "too_many_requests",
    431: "request_header_fields_too_large",
    500: "internal_error",
    501: "not_implemented",
    503: "service_unavailable",
}


class ApiError(Exception):
    def __init__(self, status, code, message, details=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def not_found(what, oid):
    return ApiError(404, "not_found", "%s '%s' not found" % (what, oid))


def conflict(message, code="conflict"):
    return ApiError(409, code, message)


def error_response(status, code, message, details=None, headers=None):
    err = {"code": code, "message": message}
    if details:
        err["details"] = details
    resp = jsonify({"error": err})
    resp.status_code = status
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def register(app):
    @app.errorhandler(ApiError)
    def _api_error(exc):
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.errorhandler(StorageError)
    def _storage_error(exc):
        return error_response(
            503,
            "storage_unavailable",
            "The change could not be saved; it was not applied. Retry later.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        status = exc.code or 500
        code = HTTP_CODES.get(status, "http_%d" % status)
        if status == 404:
            message = "No such route: the URL does not name a resource of this API"
        elif status == 405:
            message = "Method not allowed on this route"
        elif status == 413:
            message = "Request body too large"
        else:
            message = exc.description or exc.name
        headers = {}
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return error_response(status, code, message, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc):  # never let a stack trace reach the client
        log.exception("unhandled error")
        return error_response(500, "internal_error", "Internal server error")
