"""Root causes shown as they are found, and a run that stops at its Nth (`contract --max-failures N`, `-x`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import httpx
import pytest

from harness.conformance import early_stop
from harness.redact import Redactor
from harness.reference.keys import DEV_KEYS
from harness.requirements import load_catalogue
from harness.results import CheckResult, Failure, RunResult, leads
from harness.run.embedded import EmbeddedServer
from harness.run.scratch import findings_folder, stop_file
from tests.conftest import ADMIN, OTHER, READER

ROOT = Path(__file__).resolve().parents[2]
MUST, SHOULD = "WS-LIFE-008", "GEN-ERR-001"


def sighting(requirement: str, rule: str, operation: str, key: str = "k") -> Failure:
    curl = f"curl -X DELETE -H 'X-API-Key: {key}' http://127.0.0.1:1/api/v1/{operation}/ws_1"
    return Failure(requirement, f"{rule} broken", operation, [{"curl": curl}], rule=rule, phrase=f"{rule} in words")


def check(name: str, *failures: Failure) -> CheckResult:
    return CheckResult(name, [failure.requirement for failure in failures], "fail", failures=list(failures))


def findings(tmp_path: Path, limit: int | None = None) -> early_stop.Findings:
    return early_stop.Findings(tmp_path, load_catalogue(), strict=False, limit=limit)


def write(scratch: Path, process: str, *checks: CheckResult) -> None:
    """What one process of the run leaves, as the plugin leaves it."""
    folder = findings_folder(scratch)
    folder.mkdir(exist_ok=True)
    with (folder / f"{process}.jsonl").open("a") as handle:
        for item in checks:
            handle.write(json.dumps(asdict(item)) + "\n")


def test_each_root_cause_is_shown_once_grouped_as_the_report_groups_them(tmp_path: Path) -> None:
    """Sightings from two processes that break one rule are one root cause, shown once; a SHOULD-only one is not on
    the first screen; the ids shown are those the final report's first screen has."""
    seen = findings(tmp_path)
    first = check("test_a", sighting(MUST, f"{MUST}|refused", "deleteWorkspace"))
    again = check("test_b", sighting(MUST, f"{MUST}|refused", "deleteProject"))  # same rule, another route
    advice = check("test_c", sighting(SHOULD, f"{SHOULD}|error body", "getProject"))

    write(tmp_path, "1", first, advice)
    shown = seen.poll()
    write(tmp_path, "2", again)
    shown_again = seen.poll()
    other = check("test_d", sighting(MUST, f"{MUST}|unchanged", "deleteWorkspace"))
    write(tmp_path, "2", other)
    shown_last = seen.poll()

    report = RunResult("r", "full", "t", "v", "h", 1, "s", checks=[first, advice, again, other])
    levels = {requirement.id: requirement for requirement in load_catalogue()}
    assert [cause.id for cause in shown + shown_again + shown_last] == [
        cause.id for cause in report.root_causes() if leads(cause, levels)
    ]
    assert (len(shown), shown_again, len(shown_last)) == (1, [], 1)


def test_the_limit_asks_every_process_to_stop_once(tmp_path: Path) -> None:
    """At the limit's root cause the stop file appears, with the reason; not before it, and not when nothing is left
    to stop."""
    seen = findings(tmp_path, limit=2)
    write(tmp_path, "1", check("test_a", sighting(MUST, "one", "deleteWorkspace")))
    seen.poll()
    assert not stop_file(tmp_path).exists()

    write(tmp_path, "1", check("test_b", sighting(MUST, "two", "deleteWorkspace")))
    late = findings(tmp_path / "other", limit=1)
    (tmp_path / "other").mkdir()
    write(tmp_path / "other", "1", check("test_a", sighting(MUST, "one", "deleteWorkspace")))
    late.poll(may_stop=False)
    seen.poll()

    assert seen.stopping
    assert (
        stop_file(tmp_path).read_text() == "stopped after 2 root causes (--max-failures 2), before every check had run"
    )
    assert not late.stopping
    assert not stop_file(tmp_path / "other").exists()


def test_root_causes_found_at_once_beyond_the_limit_are_not_shown(tmp_path: Path) -> None:
    """Two workers finding two root causes between two looks: with -x the screen shows one, and nothing after it."""
    seen = findings(tmp_path, limit=1)
    write(tmp_path, "gw0", check("test_a", sighting(MUST, "one", "deleteWorkspace")))
    write(tmp_path, "gw1", check("test_b", sighting(MUST, "two", "deleteProject")))

    assert len(seen.poll()) == 1
    assert seen.stopping
    write(tmp_path, "gw1", check("test_c", sighting(MUST, "three", "deleteVolume")))
    assert seen.poll() == []


def test_a_line_still_being_written_waits_for_the_next_look(tmp_path: Path) -> None:
    """A process may be halfway through its line: only whole lines are read, and nothing is read twice."""
    seen = findings(tmp_path)
    (findings_folder(tmp_path)).mkdir()
    line = json.dumps({"check": "test_a", "requirements": [MUST], "status": "fail",
                       "failures": [asdict(sighting(MUST, "one", "deleteWorkspace"))]})  # fmt: skip
    target = findings_folder(tmp_path) / "1.jsonl"
    target.write_text(line[:40])

    assert seen.poll() == []
    target.write_text(line + "\n")
    assert len(seen.poll()) == 1
    assert seen.poll() == []


def test_a_finding_whose_text_holds_unicode_line_separators_is_read_whole(tmp_path: Path) -> None:
    """A server's answer quoted in a message may hold U+2028 or U+0085: still one JSON line, one finding."""
    seen = findings(tmp_path)
    failure = sighting(MUST, "one", "deleteWorkspace")
    failure.message = "the answer held 'a\u2028b\x85c'"

    early_stop.record(tmp_path, check("test_a", failure))

    assert len(seen.poll()) == 1


def test_a_root_cause_is_its_title_and_its_curl_with_keys_redacted(tmp_path: Path) -> None:
    """The lines shown are the title the first screen gives it and its curl line, with no key in them."""
    seen = findings(tmp_path)
    write(tmp_path, "1", check("test_a", sighting(MUST, "one", "deleteWorkspace", key="secret-key")))

    lines = seen.lines(seen.poll(), Redactor(["secret-key"]))

    assert lines[0] == "root cause: one in words in 1 operation"
    assert lines[1].startswith("   reproduce: curl -X DELETE -H 'X-API-Key: [REDACTED]'")
    assert "secret-key" not in "".join(lines)


CONFTEST = """
from pathlib import Path

from harness.conformance import early_stop, phases

def pytest_configure(config):
    if not phases.is_controller(config):
        early_stop.StopWhenAsked(Path(__file__).parent, lambda reason: None).install(config)
"""
SLOW_CHECKS = """
import time
from pathlib import Path

import pytest

@pytest.fixture
def ended(request):
    yield
    (Path(__file__).parent / f"ended-{request.node.callspec.id}").write_text(str(time.time()))

@pytest.mark.parametrize("n", range(8))
def test_waits(n, ended):
    (Path(__file__).parent / f"started-{n}").touch()
    time.sleep(120)
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_a_stop_ends_the_checks_in_flight_and_starts_no_other(
    tmp_path: Path, workers: list[str], request: pytest.FixtureRequest
) -> None:
    """Once the stop file appears, every process skips the check it is waiting in (within seconds, not the minute it
    would wait) and starts no other one, in one process as in pytest-xdist's workers."""
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_slow.py").write_text(SLOW_CHECKS)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", *workers, str(tmp_path)]
    child = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)  # fmt: skip
    request.addfinalizer(lambda: ended(child))
    in_flight = 2 if workers else 1
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("started-*"))) < in_flight and time.monotonic() < deadline:
        time.sleep(0.1)

    stop_file(tmp_path).write_text("stopped after 1 root cause (--max-failures 1)")
    asked = time.time()
    output, _ = child.communicate(timeout=90)  # the processes end in their own time; a loaded machine is slow

    torn_down = [float(path.read_text()) for path in tmp_path.glob("ended-*")]
    assert len(torn_down) == in_flight, output
    assert max(torn_down) - asked < 10, output  # each check torn down within seconds, not the two minutes it waits
    assert len(list(tmp_path.glob("started-*"))) == in_flight, output
    assert f"{in_flight} skipped" in output
    assert "interrupted: the run stopped after 1 root cause (--max-failures 1)" in output
    assert "passed" not in output


def ended(child: subprocess.Popen[str]) -> None:
    """A session that did not stop is ended with its workers, so a failing test leaves no process behind."""
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


# ------------------------------------------------------------------ whole runs
def contract(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("STRONGLY_")}
    clean["PYTHONPATH"] = str(ROOT)  # this checkout's harness in every process of the run
    return subprocess.run([sys.executable, "-m", "harness", "contract", *args], env={**clean, **(env or {})},
                          capture_output=True, text=True, timeout=900, check=False)  # fmt: skip


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[EmbeddedServer]:
    """A reference server started apart (with the faults the test names), so what a run leaves on it can be read."""
    with EmbeddedServer(provision_delay=0.1, faults=tuple(getattr(request, "param", ()))) as started:
        yield started


def against(server: EmbeddedServer) -> dict[str, str]:
    return {"STRONGLY_BASE_URL": server.base_url, "STRONGLY_API_KEY": ADMIN, "STRONGLY_READONLY_API_KEY": READER,
            "STRONGLY_OTHER_API_KEY": OTHER}  # fmt: skip


def left_behind(server: EmbeddedServer, run_id: str) -> list[str]:
    """Everything named with the run's prefix still on the server, in either organization, read page by page."""
    found = []
    for key in (ADMIN, OTHER):
        with httpx.Client(base_url=server.base_url, headers={"X-API-Key": key}, timeout=10) as client:
            for path, name in (("workspaces", "name"), ("volumes", "label"), ("projects", "name")):
                offset = 0
                while True:
                    page = client.get(f"/api/v1/{path}", params={"limit": 100, "offset": offset}).json()[path]
                    found += [item[name] for item in page if str(item.get(name, "")).startswith(f"sh-{run_id}-")]
                    offset += len(page)
                    if len(page) < 100:
                        break
    return found


def root_cause_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("root cause: ")]


NARROW = ("--concurrency", "2", "--seed", "1", "--requirement", "GEN-ID-002", "--requirement", "WS-LIFE-004")


QUIET_CHECK = "test_errors.py::test_deleted_ids_are_never_reused[project]"  # GEN-ID-002's, in the quiet phase


@pytest.mark.slow
@pytest.mark.parametrize("server", [("reader-can-write",)], indirect=True)
def test_x_stops_at_the_first_root_cause_cleans_up_and_exits_1(server: EmbeddedServer, tmp_path: Path) -> None:
    """With a read-only key that can write (caught in the concurrent phase, the first), -x shows one root cause,
    opens no later phase, leaves nothing on the server and exits 1 with the early-stop verdict."""
    run = contract("-x", *NARROW, "--requirement", "AUTH-SCOPE-001", "--reports", str(tmp_path), env=against(server))

    document = json.loads((tmp_path / "conformance.json").read_text())
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "NOT CONFORMANT: STOPPED EARLY after 1 root cause (--max-failures 1)" in run.stdout
    assert document["headline"].startswith("NOT CONFORMANT: STOPPED EARLY after 1 root cause")
    assert (document["verdict"], document["run"]["maxFailuresReached"]) == ("non-conformant", 1)
    assert document["run"]["config"]["concurrency"] == 2
    assert "(profile full, concurrency 2)" in " ".join(run.stdout.split())  # the title may wrap
    # checks already in flight on the other worker finish and are reported; the screen shows the one it stopped at
    assert "AUTH-SCOPE-001" in {rid for cause in document["rootCauses"] for rid in cause["fails"]}
    assert len(root_cause_lines(run.stderr)) == 1
    assert QUIET_CHECK not in [check["check"] for check in document["checks"]]  # the quiet phase never opened
    assert document["cleanup"]["problems"] == []
    assert left_behind(server, document["run"]["id"]) == []


@pytest.mark.slow
@pytest.mark.parametrize("server", [()], indirect=True)
def test_a_clean_server_shows_no_root_cause_and_runs_to_the_end(server: EmbeddedServer, tmp_path: Path) -> None:
    """Against the clean server -x changes nothing: every check runs, no root cause shows, nothing is left, exit 0."""
    more = ("--requirement", "AUTH-SCOPE-001")  # the checks of the concurrent phase's test below
    run = contract("-x", *NARROW, *more, "--reports", str(tmp_path), env=against(server))

    document = json.loads((tmp_path / "conformance.json").read_text())
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert root_cause_lines(run.stderr) == []
    assert (document["run"]["stoppedEarly"], document["run"]["maxFailuresReached"]) == ("", 0)
    checks = [check["check"] for check in document["checks"]]
    assert "test_workspaces.py::test_stop_a_running_workspace" in checks
    assert QUIET_CHECK in checks
    assert left_behind(server, document["run"]["id"]) == []


@pytest.mark.slow
def test_a_root_cause_of_the_concurrent_phase_is_shown_before_the_phase_ends(tmp_path: Path) -> None:
    """The read-only key can write: a root cause is on the progress output, title and curl, before the concurrent
    phase's last line; each of the report's first-screen root causes is shown once, however many checks meet it."""
    run = contract("--fault", "reader-can-write", "--concurrency", "2", "--seed", "1", "--requirement",
                   "AUTH-SCOPE-001", "--requirement", "WS-LIFE-004", "--reports", str(tmp_path))  # fmt: skip

    document = json.loads((tmp_path / "conformance.json").read_text())
    lines = run.stderr.splitlines()
    shown = root_cause_lines(run.stderr)
    phase_end = next(i for i, line in enumerate(lines) if line.startswith("concurrent checks") and "done in" in line)
    levels = {requirement.id: requirement for requirement in load_catalogue()}
    first_screen = [
        cause["title"] for cause in document["rootCauses"] if any(levels[r].is_must for r in cause["fails"])
    ]
    failed = [check for check in document["checks"] if check["status"] == "fail"]
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert shown
    assert lines.index(shown[0]) < phase_end
    assert sorted(without_count(line.removeprefix("root cause: ")) for line in shown) == sorted(
        map(without_count, first_screen)
    )
    assert len(failed) > len(shown)  # more checks met them than there are root causes
    assert all(lines[lines.index(line) + 1].startswith("   reproduce: curl ") for line in shown)
    assert "[REDACTED]" in run.stderr
    assert not any(key in run.stderr for key in DEV_KEYS)
    assert document["run"]["stoppedEarly"] == ""


def without_count(title: str) -> str:
    """A root cause's title without "in N operations": the count grows after it is first shown."""
    return title.rpartition(" in ")[0] or title
