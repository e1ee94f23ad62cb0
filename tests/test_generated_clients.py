"""Clients generated from the contract by tools nobody here wrote: no warnings, and they work.

openapi-python-client builds a Python client and openapi-typescript builds TypeScript types; either
saying anything but its banner fails. The Python client then walks every operation against the
reference server, and every answer must parse to the model the contract names for it. The tools
come from the `test` extra and npm (.ci/run installs them); these tests skip, saying so, without.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from harness import spec
from harness.paths import SPEC
from harness.run.embedded import EmbeddedServer
from tests.conftest import ADMIN
from tests.tools import require, run

pytestmark = pytest.mark.slow  # generators, a compiler and a server: seconds

PACKAGE = "strongly_generated_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, str]]:
    """The generated Python client package, imported, and everything its generator said."""
    generator = require("openapi-python-client")
    workdir = tmp_path_factory.mktemp("python-client")
    config = workdir / "config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")  # no formatter runs: the output is what we test
    result = run(
        generator,
        "generate",
        f"--path={SPEC}",
        f"--output-path={workdir / PACKAGE}",
        "--meta=none",
        f"--config={config}",
        "--fail-on-warning",
        cwd=workdir,
    )
    said = result.stdout + result.stderr
    assert result.returncode == 0, said[-4000:]
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module(PACKAGE), said
    finally:
        sys.path.remove(str(workdir))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server() -> Iterator[EmbeddedServer]:
    """A reference server of this module's own, on a free loopback port."""
    with EmbeddedServer(provision_delay=0.1) as started:
        yield started


def test_python_client_generates_without_a_warning(generated: tuple[ModuleType, str]) -> None:
    """openapi-python-client says nothing but which directory it generated."""
    _, said = generated

    assert _unexpected_lines(said, r"Generating \S+") == []


def test_typescript_types_generate_without_a_warning_and_compile_strictly(tmp_path: Path) -> None:
    """openapi-typescript says only its banner, and `tsc --strict` compiles the types and a use of them."""
    generator, compiler = require("openapi-typescript"), require("tsc")

    result = run(generator, str(SPEC), "--output", str(tmp_path / "schema.ts"), cwd=tmp_path)

    assert result.returncode == 0, result.stderr[-4000:]
    assert _unexpected_lines(result.stdout + result.stderr, r"✨ openapi-typescript .*|🚀 .* → .*") == []
    (tmp_path / "use.ts").write_text(USE_TYPES, encoding="utf-8")
    compiled = run(compiler, "--strict", "--noEmit", str(tmp_path / "use.ts"), cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stdout[-4000:]


# A client author's first lines: a project read through the generated types, the owner's role.
USE_TYPES = """\
import type { components, paths } from "./schema";
type Project = components["schemas"]["Project"];
type GetProject = paths["/api/v1/projects/{projectId}"]["get"]["responses"][200]["content"]["application/json"];
export const sameShape: GetProject extends Project ? true : false = true;
export const role: components["schemas"]["Collaborator"]["role"] = "owner";
"""


def test_the_default_bearer_header_is_refused(generated: tuple[ModuleType, str], server: EmbeddedServer) -> None:
    """Out of the box the client sends `Authorization: Bearer`, which the API refuses: 401, parsed to Error."""
    package, _ = generated
    client = package.AuthenticatedClient(base_url=server.base_url, token=ADMIN)

    with client:
        response = _operation_module("projects", "list_projects").sync_detailed(client=client)

    assert response.status_code == 401
    assert isinstance(response.parsed, package.models.Error)


def test_the_generated_client_walks_every_operation(generated: tuple[ModuleType, str], server: EmbeddedServer) -> None:
    """Lifecycle, projects, collaborators and volumes through the generated client, each answer its model."""
    package, _ = generated
    client = package.AuthenticatedClient(
        base_url=server.base_url,
        token=ADMIN,
        auth_header_name="X-API-Key",
        prefix="",
        raise_on_unexpected_status=True,  # an undocumented status is a failure, not a None
    )
    operations = Operations()

    with client:
        _walk(operations.bind(client), importlib.import_module(f"{PACKAGE}.models"))

    every = {_snake(operation.operation_id) for operation in spec.load().operations}
    assert operations.called == every, f"not walked: {sorted(every - operations.called)}"


class Operations:
    """Calls generated operations by name, checks status and parsed model, and remembers what ran."""

    def __init__(self) -> None:
        self.called: set[str] = set()

    def bind(self, client: Any) -> Callable[..., Any]:
        def call(name: str, expected: int, model: type | None, /, **arguments: Any) -> Any:
            # positional-only, so that an operation's own `status` parameter can pass through
            module = next(
                _operation_module(tag, name)
                for tag in ("workspaces", "projects", "volumes")
                if _has_operation(tag, name)
            )
            response = module.sync_detailed(client=client, **arguments)
            self.called.add(name)
            assert response.status_code == expected, f"{name}: {response.status_code} {response.content[:500]!r}"
            if model is None:
                assert response.parsed is None, f"{name}: a body on {expected}"
            else:
                assert isinstance(response.parsed, model), f"{name}: {type(response.parsed).__name__}, not {model}"
            return response.parsed

        return call


def _walk(call: Callable[..., Any], m: ModuleType) -> None:
    """The SDK guide's complete example, then every other operation, then cleanup."""
    name = f"sh-generated-{time.time_ns()}"
    project_id = call(
        "create_project",
        201,
        m.ProjectCreated,
        body=m.CreateProjectRequest(
            name=name, description="Generated-client walk", category="machine-learning", tags=["generated"]
        ),
    ).project_id
    project = call("get_project", 200, m.Project, project_id=project_id)
    assert project.id == project_id
    call("update_project", 200, m.Project, project_id=project_id, body=m.UpdateProjectRequest(tags=["generated", "v2"]))
    listed = call("list_projects", 200, m.ProjectList, search=name)
    assert [item.id for item in listed.projects] == [project_id]

    added = call(
        "add_project_collaborator",
        201,
        m.Collaborator,
        project_id=project_id,
        body=m.AddCollaboratorRequest(email="teammate@company.com", role=m.CollaboratorRole.EDITOR),
    )
    collaborators = call("list_project_collaborators", 200, m.CollaboratorList, project_id=project_id)
    assert {c.role for c in collaborators.collaborators} == {m.ProjectRole.OWNER, m.ProjectRole.EDITOR}
    call(
        "update_project_collaborator_role",
        200,
        m.Collaborator,
        project_id=project_id,
        user_id=added.user_id,
        body=m.UpdateCollaboratorRequest(role=m.CollaboratorRole.VIEWER),
    )
    call("remove_project_collaborator", 204, None, project_id=project_id, user_id=added.user_id)

    volume_id = call(
        "create_volume",
        201,
        m.VolumeCreated,
        body=m.CreateVolumeRequest(project_id=project_id, label=f"{name}-data", size_gb=50.0, type_=m.VolumeType.DATA),
    ).volume_id
    call("get_volume", 200, m.Volume, volume_id=volume_id)
    call("update_volume", 200, m.Volume, volume_id=volume_id, body=m.UpdateVolumeRequest(size_gb=60.0))
    call("list_volumes", 200, m.VolumeList, project_id=project_id)
    call("list_project_volumes", 200, m.VolumeList, project_id=project_id)
    call("sync_volume", 200, m.VolumeAction, volume_id=volume_id)
    call("share_volume", 200, m.VolumeAction, volume_id=volume_id)
    call("list_shared_volumes", 200, m.VolumeList, search=name)

    workspace_id = _lifecycle(call, m, name, project_id)
    call("get_project_stats", 200, m.ProjectStats, project_id=project_id)
    call("list_project_activity", 200, m.ActivityList, project_id=project_id)
    call("delete_workspace", 204, None, workspace_id=workspace_id)
    call("delete_volume", 204, None, volume_id=volume_id)
    call("archive_project", 200, m.ProjectAction, project_id=project_id)
    call("restore_project", 200, m.ProjectAction, project_id=project_id)
    call("delete_project", 204, None, project_id=project_id)


def _lifecycle(call: Callable[..., Any], m: ModuleType, name: str, project_id: str) -> str:
    """Create a workspace, poll until running, read it, filter the list, restart, stop, change, start, stop."""
    workspace_id = call(
        "create_workspace",
        201,
        m.WorkspaceCreated,
        body=m.CreateWorkspaceRequest(
            name=f"{name}-ws",
            description="Generated-client walk",
            environment_type=m.EnvironmentType.JUPYTER,
            project_id=project_id,
        ),
    ).workspace_id
    _poll_until_running(call, m, workspace_id)
    assert call("get_workspace", 200, m.Workspace, workspace_id=workspace_id).status == m.WorkspaceStatusValue.RUNNING
    call("get_workspace_metrics", 200, m.WorkspaceMetrics, workspace_id=workspace_id)
    call("get_workspace_logs", 200, m.WorkspaceLogs, workspace_id=workspace_id)
    running = call(
        "list_workspaces", 200, m.WorkspaceList, status=m.WorkspaceStatusValue.RUNNING, project_id=project_id
    )
    assert [item.id for item in running.workspaces] == [workspace_id]
    call("list_project_workspaces", 200, m.WorkspaceList, project_id=project_id)
    call("sync_workspace", 200, m.WorkspaceSyncResult, workspace_id=workspace_id)
    call("restart_workspace", 200, m.WorkspaceAction, workspace_id=workspace_id)
    _poll_until_running(call, m, workspace_id)
    call("stop_workspace", 200, m.WorkspaceAction, workspace_id=workspace_id)
    call(
        "update_workspace",
        200,
        m.Workspace,
        workspace_id=workspace_id,
        body=m.UpdateWorkspaceRequest(description="Changed while stopped"),
    )
    call("start_workspace", 200, m.WorkspaceAction, workspace_id=workspace_id)
    _poll_until_running(call, m, workspace_id)
    call("stop_workspace", 200, m.WorkspaceAction, workspace_id=workspace_id)
    return workspace_id


def _poll_until_running(call: Callable[..., Any], m: ModuleType, workspace_id: str, timeout: float = 30) -> None:
    """The SDK guide's wait loop: poll the status until `ready` (the reference server takes 0.1 s)."""
    deadline = time.monotonic() + timeout
    while not call("get_workspace_status", 200, m.WorkspaceStatus, workspace_id=workspace_id).ready:
        assert time.monotonic() < deadline, f"{workspace_id} not ready within {timeout} s"
        time.sleep(0.05)


def _operation_module(tag: str, name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def _has_operation(tag: str, name: str) -> bool:
    return importlib.util.find_spec(f"{PACKAGE}.api.{tag}.{name}") is not None


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _unexpected_lines(output: str, expected: str) -> list[str]:
    """Every non-empty line of a tool's output that is not one it always prints: its warnings."""
    return [line for line in output.splitlines() if line.strip() and not re.fullmatch(expected, line.strip())]
