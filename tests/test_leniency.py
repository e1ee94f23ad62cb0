"""The default level's schemas: derived from the strict contract, they keep what the documents show."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from harness import spec
from harness.leniency import DOCUMENTED_SETS, default_level_file, rules
from harness.paths import DEFAULT_LEVEL_SPEC, SPEC
from harness.run.embedded import EmbeddedServer

WORKSPACE = {
    "id": "ws_1", "name": "n", "description": "d", "status": "running", "environmentType": "jupyter",
    "image": "strongly/jupyter:latest", "resources": {"cpu": "2", "memory": "4Gi", "gpu": "0", "storage": "10Gi"},
    "organizationId": "org_1", "owner": {"id": "u1", "name": "Jane", "email": "j@example.com"}, "ownerId": "u1",
    "url": None, "projectId": None, "volumeIds": [], "createdAt": "2025-01-16T11:00:00Z",
    "updatedAt": "2025-02-01T08:00:00Z",
}  # fmt: skip


def valid(operation_id: str, status: int, body: object, *, strict: bool) -> bool:
    validator = spec.load().response_validator(operation_id, status, strict=strict)
    return validator is not None and validator.is_valid(body)


def test_what_the_sdk_shows_passes_the_default_level_only() -> None:
    """owner as the SDK's string, metrics as floats, any error body: default yes, strict no."""
    sdk_workspace = {**WORKSPACE, "owner": "Jane Smith"}
    metrics = {"cpuUsage": 85.0, "memoryUsage": 40.5, "gpuUsage": 0.0, "diskUsage": 12.0}
    error = {"error": {"message": "not found"}}

    cases = [("getWorkspace", 200, sdk_workspace), ("getWorkspaceMetrics", 200, metrics), ("getWorkspace", 404, error)]
    for operation_id, status, body in cases:
        assert valid(operation_id, status, body, strict=False), operation_id
        assert not valid(operation_id, status, body, strict=True), operation_id


def test_the_default_level_still_holds_documented_fields_and_types() -> None:
    """A missing documented field, a wrong type, or a status outside the REST list fails both levels."""
    missing = {key: value for key, value in WORKSPACE.items() if key != "status"}
    for body in (missing, {**WORKSPACE, "name": 5}, {**WORKSPACE, "status": "stopping"}):
        assert not valid("getWorkspace", 200, body, strict=False)
        assert not valid("getWorkspace", 200, body, strict=True)
    assert valid("getWorkspace", 200, WORKSPACE, strict=True)


def test_requests_beyond_our_limits_break_nothing_documented() -> None:
    """A 200-character name or an unlisted visibility is documented-valid; a missing required field is not."""
    contract = spec.load()
    long_name = {"name": "n" * 200, "description": "d", "visibility": "team", "tags": ["Not A Tag!"]}

    assert contract.documented_request_errors("createProject", long_name, {}) == []
    assert (
        contract.documented_request_errors("listWorkspaces", None, {"offset": "2147483648", "search": "s" * 300}) == []
    )
    assert contract.documented_request_errors("createProject", {"name": "n"}, {}) != []
    assert contract.documented_request_errors("listWorkspaces", None, {"status": "asleep"}) != []


def test_every_rule_has_a_reason() -> None:
    """Each derived rule is listed with why the documents allow it; the kept sets quote the REST reference."""
    assert all(reason for _, reason in rules())
    assert all(why.startswith("REST: ") for why in DOCUMENTED_SETS.values())


def test_the_default_level_file_is_what_the_contract_and_these_rules_give() -> None:
    """openapi/strongly-v1.default-level.yaml is generated, never edited: a stale copy fails, saying what to run."""
    generated = default_level_file(SPEC.read_bytes())

    assert DEFAULT_LEVEL_SPEC.read_text(encoding="utf-8") == generated, (
        "the contract or harness/leniency.py changed: run `strongly-harness spec --level default --output "
        "openapi/strongly-v1.default-level.yaml` and commit the file"
    )


def test_the_default_level_file_is_valid_openapi_and_names_its_contract() -> None:
    """OpenAPI 3.1 that openapi-spec-validator accepts, naming the contract's version and sha256."""
    document = yaml.safe_load(DEFAULT_LEVEL_SPEC.read_text(encoding="utf-8"))

    validate(document)

    assert document["x-strongly-contract"] == {"file": "strongly-v1.yaml", "version": spec.load().version,
                                               "sha256": spec.load().sha256}  # fmt: skip


def test_the_default_level_file_relaxes_answers_and_keeps_requests() -> None:
    """Answers as expect() reads them at the default level, any 4xx a refusal; request schemas as written."""
    document = yaml.safe_load(DEFAULT_LEVEL_SPEC.read_text(encoding="utf-8"))
    create = document["paths"]["/api/v1/projects"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]

    assert document["components"]["schemas"]["Error"] == {}
    assert all("4XX" in operation["responses"] for item in document["paths"].values() for operation in item.values()
               if isinstance(operation, dict) and "responses" in operation)  # fmt: skip
    assert body["properties"]["name"]["maxLength"] == 128
    assert body["additionalProperties"] is False


def st_run(*arguments: str, faults: tuple[str, ...]) -> tuple[int, str]:
    """Plain `st run` (its default checks) with the default-level file against a reference server with faults."""
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    with tempfile.TemporaryDirectory() as workdir, EmbeddedServer(provision_delay=0.1, faults=faults) as server:
        run = subprocess.run([st, "run", str(DEFAULT_LEVEL_SPEC), "--url", server.base_url, "--header",
                              "X-API-Key: strongly-dev-admin", "--max-examples", "10",
                              "--seed", "1", "--workers", "1", "--no-color", *arguments],
                             cwd=workdir, capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    return run.returncode, run.stdout + run.stderr


@pytest.mark.slow
def test_plain_schemathesis_with_the_default_level_file_passes_the_other_choices() -> None:
    """`st run --mode positive` passes `alternative-choices`; in every mode, only requests the documents
    leave open (accepted by that server, refused by ours) are flagged: that part a file cannot say."""
    positive, said = st_run("--mode", "positive", faults=("alternative-choices",))
    _, every_mode = st_run(faults=("alternative-choices",))

    assert positive == 0, said[-3000:]
    assert set(re.findall(r"❌ (ST\d+) ", every_mode)) <= {"ST201"}, every_mode[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["workspace-missing-status", "plain-text-errors"])
def test_plain_schemathesis_with_the_default_level_file_still_fails_a_broken_must(fault: str) -> None:
    """A required field missing (GEN-SCHEMA-001) or errors that are not JSON (GEN-ERR-001) still fail."""
    code, said = st_run("--mode", "positive", faults=(fault,))

    assert code == 1, said[-3000:]
