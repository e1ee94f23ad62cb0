"""Coverage cases derived when a test first runs: the same cases as schemathesis' own, none derived at collection."""

from __future__ import annotations

import subprocess
import sys

import pytest
import schemathesis

from harness.conformance import lazy_coverage
from harness.paths import SPEC

# Builds every operation's test as collection does, then reads its examples as Hypothesis does; prints what
# identifies each case (its values are random per process, what it covers is not).
BUILD = """
import sys
import schemathesis
from schemathesis.generation.hypothesis import builder
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode
from harness.conformance import lazy_coverage
from harness.paths import SPEC

if sys.argv[1] == "lazy":
    lazy_coverage.install()
schema = schemathesis.openapi.from_path(SPEC)
config = HypothesisTestConfig(project=schema.config, modes=list(HypothesisTestMode))
built = [builder.create_test(operation=result.ok(), test_func=lambda case: None, config=config)
         for result in schema.get_all_operations()]
for test in built:
    for example in test.hypothesis_explicit_examples:
        case = example.kwargs["case"]
        covers = getattr(getattr(case.meta.phase, "data", None), "description", None)
        print(case.method, case.path, covers, sorted(case.query or {}), type(case.body).__name__)
"""


def cases(how: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", BUILD, how], capture_output=True, text=True, check=True, timeout=300)
    return run.stdout.splitlines()


def test_the_lazy_cases_are_schemathesis_own_in_the_same_order() -> None:
    """Every operation's coverage cases, lazily derived, are the ones schemathesis derives at collection."""
    eager = cases("eager")

    assert len(eager) > 1000  # every operation's, not an empty build
    assert cases("lazy") == eager


def test_building_a_test_derives_nothing_until_its_examples_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Collection only attaches the list; the first read derives the cases, once."""
    derived = []
    eager = lazy_coverage.EAGER
    monkeypatch.setattr(lazy_coverage, "EAGER", lambda *args, **kwargs: derived.append(1) or eager(*args, **kwargs))
    monkeypatch.setattr(lazy_coverage.builder, "add_coverage", lazy_coverage.add_coverage_lazily)
    schema = schemathesis.openapi.from_path(SPEC)
    config = lazy_coverage.builder.HypothesisTestConfig(
        project=schema.config, modes=list(lazy_coverage.builder.HypothesisTestMode)
    )
    operation = schema["/api/v1/projects"]["GET"]

    test = lazy_coverage.builder.create_test(operation=operation, test_func=lambda case: None, config=config)

    assert derived == []
    first = list(reversed(test.hypothesis_explicit_examples))
    assert derived == [1]
    assert len(first) > 10
    assert list(reversed(test.hypothesis_explicit_examples)) == first
    assert derived == [1]
