"""The catalogue's levels stand on the documents: every MUST quotes them, and every quote is in them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.errors import InternalError
from harness.paths import SPEC
from harness.requirements import at_level, load_catalogue

SOURCES = SPEC.parent / "sources"
DECISIONS = SPEC.parent / "DECISIONS.md"


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_must_quotes_the_sources() -> None:
    """A MUST without a quote from the sources is our own choice, which is a SHOULD."""
    unquoted = [r.id for r in load_catalogue() if r.is_must and not r.quotes]

    assert unquoted == []


def test_every_quote_occurs_in_the_sources() -> None:
    """Each quote is found verbatim (whitespace normalised) in openapi/sources/*.txt."""
    sources = normalised(" ".join(path.read_text(encoding="utf-8") for path in sorted(SOURCES.glob("*.txt"))))
    absent = [(r.id, q) for r in load_catalogue() for q in r.quotes if normalised(q) not in sources]

    assert absent == []


def test_every_decision_cited_exists() -> None:
    """Each D-NN a requirement cites has a heading in DECISIONS.md."""
    headings = set(re.findall(r"^### (D-\d\d) ", DECISIONS.read_text(encoding="utf-8"), re.MULTILINE))
    unknown = [(r.id, d) for r in load_catalogue() for d in r.decisions if d not in headings]

    assert unknown == []


def test_a_recommendation_says_what_it_recommends_and_why() -> None:
    """A SHOULD that rests on a decision states the recommendation and its D-NN."""
    vague = [r.id for r in load_catalogue() if not r.is_must and (not r.recommended or not r.decisions)]

    assert vague == []


def test_strict_makes_every_recommendation_a_must() -> None:
    """At the strict level no SHOULD is left; by default the catalogue is unchanged."""
    catalogue = load_catalogue()

    assert all(r.is_must for r in at_level(catalogue, strict=True))
    assert at_level(catalogue, strict=False) == catalogue


def test_a_requirement_without_a_basis_is_refused(tmp_path: Path) -> None:
    """The loader refuses an entry with neither quotes nor decisions."""
    path = tmp_path / "requirements.yaml"
    path.write_text("- {id: X-001, level: MUST, resource: general, area: schema, statement: s}\n")

    with pytest.raises(InternalError, match="no basis"):
        load_catalogue.__wrapped__(path)
