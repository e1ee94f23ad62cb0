"""Sweeping and cleanup touch only what carries a run prefix, in dependency order."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from harness.client import ApiClient
from harness.factory import Factory, Patience
from harness.redact import Redactor
from harness.registry import Created, Registry, still_there
from harness.run.embedded import EmbeddedServer
from harness.run.sweep import sweep
from tests.conftest import ADMIN


@pytest.fixture
def api(reference: EmbeddedServer) -> Iterator[ApiClient]:
    with ApiClient(reference.base_url, ADMIN, redactor=Redactor([ADMIN])) as client:
        yield client


def test_sweep_removes_only_prefixed_resources(api: ApiClient, admin: httpx.Client) -> None:
    """Resources named with the prefix go, in dependency order; everything else stays."""
    mine = Factory(api, Registry(), "sh-sweep1-", patience=Patience(10))
    project = mine.project()
    mine.volume(project["id"])
    mine.running_workspace(project["id"])
    foreign = admin.post("/api/v1/projects", json={"name": "sh-sweep1x-not-mine", "description": ""}).json()[
        "projectId"
    ]
    bystander = admin.post("/api/v1/projects", json={"name": "keep me", "description": ""}).json()["projectId"]

    report = sweep(api, "sh-sweep1-", delete=True)

    assert [line.split()[0] for line in report.removed] == ["workspace", "volume", "project"]
    assert report.remaining == []
    assert admin.get(f"/api/v1/projects/{project['id']}").status_code == 404
    assert admin.get(f"/api/v1/projects/{bystander}").status_code == 200
    assert admin.get(f"/api/v1/projects/{foreign}").status_code == 200, "sh-sweep1x- is another prefix"


def test_a_dry_sweep_deletes_nothing(api: ApiClient, admin: httpx.Client) -> None:
    """Without delete, the sweep only reports what it found."""
    project = Factory(api, Registry(), "sh-sweep2-", patience=Patience(10)).project()

    report = sweep(api, "sh-sweep2-", delete=False)

    assert report.found == [f"project {project['id']} ({project['name']})"]
    assert admin.get(f"/api/v1/projects/{project['id']}").status_code == 200


def test_sweep_refuses_prefixes_that_are_not_a_runs() -> None:
    """A prefix that does not start with sh- could match anything; it is refused."""
    with pytest.raises(ValueError, match="refusing"):
        sweep(None, "prod-", delete=True)  # type: ignore[arg-type]


def test_registry_cleanup_stops_and_deletes_in_reverse_dependency_order(api: ApiClient, admin: httpx.Client) -> None:
    """A running workspace is stopped, then workspaces, volumes and projects go; 404s count as gone."""
    registry = Registry()
    make = Factory(api, registry, "sh-reg-", patience=Patience(10))
    project = make.project()
    make.volume(project["id"])
    make.running_workspace(project["id"])
    registry.add("project", "proj_already_gone")

    problems = registry.cleanup(api)

    assert problems == []
    assert registry.items() == []
    assert admin.get(f"/api/v1/projects/{project['id']}").status_code == 404


def test_still_there_tells_existing_from_gone(api: ApiClient) -> None:
    """An existing resource is there, a 404 is gone: kept-for-inspection notes name only what exists."""
    project = Factory(api, Registry(), "sh-there-", patience=Patience(10)).project()

    assert still_there(api, Created("project", project["id"]))
    assert not still_there(api, Created("project", "proj_never_was"))


def fake_target(answers: dict[str, httpx.Response]) -> ApiClient:
    """A client whose target answers each list path with a canned response, and every delete with 204."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE" or request.url.path.endswith("/stop"):
            return httpx.Response(204)
        return answers.get(request.url.path, httpx.Response(200, json={"volumes": [], "projects": [], "count": 0}))

    return ApiClient("http://target.test", ADMIN, redactor=Redactor([ADMIN]), transport=httpx.MockTransport(handle))


def test_the_sweep_reads_broken_lists_tolerantly_and_says_what_it_could_not_read() -> None:
    """A list whose count is text still yields its prefixed entries; an HTML list is a problem, not a crash."""
    entries = [{"id": "ws_1", "name": "sh-run1-a"}, {"id": "ws_2"}, {"name": "sh-run1-b"}, {"id": "ws_3", "name": "x"}]
    broken = {
        "/api/v1/workspaces": httpx.Response(200, json={"workspaces": entries, "count": "four"}),
        "/api/v1/projects": httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"}),
    }
    with fake_target(broken) as client:
        report = sweep(client, "sh-run1-", delete=True)

    assert report.removed == ["workspace ws_1 (sh-run1-a)"]
    assert len(report.problems) == 1
    assert report.problems[0].startswith("could not list projects to sweep: ")


def test_a_delete_refused_while_a_stop_lands_is_retried() -> None:
    """409 right after the stop, then 204 once the workspace reads stopped: removed, no problem reported."""
    refusals = iter([httpx.Response(409, json={"code": "conflict", "message": "still stopping"})])
    statuses = iter(["stopping", "stopped"])

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return next(refusals, httpx.Response(204))
        if request.method == "GET":
            return httpx.Response(200, json={"id": "ws_1", "status": next(statuses, "stopped")})
        return httpx.Response(200, json={"status": "stopping"})

    with ApiClient(
        "http://target.test", ADMIN, redactor=Redactor([ADMIN]), transport=httpx.MockTransport(handle)
    ) as api:
        registry = Registry()
        registry.add("workspace", "ws_1")
        assert registry.cleanup(api) == []
        assert registry.items() == []


def test_cleanup_removes_a_kind_at_once_and_the_kinds_in_dependency_order() -> None:
    """With workers, the workspaces' deletes overlap, and no volume or project delete starts before they all end."""
    lock, in_flight, events = threading.Lock(), Counter[str](), []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method != "DELETE":
            return httpx.Response(200, json={"status": "stopped"})
        kind = request.url.path.split("/")[3]
        with lock:
            in_flight[kind] += 1
            events.append((kind, "start", in_flight[kind]))
        time.sleep(0.05)  # a delete that takes a moment, so overlapping ones are seen overlapping
        with lock:
            in_flight[kind] -= 1
            events.append((kind, "end", in_flight[kind]))
        return httpx.Response(204)

    registry = Registry()
    for n in range(4):
        registry.add("project", f"proj_{n}")
        registry.add("volume", f"vol_{n}")
        registry.add("workspace", f"ws_{n}")
    with ApiClient(
        "http://target.test", ADMIN, redactor=Redactor([ADMIN]), transport=httpx.MockTransport(handle)
    ) as api:
        problems = registry.cleanup(api, workers=4)

    assert problems == []
    assert registry.items() == []
    order = ("workspaces", "volumes", "projects")
    starts = {kind: [i for i, (k, what, _) in enumerate(events) if k == kind and what == "start"] for kind in order}
    ended = {kind: max(i for i, (k, what, _) in enumerate(events) if k == kind and what == "end") for kind in order}
    for earlier, later in itertools.pairwise(order):
        assert ended[earlier] < min(starts[later]), f"a delete of {later} began before {earlier} were gone"
    for kind in order:
        assert max(depth for k, what, depth in events if k == kind and what == "start") > 1, f"{kind}: one at a time"
