"""Durability: answered writes survive a restart; concurrent writes are not lost (D-39)."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from contracts.support import walk
from harness.client import ApiClient
from harness.conformance.plugin import ConformanceRun
from harness.expect import ContractViolation, expect
from harness.factory import Factory, new_id
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
    api.post(f"/api/v1/projects/{project['id']}/collaborators", json={"email": f"{make.name('d')}@example.com",
                                                                       "role": "editor"})  # fmt: skip
    paths = {
        f"/api/v1/projects/{project['id']}": "getProject",
        f"/api/v1/projects/{project['id']}/activity": "listProjectActivity",
        f"/api/v1/workspaces/{workspace['id']}": "getWorkspace",
        f"/api/v1/projects/{project['id']}/volumes": "listProjectVolumes",
    }
    before = {path: expect(api.get(path), operation, 200) for path, operation in paths.items()}

    restart = subprocess.run(run_config.target.restart_command or "", shell=True, timeout=300, check=False,  # noqa: S602 - the user's own restart command
                             capture_output=True, text=True)  # fmt: skip
    assert restart.returncode == 0, f"STRONGLY_RESTART_COMMAND failed ({restart.returncode}): {restart.stderr[-300:]}"
    wait = max(2 * run_config.limits.provision_wait, STEADY + 5)  # a restarted server provisions itself again, roughly
    if not wait_until_steady(api, wait):
        finding = ContractViolation("DUR-001", f"the target did not answer steadily for {STEADY:g}s within {wait:g}s "
                                               "of STRONGLY_RESTART_COMMAND returning")  # fmt: skip
        run.unsettled = Blocked("DUR-001", "waiting for the target to settle after its restart", finding)
        raise finding

    after = {path: expect(api.get(path), operation, 200) for path, operation in paths.items()}
    assert after == before


@pytest.mark.requirement("DUR-002")
def test_concurrent_creates_all_land(api: ApiClient, make: Factory) -> None:
    """20 concurrent creates give 20 distinct projects, all listed, and count 20."""
    marker = make.name("burst")

    def create(i: int) -> str:
        answer = expect(
            api.post("/api/v1/projects", json={"name": f"{marker}-{i}", "description": ""}), "createProject", 201
        )
        project_id = new_id(answer, "project")
        make.registry.add("project", project_id)  # at once: a later finding must not leak it
        return project_id

    with ThreadPoolExecutor(max_workers=10) as pool:
        created = list(pool.map(create, range(20)))

    assert len(set(created)) == 20
    listed = walk(api, "listProjects", limit=100, search=marker)
    assert sorted(item["id"] for item in listed) == sorted(created)
    assert expect(api.get("/api/v1/projects", search=marker), "listProjects", 200)["count"] == 20


@pytest.mark.requirement("DUR-002")
def test_concurrent_collaborator_adds_all_land(api: ApiClient, make: Factory) -> None:
    """10 collaborators added at once to one project are all listed afterwards."""
    project = make.project()
    path = f"/api/v1/projects/{project['id']}/collaborators"

    def add(i: int) -> str:
        added = api.post(path, json={"email": f"{make.name('c')}-{i}@example.com", "role": "viewer"})
        return expect(added, "addProjectCollaborator", 201)["userId"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        added = set(pool.map(add, range(10)))

    listed = expect(api.get(path), "listProjectCollaborators", 200)["collaborators"]
    assert added <= {person["userId"] for person in listed}
    assert len(listed) == 11
