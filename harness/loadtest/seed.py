"""Test data for a load run: seeded under the run prefix (and removed after), or, read-only, found."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from harness.client import ApiClient
from harness.errors import UsageError
from harness.expect import expect
from harness.factory import Factory
from harness.loadtest.plan import Plan
from harness.loadtest.profiles import Profile


def seed(factory: Factory, profile: Profile, plan: Plan) -> Plan:
    """Projects, volumes and running workspaces for the scenarios to use."""
    projects = [factory.project(tags=["load"])["id"] for _ in range(max(profile.projects, 1))]
    for index in range(profile.volumes):
        factory.volume(projects[index % len(projects)])
    created = [factory.workspace(projects[index % len(projects)]) for index in range(max(profile.workspaces, 1))]
    with ThreadPoolExecutor(max_workers=8) as pool:
        running = list(pool.map(lambda workspace: factory.wait_until(workspace["id"], "running"), created))
    plan.projects = projects
    plan.workspaces = [workspace["id"] for workspace in running]
    plan.search_terms = [factory.prefix, "workspace"]
    return plan


def discover(client: ApiClient, plan: Plan) -> Plan:
    """Read-only: use the running workspaces and projects that already exist; create nothing."""
    workspaces = expect(client.get("/api/v1/workspaces", status="running", limit=100), "listWorkspaces", 200)
    projects = expect(client.get("/api/v1/projects", limit=20), "listProjects", 200)
    plan.workspaces = [item["id"] for item in workspaces["workspaces"]]
    plan.projects = [item["id"] for item in projects["projects"]]
    plan.search_terms = [item["name"][:4] for item in workspaces["workspaces"][:2]]
    if not plan.workspaces:
        raise UsageError("a read-only load run polls existing workspaces, and the target has none running")
    return plan
