"""Allure results: the root causes as their own results, and blocked checks marked as such.

allure-pytest writes one result per check as it runs, before the run knows its root causes; this
adds a "Root causes" suite (severity blocker, so Allure lists them first) and turns the results of
blocked checks from "broken" into "skipped", naming the root cause that stopped them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

from harness.requirements import by_id
from harness.results import RunResult


def annotate(result: RunResult, directory: Path) -> None:
    """Rewrite ``directory`` (an allure-results folder) after the run; nothing happens without one."""
    if not directory.is_dir():
        return
    blocked = {check.check: check for check in result.checks if check.status == "blocked"}
    for path in directory.glob("*-result.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        check = blocked.get(node_id(document))
        if check is None:
            continue
        document["status"] = "skipped"
        document["statusDetails"] = {"message": f"blocked by {check.blocked_by}: {check.reason or ''}"}
        path.write_text(json.dumps(document), encoding="utf-8")
    if result.model_coverage is not None:  # shown on Allure's overview, beside the run's environment
        coverage = result.model_coverage
        with (directory / "environment.properties").open("a", encoding="utf-8") as environment:
            environment.write(
                f"model.pairs={coverage.exercised} of {coverage.pairs} (operation, view) pairs exercised\n"
            )
    catalogue = by_id()
    for number, cause in enumerate(result.root_causes(), 1):
        charged = catalogue.get(cause.fails[0])
        headline = cause.title
        details = f"Fails: {', '.join(cause.fails)}\nBlocks: {', '.join(cause.blocks) or 'none'}"
        document = {
            "uuid": str(uuid.uuid4()),
            "historyId": hashlib.md5(cause.id.encode(), usedforsecurity=False).hexdigest(),
            "name": f"Root cause {number}: {headline[:160]}",
            "fullName": f"root-causes#{cause.id}",
            "status": "failed",
            "stage": "finished",
            "statusDetails": {"message": cause.message, "trace": details + (f"\n\n{cause.curl}" if cause.curl else "")},
            "labels": [
                {"name": "suite", "value": "Root causes"},
                {"name": "severity", "value": "blocker"},
                {"name": "feature", "value": charged.area if charged else "root causes"},
                {"name": "epic", "value": charged.resource if charged else "root causes"},
                *({"name": "requirement", "value": rid} for rid in cause.fails),
            ],
        }
        (directory / f"{document['uuid']}-result.json").write_text(json.dumps(document), encoding="utf-8")


def node_id(document: dict[str, object]) -> str:
    """The pytest node id of an allure-pytest result: ``test_file.py::name[params]``."""
    module = str(document.get("fullName", "")).split("#", 1)[0]
    return f"{module.replace('.', '/')}.py::{document.get('name', '')}"
