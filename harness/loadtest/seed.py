"""Test data for a load run: seeded under the run prefix (and removed after), or, read-only, found."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from harness.client import ApiClient
from harness.errors import UsageError
from harness.expect import expect
from harness.factory import Factory
from harness.loadtest.profiles import Profile
from harness.run import LoadData


def seed(factory: Factory, profile: Profile) -> LoadData:
    """Projects, volumes and running workspaces for the scenarios to use."""
    projects = [factory.project(tags=["load"])["id"] for _ in range(max(profile.projects, 1))]
    for index in range(profile.volumes):
        factory.volume(projects[index % len(projects)])
    created = [factory.workspace(projects[index % len(projects)]) for index in range(max(profile.workspaces, 1))]
    with ThreadPoolExecutor(max_workers=8) as pool:
        running = list(pool.map(lambda workspace: factory.wait_until(workspace["id"], "running"), created))
    return LoadData(
        workspaces=tuple(workspace["id"] for workspace in running),
        projects=tuple(projects),
        search_terms=(factory.prefix, "workspace"),
    )


def discover(client: ApiClient) -> LoadData:
    """Read-only: use the running workspaces and projects that already exist; create nothing."""
    workspaces = expect(client.get("/api/v1/workspaces", status="running", limit=100), "listWorkspaces", 200)
    projects = expect(client.get("/api/v1/projects", limit=20), "listProjects", 200)
    data = LoadData(
        workspaces=tuple(item["id"] for item in workspaces["workspaces"]),
        projects=tuple(item["id"] for item in projects["projects"]),
        search_terms=tuple(item["name"][:4] for item in workspaces["workspaces"][:2]),
    )
    if not data.workspaces:
        raise UsageError("a read-only load run polls existing workspaces, and the target has none running")
    return data
