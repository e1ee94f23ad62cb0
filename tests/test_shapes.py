"""Typed reads: a field read in a type its schema does not allow is a finding; a field not read stops nothing."""

from __future__ import annotations

import pytest

from harness import spec
from harness.answers import MissingField
from harness.expect import typed_body


def read(operation_id: str, body: object) -> object:
    """A body as expect() hands it to a check: typed against the default level's schema."""
    return typed_body(body, f"GET {operation_id}", spec.load().lenient_schema(operation_id, 200))


def test_a_field_of_another_type_is_a_finding_with_its_rule() -> None:
    """count "3" where the documents show an integer: reading it raises MissingField, never a TypeError later."""
    body = read("listWorkspaces", {"count": "3", "limit": 20, "offset": 0, "workspaces": []})

    with pytest.raises(MissingField) as unusable:
        body["count"]

    assert unusable.value.rule.key == "type|integer|string"
    assert unusable.value.rule.fields == ("count",)
    assert body["limit"] == 20  # what the check needs of the rest is still there


def test_an_item_field_is_typed_and_named_as_a_place_in_every_item() -> None:
    """An item's status as a number: the finding names `workspaces.*.status`, one place for every item."""
    items = read("listWorkspaces", {"count": 1, "limit": 20, "offset": 0, "workspaces": [{"id": "w", "status": 5}]})

    with pytest.raises(MissingField) as unusable:
        items["workspaces"][0]["status"]

    assert unusable.value.rule.fields == ("workspaces.*.status",)


def test_an_optional_field_answered_null_reads_as_none() -> None:
    """null for a field the documents leave optional (a volume created without a description) is not a finding."""
    volume = read("getVolume", {"id": "v", "description": None})

    assert volume["description"] is None


def test_a_list_where_an_object_is_expected_is_a_finding_at_once() -> None:
    """A body that is a list where the documents show an object has nothing to read: a finding, not a TypeError."""
    with pytest.raises(MissingField) as unusable:
        read("getProject", [{"id": "p"}])

    assert unusable.value.rule.key == "type|object|array"


def test_a_field_asked_of_a_list_is_a_finding() -> None:
    """Indexing a list with a field name (an answer of another shape than shown) is a finding."""
    listed = read("listProjectVolumes", [{"id": "v"}])

    with pytest.raises(MissingField):
        listed["volumes"]


def test_either_shape_of_a_list_the_sdk_returns_whole_is_read() -> None:
    """listProjectVolumes as a plain array or an envelope: both allowed, and an item's sizeGb is typed in both."""
    plain = read("listProjectVolumes", [{"id": "v", "sizeGb": "1"}])
    enveloped = read("listProjectVolumes", {"volumes": [{"id": "v", "sizeGb": "1"}]})

    for items in (plain, enveloped["volumes"]):
        with pytest.raises(MissingField):
            items[0]["sizeGb"]
