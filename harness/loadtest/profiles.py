"""Load profiles (load/profiles.toml): a user edits a file, not code, to change a run."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.loadtest.scenarios import declared
from harness.paths import LOCUSTFILE
from harness.run.config import Profile
from harness.tomlfile import read_toml

MODELS = ("closed", "open", "capacity")
__all__ = ["MODELS", "Profile", "duration", "load_profile"]  # Profile lives with the rest of the load configuration


def duration(value: Any, where: str) -> float:
    """Seconds from 90, "90s", "5m" or "1h30m"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if re.fullmatch(r"\d+(?:\.\d+)?", str(value)):
        return float(value)
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", str(value))
    if not value or not match or not any(match.groups()):
        raise UsageError(f"{where}: {value!r} is not a duration like 90, '90s', '5m' or '1h30m'")
    hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def load_profile(path: Path, name: str, locustfile: Path = LOCUSTFILE) -> Profile:
    """Read one profile; a file or value that does not fit is a UsageError naming where.

    Its ``mix`` and ``routes`` may name only what the scenarios of ``locustfile`` declare.
    """
    document = read_toml(path, "profiles file")
    if name not in document:
        raise UsageError(f"no profile {name!r} in {path}; there are: {', '.join(sorted(document))}")
    raw = document[name]
    known = {f.name: f for f in fields(Profile)}
    values: dict[str, Any] = {"name": name}
    for key, value in raw.items():
        where = f"{path}, profile {name}, {key}"
        if key not in known or key == "name":
            raise UsageError(f"{where}: unknown setting (known: {', '.join(sorted(set(known) - {'name'}))})")
        values[key] = _value(key, value, where, locustfile)
    profile = Profile(**values)
    if profile.model not in MODELS:
        raise UsageError(f"{path}, profile {name}: model must be one of {', '.join(MODELS)}")
    return profile


def _value(key: str, value: Any, where: str, locustfile: Path) -> Any:
    if key in ("duration", "step_duration"):
        return duration(value, where)
    if key in ("mix", "routes"):
        names = declared(locustfile)
        allowed = sorted(names.mix if key == "mix" else names.routes)
        if (
            not isinstance(value, dict)
            or not set(value) <= set(allowed)
            or not all(isinstance(weight, int) and weight >= 0 for weight in value.values())
        ):
            raise UsageError(f"{where}: must map {', '.join(allowed)} to whole-number weights")
        return dict(value)
    if key in ("description", "model", "slo"):
        if not isinstance(value, str):
            raise UsageError(f"{where}: must be a string")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise UsageError(f"{where}: must be a number of zero or more")
    return (
        int(value)
        if key in ("users", "projects", "volumes", "workspaces", "validate_every", "max_steps")
        else float(value)
    )
