"""Schemathesis' requests, recorded like the harness client's own (for counts and failure reports)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from harness import spec
from harness.exchanges import Exchange, describe_body
from harness.redact import Redactor


def exchange_of(response: Any, redactor: Redactor) -> Exchange:
    """An ``Exchange`` from a schemathesis ``Response`` (its ``request`` is a requests.PreparedRequest)."""
    request = response.request
    body = request.body.encode() if isinstance(request.body, str) else request.body
    operation = spec.load().match(request.method, urlsplit(request.url).path)
    headers = {
        name: ", ".join(values) if isinstance(values, list) else values for name, values in response.headers.items()
    }
    return Exchange(
        method=request.method,
        url=redactor(request.url),
        request_headers=redactor.headers(dict(request.headers)),
        request_body=describe_body(body, redactor),
        status=response.status_code,
        response_headers=redactor.headers(headers),
        response_body=describe_body(response.content, redactor),
        elapsed=response.elapsed,
        operation_id=operation.operation_id if operation else None,
    )
