"""The model-based phase: random operation sequences, every view checked against a model of the documents.

contracts/model/ holds the model, the strategies and the state machine. This check sizes the run
(``--model-steps``, else the profile's default), seeds it with the run's seed so that a failure
replays, and reports the shortest failing sequence Hypothesis found as numbered curl lines.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Flaky
from hypothesis.stateful import run_state_machine_as_test

from contracts.model.context import Context, StepLog
from contracts.model.machine import ModelMachine
from harness.conformance.plugin import ConformanceRun
from harness.registry import Registry
from harness.run import RunConfig

STEPS_PER_SEQUENCE = 12  # short sequences: Hypothesis enables a random subset of rules per sequence
DEFAULT_STEPS = {"full": 120, "core": 120}


def model_steps(run_config: RunConfig) -> int:
    return run_config.contract.model_steps or DEFAULT_STEPS.get(run_config.contract.profile, 60)


@pytest.mark.slow(4)  # hundreds of requests in sequence: start it first
@pytest.mark.requirement("GEN-MODEL-001")
def test_every_view_agrees_with_a_model_of_the_documents(run: ConformanceRun, run_config: RunConfig) -> None:
    """After each step of random sequences over both organizations, every list, page, count, stat, activity
    feed, collaborator list and object field agrees with what the model says the accepted operations produced."""
    log = StepLog()
    keys = {"a": run_config.target.api_key, "b": run_config.target.other_key}
    clients = {org: run.client(key) for org, key in keys.items() if key}
    for client in clients.values():
        client.log = log
    registries = {org: Registry() for org in clients}
    context = Context(clients, registries, run_config.prefix, log, strict=run_config.contract.strict,
                      provision_wait=run_config.limits.provision_wait)  # fmt: skip
    ModelMachine.context = context
    ModelMachine._hypothesis_internal_use_seed = run_config.seed  # type: ignore[attr-defined]  # replayable
    steps = model_steps(run_config)
    explore = hypothesis_settings(
        max_examples=max(1, steps // STEPS_PER_SEQUENCE),
        stateful_step_count=STEPS_PER_SEQUENCE,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    started = time.monotonic()
    try:
        run_state_machine_as_test(ModelMachine, settings=explore)
    except (Exception, Flaky):
        # Shrinking stops at its time budget, and a replay may diverge (answers depend on time): either
        # way the last failing sequence kept is the shortest found, and it is what is reported.
        if not context.found:
            raise
        failure, sequence = context.found[-1]
        failure.add_note(
            f"first caught {context.first_catch or 0:.1f}s into the phase, after "
            f"{context.steps_at_catch} checked steps; the shortest sequence found (seed "
            f"{run_config.seed}, --model-steps {steps}):\n{sequence}"
        )
        raise failure from None
    finally:
        for org, registry in registries.items():
            run.cleanup_problems += registry.cleanup(clients[org])
            clients[org].close()
    print(f"model phase: {context.steps} checked steps in {time.monotonic() - started:.1f}s")
