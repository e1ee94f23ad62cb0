"""Explicit cases derived when a test first runs: the same cases as schemathesis' own, none derived at collection."""

from __future__ import annotations

import subprocess
import sys

import pytest
import schemathesis

from harness.conformance import lazy_cases
from harness.paths import SPEC

# Builds every operation's test as collection does, then reads its examples as Hypothesis does; prints what
# identifies each case (its values are random per process, what it covers is not).
BUILD = """
import sys
import schemathesis
from schemathesis.generation.hypothesis import builder
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode
from harness.conformance import lazy_cases
from harness.paths import SPEC

if sys.argv[1] == "lazy":
    lazy_cases.install()
schema = schemathesis.openapi.from_path(SPEC)
config = HypothesisTestConfig(project=schema.config, modes=list(HypothesisTestMode))
built = [builder.create_test(operation=result.ok(), test_func=lambda case: None, config=config)
         for result in schema.get_all_operations()]
for number, test in enumerate(built):
    for example in reversed(test.hypothesis_explicit_examples):  # as Hypothesis runs them
        case = example.kwargs["case"]
        covers = getattr(getattr(case.meta.phase, "data", None), "description", None)
        print(number, case.meta.phase.name, case.method, case.path, covers, sorted(case.query or {}),
              type(case.body).__name__)
"""


def cases(how: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", BUILD, how], capture_output=True, text=True, check=True, timeout=300)
    return run.stdout.splitlines()


def examples_first(run_order: list[str]) -> list[str]:
    """Each operation's cases with its examples moved ahead of its coverage cases, each kind in its own order."""

    def key(line: str) -> tuple[int, bool]:
        number, phase = line.split()[:2]
        return int(number), phase != "examples"

    return sorted(run_order, key=key)  # a stable sort: the order within each kind is kept


def test_the_lazy_cases_are_schemathesis_own_with_the_examples_first() -> None:
    """Every operation's example and coverage cases, lazily derived, are the ones schemathesis derives at collection,
    in its order, except that each operation's examples run before its coverage cases (as st run's phases do)."""
    eager = cases("eager")

    assert len(eager) > 1000  # every operation's, not an empty build
    assert {line.split()[1] for line in eager} == {"examples", "coverage"}
    lazy = cases("lazy")
    assert lazy != eager  # schemathesis' own order runs the coverage cases first
    assert lazy == examples_first(eager)


def test_building_a_test_derives_nothing_until_its_examples_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Collection only attaches the list; the first read derives the example and coverage cases, once each, and
    Hypothesis' read derives the coverage cases only once the examples have run."""
    derived = []
    for name, eager in lazy_cases.EAGER.items():
        counted = lambda *args, eager=eager, name=name, **kwargs: derived.append(name) or eager(*args, **kwargs)  # noqa: E731
        monkeypatch.setitem(lazy_cases.EAGER, name, counted)
        monkeypatch.setattr(lazy_cases.builder, name, lazy_cases.deferred(name))
    schema = schemathesis.openapi.from_path(SPEC)
    config = lazy_cases.builder.HypothesisTestConfig(
        project=schema.config, modes=list(lazy_cases.builder.HypothesisTestMode)
    )
    operation = schema["/api/v1/projects"]["POST"]

    test = lazy_cases.builder.create_test(operation=operation, test_func=lambda case: None, config=config)

    assert derived == []
    in_run_order = reversed(test.hypothesis_explicit_examples)
    documented = next(in_run_order)
    assert derived == ["add_examples"]  # the examples run before the coverage cases are derived
    first = [documented, *in_run_order]
    assert derived == ["add_examples", "add_coverage"]
    assert len(first) > 10
    assert list(reversed(test.hypothesis_explicit_examples)) == first
    assert derived == ["add_examples", "add_coverage"]
