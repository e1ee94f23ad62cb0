"""The model-based phase's oracle on its own: the model's predictions and how a walked list is judged."""

from __future__ import annotations

import httpx
import pytest

from contracts.model.context import answer
from contracts.model.state import LIVE, STOPPED, Collaborator, Organization
from contracts.model.views import Expected, Walk, judge
from harness.expect import ContractViolation


def walked(pages: list[list[str]], count: int, limit: int, operation: str = "listWorkspaces") -> Walk:
    ids = [item for page in pages for item in page]
    return Walk(operation, ids, [{"id": i} for i in ids], [count] * len(pages),
                [(n * limit, limit, len(page)) for n, page in enumerate(pages)])  # fmt: skip


def exactly(*ids: str, key: object = None, collations: tuple[str, ...] = ("code point",)) -> Expected:
    return Expected(set(ids), set(ids), key, False, "WS-LIST-001", collations=collations)  # type: ignore[arg-type]


def every_rule(requirement: str) -> bool:
    return True


def test_a_list_that_agrees_passes() -> None:
    """Pages that concatenate to the expected items, in order, with the right count, are accepted."""
    judge("workspaces", walked([["a", "b"], ["c"]], 3, 2), exactly("a", "b", "c", key=str), every_rule)


@pytest.mark.parametrize(
    ("pages", "count", "requirement"),
    [
        ([["a", "b"], ["b", "c"]], 3, "GEN-LIST-001"),  # an item on two pages
        ([["a", "b"], []], 3, "GEN-LIST-001"),  # a page short of what count promises, an item missing
        ([["a", "b"], ["c"]], 4, "GEN-LIST-003"),  # count says more than there is, every item is there
        ([["a", "b", "c"]], 3, "GEN-LIST-002"),  # a page longer than the limit
        ([["a", "b"]], 2, "WS-LIST-001"),  # an item left out
    ],
)
def test_a_list_that_drifts_is_a_finding(pages: list[list[str]], count: int, requirement: str) -> None:
    """Overlaps, gaps, wrong counts, oversized pages and missing items each name their requirement."""
    with pytest.raises(ContractViolation) as raised:
        judge("workspaces", walked(pages, count, 2), exactly("a", "b", "c", key=str), every_rule)

    assert raised.value.requirement == requirement


def test_paging_and_counts_the_documents_do_not_give_a_list_are_judged_only_under_strict() -> None:
    """The projects list has no documented offset or count: an item on two pages or a wrong count is
    GEN-LIST-006, a recommendation, and passes when only the MUSTs are judged."""
    overlapping = walked([["a", "b"], ["b", "c"]], 4, 2, operation="listProjects")

    judge("projects", overlapping, exactly("a", "b", "c"), lambda requirement: requirement != "GEN-LIST-006")
    with pytest.raises(ContractViolation) as raised:
        judge("projects", overlapping, exactly("a", "b", "c"), every_rule)
    assert raised.value.requirement == "GEN-LIST-006"


def test_order_is_judged_by_key_and_ties_come_in_any_order() -> None:
    """Equal sort keys may come either way; a smaller key after a larger one is GEN-LIST-004."""
    keys = {"a": 1, "b": 1, "c": 2}.get
    judge("workspaces", walked([["b", "a", "c"]], 3, 3), exactly("a", "b", "c", key=keys), every_rule)

    with pytest.raises(ContractViolation) as raised:
        judge("workspaces", walked([["c", "a", "b"]], 3, 3), exactly("a", "b", "c", key=keys), every_rule)

    assert raised.value.requirement == "GEN-LIST-004"


def test_names_may_come_in_any_reasonable_collation_by_default() -> None:
    """'beta' before 'Zulu' is no code-point order, but a case-insensitive one: accepted where it is allowed."""
    names = {"z": "Zulu", "b": "beta"}.get
    mixed = walked([["b", "z"]], 2, 2)

    judge("workspaces", mixed, exactly("b", "z", key=names, collations=("code point", "case-insensitive")), every_rule)
    with pytest.raises(ContractViolation):
        judge("workspaces", mixed, exactly("b", "z", key=names), every_rule)


def test_stats_allow_live_workspaces_to_be_pending_or_running() -> None:
    """Active workspaces range from those seen running to all live ones; storage follows resizes and deletes."""
    org = Organization("a")
    org.create_project("p", {"name": "n", "description": ""}, Collaborator("u", "", "owner", True), org.tick())
    for workspace_id in ("w1", "w2", "w3"):
        org.create_workspace(workspace_id, {"name": workspace_id, "environmentType": "jupyter", "projectId": "p"}, 1)
    org.workspaces["w1"].seen_running = True
    org.workspace_action("w3", "stopped", org.tick())
    org.create_volume("v1", {"projectId": "p", "label": "l", "sizeGb": 2}, org.tick())
    org.create_volume("v2", {"projectId": "p", "label": "l", "sizeGb": 3}, org.tick())
    org.update_volume("v1", {"sizeGb": 5}, org.tick())
    org.delete_volume("v2", org.tick())

    stats = org.stats("p")

    assert stats["activeWorkspaces"] == (1, 2)
    assert stats["totalStorageGb"] == (5.0, 5.0)
    assert stats["volumeCount"] == (1, 1)
    assert [w.state for w in org.workspaces.values()] == [LIVE, LIVE, STOPPED]


def test_every_accepted_change_adds_one_event() -> None:
    """The feed the model expects grows by one event per accepted change, newest last in rank (D-29)."""
    org = Organization("a")
    org.create_project("p", {"name": "n", "description": ""}, Collaborator("u", "", "owner", True), org.tick())
    org.add_collaborator("p", Collaborator("x", "x@example.com", "viewer", False), org.tick())
    org.create_volume("v", {"projectId": "p", "label": "l", "sizeGb": 1}, org.tick())
    org.volume_action("v", "shared", org.tick())

    actions = [event.action for event in org.projects["p"].events]

    assert actions == ["project.created", "collaborator.added", "volume.created", "volume.shared"]


@pytest.mark.parametrize(("status", "requirement"), [(500, "GEN-SCHEMA-004"), (409, "PRJ-LIFE-001")])
def test_an_unexpected_answer_is_charged_as_any_check_charges_it(status: int, requirement: str) -> None:
    """A 5xx the model meets is no-5xx's (GEN-SCHEMA-004), with the status rule a check's own 5xx has (one root
    cause, not one per requirement of the operation that met it); any other status, the operation's promise."""
    request = httpx.Request("POST", "http://127.0.0.1:9/api/v1/projects")
    response = httpx.Response(status, text="Internal Server Error", request=request)

    with pytest.raises(ContractViolation) as raised:
        answer(response, "createProject", (201,))

    assert raised.value.requirement == requirement
    assert (raised.value.rule is not None) == (status == 500)
