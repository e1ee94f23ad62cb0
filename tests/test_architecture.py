"""The rules ARCHITECTURE.md states that no other test keeps, each read from the source."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from harness import reports
from harness.paths import CONTRACTS, LOAD, PACKAGE
from harness.run import scratch

SOURCES = (PACKAGE, CONTRACTS, LOAD)


def python_files(*roots: Path) -> Iterator[Path]:
    for root in roots:
        yield from (path for path in sorted(root.rglob("*.py")) if "_bundled" not in path.parts)


def imported_modules(tree: ast.AST) -> set[str]:
    """Every module a file imports (``from a import b`` counts ``a`` and ``a.b``)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def test_the_contract_is_read_in_one_place() -> None:
    """Only harness/spec.py loads a JSON Schema validator; the reference server never imports the contract."""
    validators = []
    reference_reads_contract = []
    for path in python_files(*SOURCES):
        modules = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if any(module.split(".")[0] in ("jsonschema", "jsonschema_rs") for module in modules):
            validators.append(relative(path))
        if "reference" in path.relative_to(PACKAGE.parent).parts and {"harness.spec", "harness.paths.SPEC"} & modules:
            reference_reads_contract.append(relative(path))

    assert validators == ["harness/spec.py"]
    assert reference_reads_contract == []


def environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read the process environment: os.environ, os.getenv, or either imported from os."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv"):
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in ("environ", "environb", "getenv") for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_only_the_configuration_reads_the_environment() -> None:
    """No module of the harness or the suites reads an environment variable but harness/run/config.py."""
    readers = {
        relative(path): lines
        for path in python_files(*SOURCES)
        if (lines := environment_reads(ast.parse(path.read_text(encoding="utf-8"))))
    }

    assert set(readers) == {"harness/run/config.py"}


def test_checks_parse_no_answer_themselves() -> None:
    """In contracts/ only schemathesis' hooks and the judging of its failures call .json(); nothing calls json.loads."""
    parsers = set()
    for path in python_files(CONTRACTS, LOAD):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr == "json" or (node.func.attr == "loads" and getattr(node.func.value, "id", "") == "json"):
                parsers.add(relative(path))

    assert parsers <= {"contracts/conftest.py", "contracts/schema.py", "contracts/test_stateful.py"}


def test_reports_run_nothing() -> None:
    """harness/reports/ imports no runner, plugin, suite or server, and of harness.client only its text helper."""
    forbidden = ("harness.conformance", "harness.loadtest.runner", "harness.loadtest.users", "harness.reference",
                 "harness.run.embedded", "harness.selftest", "harness.cli", "harness.run.processes", "contracts",
                 "load")  # fmt: skip
    offenders = []
    for path in python_files(PACKAGE / "reports"):
        modules = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{relative(path)}: {m}" for m in sorted(modules)
                      if any(m == name or m.startswith(f"{name}.") for name in forbidden)]  # fmt: skip
        offenders += [f"{relative(path)}: {m}" for m in sorted(modules)
                      if m.startswith("harness.client.") and m != "harness.client.pretty"]  # fmt: skip

    assert offenders == []


def test_only_the_registry_names_report_files() -> None:
    """No module but harness/reports/__init__.py spells the name of a file or folder a run writes to its reports."""
    names = {*reports.RESULT_FILES.values(), *(item.path for item in reports.FORMATS), reports.ALLURE_RESULTS,
             reports.ALLURE_REPORT, reports.SERVER_LOG, reports.BADGE, reports.RECORDINGS, *reports.SELFTEST,
             *reports.MUTATIONS}  # fmt: skip
    names |= {name.rsplit("/", 1)[-1] for name in names}
    offenders = []
    for path in python_files(*SOURCES):
        if path == PACKAGE / "reports" / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
                offenders.append(f"{relative(path)}:{node.lineno} {node.value!r}")

    assert len(names) > 10
    assert offenders == []


def test_only_the_scratch_module_names_the_files_processes_exchange() -> None:
    """No module but harness/run/scratch.py spells the name of a file a run's processes exchange (the run's
    configuration, gates, parts of the result, pool folders, progress, waits)."""
    names = {scratch.CONFIG_FILE, scratch.GATE, scratch.PARTS, scratch.POOL, scratch.PROGRESS, scratch.WAITING}
    offenders = []
    for path in python_files(*SOURCES):
        if path == PACKAGE / "run" / "scratch.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or " " in node.value:
                continue  # prose may name them
            if node.value in names or node.value.startswith((scratch.POOL, scratch.PROGRESS)):  # f"pool-{phase}"
                offenders.append(f"{relative(path)}:{node.lineno} {node.value!r}")

    assert len(names) == 6
    assert offenders == []
