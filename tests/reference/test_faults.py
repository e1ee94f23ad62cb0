"""Planted faults change the server only through its declared seams; the clean path never asks for them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from harness.paths import PACKAGE
from harness.reference import faults
from harness.reference.app import Reference, ServerConfig
from harness.reference.faults import CATALOGUE, VARIANTS

REFERENCE = PACKAGE / "reference"


@pytest.mark.parametrize("name", [*CATALOGUE, *VARIANTS])
def test_every_fault_plants_into_a_fresh_server(name: str) -> None:
    """Each fault and variant plants without error: every seam it replaces is declared."""
    faults.apply([name], Reference.build(ServerConfig()))


def test_what_is_not_a_seam_cannot_be_replaced() -> None:
    """override() refuses a name its part does not list in SEAMS."""
    ref = Reference.build(ServerConfig())

    with pytest.raises(AttributeError, match="not a declared seam"):
        ref.workspaces.override("summary", lambda original: original)


def test_declared_seams_exist() -> None:
    """Every name a part declares as a seam is one of its members."""
    ref = Reference.build(ServerConfig())
    parts = [ref.backend, ref.backend.rules, ref.auth, ref.workspaces, ref.projects, ref.volumes]

    assert [(type(part).__name__, name) for part in parts for name in part.SEAMS if not hasattr(part, name)] == []


def assignments_over_members(path: Path) -> list[str]:
    """``x.y = ...`` (other than a function's __doc__) and setattr() calls: how faults used to patch methods."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign | ast.AugAssign)
            else []
        )
        found += [f"{path.name}:{node.lineno}" for t in targets if isinstance(t, ast.Attribute) and t.attr != "__doc__"]
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr":
            found.append(f"{path.name}:{node.lineno} setattr")
    return found


def test_faults_assign_over_no_part_of_the_server() -> None:
    """The catalogue replaces parts only through override(); nothing in the server needs a method-assign ignore."""
    catalogue = sorted((REFERENCE / "faults").glob("*.py"))

    assert len(catalogue) >= 10
    assert [finding for path in catalogue for finding in assignments_over_members(path)] == []
    assert [p.name for p in REFERENCE.rglob("*.py") if "method-assign" in p.read_text(encoding="utf-8")] == []


def test_the_clean_path_never_asks_which_faults_are_on() -> None:
    """Outside the catalogue only create_app plants faults (app.py) and the mutations reuse the machinery;
    no module of the clean path names a fault."""
    names = set(CATALOGUE) | set(VARIANTS)
    importers, naming = [], []
    for path in sorted(REFERENCE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and (
                    node.module.startswith("harness.reference.faults")
                    or (node.module == "harness.reference" and any(alias.name == "faults" for alias in node.names))
                )
            ):
                importers.append(path.name)
            if isinstance(node, ast.Constant) and node.value in names:
                naming.append(f"{path.name}:{node.lineno}")

    assert sorted(set(importers)) == ["app.py", "mutations.py"]
    assert naming == []
