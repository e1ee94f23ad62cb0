"""The conformance side of tracing (harness/tracing.py): pytest hooks that make setup and teardown a
check's setup and its call its own reading (registered only when tracing is on), and the session
that carries the marks on schemathesis' calls as ApiClient carries them on the others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from schemathesis.transport.requests import ManagedCookiesSession

from harness import tracing


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with tracing.in_check(item.nodeid, setup=True):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with tracing.in_check(item.nodeid, setup=False):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    with tracing.in_check(item.nodeid, setup=True):
        return (yield)


class TracedSession(ManagedCookiesSession):
    """Schemathesis' keep-alive session; each request carries the check's marks (none when tracing is off)."""

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        prepared = super().prepare_request(request)
        prepared.headers.update(tracing.headers())
        return prepared
