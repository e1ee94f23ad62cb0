"""Stateful exploration: schemathesis walks the contract's links, checked against a lifecycle model.

Explicit settings (not schemathesis' hard-coded 100 x 6) so that 4-step chains such as
create -> stop -> start -> delete are reached; model checks are raised as schemathesis checks, so
they are reported like any other failure, and ``super()`` keeps use-after-free and resource
availability checking on.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
import requests
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Flaky
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode

from contracts.schema import judged_at_the_documents, schema
from harness.conformance.plugin import ConformanceRun
from harness.expect import require
from harness.factory import Factory
from harness.recommend import recommend
from harness.run import RunConfig

LIVE, STOPPED = "live", "stopped"  # live: pending or running, which one depends on time
BECOMES = {"createWorkspace": LIVE, "startWorkspace": LIVE, "restartWorkspace": LIVE, "stopWorkspace": STOPPED}
# (operation, state before) -> what the documents say must be refused: "The workspace must be stopped before
# deletion." (A start of a running one, a stop of a stopped one, may be answered as done: WS-LIFE-009.)
REFUSED = {("deleteWorkspace", LIVE): "WS-LIFE-008/refused"}


def operation_id(case: Any) -> str:
    return case.operation.definition.raw["operationId"]


def json_object(response: Any) -> dict[str, Any]:
    """The answer as a JSON object, or an empty one: its shape is judged by the schema checks, not here."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class LifecycleModel(schema.as_state_machine()):  # type: ignore[misc]
    """Knows what each workspace it created should be, and checks every answer against that."""

    # Failures are kept as they happen: when the target's answers depend on time (provisioning),
    # Hypothesis' replay of a scenario can diverge, and what was found must not be lost then.
    found: ClassVar[list[Failure]] = []
    session: ClassVar[requests.Session | None] = None  # the run's keep-alive pool, set by the check

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"session": self.session} if self.session is not None else {}

    def setup(self) -> None:
        self.states: dict[str, str] = {}
        self.before: str | None = None

    def before_call(self, case: Any) -> None:
        workspace_id = (case.path_parameters or {}).get("workspaceId")
        self.before = self.states.get(workspace_id) if workspace_id else None

    def after_call(self, response: Any, case: Any) -> None:
        super().after_call(response, case)
        name = operation_id(case)
        if response.status_code == 201 and name == "createWorkspace":
            created = json_object(response).get("workspaceId")
            if isinstance(created, str):  # an answer without it is the schema checks' finding, reported next
                self.states[created] = LIVE
        elif response.status_code == 200 and name in BECOMES:
            self.states[case.path_parameters["workspaceId"]] = BECOMES[name]
        elif response.status_code == 204 and name == "deleteWorkspace":
            self.states.pop(case.path_parameters["workspaceId"], None)

    def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
        before = self.before

        def lifecycle_model(ctx: Any, response: Any, case: Any) -> None:
            if before is None or case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
                return
            name = operation_id(case)
            assertion = REFUSED.get((name, before))
            said = f"{case.method} {case.formatted_path} on a {before} workspace answered {response.status_code}"
            if assertion:
                require(400 <= response.status_code < 500, assertion, f"{said}, expected a refusal (409 recommended)")
                recommend("GEN-ERR-004", response.status_code == 409, f"{said}, recommended 409", response)
            if name == "getWorkspaceStatus" and response.status_code == 200 and before == LIVE:
                # a stopped one may still read running a moment after its stop (WS-LIFE-017): judged live only
                phase = json_object(response).get("phase")
                require(
                    phase in ("Pending", "Running"),
                    "WS-LIFE-003/phase",
                    f"a live workspace's status reads phase {phase!r}, not Pending or Running",
                )

        checks = [*(additional_checks or []), lifecycle_model]
        try:
            super().validate_response(response, case, additional_checks=checks, **kwargs)
        except (Failure, FailureGroup) as error:
            remaining = judged_at_the_documents(error, case, response)  # our own choices are recommendations
            if remaining is None:
                return
            type(self).found.extend(remaining.exceptions if isinstance(remaining, FailureGroup) else [remaining])
            raise remaining from None


@pytest.mark.slow(2)  # walks of linked calls, one request at a time
@pytest.mark.requirement("GEN-STATE-001", "GEN-STATE-002", "WS-LIFE-003", "WS-LIFE-008", "WS-LIFE-009")
@pytest.mark.recommends("GEN-SCHEMA-005", "GEN-VALID-006", "GEN-VALID-007", "GEN-ERR-004")
def test_links_walked_against_a_lifecycle_model(
    make: Factory, run_config: RunConfig, keep_alive: requests.Session, run: ConformanceRun
) -> None:
    """Chains of linked calls (create, start, stop, delete...) keep the state rules and lose nothing."""
    steps = {"full": 10, "core": 10}.get(run_config.contract.profile, 6)
    examples = {"full": 40, "core": 40}.get(run_config.contract.profile, 10)
    explore = hypothesis_settings(
        LifecycleModel.TestCase.settings, max_examples=examples, stateful_step_count=steps, database=None
    )
    LifecycleModel.found.clear()
    LifecycleModel.session = keep_alive
    for _ in range(3):
        try:
            LifecycleModel.run(settings=explore)
            return
        except Flaky:
            # A replay diverged because answers depend on time; report what was found, else explore afresh.
            if LifecycleModel.found:
                raise FailureGroup(list(dict.fromkeys(LifecycleModel.found))) from None
    # nothing found, but the walk never ran to its end: say so rather than pass in silence
    run.notes.append(
        "GEN-STATE-001: the stateful walk was cut short 3 times (Hypothesis could not replay a walk"
        " whose answers depend on time); it found nothing in the steps it took"
    )
