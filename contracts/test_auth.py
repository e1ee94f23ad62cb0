"""Keys and isolation: 401 without or with an unknown key, 403 for missing scopes, 404 across
organizations, on every operation, and a refused request changes nothing (D-16, D-20)."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.conftest import snapshot, valid_body
from contracts.support import differences, every, items
from contracts.support import ids as ids_of
from harness import spec
from harness.client import ApiClient
from harness.expect import expect, refused, require
from harness.factory import Factory
from harness.run import RunConfig

OPERATIONS = spec.load().operations
READS = [op for op in OPERATIONS if not op.is_write]
WRITES = [op for op in OPERATIONS if op.is_write]
BY_ID = [op for op in OPERATIONS if op.path_parameters]


def attempt(client: ApiClient, operation: spec.Operation, targets: dict[str, str], make: Factory) -> Any:
    body = valid_body(operation, targets, make)
    return client.request(operation.method, operation.url(**targets), **({} if body is None else {"json": body}))


def hidden(response: Any, operation_id: str) -> None:
    """Another organization's resource does not exist for the caller: refused (404 recommended, D-20; 403 and
    400 are reasonable too); an answer that serves it reveals or changes it."""
    refused(response, operation_id, 404)


def refused_unchanged(
    api: ApiClient,
    client: ApiClient,
    operation: spec.Operation,
    targets: dict[str, str],
    make: Factory,
    status: int,
    assertion: str,
) -> None:
    """Refused (any 4xx; ``status`` recommended), and nothing it would have changed reads otherwise."""
    before = snapshot(api, targets)
    response = attempt(client, operation, targets, make)
    refused(response, operation.operation_id, status)
    if operation.is_write:
        after = snapshot(api, targets)
        moved = {kind: differences(before[kind], after[kind]) for kind in before if before[kind] != after[kind]}
        require(
            not moved,
            assertion,
            f"a refused {operation.label} (answered {response.status_code}) changed {moved}",
            response,
        )


@pytest.mark.requirement("AUTH-KEY-001")
@pytest.mark.readonly
@pytest.mark.early
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_no_key_answers_401(
    api: ApiClient, anonymous: ApiClient, targets: dict[str, str], make: Factory, operation: spec.Operation
) -> None:
    """Without X-API-Key every operation answers 401 and changes nothing."""
    refused_unchanged(api, anonymous, operation, targets, make, 401, "AUTH-KEY-001/unchanged")


@pytest.mark.requirement("AUTH-KEY-002")
@pytest.mark.readonly
@pytest.mark.early
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_an_unknown_key_answers_401(
    api: ApiClient, targets: dict[str, str], make: Factory, operation: spec.Operation
) -> None:
    """With a key the target does not know, every operation answers 401 and changes nothing."""
    with api.with_key("strongly-harness-not-a-key") as stranger:
        refused_unchanged(api, stranger, operation, targets, make, 401, "AUTH-KEY-002/unchanged")


@pytest.mark.requirement("AUTH-SCOPE-001")
@pytest.mark.early
@pytest.mark.parametrize("operation", WRITES, ids=lambda op: op.operation_id)
def test_read_scopes_cannot_write(
    api: ApiClient, reader: ApiClient, targets: dict[str, str], make: Factory, operation: spec.Operation
) -> None:
    """The read-only key gets 403 on every write and the targets stay as they were."""
    refused_unchanged(api, reader, operation, targets, make, 403, "AUTH-SCOPE-001/unchanged")


@pytest.mark.requirement("AUTH-SCOPE-002")
@pytest.mark.readonly
@pytest.mark.parametrize("operation", READS, ids=lambda op: op.operation_id)
def test_read_scopes_can_read(
    reader: ApiClient, targets: dict[str, str], make: Factory, operation: spec.Operation
) -> None:
    """The read-only key succeeds on every read."""
    expect(attempt(reader, operation, targets, make), operation.operation_id, 200)


@pytest.mark.requirement("AUTH-ISO-001")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.parametrize("operation", [op for op in READS if op.path_parameters], ids=lambda op: op.operation_id)
def test_another_organization_cannot_read_ours(
    other: ApiClient, targets: dict[str, str], make: Factory, operation: spec.Operation
) -> None:
    """Another organization's key gets 404 (or 403) for every read of our resources."""
    hidden(attempt(other, operation, targets, make), operation.operation_id)


@pytest.mark.requirement("AUTH-ISO-002")
def test_another_organizations_lists_never_hold_ours(
    api: ApiClient, other: ApiClient, targets: dict[str, str], run_config: RunConfig
) -> None:
    """Searching for our run's names in another organization's lists finds nothing of ours."""
    ours = set(targets.values())
    for operation_id in ("listWorkspaces", "listProjects", "listVolumes", "listSharedVolumes"):
        mine = items(api, operation_id, search=run_config.prefix, limit=100)
        require(bool(mine), "AUTH-ISO-002/corpus", f"{operation_id} searched for this run's names shows us nothing")
        theirs = items(other, operation_id, search=run_config.prefix, limit=100) + items(other, operation_id, limit=100)
        leaked = sorted(ours & set(ids_of(theirs)))
        require(not leaked, "AUTH-ISO-002/apart", f"{operation_id} of another organization lists our {leaked}")


@pytest.mark.requirement("AUTH-ISO-003")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.parametrize("operation", [op for op in WRITES if op.path_parameters], ids=lambda op: op.operation_id)
def test_another_organization_cannot_change_ours(
    api: ApiClient, other: ApiClient, targets: dict[str, str], make: Factory, operation: spec.Operation
) -> None:
    """Another organization's key gets 404 changing or deleting our resources, which stay unchanged."""
    refused_unchanged(api, other, operation, targets, make, 404, "AUTH-ISO-003/unchanged")


@pytest.mark.requirement("AUTH-ISO-004")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.parametrize("operation_id", ["createWorkspace", "createVolume"])
def test_another_organization_cannot_create_in_our_project(
    api: ApiClient, other: ApiClient, targets: dict[str, str], make: Factory, operation_id: str
) -> None:
    """Creating a workspace or volume in our project with another organization's key is refused (404
    recommended) and our project holds nothing new."""

    def held() -> list[str]:
        return sorted(
            item["id"]
            for op in ("listProjectWorkspaces", "listProjectVolumes")
            for item in every(api, op, targets["projectId"])
        )

    before = held()
    response = attempt(other, spec.load().operation(operation_id), targets, make)
    hidden(response, operation_id)

    after = held()
    require(after == before, "AUTH-ISO-004/nothing", f"our project held {before}, now {after}", response)


@pytest.mark.requirement("GEN-HTTP-001")
@pytest.mark.readonly
@pytest.mark.parametrize("operation", READS, ids=lambda op: op.operation_id)
def test_every_read_gets_a_complete_answer(
    api: ApiClient, targets: dict[str, str], make: Factory, operation: spec.Operation
) -> None:
    """Each read is answered within the request timeout over an intact connection, with a whole JSON body."""
    response = attempt(api, operation, targets, make)

    expect(response, operation.operation_id, 200)
    length = int(response.headers.get("content-length", len(response.content)))
    require(
        length == len(response.content),
        "GEN-HTTP-001/whole",
        f"{operation.label} announced {length} bytes and sent {len(response.content)}",
        response,
    )
