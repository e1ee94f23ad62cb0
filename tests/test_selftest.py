"""Tests for the kill matrix's own reporting (harness/selftest.py)."""

from typing import Any

from harness.results import CheckResult, Failure, RunResult
from harness.selftest import bare_messages, why_clean_failed


def clean_result(**fields: Any) -> RunResult:
    return RunResult("r1", "full", "http://127.0.0.1:1", "1", "0", 1, "now", strict=True, **fields)


def test_a_failed_clean_run_says_which_requirements_failed_and_why() -> None:
    """The matrix's log names each failed requirement once, with the check and its first message lines."""
    message = "stop left it running\n\n  second line\nthird\nfourth"
    failures = [Failure("WS-LIFE-004", message), Failure("WS-LIFE-004", "again")]
    checks = [CheckResult("test_stop", ["WS-LIFE-004"], "fail", failures=failures)]
    note = why_clean_failed(clean_result(checks=checks, cleanup_problems=["left ws-1"]), 1, [])
    assert note.startswith("clean run must pass (exit 1): NOT CONFORMANT (strict)")
    assert "WS-LIFE-004 in test_stop: stop left it running | second line | third;" in note
    assert "fourth" not in note
    assert "again" not in note
    assert "left ws-1" in note


def test_a_clean_run_that_did_not_finish_says_so() -> None:
    """An unfinished clean run, with no failure, still gets a reason in the log."""
    note = why_clean_failed(clean_result(stopped_early="the run deadline of 60s passed"), 1, [])
    assert "the run did not finish" in note
    assert "the run deadline of 60s passed" in note


def test_a_bare_assertion_message_is_flagged() -> None:
    """A failure whose message is pytest's assertion text, or an exception's name alone, is not words a vendor acts
    on: the kill matrix counts the fault as not caught until the check says what it expected and saw."""
    words = Failure("GEN-LIST-003", "[GEN-LIST-003] listWorkspaces counts 29 for 20 items")
    raw = Failure("DUR-002", "assert 29 == 20")
    nameless = Failure("PRJ-LIFE-002", "AssertionError")
    checks = [CheckResult("test_words", ["GEN-LIST-003"], "fail", failures=[words]),
              CheckResult("test_raw", ["DUR-002"], "fail", failures=[raw, nameless])]  # fmt: skip

    assert bare_messages(clean_result(checks=checks)) == ["test_raw: assert 29 == 20", "test_raw: AssertionError"]
