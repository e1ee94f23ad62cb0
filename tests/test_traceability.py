"""The golden list: every requirement has a check and a planted fault; nothing names an unknown id."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from harness.conformance.runner import pytest_command
from harness.loadtest.slo import LIMITS
from harness.paths import CONTRACTS, LOAD
from harness.reference.faults import CATALOGUE
from harness.requirements import by_id, load_catalogue
from harness.run import ContractConfig, RunConfig, Target
from harness.run.scratch import config_file

# What the suites may import of the harness (ARCHITECTURE.md, "The suites treat every target as a black box").
TOOLKIT = (
    "harness.client", "harness.expect", "harness.factory", "harness.leniency", "harness.recommend", "harness.spec"
)  # fmt: skip
SUITE_HOSTS = {
    CONTRACTS: {"harness.conformance.plugin", "harness.conformance.phases", "harness.conformance.traffic",
                "harness.conformance.tracing", "harness.conformance.lazy_cases", "harness.steps", "harness.registry",
                "harness.paths", "harness.requirements"},
    LOAD: {"harness.loadtest.users"},
}  # fmt: skip


@pytest.fixture(scope="module")
def checks_by_requirement(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Collect the conformance suite (full profile) the way `contract --list` does."""
    workdir = tmp_path_factory.mktemp("collect")
    selection = workdir / "selection.json"
    config = RunConfig(Target("http://127.0.0.1:9", "unused"), reports=workdir,
                       contract=ContractConfig(list_file=str(selection)))  # fmt: skip
    command = pytest_command(config.write(config_file(workdir)), config, ["--collect-only"])
    run = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
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


def harness_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every import from the harness in a file; ``from harness import spec`` is (harness.spec, *)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "harness":
            for alias in node.names:
                if node.module == "harness":
                    found.append((f"harness.{alias.name}", "*"))
                else:
                    found.append((node.module, alias.name))
        elif isinstance(node, ast.Import):
            found += [(alias.name, "*") for alias in node.names if alias.name.split(".")[0] == "harness"]
    return found


def test_the_suites_import_nothing_of_the_reference_server() -> None:
    """contracts/ and load/ treat every target as a black box: neither imports harness.reference."""
    files = [*CONTRACTS.rglob("*.py"), *LOAD.rglob("*.py")]
    offenders = [
        str(path) for path in files
        if "harness.reference" in path.read_text()
        or any(module.startswith("harness.reference") for module, _ in harness_imports(path))
    ]  # fmt: skip

    assert len(files) > 20
    assert offenders == []


def test_the_suites_use_only_the_toolkit_the_configuration_and_their_host() -> None:
    """contracts/ and load/ import from the harness only the pinned toolkit (names its modules' __all__ lists),
    the run's configuration, and the modules that host their suite; nothing else of the harness."""
    toolkit = {name: importlib.import_module(name) for name in TOOLKIT}
    offenders = []
    for root, host in SUITE_HOSTS.items():
        for path in root.rglob("*.py"):
            for module, name in harness_imports(path):
                if module in toolkit:
                    if name != "*" and name not in toolkit[module].__all__:
                        offenders.append(f"{path.name}: {name} is not in {module}.__all__")
                elif module not in host and module != "harness.run":
                    offenders.append(f"{path.name}: imports {module}")

    assert offenders == []


def test_the_model_knows_only_the_documents() -> None:
    """contracts/model/ (the model-based phase's oracle) imports nothing of the reference server or its faults."""
    modules = sorted((CONTRACTS / "model").rglob("*.py"))
    offenders = [
        path.name for path in modules if "harness.reference" in path.read_text() or "faults" in path.read_text()
    ]

    assert len(modules) >= 4
    assert offenders == []


def test_the_suite_loads_only_the_plugins_it_names(tmp_path: Path) -> None:
    """No installed pytest plugin is autoloaded into a contract process (Locust's, anyio's), so none costs it
    seconds of imports and assert rewriting; schemathesis', Hypothesis' and Allure's are there."""
    config = RunConfig(Target("http://127.0.0.1:9", "unused"), reports=tmp_path,
                       contract=ContractConfig(list_file=str(tmp_path / "selection.json")))  # fmt: skip
    command = pytest_command(config.write(config_file(tmp_path)), config, ["--collect-only", "--trace-config"])
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    loaded = set(re.findall(r"<module '([\w.]+)'", run.stdout + run.stderr))  # as --trace-config names them

    assert {"schemathesis.pytest.plugin", "_hypothesis_pytestplugin", "allure_pytest.plugin"} <= loaded, run.stdout
    assert [name for name in loaded if name.split(".")[0] in ("pytest_locust", "anyio", "xdist", "platformdirs")] == []
