"""Fixtures and schemathesis hooks shared by the conformance checks.

The hooks make generated requests safe and meaningful against any target: path ids point at
resources this run created (so valid requests can succeed), created names carry the run prefix,
every created id is recorded for cleanup, and a read-only run refuses to send a write.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.transport.requests import ManagedCookiesSession

from contracts.support import collaborators, entries
from harness import spec
from harness.client import LOG, ApiClient, ReadOnlyViolationError
from harness.conformance.phases import LAST, QUIET
from harness.conformance.plugin import ConformanceRun, current_run
from harness.conformance.tracing import TracedSession
from harness.conformance.traffic import exchange_of
from harness.expect import expect
from harness.factory import Factory, new_id, prefixed

settings.register_profile(
    "conformance", database=None, deadline=None, suppress_health_check=list(HealthCheck), print_blob=False
)
settings.load_profile("conformance")

# Path ids for generated requests of the operation under test (set by the fixture that created them).
CURRENT_IDS: dict[str, str] = {}
# The last answer schemathesis received, for judging its failures at the run's level (test_schema.py).
LAST_RESPONSE: list[Any] = []
CREATES = {"createProject": ("projectId", "project", "name"), "createVolume": ("volumeId", "volume", "label"),
           "createWorkspace": ("workspaceId", "workspace", "name")}  # fmt: skip
NAME_LIMIT = spec.load().document["components"]["schemas"]["Name"]["maxLength"]  # names and labels alike


def positive(case: Any, location: ParameterLocation) -> bool:
    component = case.meta.components.get(location) if case.meta else None
    return component is None or component.mode == GenerationMode.POSITIVE


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    run = current_run()
    if run.config.readonly and case.method.upper() != "GET":
        raise ReadOnlyViolationError(f"refused to send {case.method} {case.path}: this run is read-only")
    if case.path_parameters and positive(case, ParameterLocation.PATH):
        for name in case.path_parameters:
            if name in CURRENT_IDS:
                case.path_parameters[name] = CURRENT_IDS[name]
    create = CREATES.get(case.operation.definition.raw.get("operationId", ""))
    if create and isinstance(case.body, dict):
        # A copy: the body may be the contract's example, shared by every case drawn from it; changed in
        # place, its name would gather one prefix per replay until it outgrew the contract's limit.
        case.body = body = dict(case.body)
        name_field = create[2]
        if positive(case, ParameterLocation.BODY) and isinstance(body.get(name_field), str):
            body[name_field] = prefixed(run.config.prefix, body[name_field], NAME_LIMIT)
        # A valid projectId (the spec's example names none that exists) would refuse even a negative case
        # with 404 for the wrong reason; pointing it at the run's project keeps the case as it was.
        project = body.get("projectId")
        if isinstance(project, str) and 1 <= len(project) <= 64 and "projectId" in CURRENT_IDS:
            body["projectId"] = CURRENT_IDS["projectId"]


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    run = current_run()
    LOG.record(exchange_of(response, run.redactor))
    LAST_RESPONSE[:] = [response]
    create = CREATES.get(case.operation.definition.raw.get("operationId", ""))
    if create and response.status_code == 201:
        try:
            created = new_id(response.json(), create[1])
        except (ValueError, AssertionError):
            return  # a malformed create answer is the schema checks' business
        if isinstance(created, str):
            (run.active or run.registry).add(create[1], created)


# What test_schema.py speaks for. Building its checks costs seconds of CPU (schemathesis derives the
# coverage cases then), so a process that cannot run one of them does not collect the module.
SCHEMA_REQUIREMENTS = ("GEN-SCHEMA-001", "GEN-SCHEMA-002", "GEN-SCHEMA-003", "GEN-SCHEMA-004",
                       "GEN-VALID-001", "GEN-VALID-002", "GEN-VALID-003", "AUTH-KEY-001", "AUTH-KEY-002")  # fmt: skip
SCHEMA_RECOMMENDATIONS = ("GEN-SCHEMA-005", "GEN-VALID-006", "GEN-VALID-007", "GEN-ERR-004", "GEN-STATUS-001")


def named_by_checks(checks: tuple[str, ...]) -> list[str]:
    """The operations (schemathesis' names) whose test_operation_conforms id holds one of ``--check``'s patterns."""
    ids = {op.label: f"test_schema.py::test_operation_conforms[{op.label}]" for op in spec.load().operations}
    return [label for label, nodeid in ids.items() if any(pattern in nodeid for pattern in checks)]


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """test_schema.py has no quiet or restart check, and nothing for a run that asked for other requirements or
    for checks none of which is one of its."""
    if collection_path.name != "test_schema.py":
        return None
    contract = current_run().config.contract
    wanted = set(contract.requirements)
    if contract.phase in (QUIET, LAST):
        return True
    if contract.checks and not named_by_checks(contract.checks):
        return True
    return True if wanted and not wanted & {*SCHEMA_REQUIREMENTS, *SCHEMA_RECOMMENDATIONS} else None


# The state an operation's path ids must be in for its valid requests to succeed (test_schema.py).
NEEDS_RUNNING = {"getWorkspaceMetrics", "syncWorkspace", "restartWorkspace", "stopWorkspace"}
NEEDS_STOPPED = {"startWorkspace", "deleteWorkspace"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis' check of an operation on a running or stopped workspace waits for one to provision."""
    for item in items:
        label = getattr(item, "operation_label", None)
        if isinstance(label, str) and operation_for(label).operation_id in NEEDS_RUNNING | NEEDS_STOPPED:
            item.add_marker(pytest.mark.slow(1))


def operation_for(label: str) -> spec.Operation:
    method, path = label.split(" ", 1)
    return next(op for op in spec.load().operations if op.method == method and op.path == path)


# ------------------------------------------------------------------ targets for per-operation checks


def existing(api: ApiClient) -> dict[str, str]:
    """Ids of resources that already exist, for a read-only run (nothing is created)."""
    ids = {}
    for key, path, operation_id in (
        ("workspaceId", "/api/v1/workspaces", "listWorkspaces"),
        ("projectId", "/api/v1/projects", "listProjects"),
        ("volumeId", "/api/v1/volumes", "listVolumes"),
    ):
        listed = entries(expect(api.get(path, limit=1, **({"status": "running"} if key == "workspaceId" else {})),
                                operation_id, 200), operation_id)  # fmt: skip
        if listed:
            ids[key] = listed[0]["id"]
    if "projectId" in ids:
        people = collaborators(api, ids["projectId"])
        if people:
            ids["userId"] = people[0]["userId"]
    return ids


@pytest.fixture(scope="session")
def keep_alive() -> Iterator[ManagedCookiesSession]:
    """One connection pool for schemathesis' calls: without it each call opens (and closes) its own
    connection, paying a handshake on top of every round trip. Cookies are still dropped per call."""
    with TracedSession() as session:
        yield session


@pytest.fixture(scope="session")
def targets(run: ConformanceRun, api: ApiClient) -> dict[str, str]:
    """Real resources every operation can address: a project with a shared volume, a running
    workspace and a collaborator. Checks that attempt refused writes prove they stay unchanged.
    A read-only run borrows existing ones instead, and creates nothing."""
    if run.config.readonly:
        found = existing(api)
        missing = {"projectId", "volumeId", "workspaceId", "userId"} - set(found)
        if missing:
            pytest.skip(
                f"the target has nothing to read for {', '.join(sorted(missing))} (a read-only run creates none)"
            )
        return found
    shared_make = run.factory(api, run.registry)
    project = shared_make.project(visibility="organization")
    volume = shared_make.shared_volume(project["id"])
    workspace = shared_make.running_workspace(pooled=True)  # made ahead: one per process (plugin.workspace_pool)
    member = shared_make.collaborator(project["id"])
    return {
        "projectId": project["id"],
        "volumeId": volume["id"],
        "workspaceId": workspace["id"],
        "userId": member["userId"],
    }


def valid_body(operation: spec.Operation, ids: dict[str, str], make: Factory) -> dict[str, Any] | None:
    """A body the operation would accept, so that only the key decides the answer."""
    bodies: dict[str, dict[str, Any]] = {
        "createProject": {"name": make.name("project"), "description": "made by strongly-harness"},
        "updateProject": {"description": "changed"},
        "addProjectCollaborator": {"email": f"{make.name('new')}@example.com", "role": "viewer"},
        "updateProjectCollaboratorRole": {"role": "editor"},
        "createVolume": {"projectId": ids["projectId"], "label": make.name("volume"), "sizeGb": 1},
        "updateVolume": {"label": make.name("relabelled")},
        "createWorkspace": {"name": make.name("workspace"), "description": "made by strongly-harness",
                            "environmentType": "jupyter", "projectId": ids["projectId"]},
        "updateWorkspace": {"name": make.name("renamed")},
    }  # fmt: skip
    return bodies.get(operation.operation_id)


def snapshot(api: ApiClient, ids: dict[str, str]) -> dict[str, Any]:
    """What the targets look like now, for proving a refused request changed nothing."""
    return {
        "project": expect(api.get(f"/api/v1/projects/{ids['projectId']}"), "getProject", 200),
        "volume": expect(api.get(f"/api/v1/volumes/{ids['volumeId']}"), "getVolume", 200),
        "workspace": expect(api.get(f"/api/v1/workspaces/{ids['workspaceId']}"), "getWorkspace", 200),
    }
