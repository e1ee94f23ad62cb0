"""Bad input gets a 4xx JSON error with a message from the reference server, never a 5xx."""

from __future__ import annotations

import httpx
import pytest

from harness import spec
from harness.run.embedded import EmbeddedServer

CONTRACT = spec.load()
WITH_BODY = [op for op in CONTRACT.operations if op.request_schema is not None]
WITHOUT_BODY = [op for op in CONTRACT.operations if op.is_write and op.request_schema is None]
BY_ID = [op for op in CONTRACT.operations if op.path_parameters]
MALFORMED = [
    b"",
    b"{",
    b"not json",
    b"[]",
    b'"a string"',
    b"null",
    b"NaN",
    b'{"name": NaN}',
    b"\xff\xfe\x00",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"name": "' + b"x" * (2 << 20) + b'"}',
]


@pytest.fixture(scope="module")
def ids(reference: EmbeddedServer) -> dict[str, str]:
    """A project with a volume, a stopped workspace and a collaborator, for id-addressed operations."""
    with httpx.Client(base_url=reference.base_url, headers={"X-API-Key": "strongly-dev-admin"}) as admin:
        project_id = admin.post("/api/v1/projects", json={"name": "bad input", "description": ""}).json()["projectId"]
        volume_id = admin.post("/api/v1/volumes", json={"projectId": project_id, "label": "v", "sizeGb": 1}).json()[
            "volumeId"
        ]
        workspace_id = admin.post(
            "/api/v1/workspaces",
            json={"name": "w", "description": "", "environmentType": "jupyter", "projectId": project_id},
        ).json()["workspaceId"]
        admin.post(f"/api/v1/workspaces/{workspace_id}/stop")
        user_id = admin.post(
            f"/api/v1/projects/{project_id}/collaborators", json={"email": "v@example.com", "role": "viewer"}
        ).json()["userId"]
    return {"projectId": project_id, "volumeId": volume_id, "workspaceId": workspace_id, "userId": user_id}


def is_error_body(response: httpx.Response) -> bool:
    body = response.json()
    return isinstance(body.get("code"), str) and bool(body.get("message"))


@pytest.mark.parametrize("payload", MALFORMED, ids=lambda p: repr(p[:12]))
@pytest.mark.parametrize("operation", WITH_BODY, ids=lambda op: op.operation_id)
def test_malformed_body_answers_400(
    admin: httpx.Client, ids: dict[str, str], operation: spec.Operation, payload: bytes
) -> None:
    """Malformed JSON, non-objects, NaN and oversized bodies answer 400 on every write taking a body."""
    response = admin.request(
        operation.method, operation.url(**ids), content=payload, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert is_error_body(response)


@pytest.mark.parametrize("operation", WITHOUT_BODY, ids=lambda op: op.operation_id)
def test_bodyless_writes_ignore_garbage(admin: httpx.Client, operation: spec.Operation) -> None:
    """Writes that take no body never answer 5xx to one (they act on unknown ids here: 404)."""
    url = operation.url(workspaceId="ws_missing", projectId="proj_missing", volumeId="vol_missing", userId="u")
    response = admin.request(operation.method, url, content=b"{garbage", headers={"Content-Type": "application/json"})

    assert response.status_code == 404
    assert is_error_body(response)


@pytest.mark.parametrize("operation", WITH_BODY, ids=lambda op: op.operation_id)
def test_snake_case_fields_answer_422(admin: httpx.Client, ids: dict[str, str], operation: spec.Operation) -> None:
    """A field the operation does not define (the SDK's spelling) is refused with 422 and named (D-17)."""
    response = admin.request(operation.method, operation.url(**ids), json={"environment_type": "jupyter"})

    assert response.status_code == 422
    assert "environment_type" in {detail["field"] for detail in response.json()["details"]}


@pytest.mark.parametrize("operation", BY_ID, ids=lambda op: op.operation_id)
def test_unknown_ids_answer_404(admin: httpx.Client, ids: dict[str, str], operation: spec.Operation) -> None:
    """Every id-addressed operation answers 404 when the id (or its parent) does not exist."""
    missing = {name: f"{value}_missing" for name, value in ids.items()}
    body = {"role": "editor"} if operation.request_schema is not None else None

    response = admin.request(operation.method, operation.url(**missing), json=body)

    assert response.status_code == 404
    assert is_error_body(response)


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=abc",
        "limit=1.5",
        "limit=",
        "offset=-1",
        "offset=x",
        "offset=99999999999999",
        "sort=bogus",
        "sort=name:sideways",
        "status=sleeping",
        "limit=1&limit=2",
        "search=" + "x" * 201,
        "projectId=",
    ],
)
def test_bad_list_parameters_answer_400(admin: httpx.Client, query: str) -> None:
    """Out-of-range or malformed limit, offset, sort and filters answer 400, not a clamped page (D-05)."""
    response = admin.get(f"/api/v1/workspaces?{query}")

    assert response.status_code == 400
    assert is_error_body(response)


@pytest.mark.parametrize(
    "name",
    [
        "\u00e9t\u00e9 \u2603 \U0001f680",
        "\u0000nul",
        "x" * 128,
        " ",
        "\u202eright-to-left",
        "'; DROP TABLE workspaces; --",
    ],
)
def test_unusual_names_are_stored_as_given(admin: httpx.Client, name: str) -> None:
    """Unicode, NUL, the longest allowed name and SQL-looking text round-trip unchanged."""
    created = admin.post("/api/v1/projects", json={"name": name, "description": name})

    assert created.status_code == 201
    project = admin.get(f"/api/v1/projects/{created.json()['projectId']}").json()
    assert (project["name"], project["description"]) == (name, name)


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "\\ud800", "description": ""}',
        ('{"name": "' + "x" * 129 + '", "description": ""}').encode(),
        b'{"name": 5, "description": ""}',
        b'{"name": "ok", "description": "", "tags": ["a", "a"]}',
        b'{"name": "ok", "description": "", "visibility": "public"}',
        b'{"name": "ok"}',
    ],
)
def test_invalid_fields_answer_422(admin: httpx.Client, body: bytes) -> None:
    """Lone surrogates, oversized strings, wrong types, repeats, unknown enum values and gaps answer 422."""
    response = admin.post("/api/v1/projects", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    assert response.json()["details"]


def test_errors_carry_no_internals(admin: httpx.Client) -> None:
    """Error bodies hold a code and a message, and nothing that looks like a trace or a query."""
    responses = [
        admin.post("/api/v1/workspaces", content=b"{", headers={"Content-Type": "application/json"}),
        admin.get("/api/v1/workspaces/ws_nope"),
        admin.get("/api/v1/workspaces?limit=0"),
        admin.post("/api/v1/workspaces", json={}),
    ]

    for response in responses:
        text = response.text.lower()
        assert is_error_body(response)
        assert not any(marker in text for marker in ("traceback", "sqlite", "select ", ".py", "exception"))
