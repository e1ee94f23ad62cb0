"""What the load scenarios declare, read from load/locustfile.py without importing it.

Importing a locustfile imports Locust, which patches the whole process with gevent; the harness's
own process must not be patched. So the names a profile may use are read from the file's source:
the ``mix`` each scenario class declares (a profile's ``mix`` weights them) and the keys of its
``ROUTES`` table (a profile's ``routes`` weights the open model's requests by them). Adding a
scenario or a route is then an edit of the locustfile alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.paths import LOCUSTFILE

__all__ = ["LOCUSTFILE", "Declared", "declared"]


@dataclass(frozen=True)
class Declared:
    mix: frozenset[str]  # the scenarios' mix keys
    routes: frozenset[str]  # the route table's keys


@cache
def declared(path: Path = LOCUSTFILE) -> Declared:
    """The mix keys of the scenario classes and the keys of the module's ``ROUTES`` table."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    mix: set[str] = set()
    routes: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            mix |= {value for statement in node.body for value in _constants(statement, "mix")}
        else:
            value = _assigned(node, "ROUTES")
            if isinstance(value, ast.Dict):
                routes |= {str(key.value) for key in value.keys if isinstance(key, ast.Constant)}
    return Declared(frozenset(mix), frozenset(routes))


def _assigned(node: ast.stmt, name: str) -> ast.expr | None:
    """The value of ``name = ...`` or ``name: T = ...``, if the statement is one."""
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
        return node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
        return node.value
    return None


def _constants(node: ast.stmt, name: str) -> list[str]:
    value = _assigned(node, name)
    return [str(value.value)] if isinstance(value, ast.Constant) else []
