"""The contract: valid OpenAPI 3.1, complete, and in agreement with both source documents."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from openapi_spec_validator import validate

from harness import spec
from harness.paths import OPENAPI, SPEC
from harness.requirements import load_catalogue
from tests import sources

CONTRACT = spec.load()
EXPECTED = {"workspaces": 12, "projects": 15, "volumes": 8}
LOCK = OPENAPI / "CONTRACT.lock"
CHANGELOG = Path(__file__).resolve().parents[1] / "CHANGELOG.md"


def test_spec_is_valid_openapi_3_1() -> None:
    """openapi-spec-validator accepts the contract as OpenAPI 3.1."""
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))

    validate(document)

    assert document["openapi"].startswith("3.1")


def test_every_operation_of_both_documents_is_there() -> None:
    """12 workspace, 15 project and 8 volume operations, each with a unique operationId."""
    counts = {tag: 0 for tag in EXPECTED}
    for operation in CONTRACT.operations:
        counts[operation.tags[0]] += 1

    assert counts == EXPECTED
    assert len({op.operation_id for op in CONTRACT.operations}) == 35


@pytest.mark.parametrize("operation", CONTRACT.operations, ids=lambda op: op.operation_id)
def test_operation_is_fully_described(operation: spec.Operation) -> None:
    """Summary, tag, scopes and the auth refusals are declared; id paths document 404."""
    definition = CONTRACT.document["paths"][operation.path][operation.method.lower()]

    assert definition["summary"]
    assert operation.tags
    assert operation.scopes
    assert all(re.fullmatch(r"(workspaces|projects|volumes):(read|write)", scope) for scope in operation.scopes)
    assert all(scope.endswith(":write") for scope in operation.scopes) == operation.is_write
    assert {"401", "403", "429"} <= set(operation.responses)
    assert any(status.startswith("2") for status in operation.responses)
    if operation.path_parameters:
        assert "404" in operation.responses
    if operation.request_schema is not None:
        assert {"400", "422"} <= set(operation.responses)
    if operation.query_parameters:
        assert "400" in operation.responses


def test_lifecycle_links_chain_create_to_delete() -> None:
    """Links lead from create to start, status, stop and delete, and from a project to its contents."""
    links = {
        (op.operation_id, target["operationId"])
        for op in CONTRACT.operations
        for response in op.responses.values()
        for target in CONTRACT.resolve(response).get("links", {}).values()
    }

    for chain in [
        ("createWorkspace", "getWorkspace"),
        ("createWorkspace", "startWorkspace"),
        ("createWorkspace", "getWorkspaceStatus"),
        ("createWorkspace", "stopWorkspace"),
        ("stopWorkspace", "deleteWorkspace"),
        ("createProject", "listProjectVolumes"),
        ("createProject", "listProjectWorkspaces"),
        ("createProject", "createVolume"),
        ("createVolume", "deleteVolume"),
    ]:
        assert chain in links


def _spec_examples() -> list[tuple[str, Any, dict[str, Any]]]:
    """(where, example, schema) for every example the contract carries."""
    found = []
    for operation in CONTRACT.operations:
        definition = CONTRACT.document["paths"][operation.path][operation.method.lower()]
        bodies = []
        if "requestBody" in definition:
            bodies.append(("request", CONTRACT.resolve(definition["requestBody"])))
        bodies += [(status, CONTRACT.resolve(response)) for status, response in operation.responses.items()]
        for where, body in bodies:
            media = body.get("content", {}).get("application/json", {})
            for name, example in media.get("examples", {}).items():
                schema = CONTRACT.standalone(media["schema"])
                found.append((f"{operation.operation_id} {where} {name}", example["value"], schema))
    for name, parameter in CONTRACT.document["components"]["parameters"].items():
        if "example" in parameter:
            found.append((f"parameter {name}", parameter["example"], CONTRACT.standalone(parameter["schema"])))
    return found


@pytest.mark.parametrize(
    ("where", "example", "schema"), _spec_examples(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_example_in_the_spec_fits_its_schema(where: str, example: Any, schema: dict[str, Any]) -> None:
    """Each example in the contract validates against the schema it illustrates."""
    errors = [
        error.message for error in jsonschema_rs.validator_for(schema, validate_formats=True).iter_errors(example)
    ]

    assert errors == []


def test_the_source_documents_yield_every_example() -> None:
    """The extractors find all 12 JSON blocks of the REST reference and all 11 SDK request bodies."""
    assert len(sources.rest_examples()) == 12
    assert len(sources.sdk_examples()) == 11


@pytest.mark.parametrize(
    "example", sources.rest_examples() + sources.sdk_examples(), ids=lambda example: f"{example.source}:{example.where}"
)
def test_every_json_example_in_the_documents_fits_the_contract(example: sources.Example) -> None:
    """Each example of the two documents validates against the matching schema of the contract."""
    if example.operation_id is None:
        schema = CONTRACT.schema("Workspace")
    elif example.status is None:
        schema = CONTRACT.operation(example.operation_id).request_schema
    else:
        schema = CONTRACT.response_schema(example.operation_id, example.status)
    assert schema is not None
    errors = [
        error.message for error in jsonschema_rs.validator_for(schema, validate_formats=True).iter_errors(example.value)
    ]

    assert errors == []


def test_every_decision_cited_by_the_spec_exists() -> None:
    """Each D-NN the contract cites is a heading of DECISIONS.md, and each decision is cited somewhere."""
    decisions = (OPENAPI / "DECISIONS.md").read_text(encoding="utf-8")
    defined = set(re.findall(r"^### (D-\d\d) ", decisions, flags=re.MULTILINE))
    cited = set(re.findall(r"D-\d\d", SPEC.read_text(encoding="utf-8")))
    catalogue_text = (OPENAPI.parent / "harness" / "requirements.yaml").read_text(encoding="utf-8")
    cited_by_catalogue = set(re.findall(r"D-\d\d", catalogue_text))

    assert cited <= defined
    assert defined <= cited | cited_by_catalogue


def test_every_requirement_a_decision_names_is_in_the_catalogue() -> None:
    """DECISIONS.md names only requirement ids that the catalogue defines."""
    decisions = (OPENAPI / "DECISIONS.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b(?:GEN|AUTH|WS|PRJ|VOL|DUR)-[A-Z]+-\d{3}\b|\bDUR-\d{3}\b", decisions))
    known = {requirement.id for requirement in load_catalogue()}

    assert named
    assert named <= known


def lock_problem(version: str, sha256: str, lock: dict[str, str]) -> str:
    """What to do so that openapi/CONTRACT.lock pins the contract as it is; empty when it does."""
    if sha256 == lock["sha256"] and version == lock["version"]:
        return ""
    if version == lock["version"]:
        return (
            f"openapi/strongly-v1.yaml changed but info.version is still {version}: bump it (patch for wording"
            " and names, minor for additions, major for breaking changes), add a line naming the new version"
            " to CHANGELOG.md under [Unreleased], then put the new version and the sha256 that"
            " `strongly-harness spec` prints into openapi/CONTRACT.lock"
        )
    return (
        f"the contract is now {version} but openapi/CONTRACT.lock pins {lock['version']}:"
        f" write `version: {version}` and `sha256: {sha256}` there"
    )


def test_the_contract_is_the_version_the_lock_pins() -> None:
    """A changed contract needs a new info.version and an updated CONTRACT.lock (vendors pin the hash)."""
    lock = yaml.safe_load(LOCK.read_text(encoding="utf-8"))

    assert CONTRACT.sha256 == hashlib.sha256(SPEC.read_bytes()).hexdigest()
    assert lock_problem(CONTRACT.version, CONTRACT.sha256, lock) == ""


@pytest.mark.parametrize(
    ("version", "sha256", "advice"),
    [("1.0.1", "b" * 64, "bump it"), ("1.1.0", "b" * 64, "write `version: 1.1.0`"), ("1.0.1", "a" * 64, "")],
)
def test_the_lock_check_says_what_to_do(version: str, sha256: str, advice: str) -> None:
    """Same version with other bytes: bump; a new version: update the lock; unchanged: nothing."""
    problem = lock_problem(version, sha256, {"version": "1.0.1", "sha256": "a" * 64})

    assert (advice in problem) if advice else problem == ""


def test_the_changelog_names_the_contract_version() -> None:
    """CHANGELOG.md has a line naming the contract's current version, so users can see what changed."""
    version = re.escape(CONTRACT.version)
    lines = [
        line
        for line in CHANGELOG.read_text(encoding="utf-8").splitlines()
        if re.search(rf"(?<![\d.]){version}(?![\d.])", line) and "contract" in line.lower()
    ]

    assert lines, (
        f"CHANGELOG.md has no line naming contract version {CONTRACT.version}: add one under [Unreleased]"
        f" saying what changed, e.g. '- The contract is now {CONTRACT.version}: ...'"
    )
