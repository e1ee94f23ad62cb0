"""Marks each check's requests for the mutation matrix (harness/tracing.py): setup and teardown of a
check are its setup; its call is its own reading. Registered only when tracing is on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
