"""Tracing: each request of a check names it, and its setup's requests say so; nothing when off."""

from __future__ import annotations

from harness import tracing


def test_requests_name_their_check_and_setup_only_when_tracing_is_on() -> None:
    """Off: no headers at all. On: the check's id (any characters) and, inside setup, the setup mark."""
    nodeid = "test_auth.py::test_no_key_answers_401[createProject-é x]"
    with tracing.in_check(nodeid, setup=False):
        assert tracing.headers() == {}
    tracing.enable()
    try:
        assert tracing.headers() == {}  # outside any check: the pool, preflight
        with tracing.in_check(nodeid, setup=False):
            own = tracing.headers()
            with tracing.in_setup():
                setup = tracing.headers()
            after = tracing.headers()
    finally:
        tracing.enable(False)

    assert own[tracing.CHECK_HEADER].isascii()
    assert tracing.asker(own) == (nodeid, False)
    assert tracing.asker(setup) == (nodeid, True)
    assert after == own
    assert tracing.asker({}) == (None, False)
