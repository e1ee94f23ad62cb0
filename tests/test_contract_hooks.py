"""The schemathesis hooks of contracts/conftest.py: what they change in a generated request, and what not."""

from __future__ import annotations

from types import ModuleType

import pytest
import schemathesis
from hypothesis import settings

from harness.conformance import plugin
from harness.paths import SPEC
from harness.redact import Redactor
from harness.run import RunConfig, Target

OPERATION = schemathesis.openapi.from_path(SPEC)["/api/v1/workspaces"]["POST"]


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    profile = settings.get_current_profile_name()
    import contracts.conftest as hooks  # it loads the suite's Hypothesis profile: put this process's back

    settings.load_profile(profile)
    config = RunConfig(Target("http://127.0.0.1:9", "unused"), run_id="0123abcd")
    monkeypatch.setattr(plugin, "_current", plugin.ConformanceRun(config=config, redactor=Redactor([])))
    monkeypatch.setitem(hooks.CURRENT_IDS, "projectId", "proj_ours")
    return hooks


def test_a_shared_example_body_gets_one_prefix_per_case(hooks: ModuleType) -> None:
    """Cases drawn from one example body each send one prefix, and the example itself is left as it was."""
    example = {"name": "Training Environment", "description": "", "environmentType": "jupyter", "projectId": "p1"}
    as_given = dict(example)
    sent = []
    for _ in range(12):  # before the fix, the tenth case sent a 140-character name and was refused 422
        case = OPERATION.Case(body=example)
        hooks.before_call(None, case, {})
        sent.append(case.body)
    assert example == as_given
    assert {body["name"] for body in sent} == {"sh-0123abcd-Training Environment"}
    assert {body["projectId"] for body in sent} == {"proj_ours"}


def test_a_valid_name_stays_valid_under_the_prefix(hooks: ModuleType) -> None:
    """A generated name of the contract's maxLength is cut after the prefix, not sent too long."""
    case = OPERATION.Case(body={"name": "n" * hooks.NAME_LIMIT, "description": "", "environmentType": "jupyter"})
    hooks.before_call(None, case, {})
    assert case.body["name"].startswith("sh-0123abcd-")
    assert len(case.body["name"]) == hooks.NAME_LIMIT


def test_chosen_checks_name_the_operations_whose_schema_tests_are_built(hooks: ModuleType) -> None:
    """`--check` patterns pick test_operation_conforms's operations by its id; a pattern of another module picks none,
    so test_schema.py is not even collected."""
    assert hooks.named_by_checks(("test_operation_conforms[GET /api/v1/projects]",)) == ["GET /api/v1/projects"]
    assert len(hooks.named_by_checks(("test_operation_conforms[POST ",))) == 12  # every POST
    assert hooks.named_by_checks(("test_projects.py::test_create_answers_201",)) == []
