"""Recommendations: where a check meets one of our own choices not taken, it notes it and goes on.

A check holds a MUST on what the documents say and accepts every reasonable alternative; where the
target chose otherwise than the contract recommends, ``recommend`` records a finding against the
SHOULD requirement that names the choice, without stopping the check. The plugin files what was
noted as failures of that SHOULD; ``--strict`` judges those SHOULDs as MUSTs. This module is part of
the toolkit the suites import; ``__all__`` lists what they may use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["recommend"]  # what the suites use; the plugin alone takes what was noted

NOTED: list[tuple[str, str, str | None]] = []  # (requirement, message, "METHOD url" of the answer)


def recommend(requirement: str, holds: bool, message: str, response: Any = None) -> bool:
    """Note ``message`` against the SHOULD ``requirement`` unless ``holds``; return ``holds``."""
    if not holds:
        request = getattr(response, "request", None)
        culprit = f"{request.method} {request.url}" if request is not None else None
        NOTED.append((requirement, f"[{requirement}] recommended: {message}", culprit))
    return holds


def take() -> list[tuple[str, str, str | None]]:
    """What was noted since the last take, oldest first (the noted list is emptied)."""
    noted = list(NOTED)
    NOTED.clear()
    return noted
