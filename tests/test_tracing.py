"""Tracing: each request of a check names it, and its setup's requests say so; nothing when off."""

from __future__ import annotations

from harness import tracing
from harness.exchanges import Exchange, ExchangeLog


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


def test_the_log_tells_a_checks_own_calls_from_its_setups_even_with_tracing_off() -> None:
    """The clean run learns which operations each check's own requests call: an operation called in setup and
    then by the check is its own; one called only in setup, or outside any check, is not."""
    log = ExchangeLog()

    def call(operation: str) -> None:
        log.count(Exchange("GET", "http://127.0.0.1/x", {}, None, operation_id=operation))

    call("listProjects")  # outside any check: the pool
    with tracing.in_check("t.py::a", setup=True):
        call("createProject")
        call("getProject")
    with tracing.in_check("t.py::a", setup=False):
        call("getProject")
        with tracing.in_setup():
            call("createWorkspace")

    assert log.take_calls()[1] == {"listProjects": False, "createProject": False, "getProject": True,
                                   "createWorkspace": False}  # fmt: skip
