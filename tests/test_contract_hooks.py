"""The schemathesis hooks of contracts/conftest.py: what they change in a generated request, and what not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
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


# Builds POST /api/v1/projects' schema test as the suite does, with a check that fails every case, and runs it in a
# run whose --max-failures is argv[1]; prints how many cases ran (a process of its own: importing the suite's
# schema module installs its lazy cases).
EVERY_CASE_FAILS = """
import sys
from harness.conformance import plugin
from harness.redact import Redactor
from harness.run import ContractConfig, RunConfig, Target

config = RunConfig(Target("http://127.0.0.1:9", "unused"), contract=ContractConfig(max_failures=int(sys.argv[1])))
plugin._current = plugin.ConformanceRun(config=config, redactor=Redactor([]))
import contracts.schema as suite
from schemathesis.generation.hypothesis import builder

ran = []
def refused(case):
    ran.append(case)
    raise AssertionError("refused")

modes = list(builder.HypothesisTestMode)
test = builder.create_test(operation=suite.schema["/api/v1/projects"]["POST"],
                           test_func=suite.reported_at_the_first_failing_case(refused),
                           config=builder.HypothesisTestConfig(project=suite.schema.config, modes=modes))
try:
    test()
except BaseException:
    pass
print(len(ran))
"""


def cases_run(max_failures: int) -> int:
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-c", EVERY_CASE_FAILS, str(max_failures)], capture_output=True, text=True,
                         cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, check=True, timeout=300)  # fmt: skip
    return int(run.stdout.split()[-1])


def test_under_x_a_schema_check_ends_at_its_first_failing_case() -> None:
    """With -x a schema check whose every case fails runs one case; with a higher limit it runs all of its explicit
    cases (each may be another root cause)."""
    assert cases_run(1) == 1
    assert cases_run(3) > 10
