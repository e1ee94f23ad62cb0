"""What a run is pointed at and how it behaves, from flags and ``STRONGLY_*`` environment variables.

The command line reads them once, checks them, and hands them to the suite's process through the
environment (``Settings.to_env``), where ``Settings.from_env`` reads them back.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from harness.errors import UsageError

PROFILES = ("full", "core", "smoke", "readonly")
ENV_PREFIX = "STRONGLY_"
Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class Target:
    """The server under test and the keys to talk to it."""

    base_url: str
    api_key: str
    readonly_key: str | None = None
    other_key: str | None = None
    restart_command: str | None = None
    embedded: bool = False

    def secrets(self) -> list[str]:
        return [key for key in (self.api_key, self.readonly_key, self.other_key) if key]

    def describe(self) -> str:
        return f"{self.base_url} (embedded reference server)" if self.embedded else self.base_url


@dataclass(frozen=True)
class Settings:
    """One run: its identity, profile, where reports go, and its limits."""

    target: Target
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    profile: str = "full"
    reports: Path = Path("reports")
    seed: int = field(default_factory=lambda: secrets.randbelow(2**31))
    request_timeout: float = 10.0
    provision_wait: float = 120.0
    deadline: float = 1800.0
    rate_limit: float | None = None
    keep_on_failure: bool = False
    strict: bool = False  # every recommendation (SHOULD) judged as a MUST
    model_steps: int | None = None  # the model-based phase's size (None: the profile's default)

    @property
    def prefix(self) -> str:
        """Every resource the harness creates carries this in its name (and nothing else does)."""
        return f"sh-{self.run_id}-"

    def redaction_secrets(self) -> list[str]:
        return self.target.secrets()

    def to_env(self) -> dict[str, str]:
        values = {
            "BASE_URL": self.target.base_url,
            "API_KEY": self.target.api_key,
            "READONLY_API_KEY": self.target.readonly_key,
            "OTHER_API_KEY": self.target.other_key,
            "RESTART_COMMAND": self.target.restart_command,
            "EMBEDDED": "1" if self.target.embedded else None,
            "RUN_ID": self.run_id,
            "PROFILE": self.profile,
            "REPORTS": str(self.reports),
            "SEED": str(self.seed),
            "REQUEST_TIMEOUT": str(self.request_timeout),
            "PROVISION_WAIT": str(self.provision_wait),
            "DEADLINE": str(self.deadline),
            "RATE_LIMIT": None if self.rate_limit is None else str(self.rate_limit),
            "KEEP_ON_FAILURE": "1" if self.keep_on_failure else None,
            "STRICT": "1" if self.strict else None,
            "MODEL_STEPS": None if self.model_steps is None else str(self.model_steps),
        }
        return {ENV_PREFIX + name: value for name, value in values.items() if value is not None}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            return env.get(ENV_PREFIX + name) or None

        target = Target(
            base_url=check_base_url(get("BASE_URL") or ""),
            api_key=require(get("API_KEY"), "STRONGLY_API_KEY"),
            readonly_key=get("READONLY_API_KEY"),
            other_key=get("OTHER_API_KEY"),
            restart_command=get("RESTART_COMMAND"),
            embedded=get("EMBEDDED") == "1",
        )
        defaults = cls(target=target)
        return replace(
            defaults,
            run_id=get("RUN_ID") or defaults.run_id,
            profile=check_profile(get("PROFILE") or "full"),
            reports=Path(get("REPORTS") or "reports"),
            seed=number(get("SEED"), "STRONGLY_SEED", int, defaults.seed),
            request_timeout=number(get("REQUEST_TIMEOUT"), "STRONGLY_REQUEST_TIMEOUT", float, 10.0),
            provision_wait=number(get("PROVISION_WAIT"), "STRONGLY_PROVISION_WAIT", float, 120.0),
            deadline=number(get("DEADLINE"), "STRONGLY_DEADLINE", float, 1800.0),
            rate_limit=number(get("RATE_LIMIT"), "STRONGLY_RATE_LIMIT", float, None),
            keep_on_failure=get("KEEP_ON_FAILURE") == "1",
            strict=get("STRICT") == "1",
            model_steps=number(get("MODEL_STEPS"), "STRONGLY_MODEL_STEPS", int, None),
        )


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = url or "nothing"
        raise UsageError(f"the target must be an http:// or https:// URL with a host, got {shown!r}")
    return url.rstrip("/")


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    return profile


def require(value: str | None, name: str) -> str:
    if not value:
        raise UsageError(f"{name} is not set; the suite needs a key with every scope")
    return value


def number(text: str | None, name: str, kind: type[Number], default: Number | None) -> Number | None:
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise UsageError(f"{name} must be a number, got {text!r}") from None
    if value <= 0:
        raise UsageError(f"{name} must be greater than zero, got {text!r}")
    return value
