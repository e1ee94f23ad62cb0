"""Shared fixtures: a reference server on a free loopback port, and clients for its dev keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from harness.embedded import EmbeddedServer

ADMIN, READER, OTHER = "strongly-dev-admin", "strongly-dev-reader", "strongly-dev-other"


@pytest.fixture(scope="session")
def reference() -> Iterator[EmbeddedServer]:
    """One clean reference server for the session (provisioning takes 0.1 s)."""
    with EmbeddedServer(provision_delay=0.1) as server:
        yield server


@pytest.fixture
def client(reference: EmbeddedServer) -> Iterator[Callable[[str], httpx.Client]]:
    """A factory of clients for the session server, one per API key."""
    opened: list[httpx.Client] = []

    def make(key: str = ADMIN) -> httpx.Client:
        opened.append(httpx.Client(base_url=reference.base_url, headers={"X-API-Key": key}, timeout=10))
        return opened[-1]

    yield make
    for item in opened:
        item.close()


@pytest.fixture
def admin(client: Callable[[str], httpx.Client]) -> httpx.Client:
    return client(ADMIN)
