"""The model's map of what changes what (effects.yaml), and which of its pairs a run exercised.

A case is one state-changing operation in one state of its subject; a pair is a case and one view
the documents tie to it, judged by one requirement. ``Coverage`` records the pairs the systematic
pass read after performing their case, and says for each pair it did not reach why not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

MAP = Path(__file__).with_name("effects.yaml")
# libyaml where PyYAML has it, as harness/yamlfile.py (not in the toolkit the suites may import)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
OUTCOMES = ("accepted", "refused", "either")


@dataclass(frozen=True)
class Case:
    """One operation in one state of its subject, and the views it changes or must leave alone."""

    operation: str
    state: str
    basis: str
    changes: dict[str, str]  # view -> the requirement it is judged by
    keeps: dict[str, str]
    outcome: str = "accepted"
    refusal: str = ""  # refused: the requirement an acceptance breaks; either: our choice, judged under --strict
    awaits: str = ""  # the state the subject reaches by itself (running, stopped)

    @property
    def name(self) -> str:
        return f"{self.operation}@{self.state}"

    @property
    def views(self) -> dict[str, str]:
        return {**self.changes, **self.keeps}


@dataclass(frozen=True)
class Pair:
    case: str
    view: str
    requirement: str

    def __str__(self) -> str:
        return f"{self.case} -> {self.view}"


@dataclass(frozen=True)
class EffectsMap:
    views: dict[str, str]  # view -> what it reads
    cases: tuple[Case, ...]

    def pairs(self) -> list[Pair]:
        return [Pair(case.name, view, requirement) for case in self.cases for view, requirement in case.views.items()]

    def case(self, operation: str, state: str) -> Case:
        return next(case for case in self.cases if (case.operation, case.state) == (operation, state))


@cache
def load(path: Path = MAP) -> EffectsMap:
    document: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)  # noqa: S506
    cases = tuple(
        Case(
            operation=entry["operation"],
            state=entry["state"],
            basis=entry["basis"],
            changes=dict(entry.get("changes") or {}),
            keeps=dict(entry.get("keeps") or {}),
            outcome=entry.get("outcome", "accepted"),
            refusal=entry.get("refusal", ""),
            awaits=entry.get("awaits", ""),
        )
        for entry in document["cases"]
    )
    return EffectsMap(dict(document["views"]), cases)


@dataclass
class Coverage:
    """The pairs exercised so far, and why the others were not (by case, or by view for a whole run)."""

    effects: EffectsMap
    exercised: set[tuple[str, str]] = field(default_factory=set)
    skipped_views: dict[str, str] = field(default_factory=dict)  # view -> why the run cannot read it
    stopped: str = ""  # why the pass ended before its last case, if it did

    def read(self, case: Case, view: str) -> None:
        self.exercised.add((case.name, view))

    def unreached(self) -> list[tuple[Pair, str]]:
        """Each pair not exercised, with why."""
        missing = []
        for pair in self.effects.pairs():
            if (pair.case, pair.view) not in self.exercised:
                why = self.skipped_views.get(pair.view) or self.stopped or "no driver reached it"
                missing.append((pair, why))
        return missing
