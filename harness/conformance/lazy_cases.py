"""Explicit cases derived when an operation's test first runs, not when pytest collects it.

Schemathesis builds each operation's test at collection and attaches its explicit cases as Hypothesis
examples, deriving every one of them there and then: the cases built from the contract's examples
(``add_examples``) and the coverage-phase cases (``add_coverage``: boundary values, missing and
malformed parameters). For the contract's 35 operations that is seconds of CPU in each pytest process
a run starts, before its first check. A run starts several (the swarm's workers each collect the whole
suite) and each operation's test runs in one of them, so the same derivation is repeated in every
process for cases only one will use, and the first finding waits for all of it.

``install()`` makes schemathesis attach the same cases lazily: the test's examples list derives them
when Hypothesis reads it, as the test runs, each batch once the one before it has run, and what schemathesis marks
on the test while deriving (a media type it cannot serialise, an unsatisfiable example) is copied onto
it then, before the test's outcome reads it. The cases are schemathesis' own
(tests/conformance/test_lazy_cases.py compares them), so the checks are unchanged.

Only their order differs, on purpose: the contract's own examples run first, then the coverage cases, as `st
run` runs its examples phase before its coverage phase. Schemathesis attaches the coverage cases last, and
Hypothesis runs explicit examples last-attached first, so under pytest an operation's documented example would
wait behind its hundreds of coverage cases and the seconds of CPU they take to derive; it is the cheapest request
of the test and the likeliest to show a server's first bug (a documented request refused), so a run stopped at its
first finding (``-x``) shows it soonest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from schemathesis.generation.hypothesis import builder

EXAMPLES = "hypothesis_explicit_examples"  # where Hypothesis keeps a test's explicit examples
EAGER = {"add_examples": builder.add_examples, "add_coverage": builder.add_coverage}
RUNS_FIRST = ("add_examples", "add_coverage")  # the batches' order when the test runs: st run's phases


class LazyExamples(list[Any]):
    """A test's explicit examples: those attached eagerly, then the deferred batches, placed so that Hypothesis,
    which reads the list from its end, runs the batches in ``RUNS_FIRST`` order. Hypothesis' own read derives
    each batch only once the one before it has run (the examples need no coverage case derived, and the coverage
    cases take seconds to derive); any other read derives them all."""

    def __init__(self, attached: list[Any]) -> None:
        super().__init__(attached)
        self.attached = list(attached)
        self.pending: dict[str, Callable[[], list[Any]]] = {}
        self.derived: dict[str, list[Any]] = {}

    def derive(self, name: str) -> list[Any]:
        """One batch's cases, derived on the first call; the list then holds every batch derived so far."""
        if name in self.pending:
            self.derived[name] = self.pending.pop(name)()
            batches = [self.derived.get(batch, []) for batch in reversed(RUNS_FIRST)]
            super().__init__([*self.attached, *(case for batch in batches for case in batch)])
        return self.derived.get(name, [])

    def filled(self) -> LazyExamples:
        for name in RUNS_FIRST:
            self.derive(name)
        return self

    def in_run_order(self) -> Iterator[Any]:
        for name in RUNS_FIRST:
            yield from reversed(self.derive(name))
        yield from reversed(self.attached)

    def __iter__(self) -> Iterator[Any]:
        return super(LazyExamples, self.filled()).__iter__()

    def __reversed__(self) -> Iterator[Any]:
        return self.in_run_order()

    def __len__(self) -> int:
        return super(LazyExamples, self.filled()).__len__()

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, index: Any) -> Any:
        return super(LazyExamples, self.filled()).__getitem__(index)


def deferred(name: str) -> Callable[..., Callable[..., Any]]:
    """schemathesis' ``add_examples`` or ``add_coverage``, run on a stand-in when the examples are first read."""
    eager = EAGER[name]

    def add_lazily(test: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        def derive() -> list[Any]:
            stand_in = eager(lambda: None, *args, **kwargs)  # attaches the cases in schemathesis' order
            for attribute, value in vars(stand_in).items():  # its marks, read only once the test has run
                if attribute != EXAMPLES:
                    setattr(test, attribute, value)
            return list(getattr(stand_in, EXAMPLES, []))

        examples = getattr(test, EXAMPLES, None)
        if not isinstance(examples, LazyExamples):
            examples = LazyExamples([] if examples is None else list(examples))
            setattr(test, EXAMPLES, examples)
        examples.pending[name] = derive
        return test

    return add_lazily


def install() -> None:
    """From now on, tests schemathesis builds derive their explicit cases when they first run."""
    for name in EAGER:
        setattr(builder, name, deferred(name))
