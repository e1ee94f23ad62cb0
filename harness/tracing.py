"""Whose request it was: headers that let a planted mutation say which check's answer it changed.

The mutation matrix (harness/mutation_matrix.py) must know that a malformed answer reached a check,
and whether it reached the check's own request or only the setup it needs (a factory call, a
fixture, a teardown). Each request then carries the check's id and, inside setup, a setup mark;
the reference server's mutation logs both, and ``~spare-setup`` mutations leave setup's answers alone.
The headers are sent only in a run against the embedded server with a fault planted: no deployment
ever sees them. The marks themselves are kept in every run, so a clean run says which operations each
check calls in its own request and which only in its setup.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote, unquote

CHECK_HEADER = "x-strongly-check"
SETUP_HEADER = "x-strongly-setup"

_enabled = False
_check: ContextVar[str | None] = ContextVar("check", default=None)
_setup: ContextVar[bool] = ContextVar("setup", default=False)


def enable(on: bool = True) -> None:
    """Trace this process's requests (the plugin's choice: a run against the embedded server with a fault)."""
    global _enabled
    _enabled = on


def headers() -> dict[str, str]:
    """The headers of a request sent now: none unless tracing is on."""
    if not _enabled or _check.get() is None:
        return {}
    marks = {CHECK_HEADER: quote(_check.get() or "", safe="")}
    return {**marks, SETUP_HEADER: "1"} if _setup.get() else marks


def in_own_request() -> bool:
    """Whether a request sent now is a check's own reading (not its setup or teardown, nor outside any check)."""
    return _check.get() is not None and not _setup.get()


def asker(request_headers: dict[str, str]) -> tuple[str | None, bool]:
    """From a request's headers (lower-case names): the check that sent it, and whether in its setup."""
    check = request_headers.get(CHECK_HEADER)
    return (unquote(check) if check else None), request_headers.get(SETUP_HEADER) == "1"


@contextmanager
def in_setup() -> Iterator[None]:
    """Requests inside serve a check's setup, not its own reading."""
    token = _setup.set(True)
    try:
        yield
    finally:
        _setup.reset(token)


@contextmanager
def in_check(nodeid: str, *, setup: bool) -> Iterator[None]:
    """Requests inside are the check's: its own reading, or (``setup``) its setup and teardown."""
    check, mark = _check.set(nodeid), _setup.set(setup)
    try:
        yield
    finally:
        _setup.reset(mark)
        _check.reset(check)
