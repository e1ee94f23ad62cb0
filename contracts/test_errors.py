"""Errors and invariants every resource shares: error bodies, bad input, unknown ids, ids, timestamps."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from contracts.conftest import valid_body
from contracts.support import TICK, register_if_created, whole_seconds
from harness import spec
from harness.client import ApiClient
from harness.expect import carries_error_body, expect, require, reveals_no_internals
from harness.factory import Factory
from harness.recommend import recommend

OPERATIONS = spec.load().operations
WITH_BODY = [op for op in OPERATIONS if op.request_schema is not None]
BY_ID = [op for op in OPERATIONS if op.path_parameters]
CREATED = {"createProject": "project", "createVolume": "volume", "createWorkspace": "workspace"}


# One of each 4xx the contract names, as (method, path, body, operation, status, which key).
REFUSALS = [
    ("POST", "/api/v1/projects", b"{oops", "createProject", 400, "admin"),
    ("GET", "/api/v1/workspaces?limit=0", None, "listWorkspaces", 400, "admin"),
    ("GET", "/api/v1/projects", None, "listProjects", 401, "none"),
    ("GET", "/api/v1/volumes/vol_does_not_exist", None, "getVolume", 404, "admin"),
    ("DELETE", "/api/v1/workspaces/{workspaceId}", None, "deleteWorkspace", 409, "admin"),
    ("POST", "/api/v1/workspaces", b'{"name": "missing-the-rest"}', "createWorkspace", 422, "admin"),
]


def refusals(api: ApiClient, anonymous: ApiClient, targets: dict[str, str]) -> list[tuple[httpx.Response, str, int]]:
    """Send each refusal: (answer, operation id, status the contract decides)."""
    sent = []
    for method, path, body, operation_id, status, key in REFUSALS:
        client = anonymous if key == "none" else api
        headers = {"Content-Type": "application/json"} if body is not None else None
        answer = client.request(method, path.format(**targets), content=body, headers=headers)
        sent.append((answer, operation_id, status))
    return sent


@pytest.mark.requirement("GEN-ERR-001")
@pytest.mark.smoke
def test_refusals_carry_the_error_body(api: ApiClient, anonymous: ApiClient, targets: dict[str, str]) -> None:
    """400, 401, 404, 409 and 422 answers are JSON with a lower-case code and a message (D-14: recommended;
    the documents show no error body, so only this SHOULD holds it)."""
    for answer, operation_id, status in refusals(api, anonymous, targets):
        carries_error_body(answer, operation_id, status)


@pytest.mark.requirement("GEN-ERR-002")
def test_errors_reveal_no_internals(
    api: ApiClient, anonymous: ApiClient, make: Factory, targets: dict[str, str]
) -> None:
    """No error body holds a stack trace, a file path, SQL or an exception name."""
    answers = [
        *(answer for answer, _, _ in refusals(api, anonymous, targets)),
        api.post("/api/v1/projects", json={"name": "\u0000" * 3, "description": 5}),
        api.put(f"/api/v1/volumes/{targets['volumeId']}", json={"sizeGb": "lots"}),
        api.get("/api/v1/workspaces", sort="name:asc;DROP TABLE"),
    ]

    for answer in answers:
        reveals_no_internals(answer)


@pytest.mark.requirement("GEN-ERR-003")
@pytest.mark.parametrize("operation", BY_ID, ids=lambda op: op.operation_id)
def test_unknown_ids_answer_404(
    api: ApiClient, make: Factory, targets: dict[str, str], operation: spec.Operation
) -> None:
    """Every id-addressed operation answers 404 when its id names nothing."""
    missing = {name: f"{value}x404" for name, value in targets.items()}
    body = valid_body(operation, targets, make)

    expect(
        api.request(operation.method, operation.url(**missing), **({} if body is None else {"json": body})),
        operation.operation_id,
        404,
    )


@pytest.mark.requirement("GEN-VALID-004")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.parametrize(
    "payload", [b"{not json", b"[1, 2]", b'"text"', b""], ids=["broken", "array", "string", "empty"]
)
@pytest.mark.parametrize("operation", WITH_BODY, ids=lambda op: op.operation_id)
def test_malformed_bodies_answer_400(
    api: ApiClient, targets: dict[str, str], operation: spec.Operation, payload: bytes
) -> None:
    """Broken JSON, or JSON that is not an object, answers 400 on every write that takes a body (D-15)."""
    response = api.request(
        operation.method, operation.url(**targets), content=payload, headers={"Content-Type": "application/json"}
    )

    expect(response, operation.operation_id, 400)


@pytest.mark.requirement("GEN-VALID-005")
@pytest.mark.parametrize("operation", WITH_BODY, ids=lambda op: op.operation_id)
def test_unknown_fields_answer_422(
    api: ApiClient, make: Factory, targets: dict[str, str], operation: spec.Operation
) -> None:
    """A body that is valid but for one snake_case field (as the SDK spells it) answers 422 (D-17)."""
    body = {**(valid_body(operation, targets, make) or {}), "environment_type": "jupyter"}

    response = api.request(operation.method, operation.url(**targets), json=body)
    if operation.operation_id in CREATED:  # an ignored field lets the create through: its resource is ours to remove
        register_if_created(make, response, CREATED[operation.operation_id])
    expect(response, operation.operation_id, 422)


@pytest.mark.requirement("GEN-ID-001")
@pytest.mark.smoke
def test_ids_carry_the_documented_prefixes(make: Factory) -> None:
    """Workspace, project and volume ids start with ws_, proj_ and vol_ (D-03)."""
    project = make.project()

    made = {"proj_": project["id"], "vol_": make.volume(project["id"])["id"], "ws_": make.workspace()["id"]}
    wrong = {prefix: made_id for prefix, made_id in made.items() if not made_id.startswith(prefix)}
    require(not wrong, "GEN-ID-001/prefixes", f"ids without their documented prefixes: {wrong}")


POOLED = pytest.mark.running_workspaces(1)  # a workspace made ahead (harness/run/pool.py)
# Creates per kind: each after deleting the one before. A workspace must be running, then stopped,
# before it can be deleted, so each of its rounds costs a provisioning wait: two creates will do, the
# first one made ahead (only the order of delete, then create, matters).
CREATES = {"project": 4, "volume": 4, "workspace": 2}


@pytest.mark.requirement("GEN-ID-002")
@pytest.mark.quiet("a create by another check could be the one handed the id this check just freed")
@pytest.mark.parametrize("kind", ["project", "volume", pytest.param("workspace", marks=POOLED)])
def test_deleted_ids_are_never_reused(api: ApiClient, make: Factory, kind: str) -> None:
    """Ids of deleted resources never come back on new ones (D-38)."""
    parent = make.project()["id"] if kind == "volume" else None
    deletable: Callable[[], dict[str, str]] = {
        "project": make.project,
        "volume": lambda: make.volume(parent),
        "workspace": lambda: make.stopped_workspace(pooled=True),
    }[kind]
    last = make.workspace if kind == "workspace" else deletable  # the last one is removed with the check's data
    deleted: set[str] = set()
    for number in range(CREATES[kind]):
        final = number == CREATES[kind] - 1
        resource = (last if final else deletable)()
        require(
            resource["id"] not in deleted,
            "GEN-ID-002/never-reused",
            f"{kind} id {resource['id']} was given out again after its resource was deleted",
        )
        if final:
            break
        expect(api.delete(f"/api/v1/{kind}s/{resource['id']}"), f"delete{kind.capitalize()}", 204)
        make.forget(kind, resource["id"])
        deleted.add(resource["id"])


@pytest.mark.requirement("GEN-TIME-001")
@pytest.mark.recommends("GEN-TIME-002")
@pytest.mark.parametrize("kind", ["project", "volume", pytest.param("workspace", marks=POOLED)])
def test_timestamps_move_only_with_changes(api: ApiClient, make: Factory, kind: str) -> None:
    """createdAt never moves; updatedAt starts at or after it, moves on every update and not on reads; that it also
    moves on an action (archive, share, start) is recommended (D-37)."""
    resource = {
        "project": make.project,
        "volume": lambda: make.volume(make.project()["id"]),
        "workspace": lambda: make.stopped_workspace(pooled=True),
    }[kind]()
    path = f"/api/v1/{kind}s/{resource['id']}"
    changes = {
        "project": [("PUT", {"description": "a"}), ("POST", "archive")],
        "volume": [("PUT", {"label": make.name("a")}), ("POST", "share")],
        "workspace": [("PUT", {"description": "a"}), ("POST", "start")],
    }[kind]
    created, updated = whole_seconds(resource["createdAt"]), whole_seconds(resource["updatedAt"])
    require(
        None not in (created, updated) and updated >= created,
        "GEN-TIME-001/after-creation",
        f"a new {kind} reads createdAt {resource['createdAt']}, updatedAt {resource['updatedAt']}",
    )
    previous = resource
    for method, change in changes:
        time.sleep(TICK)  # whole-second timestamps can only move once a second has passed
        if method == "PUT":
            expect(api.put(path, json=change), f"update{kind.capitalize()}", 200)
        else:
            expect(api.post(f"{path}/{change}"), f"{change}{kind.capitalize()}", 200)
        current = make.get(kind, resource["id"])
        require(
            whole_seconds(current["createdAt"]) == created,
            "GEN-TIME-001/created-stays",
            f"createdAt moved from {resource['createdAt']} to {current['createdAt']} on {method} {change}",
        )
        moved = (whole_seconds(current["updatedAt"]) or created) > (whole_seconds(previous["updatedAt"]) or created)
        said = f"updatedAt did not move on {method} {change} {TICK:g}s later: {previous['updatedAt']} then " + str(
            current["updatedAt"]
        )
        if method == "PUT":
            require(moved, "GEN-TIME-001/updated-moves", said)
        else:
            recommend("GEN-TIME-002", moved, said)
        previous = current
    if kind == "workspace":  # a started workspace becomes running by itself, a change that moves updatedAt too
        previous = make.wait_until(resource["id"], "running")
    reads = [make.get(kind, resource["id"])["updatedAt"] for _ in range(2)]
    require(
        reads == [previous["updatedAt"]] * 2,
        "GEN-TIME-001/reads-keep",
        f"reading the {kind} moved updatedAt: {previous['updatedAt']} then {reads}",
    )
