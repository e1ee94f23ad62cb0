"""Every operation against the contract: schemathesis with positive and negative data, all checks.

Tightened where the defaults are lax (contracts/schemathesis.toml): a valid request with a key that
holds the scope must not get 401/403, and an undocumented status code fails. Schemathesis judges by
the contract as written; a failure that breaks only our own choices (a limit or closed set of the
contract, a refusal with another 4xx, a body outside the strict schema but within what the
documents show) is noted as a recommendation instead (harness/leniency.py, harness/recommend.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from contracts.conftest import (
    CURRENT_IDS,
    LAST_RESPONSE,
    NEEDS_RUNNING,
    NEEDS_STOPPED,
    SCHEMA_RECOMMENDATIONS,
    SCHEMA_REQUIREMENTS,
    existing,
    operation_for,
)
from contracts.schema import judged_at_the_documents, operations, reported_at_the_first_failing_case
from harness import spec
from harness.client import ApiClient
from harness.conformance.plugin import ConformanceRun
from harness.factory import Factory
from harness.run import RunConfig

NEEDS_VOLUME = {"syncWorkspace", "listProjectVolumes"}
NEEDS_COLLABORATOR = {"updateProjectCollaboratorRole", "removeProjectCollaborator"}


def prepare(operation: spec.Operation, make: Factory) -> dict[str, str]:
    """Create what the operation's path ids point at, in the state its valid requests need."""
    project = make.project()
    ids = {"projectId": project["id"]}
    name = operation.operation_id
    if operation.resource == "volumes" or name in NEEDS_VOLUME:
        ids["volumeId"] = make.volume(project["id"])["id"]
    if "workspaceId" in operation.path_parameters:
        if name in NEEDS_RUNNING:
            workspace = make.running_workspace(project["id"])
        elif name in NEEDS_STOPPED:
            workspace = make.stopped_workspace(project["id"])
        else:
            workspace = make.workspace(project["id"])
        ids["workspaceId"] = workspace["id"]
    if name in NEEDS_COLLABORATOR:
        ids["userId"] = make.collaborator(project["id"])["userId"]
    return ids


@pytest.fixture
def operation_ids(request: pytest.FixtureRequest, run_config: RunConfig, api: ApiClient) -> Iterator[dict[str, str]]:
    operation = operation_for(request.node.operation_label)
    # the factory is requested only when needed: a read-only run must not even prepare to create
    ids = existing(api) if run_config.readonly else prepare(operation, request.getfixturevalue("make"))
    CURRENT_IDS.clear()
    CURRENT_IDS.update(ids)
    yield ids
    CURRENT_IDS.clear()


@pytest.mark.requirement(*SCHEMA_REQUIREMENTS)
@pytest.mark.recommends(*SCHEMA_RECOMMENDATIONS)
@pytest.mark.readonly
@pytest.mark.early
@operations.parametrize()
@reported_at_the_first_failing_case
def test_operation_conforms(
    case: Any, operation_ids: dict[str, str], run: ConformanceRun, keep_alive: requests.Session
) -> None:
    """Valid and invalid requests get documented answers whose bodies fit the contract."""
    route = case.operation.definition.raw.get("operationId")
    LAST_RESPONSE.clear()
    try:
        case.call_and_validate(session=keep_alive, timeout=run.hung.timeout(route, run.config.limits.request_timeout))
    except requests.Timeout:
        run.hung.timed_out(route)
        raise
    except (AssertionError, BaseExceptionGroup) as error:  # schemathesis' failures (one, or a group)
        remaining = judged_at_the_documents(error, case, LAST_RESPONSE[-1] if LAST_RESPONSE else None)
        if remaining is not None:
            raise remaining from None
