"""Waiting for workspaces: the full wait until they stop arriving, then short ones until one does."""

from __future__ import annotations

import pytest

from harness.client import ApiClient
from harness.expect import TimedOut
from harness.factory import Factory, Patience
from harness.redact import Redactor
from harness.registry import Registry
from harness.run.embedded import EmbeddedServer
from harness.steps import Blocked
from tests.conftest import ADMIN


def test_patience_shortens_after_misses_in_a_row_and_recovers() -> None:
    """Two misses in a row shorten the wait and say why; one arrival restores it."""
    patience = Patience(120, short=5, misses=2)
    patience.note(arrived=False)
    assert (patience.seconds(), patience.reason()) == (120, "")

    patience.note(arrived=False)
    assert patience.seconds() == 5
    assert "2 waits in a row of 120s" in patience.reason()

    patience.note(arrived=True)
    assert (patience.seconds(), patience.reason()) == (120, "")


def test_patience_counts_each_state_apart() -> None:
    """Workspaces that start in time do not bring back the full wait for stops that never land."""
    patience = Patience(120, short=5, misses=2)
    for _ in range(2):
        patience.note(arrived=False, state="stopped")
        patience.note(arrived=True, state="running")
    assert (patience.seconds("stopped"), patience.seconds("running")) == (5, 120)
    assert patience.reason("stopped")
    assert not patience.reason("running")


def test_a_factory_against_stuck_workspaces_stops_waiting_long(reference: EmbeddedServer) -> None:
    """Against workspaces that never start, the third wait is the short one; one that starts resets it."""
    patience = Patience(1.5, short=1.0, misses=2)
    waits = []
    with (
        EmbeddedServer(provision_delay=0.1, faults=("stuck-pending",)) as stuck,
        ApiClient(stuck.base_url, ADMIN, redactor=Redactor([ADMIN])) as api,
    ):
        make = Factory(api, Registry(), "sh-patience-", patience=patience)
        for _ in range(3):
            with pytest.raises(Blocked) as failure:
                make.running_workspace()
            assert isinstance(failure.value.finding, TimedOut)
            assert failure.value.requirement == "WS-LIFE-002"
            waits.append(str(failure.value))

    assert ["after 1.5s" in wait for wait in waits] == [True, True, False]
    assert "after 1s" in waits[2]
    assert "shortened" in waits[2]

    registry = Registry()
    with ApiClient(reference.base_url, ADMIN, redactor=Redactor([ADMIN])) as api:
        Factory(api, registry, "sh-patience-", patience=patience).running_workspace()  # provisions in 0.1 s
        assert patience.seconds("running") == 1.5
        assert registry.cleanup(api) == []


def test_against_stops_that_never_land_the_third_stop_wait_is_short() -> None:
    """Workspaces that start in time between the stops do not bring the full wait back for stops."""
    patience = Patience(1.5, short=0.5, misses=2)
    waits = []
    with (
        EmbeddedServer(provision_delay=0.1, faults=("stop-does-nothing",)) as server,
        ApiClient(server.base_url, ADMIN, redactor=Redactor([ADMIN])) as api,
    ):
        make = Factory(api, Registry(), "sh-patience-", patience=patience)  # the server goes; no cleanup
        for _ in range(3):
            with pytest.raises(Blocked) as failure:
                make.stopped_workspace()
            assert failure.value.requirement == "WS-LIFE-004"
            waits.append(str(failure.value))

    assert ["after 1.5s" in wait for wait in waits] == [True, True, False]
    assert "after 0.5s" in waits[2]


def test_a_5xx_in_setup_is_charged_to_the_5xx_requirement_not_the_step() -> None:
    """A create answered 503 blocks the check under GEN-SCHEMA-004, whatever the step promised."""
    import httpx

    from harness.answers import UnexpectedAnswer
    from harness.steps import charged_to

    answer = httpx.Response(503, request=httpx.Request("POST", "http://t/api/v1/projects"))

    assert charged_to(UnexpectedAnswer("503", answer, "createProject"), "PRJ-LIFE-001") == "GEN-SCHEMA-004"
    refused = httpx.Response(409, request=httpx.Request("POST", "http://t/api/v1/projects"))
    assert charged_to(UnexpectedAnswer("409", refused, "createProject"), "PRJ-LIFE-001") == "PRJ-LIFE-001"


def test_a_prefixed_name_at_the_contracts_limit_stays_within_it(reference: EmbeddedServer) -> None:
    """A generated name of the contract's maxLength, once under the run prefix, is still accepted."""
    from harness import spec
    from harness.factory import prefixed

    limit = spec.load().document["components"]["schemas"]["Name"]["maxLength"]
    body = {"description": "", "environmentType": "jupyter"}
    with ApiClient(reference.base_url, ADMIN, redactor=Redactor([ADMIN])) as api:
        whole = api.post("/api/v1/workspaces", json={**body, "name": "sh-prefix-" + "n" * limit})
        cut = api.post("/api/v1/workspaces", json={**body, "name": prefixed("sh-prefix-", "n" * limit, limit)})
        assert (whole.status_code, cut.status_code) == (422, 201)
        registry = Registry()
        registry.add("workspace", cut.json()["workspaceId"])
        assert registry.cleanup(api) == []
    assert prefixed("sh-prefix-", "name", limit) == "sh-prefix-name"
    assert prefixed("sh-prefix-", "", 3) == "sh-prefix-"  # the prefix is never cut
