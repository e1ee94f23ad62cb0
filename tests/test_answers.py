"""Answers read tolerantly: what a target leaves out is a finding on a requirement, never a crash."""

from __future__ import annotations

from types import ModuleType

import httpx
import pytest

from harness import client, factory, recommend, spec
from harness import expect as toolkit
from harness.answers import (
    ContractViolation,
    MissingField,
    UnexpectedAnswer,
    entries_by,
    read_field,
    read_json,
    tolerant,
)


def test_a_missing_field_is_a_schema_finding_naming_the_request() -> None:
    """Indexing a field the answer lacks raises MissingField for GEN-SCHEMA-001, with the path and what was there."""
    body = tolerant({"workspace": {"id": "ws_1", "resources": [{"cpu": "1"}]}}, "GET /api/v1/workspaces/ws_1")

    with pytest.raises(MissingField) as missing:
        body["workspace"]["resources"][0]["memory"]

    assert missing.value.requirement == "GEN-SCHEMA-001"
    assert "GET /api/v1/workspaces/ws_1" in str(missing.value)
    assert "`workspace.resources.0.memory` (it has cpu)" in str(missing.value)


def test_writes_accepted_where_a_refusal_was_due_are_one_rule_whatever_the_success_code() -> None:
    """A read-only key's create answered 201 and its update 200 break one rule ("2xx where a refusal was
    expected"), so they are one root cause; a 500 is another."""

    def rule_of(status: int, method: str) -> str:
        answer = httpx.Response(status, request=httpx.Request(method, "http://t/api/v1/projects/p1"))
        with pytest.raises(UnexpectedAnswer) as raised:
            toolkit.refused(answer, "updateProject", 403)
        assert f"answered {status}" in str(raised.value)  # the message keeps the code seen
        assert raised.value.rule is not None
        return raised.value.rule.key

    assert rule_of(201, "POST") == rule_of(200, "PUT") == rule_of(204, "DELETE")
    assert rule_of(500, "PUT") != rule_of(200, "PUT")


def test_an_item_past_the_end_of_a_list_is_a_finding() -> None:
    """Index 3 of a two-item list is a finding, not an IndexError; iteration and slices still work."""
    items = tolerant({"workspaces": [{"id": "a"}, {"id": "b"}]}, "GET /x")["workspaces"]

    with pytest.raises(MissingField, match="item 3 of `workspaces` \\(it has 2\\)"):
        items[3]
    assert [item["id"] for item in items] == ["a", "b"]
    assert items[:1] == [{"id": "a"}]


def test_tolerant_answers_are_still_plain_json() -> None:
    """Wrapped answers compare equal to, and serialise like, what was decoded."""
    decoded = {"a": [1, {"b": None}], "c": "d"}

    assert tolerant(decoded, "GET /x") == decoded
    assert tolerant(decoded, "GET /x").get("missing") is None


def test_read_field_says_what_was_there_instead() -> None:
    """A renamed or retyped field names what the answer gave."""
    with pytest.raises(MissingField, match=r"`workspaceId` \(it answered fields id\)"):
        read_field({"id": "ws_1"}, "workspaceId", str, "POST /api/v1/workspaces")
    with pytest.raises(MissingField, match="does not give `count` as int"):
        read_field({"count": "4"}, "count", int, "GET /api/v1/projects")
    with pytest.raises(MissingField, match="does not give `count` as int"):
        read_field({"count": True}, "count", int, "GET /api/v1/projects")
    assert read_field({"count": 4}, "count", int, "GET /api/v1/projects") == 4


def test_read_json_of_a_page_that_is_not_json_is_a_finding() -> None:
    """An HTML error page where JSON was due is a GEN-SCHEMA-001 finding."""
    response = httpx.Response(502, text="<html>Bad Gateway</html>")

    with pytest.raises(ContractViolation, match="answered 502, not JSON"):
        read_json(response, "GET /api/v1/projects")


def test_an_entry_the_list_lacks_fails_the_check_that_asks() -> None:
    """Looking up a collaborator the list does not hold is an assertion failure naming the list, not a KeyError."""
    people = entries_by([{"userId": "u1", "role": "owner"}], "userId", "the collaborators list")

    assert people["u1"]["role"] == "owner"
    with pytest.raises(UnexpectedAnswer, match="the collaborators list has no entry 'u2'"):
        people["u2"]


def test_the_suites_toolkit_is_pinned() -> None:
    """What contracts/ may import from harness.expect is listed once; a change to it is deliberate."""
    assert sorted(toolkit.__all__) == [
        "Answer", "ContractViolation", "MissingField", "Patience", "TimedOut", "UnexpectedAnswer", "carries_error_body",
        "conforming_body", "entries_by", "expect", "note_schema_findings", "poll_until", "read_field", "read_json",
        "refused", "require", "reveals_no_internals", "settled", "tolerant", "violation",
    ]  # fmt: skip
    assert all(hasattr(toolkit, name) for name in toolkit.__all__)


@pytest.mark.parametrize(
    ("module", "members"),
    [
        (client, ["LOG", "ApiClient", "Exchange", "ExchangeLog", "ReadOnlyViolationError"]),
        (factory, ["Factory", "new_id", "prefixed"]),
        (recommend, ["recommend"]),
        (spec, ["Operation", "Spec", "load"]),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_the_rest_of_the_suites_toolkit_is_pinned(module: ModuleType, members: list[str]) -> None:
    """What contracts/ and load/ may import from harness.client, .factory, .recommend and .spec is listed once."""
    assert sorted(module.__all__) == sorted(members)
    assert all(hasattr(module, name) for name in module.__all__)
