"""The requirement catalogue (harness/requirements.yaml): what a target must and should do, and why."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from harness import yamlfile
from harness.errors import InternalError
from harness.paths import REQUIREMENTS

LEVELS = ("MUST", "SHOULD")
FIELDS = ("id", "level", "resource", "area", "statement")
DECISION = re.compile(r"D-\d\d")
# What holds whatever a server chose where the documents leave room (the guide's "hold what matters"):
# an assertion of a MUST rests on a sentence of the documents, or on one of these.
PRINCIPLES = {
    "refusal-changes-nothing": "a refused request (4xx, RFC 9110 15.5: a client error) did not happen: "
    "everything it would have changed reads as before",
    "answers-agree": "what an operation answers agrees with the next read of the same thing: one server, one state",
    "repeat-changes-nothing": "an action that finds its result already in place (archiving an archived project, "
    "sharing a shared volume) changes nothing else, whatever it answers",
    "complete-answers": "every request gets a complete HTTP answer that parses, within the request timeout",
}


@dataclass(frozen=True)
class Assertion:
    """One thing a requirement's checks assert, and the sentence it rests on."""

    requirement: str
    name: str
    says: str  # in words, as a root cause's line says it
    quote: str = ""  # verbatim from openapi/sources/*.txt
    principle: str = ""  # one of PRINCIPLES
    decision: str = ""  # D-NN, for the assertion of a SHOULD

    @property
    def id(self) -> str:
        return f"{self.requirement}/{self.name}"


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
    assertions: tuple[Assertion, ...] = ()  # what its checks assert, each with its basis

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
    entries = yamlfile.safe_load(path.read_text(encoding="utf-8"))
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
        assertions = entry.get("assertions") or {}
        requirements.append(
            Requirement(
                **{name: str(entry[name]) for name in FIELDS},
                basis=basis_line(quotes, decisions, recommended),
                quotes=quotes,
                decisions=decisions,
                recommended=recommended,
                assertions=tuple(assertion_of(entry, name, fields) for name, fields in assertions.items()),
            )
        )
    ids = [requirement.id for requirement in requirements]
    duplicated = sorted({rid for rid in ids if ids.count(rid) > 1})
    if duplicated:
        raise InternalError(f"catalogue repeats ids: {', '.join(duplicated)}")
    return tuple(requirements)


def assertion_of(entry: dict[str, Any], name: str, fields: Any) -> Assertion:
    """One entry of a requirement's ``assertions``: what it says and exactly one basis."""
    where = f"catalogue entry {entry.get('id', '?')}, assertion {name}"
    if not isinstance(fields, dict) or not fields.get("says"):
        raise InternalError(f"{where}: needs `says`")
    bases = [key for key in ("quote", "principle", "decision") if fields.get(key)]
    if len(bases) != 1:
        raise InternalError(f"{where}: needs exactly one of quote, principle, decision (has {bases or 'none'})")
    if fields.get("principle") and fields["principle"] not in PRINCIPLES:
        raise InternalError(f"{where}: unknown principle {fields['principle']!r}")
    if fields.get("decision") and not DECISION.fullmatch(str(fields["decision"])):
        raise InternalError(f"{where}: malformed decision {fields['decision']!r}")
    return Assertion(entry["id"], name, **{key: str(value) for key, value in fields.items()})


def assertion(assertion_id: str) -> Assertion:
    """``REQ-ID/name`` as declared in the catalogue (an unknown one is the harness's bug)."""
    requirement, _, name = assertion_id.partition("/")
    found = next((a for a in by_id().get(requirement, Requirement("", "", "", "", "", "")).assertions
                  if a.name == name), None)  # fmt: skip
    if found is None:
        raise InternalError(f"no assertion {assertion_id!r} in harness/requirements.yaml")
    return found


def at_level(catalogue: tuple[Requirement, ...], strict: bool) -> tuple[Requirement, ...]:
    """The catalogue as a run judges it: unchanged by default, every SHOULD a MUST under --strict."""
    return tuple(requirement.at(strict) for requirement in catalogue)


def by_id() -> dict[str, Requirement]:
    return {requirement.id: requirement for requirement in load_catalogue()}
