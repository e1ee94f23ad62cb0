"""Every assertion of a check names its rule, and every rule of a MUST stands on a sentence of the documents."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from harness import expect
from harness.errors import InternalError
from harness.paths import CONTRACTS, SPEC
from harness.requirements import PRINCIPLES, load_catalogue

SOURCES = " ".join(path.read_text(encoding="utf-8") for path in sorted((SPEC.parent / "sources").glob("*.txt")))
ASSERTION_ID = re.compile(r"^[A-Z]+(?:-[A-Z]+)?-\d{3}/[a-z][a-z-]*$")
CHECKS = sorted(CONTRACTS.rglob("*.py"))
SUITE = [*CHECKS, Path(expect.__file__)]  # the checks, and the judgements of the toolkit they share


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def declared() -> dict[str, object]:
    return {assertion.id: assertion for requirement in load_catalogue() for assertion in requirement.assertions}


def used() -> dict[str, str]:
    """Every assertion id the suite names (in require, violation and the helpers that pass one on), and where."""
    found = {}
    for path in SUITE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ASSERTION_ID.match(node.value):
                found.setdefault(node.value, f"{path.as_posix()}:{node.lineno}")
    return found


def test_every_must_assertion_rests_on_a_sentence_or_a_principle() -> None:
    """An assertion of a MUST quotes the sources or names a principle; one resting on a decision is a SHOULD."""
    unsupported = [a.id for r in load_catalogue() if r.is_must for a in r.assertions if not (a.quote or a.principle)]

    assert unsupported == []


def test_every_assertion_quote_occurs_in_the_sources() -> None:
    """Each assertion's quote is found verbatim (whitespace normalised) in openapi/sources/*.txt."""
    sources = normalised(SOURCES)
    absent = [a.id for r in load_catalogue() for a in r.assertions if a.quote and normalised(a.quote) not in sources]

    assert absent == []


def test_every_assertion_the_suite_names_is_declared() -> None:
    """A check cannot assert a rule the catalogue does not hold, with its basis."""
    unknown = {name: where for name, where in used().items() if name not in declared()}

    assert unknown == {}


def test_every_declared_assertion_is_asserted_somewhere() -> None:
    """No assertion of the catalogue is left without a check that makes it (the model's are its own)."""
    unused = sorted(set(declared()) - set(used()))

    assert unused == []


def test_checks_assert_only_through_named_rules() -> None:
    """No bare `assert` (its text would reach a report) and no finding built by hand outside the model: a check
    asserts with require(), which names its rule and says in words what came back."""
    bare = []
    for path in CHECKS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            built = isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ContractViolation"
            if isinstance(node, ast.Assert) or (built and "model" not in path.parts):
                bare.append(f"{path.relative_to(CONTRACTS.parent)}:{node.lineno}")

    assert bare == []


def test_the_principles_are_few_and_each_is_used() -> None:
    """Principles are what holds whatever a server chose; each is named by some MUST assertion."""
    named = {a.principle for r in load_catalogue() for a in r.assertions if a.principle}

    assert named == set(PRINCIPLES)


def test_an_assertion_needs_exactly_one_basis(tmp_path: Path) -> None:
    """The loader refuses an assertion with two bases, or none."""
    path = tmp_path / "requirements.yaml"
    path.write_text(
        "- id: X-001\n  level: MUST\n  resource: general\n  area: schema\n  statement: s\n  quotes: [q]\n"
        "  assertions:\n    both: {says: s, quote: q, principle: answers-agree}\n"
    )

    with pytest.raises(InternalError, match="exactly one of quote, principle, decision"):
        load_catalogue.__wrapped__(path)
