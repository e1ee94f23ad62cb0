"""The requirement catalogue (harness/requirements.yaml): what a target must and should do, and why."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

from harness.errors import InternalError
from harness.paths import REQUIREMENTS

LEVELS = ("MUST", "SHOULD")
FIELDS = ("id", "level", "resource", "area", "statement")
DECISION = re.compile(r"D-\d\d")


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    resource: str
    area: str
    statement: str
    basis: str  # one line for reports: the quotes, then the decisions
    quotes: tuple[str, ...] = ()  # verbatim (up to whitespace) from openapi/sources/*.txt
    decisions: tuple[str, ...] = ()  # D-NN of openapi/DECISIONS.md
    recommended: str = ""  # for a SHOULD resting on our own choice: what we recommend

    @property
    def is_must(self) -> bool:
        return self.level == "MUST"

    def at(self, strict: bool) -> Requirement:
        """This requirement at a run's level: --strict makes every recommendation a MUST."""
        return replace(self, level="MUST") if strict and not self.is_must else self


def basis_line(quotes: tuple[str, ...], decisions: tuple[str, ...], recommended: str) -> str:
    parts = [f"“{quote}”" for quote in quotes]
    parts += [f"recommended: {recommended}"] if recommended else []
    parts += list(decisions)
    return "; ".join(parts)


@cache
def load_catalogue(path: Path = REQUIREMENTS) -> tuple[Requirement, ...]:
    """Read and check the catalogue; a malformed one is a bug in the harness, not in a target."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    requirements = []
    for entry in entries:
        missing = [name for name in FIELDS if not entry.get(name)]
        quotes = tuple(str(quote) for quote in entry.get("quotes", []))
        decisions = tuple(str(decision) for decision in entry.get("decisions", []))
        bad = [d for d in decisions if not DECISION.fullmatch(d)]
        level = entry.get("level") not in LEVELS and entry.get("level")
        problem = missing or bad or level or (not (quotes or decisions) and "no basis")
        if problem:
            raise InternalError(f"catalogue entry {entry.get('id', '?')} is malformed: {problem}")
        recommended = str(entry.get("recommended", ""))
        requirements.append(
            Requirement(
                **{name: str(entry[name]) for name in FIELDS},
                basis=basis_line(quotes, decisions, recommended),
                quotes=quotes,
                decisions=decisions,
                recommended=recommended,
            )
        )
    ids = [requirement.id for requirement in requirements]
    duplicated = sorted({rid for rid in ids if ids.count(rid) > 1})
    if duplicated:
        raise InternalError(f"catalogue repeats ids: {', '.join(duplicated)}")
    return tuple(requirements)


def at_level(catalogue: tuple[Requirement, ...], strict: bool) -> tuple[Requirement, ...]:
    """The catalogue as a run judges it: unchanged by default, every SHOULD a MUST under --strict."""
    return tuple(requirement.at(strict) for requirement in catalogue)


def by_id() -> dict[str, Requirement]:
    return {requirement.id: requirement for requirement in load_catalogue()}
