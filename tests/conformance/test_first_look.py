"""The first look: the runner's own setup-free requests of the early checks, judged and charged as those checks are."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from harness.client import ApiClient
from harness.conformance import first_look
from harness.conformance.runner import pytest_command
from harness.redact import Redactor
from harness.registry import Registry
from harness.results import CheckResult
from harness.run import ContractConfig, RunConfig, Target
from harness.run import scratch as files
from harness.run.embedded import EmbeddedServer
from tests.conftest import ADMIN, READER, harness_command

# Every kind of look, each with a planted fault that makes it fail, and the requirement that fault breaks there.
FAULTS = [
    ("no-key-accepted", "test_no_key_answers_401[listWorkspaces]", "AUTH-KEY-001"),
    ("unknown-key-accepted", "test_an_unknown_key_answers_401[listWorkspaces]", "AUTH-KEY-002"),
    ("key-in-query-accepted", "test_the_key_counts_nowhere_else", "AUTH-KEY-003"),
    ("reader-can-write", "test_read_scopes_cannot_write[createProject]", "AUTH-SCOPE-001"),
    ("reader-cannot-read-volumes", "test_read_scopes_can_read[getVolume]", "AUTH-SCOPE-002"),
    ("counts-as-strings", "test_operation_conforms[GET /api/v1/workspaces]", "GEN-SCHEMA-001"),
    ("unknown-volume-answers-200", "test_unknown_ids_answer_404[getVolume]", "GEN-ERR-003"),
    ("pagination-clamped", "test_bad_list_parameters_answer_400[listWorkspaces]", "GEN-LIST-005"),
    ("plain-text-errors", "test_refusals_carry_the_error_body", "GEN-SCHEMA-003"),
    ("malformed-json-422", "test_malformed_bodies_answer_400[createProject-broken]", "GEN-ERR-004"),
    ("stack-trace-in-errors", "test_errors_reveal_no_internals", "GEN-ERR-002"),
    ("project-create-answers-200", "test_create_answers_201_and_applies_defaults", "GEN-STATUS-001"),
    ("html-content-type", "test_operation_conforms[GET /api/v1/projects/{projectId}]", "GEN-SCHEMA-003"),
    ("non-object-bodies-accepted", "test_malformed_bodies_answer_400[updateProject-array]", "GEN-VALID-004"),
    ("unknown-fields-ignored", "test_unknown_fields_answer_422[createWorkspace]", "GEN-VALID-005"),
]


@pytest.fixture(scope="module")
def clean() -> Iterator[EmbeddedServer]:
    with EmbeddedServer(provision_delay=0.1) as server:
        yield server


def config_for(server: EmbeddedServer, **contract: object) -> RunConfig:
    target = Target(server.base_url, ADMIN, readonly_key=READER, embedded=True, faults=server.faults)
    return RunConfig(target, contract=ContractConfig(**contract))  # type: ignore[arg-type]


def look_at(config: RunConfig, registry: Registry | None = None) -> list[CheckResult]:
    return first_look.run(config, registry or Registry(), since=0.0, seen=lambda check: False)


def test_every_look_passes_on_the_clean_server_and_what_it_made_is_registered(clean: EmbeddedServer) -> None:
    """Against the clean reference server every look passes, and what it created is in the run's registry only."""
    registry = Registry()
    results = look_at(config_for(clean), registry)

    assert [check.status for check in results] == ["pass"] * len(first_look.looks())
    assert all(check.check.startswith(first_look.PREFIX) for check in results)
    assert sorted(item.kind for item in registry.items()) == ["project", "project", "volume"]  # no refusal made any
    with ApiClient(clean.base_url, ADMIN, redactor=Redactor([ADMIN])) as api:
        assert registry.cleanup(api) == []


@pytest.mark.parametrize(("fault", "mirrors", "requirement"), FAULTS, ids=[fault for fault, _, _ in FAULTS])
def test_each_kind_of_look_fails_on_a_planted_fault(fault: str, mirrors: str, requirement: str) -> None:
    """Each kind of look fails on a fault planted where it looks, charged to the requirement the fault breaks."""
    with EmbeddedServer(provision_delay=0.1, faults=(fault,)) as server:
        registry = Registry()
        results = look_at(config_for(server), registry)
        with ApiClient(server.base_url, ADMIN, redactor=Redactor([ADMIN])) as api:
            assert registry.cleanup(api, workers=2) == []

    (look,) = [check for check in results if check.check.endswith(f"::{mirrors}")]
    assert look.status == "fail"
    assert requirement in [failure.requirement for failure in look.failures]


def test_a_read_only_run_looks_without_writing_with_a_read_only_key(clean: EmbeddedServer) -> None:
    """--readonly with the read-only key: every look it chooses passes, and none made anything."""
    config = replace(config_for(clean), readonly=True, target=replace(config_for(clean).target, api_key=READER))
    registry = Registry()

    results = look_at(config, registry)

    assert results
    assert {check.status for check in results} == {"pass"}
    assert registry.items() == []


def test_the_run_stops_where_it_is_told_to(clean: EmbeddedServer) -> None:
    """The look after which ``seen`` says stop is the last one sent."""
    results = first_look.run(config_for(clean), Registry(), since=0.0, seen=lambda check: True)

    assert len(results) == 1


def chosen_by(config: RunConfig) -> list[first_look.Look]:
    return [look for look in first_look.looks() if first_look.chosen(look, config)]


def test_a_run_chooses_looks_as_it_chooses_checks(clean: EmbeddedServer) -> None:
    """The profile, --readonly, --requirement and --check choose looks as they choose the checks they mirror."""
    everything = first_look.looks()
    reads = [look.check for look in everything if not look.writes]
    shoulds = ("AUTH-KEY-003", "GEN-LIST-005", "GEN-ERR-001", "GEN-ERR-002", "GEN-VALID-004", "GEN-VALID-005")
    musts = [look.check for look in everything if look.requirement not in shoulds]

    assert len(chosen_by(config_for(clean))) == len(everything)
    without_reader = replace(config_for(clean), target=replace(config_for(clean).target, readonly_key=None))
    assert [look.check for look in chosen_by(without_reader)] == [look.check for look in everything if not look.reader]
    assert chosen_by(config_for(clean, profile="smoke")) == []
    assert [look.check for look in chosen_by(replace(config_for(clean), readonly=True))] == reads
    assert [look.check for look in chosen_by(config_for(clean, profile="core"))] == musts
    assert {look.requirement for look in chosen_by(config_for(clean, requirements=("GEN-ERR-003",)))} == {"GEN-ERR-003"}
    by_check = chosen_by(config_for(clean, checks=("test_no_key_answers_401[listProjects]",)))
    assert [look.mirrors for look in by_check] == ["test_auth.py::test_no_key_answers_401[listProjects]"]


def test_a_fault_the_look_and_its_check_both_find_is_one_root_cause(tmp_path: Path) -> None:
    """A run of a check and its look against one fault: both fail, and the report has one root cause for them."""
    process = harness_command(
        "contract", "--fault", "no-key-accepted", "--check", "test_no_key_answers_401[listWorkspaces]",
        "--quiet", "--reports", str(tmp_path), "--seed", "1",
    )  # fmt: skip
    process.communicate(timeout=240)
    document = json.loads((tmp_path / "conformance.json").read_text())

    failed = sorted(check["check"] for check in document["checks"] if check["failures"])
    assert failed == [
        "first_look::test_auth.py::test_no_key_answers_401[listWorkspaces]",
        "test_auth.py::test_no_key_answers_401[listWorkspaces]",
    ]
    assert len(document["rootCauses"]) == 1


def test_x_stops_at_a_root_cause_of_the_first_look_before_any_check_starts(tmp_path: Path) -> None:
    """-x against a fault the first look meets: the run ends there, exits 1 with the early-stop verdict, and its
    pytest processes never start a check."""
    process = harness_command(
        "contract", "--fault", "no-key-accepted", "-x", "--requirement", "AUTH-KEY-001", "--reports", str(tmp_path),
    )  # fmt: skip
    output, _ = process.communicate(timeout=240)
    document = json.loads((tmp_path / "conformance.json").read_text())

    assert process.returncode == 1
    assert "NOT CONFORMANT: STOPPED EARLY after 1 root cause (--max-failures 1)" in output
    assert output.index("root cause: answered 2xx where a refusal") < output.index("NOT CONFORMANT")
    assert [check["check"] for check in document["checks"]] == [
        "first_look::test_auth.py::test_no_key_answers_401[listWorkspaces]"
    ]
    assert document["cleanup"]["problems"] == []


def test_every_look_mirrors_a_check_the_suite_collects_for_its_requirement(tmp_path: Path) -> None:
    """Each look names a check of the suite that proves the look's requirement (a renamed check breaks this)."""
    selection = tmp_path / "selection.json"
    config = RunConfig(Target("http://127.0.0.1:9", "unused"), contract=ContractConfig(list_file=str(selection)))
    command = pytest_command(config.write(files.config_file(tmp_path)), config, ["--collect-only"])
    subprocess.run(command, cwd=tmp_path, capture_output=True, check=False, timeout=240)
    checks_of: dict[str, list[str]] = json.loads(selection.read_text())

    assert [look.mirrors for look in first_look.looks() if look.mirrors not in checks_of[look.requirement]] == []
