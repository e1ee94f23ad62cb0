"""Before any check: is the target there, is it this API, are the keys accepted?

A target that fails here ends the run with one clear line and exit 2 within seconds, instead of
hundreds of failing checks. Optional keys that are missing only produce notes: their checks skip.
A server that answers 5xx is not a configuration problem: the suite runs and reports it (exit 1).
"""

from __future__ import annotations

import httpx

from harness.errors import TargetError
from harness.run import Target

PROBE_TIMEOUT = 5.0
READ_PROBES = {
    "workspaces:read": "/api/v1/workspaces",
    "projects:read": "/api/v1/projects",
    "volumes:read": "/api/v1/volumes",
}
# An empty body is refused with 422 by a key holding the scope, and with 403 by one without it (D-15):
# the write scopes are checked without creating anything.
WRITE_PROBES = {
    "workspaces:write": "/api/v1/workspaces",
    "projects:write": "/api/v1/projects",
    "volumes:write": "/api/v1/volumes",
}


def preflight(target: Target, *, needs_write: bool) -> list[str]:
    """Probe the target; raise ``TargetError`` on a blocking problem, return notes otherwise."""
    with httpx.Client(base_url=target.base_url, timeout=PROBE_TIMEOUT) as http:
        first = _get(http, target, READ_PROBES["workspaces:read"], target.api_key, "STRONGLY_API_KEY")
        _require_api(first, target)
        for scope, path in READ_PROBES.items():
            _require_scope(_get(http, target, path, target.api_key, "STRONGLY_API_KEY"), "STRONGLY_API_KEY", scope)
        if needs_write:
            for scope, path in WRITE_PROBES.items():
                response = _send(http, target, "POST", path, target.api_key, "STRONGLY_API_KEY", json={})
                _require_scope(response, "STRONGLY_API_KEY", scope)
        notes = []
        for name, key in (
            ("STRONGLY_READONLY_API_KEY", target.readonly_key),
            ("STRONGLY_OTHER_API_KEY", target.other_key),
        ):
            if key is None:
                notes.append(f"{name} is not set: the checks that need it are skipped")
                continue
            for scope, path in READ_PROBES.items():
                _require_scope(_get(http, target, path, key, name), name, scope)
        return notes


def _get(http: httpx.Client, target: Target, path: str, key: str, name: str) -> httpx.Response:
    return _send(http, target, "GET", path, key, name, params={"limit": 1})


def _send(
    http: httpx.Client, target: Target, method: str, path: str, key: str, name: str, **kwargs: object
) -> httpx.Response:
    try:
        response = http.request(method, path, headers={"X-API-Key": key}, **kwargs)  # type: ignore[arg-type]
    except httpx.TimeoutException:
        raise TargetError(f"{target.base_url} did not answer within {PROBE_TIMEOUT:g}s") from None
    except httpx.HTTPError as exc:
        raise TargetError(f"cannot reach {target.base_url}: {_reason(exc)}") from None
    if response.status_code == 401:
        raise TargetError(f"{name} was rejected by {target.base_url} (401 on {method} {path})")
    return response


def _require_api(response: httpx.Response, target: Target) -> None:
    # A page that is not JSON at all means a wrong URL (a website, a login page). JSON that is
    # malformed or incomplete, or JSON under a wrong content type, means the API, broken: that is
    # for the suite to report as a finding, not a setup error.
    if response.status_code == 200 and not _is_json(response):
        raise TargetError(
            f"{target.base_url} does not look like the Strongly API: GET /api/v1/workspaces answered "
            f"200 with {response.headers.get('content-type') or 'no content type'}, not JSON"
        )
    if response.status_code == 404:
        raise TargetError(f"{target.base_url} has no /api/v1/workspaces (404): is the base URL right?")


def _is_json(response: httpx.Response) -> bool:
    if "json" in response.headers.get("content-type", ""):
        return True
    try:
        return isinstance(response.json(), dict | list)
    except ValueError:
        return False


def _require_scope(response: httpx.Response, name: str, scope: str) -> None:
    if response.status_code == 403:
        raise TargetError(
            f"{name} lacks the {scope} scope (403 from {response.request.method} {response.request.url.path})"
        )


def _reason(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]
