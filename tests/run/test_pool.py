"""The pool of running workspaces made ahead: filled once per phase, each workspace claimed once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.client import ApiClient
from harness.factory import Factory, Patience
from harness.redact import Redactor
from harness.registry import Registry
from harness.run import pool
from harness.run.embedded import EmbeddedServer
from harness.run.pool import WorkspacePool
from tests.conftest import ADMIN

PREFIX = "sh-pooltest-"


@pytest.fixture
def api(reference: EmbeddedServer) -> Iterator[ApiClient]:
    with ApiClient(reference.base_url, ADMIN, redactor=Redactor([ADMIN])) as client:
        yield client


def factory(api: ApiClient, registry: Registry, made: WorkspacePool | None = None) -> Factory:
    return Factory(api, registry, PREFIX, patience=Patience(10), pool=made)


def test_the_first_process_fills_the_pool_and_the_others_do_not(api: ApiClient, tmp_path: Path) -> None:
    """Two processes of a phase share one folder: only the first creates, and nothing stays in its registry."""
    first, second = Registry(), Registry()

    assert WorkspacePool(tmp_path).fill(factory(api, first), 3) is None
    assert WorkspacePool(tmp_path).fill(factory(api, second), 3) is None

    assert len(pool.leftovers(tmp_path)) == 3
    assert first.items() == []
    assert second.items() == []


def test_each_workspace_goes_to_one_check_only(api: ApiClient, tmp_path: Path) -> None:
    """Checks in two processes claim from the same pool: never the same workspace, and None once it is empty."""
    WorkspacePool(tmp_path).fill(factory(api, Registry()), 3)
    here, there = WorkspacePool(tmp_path), WorkspacePool(tmp_path)
    mine, theirs = Registry(), Registry()

    claimed = [here.take(mine), there.take(theirs), here.take(mine), there.take(theirs)]

    assert claimed[3] is None
    assert len(set(claimed[:3])) == 3
    assert [item.id for item in mine.items()] == [claimed[0], claimed[2]]
    assert pool.leftovers(tmp_path) == []


def test_a_pooled_workspace_is_running_and_belongs_to_the_check(api: ApiClient, tmp_path: Path) -> None:
    """running_workspace(pooled=True) hands the oldest one, running; without pooled=True it creates its own."""
    WorkspacePool(tmp_path).fill(factory(api, Registry()), 1)
    check = Registry()
    make = factory(api, check, WorkspacePool(tmp_path))

    pooled = make.running_workspace(pooled=True)
    own = make.running_workspace()

    assert pooled["status"] == own["status"] == "running"
    assert {item.id for item in check.items()} == {pooled["id"], own["id"]}
    assert make.running_workspace(pooled=True)["id"] not in (pooled["id"], own["id"])  # empty: a new one
    assert check.cleanup(api) == []


def test_a_refused_create_leaves_the_pool_short(tmp_path: Path) -> None:
    """The pool stops at the first refusal and says so; the checks then create their own (and meet it there)."""
    with (
        EmbeddedServer(provision_delay=0.1, faults=("created-not-found-at-first",)) as broken,
        ApiClient(broken.base_url, ADMIN, redactor=Redactor([ADMIN])) as api,
    ):
        problem = WorkspacePool(tmp_path).fill(factory(api, Registry()), 2)

    assert problem is not None
    assert "stopped at 0 of 2" in problem
    assert pool.leftovers(tmp_path) == []
