"""Preflight: a target that cannot be used ends the run in seconds with one clear line."""

from __future__ import annotations

import socket
import time

import pytest

from harness.errors import TargetError
from harness.run import Target
from harness.run.embedded import EmbeddedServer
from harness.run.preflight import preflight
from tests.conftest import ADMIN, OTHER, READER


def test_a_good_target_passes_and_notes_missing_keys(reference: EmbeddedServer) -> None:
    """All scopes present: no error; missing optional keys become notes."""
    notes = preflight(Target(reference.base_url, ADMIN), needs_write=True)

    assert notes == [
        "STRONGLY_READONLY_API_KEY is not set: the checks that need it are skipped",
        "STRONGLY_OTHER_API_KEY is not set: the checks that need it are skipped",
    ]
    assert preflight(Target(reference.base_url, ADMIN, READER, OTHER), needs_write=True) == []


@pytest.mark.parametrize(
    ("target", "complaint"),
    [
        (lambda url: Target(url, "wrong-key"), "STRONGLY_API_KEY was rejected"),
        (lambda url: Target(url, READER), "STRONGLY_API_KEY lacks the workspaces:write scope"),
        (lambda url: Target(url, ADMIN, readonly_key="nope"), "STRONGLY_READONLY_API_KEY was rejected"),
        (lambda url: Target(url + "/nested", ADMIN), "is the base URL right?"),
    ],
)
def test_unusable_keys_and_urls_are_named(reference: EmbeddedServer, target: object, complaint: str) -> None:
    """A rejected key, a missing scope or a wrong base URL is a TargetError that says which."""
    with pytest.raises(TargetError, match=complaint):
        preflight(target(reference.base_url), needs_write=True)  # type: ignore[operator]


def test_a_read_only_run_does_not_need_write_scopes(reference: EmbeddedServer) -> None:
    """The readonly profile accepts a key with read scopes only."""
    assert preflight(Target(reference.base_url, READER), needs_write=False)


def test_an_unreachable_target_fails_fast() -> None:
    """Nothing listening: a TargetError within a few seconds, not a hang."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()

    with pytest.raises(TargetError, match="cannot reach"):
        preflight(Target(f"http://127.0.0.1:{port}", ADMIN), needs_write=True)

    assert time.monotonic() - started < 10


def test_a_web_page_is_not_the_api(tmp_path: object) -> None:
    """A 200 HTML page at /api/v1/workspaces means a wrong URL: TargetError, exit 2."""
    import httpx

    from harness.run import preflight as module

    def page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>welcome</html>", headers={"content-type": "text/html"})

    with pytest.raises(TargetError, match="does not look like the Strongly API"):
        module._require_api(page(httpx.Request("GET", "http://x/api/v1/workspaces")), Target("http://x", ADMIN))


def test_json_under_a_wrong_content_type_is_the_api_broken_not_a_wrong_url() -> None:
    """A JSON list labelled text/plain passes preflight: the suite reports the content type (GEN-SCHEMA-003)."""
    import httpx

    from harness.run import preflight as module

    answer = httpx.Response(200, text='{"workspaces": [], "count": 0}', headers={"content-type": "text/plain"})
    answer.request = httpx.Request("GET", "http://x/api/v1/workspaces")

    module._require_api(answer, Target("http://x", ADMIN))  # no TargetError
