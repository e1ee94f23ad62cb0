"""`serve --latency`: every answer is held back, as a deployment a network hop away would hold it."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from harness.reference import ServerConfig
from harness.reference.app import create_app

ADMIN = {"X-API-Key": "strongly-dev-admin"}


def answer_time(latency: float) -> tuple[float, int]:
    with TestClient(create_app(ServerConfig(latency=latency))) as client:
        started = time.monotonic()
        status = client.get("/api/v1/projects", headers=ADMIN).status_code
        return time.monotonic() - started, status


def test_every_answer_waits_at_least_the_latency() -> None:
    """With 0.3 s of latency an ordinary list takes at least 0.3 s and still answers 200."""
    seconds, status = answer_time(0.3)
    assert status == 200
    assert seconds >= 0.3


def test_without_latency_answers_are_unchanged() -> None:
    """The default adds nothing: the same request answers the same status."""
    assert answer_time(0.0)[1] == 200
