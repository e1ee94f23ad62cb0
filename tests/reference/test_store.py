"""Durability across restarts and safety under concurrent writes."""

from __future__ import annotations

import asyncio

import httpx

from harness.run.embedded import EmbeddedServer

HEADERS = {"X-API-Key": "strongly-dev-admin"}


def test_data_survives_a_restart() -> None:
    """Projects, volumes, workspaces, collaborators and activity read back the same after a restart."""
    with EmbeddedServer(provision_delay=0) as server, httpx.Client(base_url=server.base_url, headers=HEADERS) as api:
        project_id = api.post("/api/v1/projects", json={"name": "durable", "description": "d"}).json()["projectId"]
        api.post(f"/api/v1/projects/{project_id}/collaborators", json={"email": "a@example.com", "role": "editor"})
        api.post("/api/v1/volumes", json={"projectId": project_id, "label": "v", "sizeGb": 3})
        workspace_id = api.post(
            "/api/v1/workspaces",
            json={"name": "w", "description": "", "environmentType": "jupyter", "projectId": project_id},
        ).json()["workspaceId"]
        api.post(f"/api/v1/workspaces/{workspace_id}/stop")
        paths = [
            f"/api/v1/projects/{project_id}",
            f"/api/v1/projects/{project_id}/activity",
            f"/api/v1/projects/{project_id}/stats",
            f"/api/v1/workspaces/{workspace_id}",
            f"/api/v1/workspaces/{workspace_id}/logs?type=deploy",
            "/api/v1/volumes",
        ]
        before = [api.get(path).json() for path in paths]

        server.restart()

        after = [api.get(path).json() for path in paths]
        assert after == before


def test_fifty_concurrent_creates_give_fifty_workspaces() -> None:
    """50 creates in flight at once give 50 distinct ids and a count of 50."""

    async def create_all(base_url: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base_url, headers=HEADERS) as api:
            body = {"name": "concurrent", "description": "", "environmentType": "jupyter"}
            return await asyncio.gather(*(api.post("/api/v1/workspaces", json=body) for _ in range(50)))

    with EmbeddedServer(provision_delay=0) as server:
        responses = asyncio.run(create_all(server.base_url))
        listed = httpx.get(f"{server.base_url}/api/v1/workspaces?limit=100", headers=HEADERS).json()

    assert [response.status_code for response in responses] == [201] * 50
    assert len({response.json()["workspaceId"] for response in responses}) == 50
    assert listed["count"] == 50
    assert {item["id"] for item in listed["workspaces"]} == {r.json()["workspaceId"] for r in responses}
