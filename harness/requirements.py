"""The requirement catalogue (harness/requirements.yaml): what a target must and should do."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from harness.errors import InternalError
from harness.paths import REQUIREMENTS

LEVELS = ("MUST", "SHOULD")
FIELDS = ("id", "level", "resource", "area", "statement", "basis")


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    resource: str
    area: str
    statement: str
    basis: str

    @property
    def is_must(self) -> bool:
        return self.level == "MUST"


@cache
def load_catalogue(path: Path = REQUIREMENTS) -> tuple[Requirement, ...]:
    """Read and check the catalogue; a malformed one is a bug in the harness, not in a target."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    requirements = []
    for entry in entries:
        missing = [name for name in FIELDS if not entry.get(name)]
        if missing or entry["level"] not in LEVELS:
            raise InternalError(f"catalogue entry {entry.get('id', '?')} is malformed: {missing or entry['level']}")
        requirements.append(Requirement(**{name: str(entry[name]) for name in FIELDS}))
    ids = [requirement.id for requirement in requirements]
    duplicated = sorted({rid for rid in ids if ids.count(rid) > 1})
    if duplicated:
        raise InternalError(f"catalogue repeats ids: {', '.join(duplicated)}")
    return tuple(requirements)


def by_id() -> dict[str, Requirement]:
    return {requirement.id: requirement for requirement in load_catalogue()}
