"""`strongly-harness contract` end to end against the embedded reference server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.reference.keys import DEV_KEYS


def contract(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    clean["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])  # this checkout's harness, from any directory
    return subprocess.run([sys.executable, "-m", "harness", "contract", *args], env={**clean, **(env or {})},
                          cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)  # fmt: skip


def every_file_text(root: Path) -> str:
    return "\n".join(path.read_text(errors="replace") for path in root.rglob("*") if path.is_file())


@pytest.mark.slow
def test_a_clean_smoke_run_passes_as_partial(tmp_path: Path) -> None:
    """The smoke profile against the clean reference server exits 0, says it is partial (never "conformant")
    and writes JSON, JUnit and Allure."""
    run = contract("--profile", "smoke", "--reports", "out", cwd=tmp_path)

    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "(partial: profile smoke)" in run.stdout
    assert "CONFORMANT" not in run.stdout
    tmp_path = tmp_path / "out"  # a relative --reports is relative to where the command runs
    document = json.loads((tmp_path / "conformance.json").read_text())
    assert document["verdict"] == "partial"
    assert document["totals"]["fail"] == 0
    assert (tmp_path / "junit.xml").exists()
    assert list((tmp_path / "allure-results").glob("*-result.json"))


@pytest.mark.slow
def test_a_planted_fault_fails_the_run_and_names_the_requirement(tmp_path: Path) -> None:
    """With a running workspace deletable, the run exits 1 naming WS-LIFE-008, with a curl line and no key."""
    run = contract("--fault", "delete-running", "--requirement", "WS-LIFE-008", "--reports", str(tmp_path))

    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "WS-LIFE-008" in run.stdout
    document = json.loads((tmp_path / "conformance.json").read_text())
    [requirement] = [r for r in document["requirements"] if r["id"] == "WS-LIFE-008"]
    assert requirement["status"] == "fail"
    failure = requirement["failures"][0]
    assert failure["operation"] == "deleteWorkspace"
    assert "409" in failure["message"]
    assert failure["exchanges"][-1]["curl"].startswith("curl ")
    assert not any(key in every_file_text(tmp_path) for key in DEV_KEYS)


def test_an_unreachable_target_exits_2_quickly() -> None:
    """Nothing listening at --base-url: one line, exit 2, within seconds."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()

    run = contract("--base-url", f"http://127.0.0.1:{port}", env={"STRONGLY_API_KEY": "k"})

    assert run.returncode == 2
    assert run.stderr.startswith("strongly-harness: cannot reach")
    assert len(run.stderr.strip().splitlines()) == 1
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("args", "env", "complaint"),
    [
        (["--profile", "everything"], {}, "unknown profile"),
        (["--base-url", "ftp://x"], {"STRONGLY_API_KEY": "k"}, "http:// or https://"),
        (["--base-url", "http://127.0.0.1:9"], {}, "STRONGLY_API_KEY is not set"),
        (["--requirement", "NOPE-1"], {}, "unknown requirement"),
        (["--base-url", "http://127.0.0.1:9", "--fault", "delete-running"], {"STRONGLY_API_KEY": "k"}, "embedded"),
    ],
)
def test_bad_configuration_exits_2(args: list[str], env: dict[str, str], complaint: str) -> None:
    """Bad profile, URL, missing key, unknown requirement, or a fault for a remote target: exit 2, one line."""
    run = contract(*args, env=env)

    assert run.returncode == 2
    assert complaint in run.stderr
    assert "Traceback" not in run.stderr


def test_list_prints_the_requirements_of_a_profile() -> None:
    """--list counts the requirements and checks a profile runs, by area, without a target."""
    run = contract("--list", "--profile", "smoke")

    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("profile smoke: ")
    assert "WS-LIFE-001" in run.stdout
    assert "GEN-LIST-001" not in run.stdout


def test_list_shows_each_level_and_basis() -> None:
    """--list prints every requirement's level and its basis: the quotes from the sources, the decision,
    and for a SHOULD what it recommends."""
    run = contract("--list")

    assert run.returncode == 0, run.stderr
    assert "MUST, " in run.stdout.splitlines()[0]
    assert "SHOULD)" in run.stdout.splitlines()[0]
    lines = run.stdout.splitlines()
    ws = next(i for i, line in enumerate(lines) if line.strip().startswith("WS-LIFE-001 "))
    assert " MUST " in lines[ws]
    assert "basis: “Response 201 Created" in lines[ws + 1]
    assert "D-01" in lines[ws + 1]
    err = next(i for i, line in enumerate(lines) if line.strip().startswith("GEN-ERR-001 "))
    assert " SHOULD " in lines[err]
    assert "recommended: the error body {code, message}" in lines[err + 1]


@pytest.mark.slow
def test_a_concurrent_run_is_one_result_of_its_phases(tmp_path: Path) -> None:
    """With workers, the quiet, concurrent and restart phases each run their own checks once, the parts
    merge into one report, workspaces made ahead and not claimed are removed, and nothing leaks."""
    run = contract("--concurrency", "2", "--requirement", "GEN-ID-002", "--requirement", "WS-LIFE-004",
                   "--requirement", "DUR-001", "--reports", str(tmp_path))  # fmt: skip

    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    document = json.loads((tmp_path / "conformance.json").read_text())
    checks = [check["check"] for check in document["checks"]]
    assert len(checks) == len(set(checks))  # each check ran in one phase only
    quiet = max(i for i, check in enumerate(checks) if "test_deleted_ids_are_never_reused" in check)
    concurrent = checks.index("test_workspaces.py::test_stop_a_running_workspace")  # with a pooled workspace
    assert quiet < concurrent < len(checks) - 1
    assert checks[-1] == "test_durability.py::test_writes_survive_a_restart"
    asked = {"GEN-ID-002", "WS-LIFE-004", "DUR-001"}
    assert {r["id"]: r["status"] for r in document["requirements"] if r["id"] in asked} == dict.fromkeys(asked, "pass")
    assert document["cleanup"]["problems"] == []
    assert (tmp_path / "contract-suite.log").exists()


@pytest.mark.slow
def test_chosen_checks_build_only_their_operations_and_say_which_calls_were_their_own(tmp_path: Path) -> None:
    """`--check` runs exactly the checks it names (and the first looks that mirror them), a schema check among them
    (schemathesis builds only its operation's tests: tests/test_contract_hooks.py), and a clean run tells each
    check's own requests from its setup's (where the mutation matrix aims)."""
    run = contract("--reports", str(tmp_path), "--check", "test_operation_conforms[GET /api/v1/projects/{projectId}]",
                   "--check", "test_projects.py::test_create_answers_201_and_applies_defaults")  # fmt: skip

    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    checks = {check["check"]: check for check in json.loads((tmp_path / "conformance.json").read_text())["checks"]}
    named = ["test_projects.py::test_create_answers_201_and_applies_defaults",
             "test_schema.py::test_operation_conforms[GET /api/v1/projects/{projectId}]"]  # fmt: skip
    assert sorted(checks) == [*(f"first_look::{check}" for check in named), *named]
    created = checks["test_projects.py::test_create_answers_201_and_applies_defaults"]
    assert created["operations"] == ["createProject", "getProject"]  # its factory reads the project back
    assert created["own_operations"] == ["createProject"]
