"""The layers ARCHITECTURE.md draws, read from the imports: nothing imports upward, and no two parts import each other.

From the bottom: the foundation and the toolkit (harness/*.py, flat), the typed results and their reports
(harness/results/, harness/reports/), the engine both suites share (harness/run/), the suites' hosts
(harness/conformance/, harness/loadtest/), and the commands (cli.py, selftest.py, mutation_matrix.py). The
reference server (harness/reference/) stands apart: only the engine starts it, and the commands list its faults.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

import pytest

from harness.paths import PACKAGE

SUITE_HOSTS = ("harness.conformance", "harness.loadtest")
COMMANDS = ("harness.cli", "harness.__main__", "harness.selftest", "harness.mutation_matrix")
SUITES = ("contracts", "load")  # the suites themselves, above their hosts


def module_name(path_parts: tuple[str, ...]) -> str:
    parts = list(path_parts)
    parts[-1] = parts[-1].removesuffix(".py")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def harness_imports() -> dict[str, set[str]]:
    """Each module of the package, with the harness modules it imports (anywhere in it: at the top, in a
    function, under TYPE_CHECKING)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_bundled" in path.parts:
            continue
        name = module_name(path.relative_to(PACKAGE.parent).parts)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        graph[name] = {module for module in found if module.split(".")[0] in ("harness", *SUITES)}
    return graph


def within(module: str, parts: tuple[str, ...]) -> bool:
    return any(module == part or module.startswith(f"{part}.") for part in parts)


def part_of(module: str) -> str:
    """The part a module belongs to: its subpackage of harness (harness.run, ...), or the flat module itself."""
    pieces = module.split(".")
    if pieces[0] != "harness" or len(pieces) == 1:
        return pieces[0]
    return ".".join(pieces[:2]) if (PACKAGE / pieces[1]).is_dir() else module


def upward_imports(graph: Mapping[str, set[str]]) -> list[str]:
    """Imports of a suite host, a command or a suite from below them (the foundation, toolkit, results, reports,
    engine and reference server)."""
    return [
        f"{module} imports {imported}"
        for module, imports in sorted(graph.items())
        if not within(module, (*SUITE_HOSTS, *COMMANDS))
        for imported in sorted(imports)
        if within(imported, (*SUITE_HOSTS, *COMMANDS, *SUITES))
    ]


def mutual_imports(graph: Mapping[str, set[str]]) -> list[str]:
    """Pairs of parts (subpackages, flat modules) that import each other."""
    edges: dict[str, set[str]] = {}
    for module, imports in graph.items():
        for imported in imports:
            if part_of(imported) != part_of(module) and part_of(imported) != "harness":
                edges.setdefault(part_of(module), set()).add(part_of(imported))
    return sorted(f"{a} <-> {b}" for a, targets in edges.items() for b in targets if a < b and a in edges.get(b, ()))


@pytest.fixture
def graph() -> dict[str, set[str]]:
    return harness_imports()


def test_the_package_is_read_whole(graph: dict[str, set[str]]) -> None:
    """The graph holds every layer, so the rules below judge something."""
    parts = {part_of(module) for module in graph}

    assert {"harness.run", "harness.results", "harness.reports", *SUITE_HOSTS, "harness.client"} <= parts
    assert len(graph) > 80


def test_nothing_below_the_suite_hosts_imports_them(graph: dict[str, set[str]]) -> None:
    """The foundation, toolkit, results, reports and engine import no suite host, command or suite."""
    assert upward_imports(graph) == []


def test_no_two_parts_import_each_other(graph: dict[str, set[str]]) -> None:
    """No two subpackages or flat modules of harness import each other (within a subpackage, modules may)."""
    assert mutual_imports(graph) == []


def planted(graph: Mapping[str, set[str]], module: str, imported: str) -> dict[str, set[str]]:
    """The graph with one more import."""
    return {**graph, module: {*graph.get(module, set()), imported}}


def test_an_upward_import_is_caught(graph: dict[str, set[str]]) -> None:
    """Planting an import of the load host in the engine's configuration breaks both rules (as before issue 27)."""
    broken = planted(graph, "harness.run.config", "harness.loadtest.profiles")

    assert upward_imports(broken) == ["harness.run.config imports harness.loadtest.profiles"]
    assert mutual_imports(broken) == ["harness.loadtest <-> harness.run"]
