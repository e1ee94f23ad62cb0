"""Findings noted without stopping the check: our own choices not taken, and answers that break their schema.

A check holds a MUST on what the documents say and accepts every reasonable alternative; where the
target chose otherwise than the contract recommends, ``recommend`` records a finding against the
SHOULD requirement that names the choice, without stopping the check. ``note`` does the same for a
finding of any level that should not stop the check that met it: an answer whose body breaks its
schema in a field the check may never read (harness/expect.py). The plugin files what was noted as
failures of those requirements; ``--strict`` judges the SHOULDs as MUSTs. This module is part of the
toolkit the suites import; ``__all__`` lists what they may use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.findings import Rule, masked

__all__ = ["recommend"]  # what the suites use; the plugin alone takes what was noted


@dataclass(frozen=True)
class Noted:
    requirement: str
    message: str
    culprit: str | None  # "METHOD url" of the answer
    rule: Rule | None


NOTED: list[Noted] = []
# Called after each note (the plugin files it at once, so the runner can show it before the check ends).
ON_NOTE: list[Callable[[], None]] = []


def note(requirement: str, message: str, response: Any = None, rule: Rule | None = None) -> None:
    """File ``message`` against ``requirement`` and let the check go on."""
    request = getattr(response, "request", None)
    culprit = f"{request.method} {request.url}" if request is not None else None
    NOTED.append(Noted(requirement, f"[{requirement}] {message}", culprit, rule))
    for listener in ON_NOTE:
        listener()


def recommend(requirement: str, holds: bool, message: str, response: Any = None) -> bool:
    """Note ``message`` against the SHOULD ``requirement`` unless ``holds``; return ``holds``. The same advice met
    on another route is the same root cause: a recommendation is about a choice, not a route."""
    if not holds:
        advice = masked(message, routes=True)
        note(requirement, f"recommended: {message}", response, Rule(f"advice|{advice}", ""))
    return holds


def take() -> list[Noted]:
    """What was noted since the last take, oldest first (the noted list is emptied)."""
    noted = list(NOTED)
    NOTED.clear()
    return noted
