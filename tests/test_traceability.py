"""The golden list: every requirement has a check and a planted fault; nothing names an unknown id."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from harness.config import Settings, Target
from harness.contract.runner import pytest_command
from harness.load.slo import LIMITS
from harness.paths import CONTRACTS
from harness.reference.faults import CATALOGUE
from harness.requirements import by_id, load_catalogue


@pytest.fixture(scope="module")
def checks_by_requirement(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Collect the conformance suite (full profile) the way `contract --list` does."""
    workdir = tmp_path_factory.mktemp("collect")
    selection = workdir / "selection.json"
    settings = Settings(Target("http://127.0.0.1:9", "unused"), reports=workdir)
    env = {**os.environ, **settings.to_env(), "STRONGLY_LIST_FILE": str(selection)}
    run = subprocess.run(pytest_command(settings, workdir, ["--collect-only"]), env=env, cwd=workdir,
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert selection.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(selection.read_text())


def test_every_requirement_has_a_check(checks_by_requirement: dict[str, list[str]]) -> None:
    """No requirement of the catalogue is left without a check in the full profile."""
    missing = [r.id for r in load_catalogue() if r.id not in checks_by_requirement]

    assert missing == []


def test_every_check_names_known_requirements(checks_by_requirement: dict[str, list[str]]) -> None:
    """Collected checks name only ids the catalogue defines (the plugin refuses others at collection)."""
    assert set(checks_by_requirement) <= set(by_id())


def test_every_requirement_has_a_planted_fault() -> None:
    """Each requirement is declared by at least one contract fault, so each check is shown able to fail."""
    declared = {rid for fault in CATALOGUE.values() if fault.suite == "contract" for rid in fault.catches}

    assert [r.id for r in load_catalogue() if r.id not in declared] == []


def test_faults_declare_only_known_requirements() -> None:
    """Contract faults name catalogue ids; load faults name SLOs as '<route> <limit>'."""
    known = set(by_id())
    for fault in CATALOGUE.values():
        if fault.suite == "contract":
            assert set(fault.catches) <= known, fault.name
        else:
            assert all(slo.rsplit(" ", 1)[1] in LIMITS for slo in fault.catches), fault.name


def test_there_are_at_least_forty_faults_in_every_area() -> None:
    """The catalogue holds 40 or more faults and covers every area of the issue."""
    areas = {fault.area for fault in CATALOGUE.values()}

    assert len(CATALOGUE) >= 40
    assert {
        "shape",
        "validation",
        "auth",
        "isolation",
        "lifecycle",
        "lists",
        "semantics",
        "durability",
        "load",
    } <= areas


def test_the_suite_imports_nothing_of_the_reference_server() -> None:
    """contracts/ treats every target as a black box: it never imports harness.reference."""
    offenders = [path.name for path in CONTRACTS.glob("*.py") if "harness.reference" in path.read_text()]

    assert offenders == []


def test_the_model_knows_only_the_documents() -> None:
    """contracts/model/ (the model-based phase's oracle) imports nothing of the reference server or its faults."""
    modules = sorted((CONTRACTS / "model").rglob("*.py"))
    offenders = [
        path.name for path in modules if "harness.reference" in path.read_text() or "faults" in path.read_text()
    ]

    assert len(modules) >= 4
    assert offenders == []
