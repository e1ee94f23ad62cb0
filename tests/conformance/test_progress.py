"""The progress line: checks done out of total, workspaces provisioning, and the time left."""

from __future__ import annotations

import io
from pathlib import Path

from harness.conformance import progress
from harness.run.scratch import pool_folder


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_counts_checks_waits_and_time_left(tmp_path: Path) -> None:
    """What the suite's processes leave in the scratch folder is what the line says, and how many run at once."""
    tally = progress.Tally(tmp_path, "concurrent")
    tally.collected(10)
    for check in ("a", "b"):
        tally.reported(check, "call", failed=check == "b")
        tally.reported(check, "teardown", failed=False)
    (pool_folder(tmp_path, "concurrent") / "ready").mkdir(parents=True)
    (pool_folder(tmp_path, "concurrent") / "ready" / "0000-ws_1").touch()

    with progress.waiting(tmp_path, "ws_2"):
        line = progress.Display(tmp_path, "concurrent", started=0.0).line()
    after = progress.Display(tmp_path, "concurrent", workers=4).line()

    assert line is not None
    assert line.startswith("concurrent checks 2/10 (1 failed) · workspaces: 1 provisioning, 1 made ahead")
    assert "left" in line
    assert after is not None
    assert "0 provisioning" in after
    assert after.startswith("concurrent checks 2/10 (1 failed) · 4 at once · ")  # how many run at once


def test_a_terminal_gets_one_redrawn_line(tmp_path: Path) -> None:
    """On a terminal the line is redrawn in place and kept at the end; a phase with nothing to run says nothing."""
    progress.Tally(tmp_path, "quiet").collected(0)
    progress.Tally(tmp_path, "all").collected(3)
    screen = Terminal()

    for phase in ("quiet", "all"):
        display = progress.Display(tmp_path, phase, stream=screen)
        display.tick()
        display.finish()

    assert screen.getvalue().count("\r") == 2
    assert screen.getvalue().endswith("\n")
    assert "checks 0/3" in screen.getvalue()
    assert "quiet" not in screen.getvalue()


def test_estimates_read_as_a_person_would() -> None:
    """The time left follows the pace so far; at the start it says only the time spent."""
    assert progress.estimate(30, 10, 40) == "about 1m30s left"
    assert progress.estimate(5, 0, 40) == "5s so far"
    assert progress.estimate(61, 40, 40) == "done in 1m01s"


def test_a_log_says_done_once(tmp_path: Path) -> None:
    """In a log a line comes every LOG_EVERY seconds while checks run, and "done" only from finish()."""
    tally = progress.Tally(tmp_path, "all")
    tally.collected(1)
    log = io.StringIO()
    display = progress.Display(tmp_path, "all", stream=log, last_line=-progress.LOG_EVERY)

    display.tick()
    tally.reported("a", "teardown", failed=False)
    display.last_line = -progress.LOG_EVERY
    display.tick()
    display.finish()

    lines = log.getvalue().splitlines()
    assert [line.split(" · ")[0] for line in lines] == ["checks 0/1", "checks 1/1"]
    assert sum("done in" in line for line in lines) == 1


def test_a_root_cause_stays_above_the_redrawn_line(tmp_path: Path) -> None:
    """On a terminal a root cause clears the progress line, stays on its own line, and the line is drawn again
    after it; a phase the run stopped says so instead of a time left."""
    tally = progress.Tally(tmp_path, "concurrent")
    tally.collected(4)
    screen = Terminal()
    display = progress.Display(tmp_path, "concurrent", stream=screen)

    display.tick()
    display.announce(["root cause: `count`: a string where the documents show an integer in 1 operation"])
    display.tick()
    display.finish(stopped=True)

    rows = screen.getvalue().split("\n")
    assert rows[0].endswith("root cause: `count`: a string where the documents show an integer in 1 operation")
    assert rows[0].startswith("\rconcurrent checks 0/4")  # the line it cleared, then the root cause over it
    assert "concurrent checks 0/4" in rows[1]
    assert "stopped early after" in rows[1]
    assert "left" not in rows[1]
