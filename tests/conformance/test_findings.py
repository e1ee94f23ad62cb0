"""Servers we did not write: each finding of issue 19 reproduced end to end, and now coming out right."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.requirements import by_id
from harness.run.embedded import EmbeddedServer
from tests.conformance.test_runner import contract
from tests.conftest import ADMIN, OTHER, READER

pytestmark = pytest.mark.slow
KEYS = {"STRONGLY_API_KEY": ADMIN, "STRONGLY_READONLY_API_KEY": READER, "STRONGLY_OTHER_API_KEY": OTHER}


def conformance(reports: Path) -> dict[str, Any]:
    return json.loads((reports / "conformance.json").read_text())


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {row["id"]: row["status"] for row in document["requirements"]}


def ran_without_breaking(run: Any, reports: Path) -> dict[str, Any]:
    """The run ended with a verdict about the target: no harness error, no configuration error."""
    assert run.returncode not in (2, 3), run.stdout[-3000:] + run.stderr[-2000:]
    document = conformance(reports)
    assert [c["check"] for c in document["checks"] if c["status"] == "error"] == []
    return document


def test_a_create_answering_id_instead_of_workspace_id_is_a_finding(tmp_path: Path) -> None:
    """{"id": ...} for {"workspaceId": ...}: the stateful model and the factory report it, exit 1, not 3."""
    run = contract("--fault", "create-answers-id", "--requirement", "GEN-STATE-001", "--requirement", "WS-LIFE-001",
                   "--reports", str(tmp_path))  # fmt: skip

    document = ran_without_breaking(run, tmp_path)
    assert run.returncode == 1
    assert statuses(document)["WS-LIFE-001"] == "fail"
    assert "workspaceId" in json.dumps(document["rootCauses"])


def test_a_collaborator_answered_but_never_listed_fails_its_requirement(tmp_path: Path) -> None:
    """201 on add, then absent from the list: PRJ-COLLAB-002 fails, -003 (which needs the collaborator) is
    blocked by it, and the harness does not break."""
    run = contract("--fault", "collaborator-not-listed", "--requirement", "PRJ-COLLAB-002",
                   "--requirement", "PRJ-COLLAB-003", "--reports", str(tmp_path))  # fmt: skip

    document = ran_without_breaking(run, tmp_path)
    assert run.returncode == 1
    assert (statuses(document)["PRJ-COLLAB-002"], statuses(document)["PRJ-COLLAB-003"]) == ("fail", "blocked")
    causes = [cause for cause in document["rootCauses"] if "PRJ-COLLAB-003" in cause["blocks"]]
    assert causes
    assert all("PRJ-COLLAB-002" in cause["fails"] for cause in causes)


BLOCKED_BY_TWO = ["PRJ-COLLAB-001", "PRJ-COLLAB-003", "PRJ-COLLAB-004", "AUTH-ISO-003"]
NOT_BLOCKED = ["PRJ-STATS-001", "WS-LIFE-007"]  # their setup stops workspaces, but never reads the stop's answer


def test_two_root_causes_are_named_once_and_block_what_they_block(tmp_path: Path) -> None:
    """Two findings (an added collaborator never listed, stop answering `stopping`): the terminal shows exactly two
    root causes; every requirement whose checks the first stopped is blocked, not failed; and the second blocks
    nothing, for no setup needs the stop's answer (it waits for the workspace to read stopped)."""
    args = [arg for rid in BLOCKED_BY_TWO + NOT_BLOCKED for arg in ("--requirement", rid)]
    # The add answer's shape (collaborator-answers-message) is no setup finding since issue 14: the SDK's
    # add_collaborator "Returns dict", and the factory finds the collaborator in the list.
    run = contract("--fault", "collaborator-not-listed", "--fault", "stop-answers-stopping", *args,
                   "--reports", str(tmp_path))  # fmt: skip

    document = ran_without_breaking(run, tmp_path)
    assert run.returncode == 1  # the two root causes break MUSTs (PRJ-COLLAB-002, GEN-SCHEMA-001)
    assert "Root causes (2)" in run.stdout
    assert re.findall(r"^(\d+)\. ", run.stdout, re.MULTILINE) == ["1", "2"]
    assert len(document["rootCauses"]) == 2
    assert all(cause["curl"].startswith("curl ") for cause in document["rootCauses"])  # met in setup, still shown
    assert {status for rid, status in statuses(document).items() if rid in BLOCKED_BY_TWO} == {"blocked"}
    assert [statuses(document)[rid] for rid in NOT_BLOCKED] == ["pass", "pass"]
    blocked = {rid for cause in document["rootCauses"] for rid in cause["blocks"]}
    assert set(BLOCKED_BY_TWO) <= blocked
    assert [rid for rid in blocked - set(BLOCKED_BY_TWO) if by_id()[rid].is_must] == []  # only what they recommend
    allure = [json.loads(path.read_text()) for path in (tmp_path / "allure-results").glob("*-result.json")]
    assert len([result for result in allure if result["name"].startswith("Root cause ")]) == 2
    skipped = [result for result in allure if result["status"] == "skipped"]
    assert skipped
    assert all(result["statusDetails"]["message"].startswith("blocked by rc-") for result in skipped)
    junit = (tmp_path / "junit.xml").read_text()
    assert junit.index('name="root causes"') < junit.index('<testsuite name="auth"')


def test_a_subset_is_partial_never_conformant(tmp_path: Path) -> None:
    """--requirement GEN-ERR-001 prints PASSED ... (partial), exits 0 and writes verdict partial."""
    run = contract("--requirement", "GEN-ERR-001", "--reports", str(tmp_path))

    assert run.returncode == 0, run.stdout[-2000:]
    assert "PASSED 1 of " in run.stdout
    assert "CONFORMANT" not in run.stdout
    assert conformance(tmp_path)["verdict"] == "partial"


def test_a_skipped_must_makes_the_run_incomplete(tmp_path: Path) -> None:
    """An external target without STRONGLY_RESTART_COMMAND: DUR-001 is not checked, so INCOMPLETE and exit 4."""
    with EmbeddedServer(provision_delay=0.1) as server:
        run = contract("--requirement", "DUR-001", "--requirement", "PRJ-LIFE-001", "--reports", str(tmp_path),
                       env={**KEYS, "STRONGLY_BASE_URL": server.base_url})  # fmt: skip

    assert run.returncode == 4, run.stdout[-2000:]
    assert "INCOMPLETE: DUR-001 not checked (STRONGLY_RESTART_COMMAND is not set)" in run.stdout
    assert conformance(tmp_path)["verdict"] == "incomplete"


def test_cleanup_waits_for_a_stop_to_land(tmp_path: Path) -> None:
    """A server that refuses deletes for a moment after a stop: nothing of the run is left behind."""
    with EmbeddedServer(provision_delay=0.1, faults=("stop-takes-a-moment",)) as server:
        run = contract("--requirement", "WS-LIFE-004", "--requirement", "PRJ-STATS-001", "--reports", str(tmp_path),
                       env={**KEYS, "STRONGLY_BASE_URL": server.base_url})  # fmt: skip
        with httpx.Client(base_url=server.base_url, headers={"X-API-Key": ADMIN}) as admin:
            left = [admin.get(f"/api/v1/{kind}", params={"search": "sh-", "limit": 100}).json()["count"]
                    for kind in ("workspaces", "volumes", "projects")]  # fmt: skip

    document = ran_without_breaking(run, tmp_path)
    assert document["cleanup"]["problems"] == []
    assert left == [0, 0, 0]


def test_json_labelled_text_plain_is_the_api_non_conformant(tmp_path: Path) -> None:
    """Preflight lets it through; the suite reports GEN-SCHEMA-003 and exits 1, not 2."""
    run = contract("--fault", "json-as-text-plain", "--requirement", "PRJ-LIFE-001", "--reports", str(tmp_path))

    document = ran_without_breaking(run, tmp_path)
    assert run.returncode == 1
    assert statuses(document)["GEN-SCHEMA-003"] == "fail"


def test_whole_second_timestamps_and_extra_fields_are_conformant(tmp_path: Path) -> None:
    """The documents' own whole-second timestamps and answers that grow fields pass the checks that read them."""
    chosen = ["GEN-TIME-001", "PRJ-STATS-001", "PRJ-LIFE-001", "VOL-LIFE-001", "WS-LIFE-001", "WS-LIFE-006"]
    run = contract("--fault", "whole-second-timestamps", "--fault", "extra-fields",
                   *[arg for rid in chosen for arg in ("--requirement", rid)], "--reports", str(tmp_path))  # fmt: skip

    assert run.returncode == 0, run.stdout[-3000:]
    stamps = re.findall(r'"updatedAt": "([^"]+)"', json.dumps(conformance(tmp_path)["checks"]))
    assert all("." not in stamp for stamp in stamps)  # the variant really answered whole seconds


def test_a_route_that_hangs_is_waited_on_in_full_once(tmp_path: Path) -> None:
    """Logs hang: the first request waits the 3 s timeout, later ones 2 s, and the report says so."""
    started = time.monotonic()
    run = contract("--fault", "logs-hang", "--requirement", "WS-LIFE-013", "--request-timeout", "3",
                   "--reports", str(tmp_path))  # fmt: skip

    document = ran_without_breaking(run, tmp_path)
    assert run.returncode == 1
    [note] = [note for note in document["run"]["notes"] if "timed out" in note]
    assert note.startswith("getWorkspaceLogs timed out ")
    assert "at most 2s" in note
    waits = [e["elapsed"] for c in document["checks"] for f in c["failures"] for e in f["exchanges"] if e["error"]]
    assert waits
    assert max(waits) < 3.5
    assert time.monotonic() - started < 120


def test_a_restart_that_never_settles_is_a_durability_finding(tmp_path: Path) -> None:
    """A restart command after which the target is gone: DUR-001 fails saying so; checks before it still pass."""
    with EmbeddedServer(provision_delay=0.1) as server:
        pid = server.ready_file.read_text().split()[0]
        run = contract("--requirement", "DUR-001", "--requirement", "PRJ-LIFE-001", "--reports", str(tmp_path),
                       "--provision-wait", "5", env={**KEYS, "STRONGLY_BASE_URL": server.base_url,
                                                      "STRONGLY_RESTART_COMMAND": f"kill -TERM {pid}"})  # fmt: skip

    document = ran_without_breaking(run, tmp_path)
    assert run.returncode == 1
    assert statuses(document)["DUR-001"] == "fail"
    assert statuses(document)["PRJ-LIFE-001"] == "pass"
    assert "did not answer steadily" in json.dumps(document["rootCauses"])
    assert statuses(document)["GEN-HTTP-001"] == "not run"


COUNTING = ["GEN-LIST-003", "PRJ-STATS-001"]  # requirements whose checks need a count
NOT_COUNTING = ["PRJ-COLLAB-002", "PRJ-COLLAB-003", "AUTH-KEY-001", "DUR-002", "GEN-LIST-001", "VOL-SHARE-002"]


def test_every_count_a_string_is_one_root_cause(tmp_path: Path) -> None:
    """Every count a JSON string ("3", as a bigint driver returns it): exit 1, one root cause on the first screen
    naming the operations it covers, and nothing blocked but what needs a count."""
    args = [arg for rid in COUNTING + NOT_COUNTING for arg in ("--requirement", rid)]
    run = contract("--fault", "counts-as-strings", *args, "--reports", str(tmp_path))

    document = ran_without_breaking(run, tmp_path)
    assert run.returncode == 1, run.stdout[-3000:]
    assert "Root causes (1)" in run.stdout, run.stdout[-3000:]
    [cause] = [c for c in document["rootCauses"] if "GEN-SCHEMA-001" in c["fails"]]
    assert cause["title"].startswith("`count`")
    assert "a string where the documents show an integer" in cause["title"]
    assert len(cause["operations"]) >= 4
    assert {rid for rid in cause["blocks"] if by_id()[rid].is_must} <= set(COUNTING), cause["blocks"]
    assert {rid: statuses(document)[rid] for rid in NOT_COUNTING} == dict.fromkeys(NOT_COUNTING, "pass")


def test_a_500_met_by_a_schema_check_is_one_root_cause(tmp_path: Path) -> None:
    """A create answered 500 is its server error (GEN-SCHEMA-004) alone: not also an undocumented status
    (GEN-SCHEMA-002) nor a valid request refused (GEN-VALID-002), which schemathesis' other checks read in it."""
    check = "test_schema.py::test_operation_conforms[POST /api/v1/projects]"
    run = contract("--fault", "server-error-on-unicode", "--check", check, "--reports", str(tmp_path))

    document = ran_without_breaking(run, tmp_path)
    assert run.returncode == 1, run.stdout[-3000:]
    [checked] = [c for c in document["checks"] if c["check"] == check]
    assert {failure["requirement"] for failure in checked["failures"]} == {"GEN-SCHEMA-004"}, checked["failures"]
