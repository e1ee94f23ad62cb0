"""Coverage cases derived when an operation's test first runs, not when pytest collects it.

Schemathesis builds each operation's test at collection and attaches its coverage-phase cases (the
boundary values, the missing and malformed parameters) as Hypothesis explicit examples, deriving
every one of them there and then: for the contract's 35 operations about two seconds of CPU in each
pytest process a run starts, before its first check. A run starts several (the swarm's workers, each
collecting the whole suite) and each operation's test runs in one of them, so the derivation is done
again in every process for cases only one will use, and the first finding waits for all of it.

``install()`` makes schemathesis attach the same cases lazily: the examples list derives them the first
time Hypothesis reads it, when the test runs, in the same order. The cases are the same ones
(tests/conformance/test_lazy_coverage.py compares them with schemathesis' own), so the checks are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from schemathesis.generation.hypothesis import builder

EAGER = builder.add_coverage


class LazyExamples(list[Any]):
    """A test's explicit examples: those attached so far, then the coverage cases, derived on first read."""

    def __init__(self, attached: list[Any], derive: Callable[[], list[Any]]) -> None:
        super().__init__(attached)
        self.derive: Callable[[], list[Any]] | None = derive

    def filled(self) -> LazyExamples:
        if self.derive is not None:
            derive, self.derive = self.derive, None
            self.extend(derive())
        return self

    def __iter__(self) -> Iterator[Any]:
        return super(LazyExamples, self.filled()).__iter__()

    def __reversed__(self) -> Iterator[Any]:
        return super(LazyExamples, self.filled()).__reversed__()

    def __len__(self) -> int:
        return super(LazyExamples, self.filled()).__len__()

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, index: Any) -> Any:
        return super(LazyExamples, self.filled()).__getitem__(index)


def add_coverage_lazily(test: Callable[..., Any], operation: Any, *args: Any, **kwargs: Any) -> Callable[..., Any]:
    """schemathesis' ``add_coverage``, deferred: the same generator, run on the first read of the examples."""

    def derive() -> list[Any]:
        stand_in = EAGER(lambda: None, operation, *args, **kwargs)  # the cases, attached in schemathesis' order
        unserializable = builder.UnserializablePayloadMark.get(stand_in)
        if unserializable is not None:  # read only after the test ran, so it is there in time
            builder.UnserializablePayloadMark.set(test, unserializable)
        return list(getattr(stand_in, "hypothesis_explicit_examples", []))

    test.hypothesis_explicit_examples = LazyExamples(  # type: ignore[attr-defined]
        list(getattr(test, "hypothesis_explicit_examples", [])), derive
    )
    return test


def install() -> None:
    """From now on, tests schemathesis builds derive their coverage cases when they first run."""
    builder.add_coverage = add_coverage_lazily
