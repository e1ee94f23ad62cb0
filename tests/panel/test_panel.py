"""The panel gate: servers written by others from the documents alone hold every MUST, and each fails exactly the
requirement of the one sentence of the documents its planted violation breaks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from panel.launch import PANEL, SERVERS, PanelServer, copy_of
from tests.conformance.test_runner import contract

pytestmark = pytest.mark.slow
# Each server's planted violation (panel/violations/NAME.patch, a change to its own code): the sentence it breaks,
# and the requirement that quotes that sentence.
VIOLATIONS = {
    "node": ("WS-LIFE-008", "The workspace must be stopped before deletion."),
    "flask": ("WS-LIFE-010", "Certain fields (e.g., resources) can only be updated while the workspace is stopped."),
    "java": ("WS-LIST-002", "Filter by status: pending, running, stopped, failed, terminated"),
}
# What a broken rule may also fail besides its own requirement: the model phase reports any view it sees break.
CATCH_ALL = {"GEN-MODEL-001"}
# Every build runs each faithful server in full and each violation for its own requirement; the release gate
# (STRONGLY_PANEL=full) runs the violations in full too, to show they break nothing else (README, "The panel").
FULL_PANEL = os.environ.get("STRONGLY_PANEL") == "full"


def default_level(server: PanelServer, reports: Path, *only: str) -> tuple[Any, dict[str, Any]]:
    """The full profile, durability included, at the default level against a panel server (or only some
    requirements of it)."""
    selection = [flag for requirement in only for flag in ("--requirement", requirement)]
    run = contract(
        "--seed",
        "1",
        "--concurrency",
        "2",
        "--reports",
        str(reports),
        *selection,
        env=server.environment(),
        timeout=900,
    )
    return run, json.loads((reports / "conformance.json").read_text())


def failed_musts(document: dict[str, Any]) -> set[str]:
    return {row["id"] for row in document["requirements"] if row["level"] == "MUST" and row["status"] == "fail"}


def passed(document: dict[str, Any]) -> set[str]:
    return {row["id"] for row in document["requirements"] if row["status"] == "pass"}


@pytest.fixture(scope="module", params=SERVERS)
def faithful(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Any, dict[str, Any]]:
    """A panel server as its author wrote it, and the default level's run against it."""
    with PanelServer(request.param) as server:
        run, document = default_level(server, tmp_path_factory.mktemp(f"{request.param}-faithful"))
    return request.param, run, document


def test_every_panel_server_holds_every_must(faithful: tuple[str, Any, dict[str, Any]]) -> None:
    """Each server written from the documents alone is CONFORMANT at the default level: no MUST fails, none is
    left unchecked (the restart command makes the durability check run), and cleanup leaves nothing behind."""
    _, run, document = faithful

    assert failed_musts(document) == set(), run.stdout[-3000:]
    assert (run.returncode, document["verdict"]) == (0, "conformant"), run.stdout[-3000:]


def test_a_planted_violation_fails_exactly_its_requirement(
    faithful: tuple[str, Any, dict[str, Any]], tmp_path: Path
) -> None:
    """The server with one sentence of the documents broken in its own code fails that sentence's requirement; in the
    release gate's whole run it passes everything else the faithful server passes (the model phase may report the
    same break; a check stopped by the violation blocks the other requirements it shares)."""
    name, _, faithful_document = faithful
    requirement, sentence = VIOLATIONS[name]
    source = copy_of(name, tmp_path)
    patched = subprocess.run(
        [shutil.which("patch") or "patch", "-p1", "-d", str(source), "-i", str(PANEL / "violations" / f"{name}.patch")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert patched.returncode == 0, patched.stdout + patched.stderr

    with PanelServer(name, source=source) as server:
        run, document = default_level(server, tmp_path / "reports", *(() if FULL_PANEL else (requirement,)))

    assert run.returncode == 1, run.stdout[-3000:]
    assert requirement in failed_musts(document), f"{sentence!r} broken, yet {requirement} did not fail"
    assert failed_musts(document) - CATCH_ALL == {requirement}, run.stdout[-3000:]
    if not FULL_PANEL:
        return  # what else the violation fails or blocks needs the whole run: the release gate's
    # a check that met the violation stopped there: the other requirements it shares are blocked, honestly
    stopped = {rid for cause in document["rootCauses"] if requirement in cause["fails"] for rid in cause["blocks"]}
    lost = passed(faithful_document) - passed(document) - CATCH_ALL - {requirement} - stopped
    assert lost == set(), f"the violation of {requirement} also failed or blocked {sorted(lost)}"


def test_every_violation_quotes_its_requirements_sentence() -> None:
    """A planted violation breaks a plain sentence: the one its requirement quotes."""
    from harness.requirements import by_id

    catalogue = by_id()
    unquoted = {name: rid for name, (rid, sentence) in VIOLATIONS.items() if sentence not in catalogue[rid].quotes}

    assert set(VIOLATIONS) == set(SERVERS)
    assert unquoted == {}
