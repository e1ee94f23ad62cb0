"""The model-based phase: every view checked against a model of the documents, first on purpose, then at random.

contracts/model/ holds the model, its map of what changes what, the systematic pass and the state
machine. This check runs the systematic pass (every (operation, view) pair of the map, the same for
every seed), then spends the rest of its budget (``--model-steps``, else the profile's default; each
case of the map counts as a step) on random sequences seeded with the run's seed, so that a failure
replays. It reports the pairs it exercised, and a failure as numbered curl lines: the systematic
pass's requests, or the shortest failing sequence Hypothesis found.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Flaky
from hypothesis.stateful import run_state_machine_as_test

from contracts.model import effects
from contracts.model.context import Context, StepLog
from contracts.model.effects import Coverage
from contracts.model.machine import ModelMachine
from contracts.model.systematic import SystematicPass
from harness.conformance.plugin import ConformanceRun
from harness.registry import Registry
from harness.run import RunConfig
from harness.steps import FINDINGS

STEPS_PER_SEQUENCE = 12  # short sequences: Hypothesis enables a random subset of rules per sequence
SHOWN_WRITES = 40  # of the systematic pass's writes, the last ones led to a finding (the rest are its script)
DEFAULT_STEPS = {"full": 120, "core": 120}


def model_steps(run_config: RunConfig) -> int:
    return run_config.contract.model_steps or DEFAULT_STEPS.get(run_config.contract.profile, 60)


@pytest.mark.slow(4)  # hundreds of requests in sequence: start it first
@pytest.mark.requirement("GEN-MODEL-001")
def test_every_view_agrees_with_a_model_of_the_documents(run: ConformanceRun, run_config: RunConfig) -> None:
    """Every (operation, view) pair of the map, then random sequences over both organizations: after each step,
    every list, page, count, stat, activity feed, collaborator list, status and object field agrees with what
    the model says the accepted operations produced."""
    log = StepLog()
    keys = {"a": run_config.target.api_key, "b": run_config.target.other_key}
    clients = {org: run.client(key) for org, key in keys.items() if key}
    for client in clients.values():
        client.log = log
    registries = {org: Registry() for org in clients}
    context = Context(clients, registries, run_config.prefix, log, strict=run_config.contract.strict,
                      provision_wait=run_config.limits.provision_wait)  # fmt: skip
    coverage = Coverage(effects.load())
    steps = model_steps(run_config)
    try:
        systematic(context, coverage)
        explore(context, run_config, steps - len(coverage.effects.cases))
    finally:
        unreached = [(str(pair), pair.requirement, why) for pair, why in coverage.unreached()]
        run.record_model_coverage(len(coverage.effects.pairs()), len(coverage.exercised), unreached)
        for org, registry in registries.items():
            # as a check's own data: a refusal is tried again by the runner's sweep, which has the last word (a
            # stop mid-step can leave a write that landed unrecorded, which only that sweep, by prefix, finds)
            run.retried += registry.cleanup(clients[org])
            clients[org].close()
    print(f"model phase: {len(coverage.exercised)} of {len(coverage.effects.pairs())} pairs, then "
          f"{context.steps} random steps, in {time.monotonic() - context.started:.1f}s")  # fmt: skip


def systematic(context: Context, coverage: Coverage) -> None:
    """The systematic pass; a finding carries the writes that led to it."""
    SystematicPass.context = context
    try:
        SystematicPass(coverage.effects, coverage).run()
    except FINDINGS as finding:
        coverage.stopped = "the model phase stopped at its first finding"
        lines = context.log.sequence().splitlines()
        earlier = f"({len(lines) - SHOWN_WRITES} earlier writes: contracts/model/systematic.py's script)\n"
        finding.add_note(
            f"first caught {time.monotonic() - context.started:.1f}s into the phase, by the systematic pass (the "
            f"same for every seed); its writes, and the read that disagreed:\n"
            f"{earlier if len(lines) > SHOWN_WRITES else ''}" + "\n".join(lines[-SHOWN_WRITES:])
        )
        raise
    except BaseException:
        coverage.stopped = "the model phase did not finish"
        raise


def explore(context: Context, run_config: RunConfig, steps: int) -> None:
    """Random sequences for the rest of the budget; a failure is the shortest failing sequence found."""
    if steps < STEPS_PER_SEQUENCE:
        return
    ModelMachine.context = context
    ModelMachine._hypothesis_internal_use_seed = run_config.seed  # type: ignore[attr-defined]  # replayable
    explore = hypothesis_settings(
        max_examples=steps // STEPS_PER_SEQUENCE,
        stateful_step_count=STEPS_PER_SEQUENCE,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
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
            f"{context.steps_at_catch} checked steps of random sequences; the shortest sequence found (seed "
            f"{run_config.seed}, --model-steps {model_steps(run_config)}):\n{sequence}"
        )
        raise failure from None
