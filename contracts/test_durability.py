"""Durability: answered writes survive a restart; concurrent writes are not lost (D-39)."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from contracts.support import collaborators, differences, envelope, every, page
from harness.client import ApiClient
from harness.conformance.plugin import ConformanceRun
from harness.expect import expect, require, violation
from harness.factory import Factory, new_id
from harness.recommend import recommend
from harness.run import RunConfig
from harness.steps import Blocked

STEADY = 3.0  # seconds of unbroken answers that make a restarted target count as back


def readable(api: ApiClient) -> bool:
    try:
        return api.get("/api/v1/projects", limit=1).status_code == 200
    except httpx.TransportError:
        return False


def wait_until_steady(api: ApiClient, timeout: float) -> bool:
    """Whether the target answered without a break for STEADY seconds within ``timeout``: a restart
    command may return while the old server is still going down, and one good answer proves nothing."""
    deadline = time.monotonic() + timeout
    since = None
    while time.monotonic() < deadline:
        if readable(api):
            since = since or time.monotonic()
            if time.monotonic() - since >= STEADY:
                return True
        else:
            since = None
        time.sleep(0.2)
    return False


@pytest.mark.requirement("DUR-001")
@pytest.mark.needs("restart")
def test_writes_survive_a_restart(api: ApiClient, make: Factory, run_config: RunConfig, run: ConformanceRun) -> None:
    """Projects, volumes, workspaces, collaborators and activity read back the same after a restart."""
    project = make.project(tags=["durable"])
    make.volume(project["id"], sizeGb=3)
    workspace = make.stopped_workspace(project["id"])
    make.collaborator(project["id"], "editor")
    paths = {
        f"/api/v1/projects/{project['id']}": "getProject",
        f"/api/v1/projects/{project['id']}/activity": "listProjectActivity",
        f"/api/v1/workspaces/{workspace['id']}": "getWorkspace",
        f"/api/v1/projects/{project['id']}/volumes": "listProjectVolumes",
    }
    before = {path: expect(api.get(path), operation, 200) for path, operation in paths.items()}

    command = run_config.target.restart_command or ""
    # the user's own restart command, which is a shell line by design
    restart = subprocess.run(command, shell=True, timeout=300, check=False, capture_output=True, text=True)  # noqa: S602
    require(
        restart.returncode == 0,
        "DUR-001/restarts",
        f"STRONGLY_RESTART_COMMAND failed ({restart.returncode}): {restart.stderr[-300:]}",
    )
    wait = max(2 * run_config.limits.provision_wait, STEADY + 5)  # a restarted server provisions itself again, roughly
    if not wait_until_steady(api, wait):
        finding = violation(
            "DUR-001/restarts",
            f"the target did not answer steadily for {STEADY:g}s within {wait:g}s "
            "of STRONGLY_RESTART_COMMAND returning",
        )
        run.unsettled = Blocked("DUR-001", "waiting for the target to settle after its restart", finding)
        raise finding

    after = {path: expect(api.get(path), operation, 200) for path, operation in paths.items()}
    lost = {
        path: differences(before[path], after[path]) if isinstance(before[path], dict) else "its items"
        for path in paths
        if before[path] != after[path]
    }
    require(not lost, "DUR-001/survive", f"after the restart these read otherwise: {lost} (before, after)")


@pytest.mark.requirement("DUR-002")
@pytest.mark.recommends("GEN-LIST-006")
def test_concurrent_creates_all_land(api: ApiClient, make: Factory) -> None:
    """20 concurrent creates give 20 distinct projects, all listed."""
    marker = make.name("burst")

    def create(i: int) -> str:
        body = {"name": f"{marker}-{i}", "description": "one of a burst"}
        project_id = new_id(expect(api.post("/api/v1/projects", json=body), "createProject", 201), "project")
        make.registry.add("project", project_id)  # at once: a later finding must not leak it
        return project_id

    with ThreadPoolExecutor(max_workers=10) as pool:
        created = list(pool.map(create, range(20)))

    require(len(set(created)) == 20, "DUR-002/distinct", f"20 concurrent creates answered {len(set(created))} ids")
    listed = every(api, "listProjects", search=marker)
    missing = sorted(set(created) - {item["id"] for item in listed})
    require(not missing, "DUR-002/all-land", f"of 20 projects created at once, {missing} are not listed")
    count = envelope(page(api, "listProjects", search=marker), "count")
    recommend("GEN-LIST-006", count in (None, 20), f"the list of the 20 projects counts {count} (D-04)")


@pytest.mark.requirement("DUR-002")
def test_concurrent_collaborator_adds_all_land(api: ApiClient, make: Factory) -> None:
    """10 collaborators added at once to one project are all listed afterwards."""
    project = make.project()
    path = f"/api/v1/projects/{project['id']}/collaborators"
    emails = [f"{make.name('c')}-{i}@example.com" for i in range(10)]

    def add(email: str) -> None:
        expect(api.post(path, json={"email": email, "role": "viewer"}), "addProjectCollaborator", 201)

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(add, emails))

    listed = collaborators(api, project["id"])
    missing = sorted(set(emails) - {person.get("email") for person in listed})
    require(not missing, "DUR-002/all-land", f"of 10 collaborators added at once, {missing} are not listed")
