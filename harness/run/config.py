"""One run's configuration: read once from flags and the user's ``STRONGLY_*`` variables, then written
to one file that every process of the run reads.

The command line builds a ``RunConfig`` with ``resolve`` (flags first, then the documented
variables; no target at all means the embedded reference server). The runner completes it (the
embedded server's address, preflight notes, the seeded load data, the Locust step) and writes it
with ``RunConfig.write``; the pytest child reads it with ``--run-config FILE``, every Locust process
with its own ``--run-config FILE``, and a Locust worker on another machine receives it from its
master through Locust's custom options, without the keys (``shared``/``from_shared``). This module is
the only place that reads a ``STRONGLY_*`` variable.

    RunConfig
    ├── target      Target: base URL, keys, restart command; or the embedded server and its faults
    ├── readonly    the read-only mode: nothing is created, no write leaves the process
    ├── limits      Limits: request timeout, provisioning wait, deadline, request rate
    ├── reports     where the run writes
    ├── contract    ContractConfig: profile, requirements, model size, preflight notes
    └── load        LoadConfig: the load profile, generators, seeded data and the current Locust step
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.errors import UsageError
from harness.paths import LOCUSTFILE

CONTRACT_PROFILES = ("full", "core", "smoke")
# Checks in flight by default: as many as the target and this machine bear, found while the run goes
# (harness/conformance/swarm.py), up to this many; --concurrency N fixes the number instead.
ADAPTIVE_CEILING = 16
RATE_LIMITED_CONCURRENCY = 8  # a --rate-limit run's: its workers split the rate, which a changing number cannot
CONTRACT_DEADLINE = 1800.0  # a contract run without --deadline; a load run without one lasts as its profile says
DEFAULT_MAX_WORKSPACES = 32  # made ahead at once (the full profile asks 16, and one per worker); lower it when shared
READONLY_ALIAS = "readonly"  # `contract --profile readonly`, as before --readonly: the full profile, read-only

# The variables a user sets (README, "Against your deployment"); the run reads nothing else from its environment.
BASE_URL = "STRONGLY_BASE_URL"
API_KEY = "STRONGLY_API_KEY"
READONLY_API_KEY = "STRONGLY_READONLY_API_KEY"
OTHER_API_KEY = "STRONGLY_OTHER_API_KEY"
RESTART_COMMAND = "STRONGLY_RESTART_COMMAND"
USER_VARIABLES = (BASE_URL, API_KEY, READONLY_API_KEY, OTHER_API_KEY, RESTART_COMMAND)
EMBEDDED_PLACEHOLDER = "http://127.0.0.1"  # the embedded server's address is known once it runs


@dataclass(frozen=True)
class Target:
    """The server under test and the keys to talk to it."""

    base_url: str
    api_key: str
    readonly_key: str | None = None
    other_key: str | None = None
    restart_command: str | None = None
    embedded: bool = False
    faults: tuple[str, ...] = ()  # planted in the embedded reference server (never sent to a real target)

    def secrets(self) -> list[str]:
        return [key for key in (self.api_key, self.readonly_key, self.other_key) if key]

    def describe(self) -> str:
        return f"{self.base_url} (embedded reference server)" if self.embedded else self.base_url


@dataclass(frozen=True)
class Limits:
    """How long and how hard the run may go."""

    request_timeout: float = 10.0
    provision_wait: float = 120.0
    # seconds for the whole run; None: the suite's own (a load profile such as soak may run past the contract's)
    deadline: float | None = None
    rate_limit: float | None = None  # requests per second; None: as fast as the target answers

    @property
    def contract_deadline(self) -> float:
        return CONTRACT_DEADLINE if self.deadline is None else self.deadline


@dataclass(frozen=True)
class ContractConfig:
    """The conformance suite's part of the run."""

    profile: str = "full"  # full, core or smoke
    requirements: tuple[str, ...] = ()  # only the checks of these (empty: the whole profile)
    checks: tuple[str, ...] = ()  # only the checks whose id holds one of these (--check; empty: all)
    model_steps: int | None = None  # the model-based phase's size (None: the profile's default)
    keep_on_failure: bool = False
    strict: bool = False  # every recommendation (SHOULD) judged as a MUST
    notes: tuple[str, ...] = ()  # what preflight found worth saying (missing optional keys)
    list_file: str | None = None  # `contract --list`: collect only, and write the selection here
    concurrency: int | None = None  # checks in flight at once (1: one at a time; None: by target, see above)
    max_workspaces: int = DEFAULT_MAX_WORKSPACES  # the most workspaces the pool makes ahead (harness/run/pool.py)
    max_failures: int | None = None  # stop once this many root causes are found (--max-failures, -x; None: never)
    phase: str = "all"  # the checks this process runs: all, concurrent or quiet (harness/conformance/phases.py)
    scratch: str | None = None  # the run's folder shared by its processes: parts of the result, pool, progress
    started: float | None = None  # the run's start on time.monotonic() (one clock for all its processes)

    def selection(self) -> list[str]:
        """What the run was narrowed to, as its results record it (empty: the whole profile)."""
        return sorted(self.requirements) + [f"check {pattern}" for pattern in self.checks]


@dataclass(frozen=True)
class LoadData:
    """What the scenarios address: seeded under the run prefix, or found (read-only)."""

    workspaces: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    search_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """One load profile of load/profiles.toml (read by harness/loadtest/profiles.py): how the load is shaped."""

    name: str
    description: str = ""
    model: str = "closed"
    duration: float = 30.0
    users: int = 10
    spawn_rate: float = 10.0
    rate: float = 100.0
    poll_interval: float = 5.0
    mix: dict[str, int] = field(default_factory=lambda: {"pollers": 8, "dashboards": 2, "churn": 1})
    routes: dict[str, int] = field(default_factory=lambda: {"status": 7, "metrics": 2, "list": 1})
    projects: int = 2
    volumes: int = 2
    workspaces: int = 10
    validate_every: int = 20
    start_rate: float = 50.0
    step: float = 50.0
    step_duration: float = 15.0
    max_steps: int = 10
    slo: str = "slo.toml"


@dataclass(frozen=True)
class LoadStep:
    """One Locust run of the load run (a capacity search makes several)."""

    model: str = "closed"  # closed or open
    rate: float = 0.0  # open model: requests per second for each driver
    rate_limit: float | None = None  # this process's share of --rate-limit (requests per second); None: no limit
    duration: float = 30.0
    recordings: str = "."  # where each Locust process's recording goes


@dataclass(frozen=True)
class LoadConfig:
    """The load suite's part of the run."""

    profile: Profile
    profiles_file: Path
    locustfile: Path = LOCUSTFILE  # the scenarios (the shipped load/locustfile.py)
    workers: int = 0
    remote_workers: int = 0
    bind: tuple[str, int] = ("127.0.0.1", 5557)
    web: tuple[str, int] | None = None  # Locust's web UI at (host, port) while the run lasts; None: headless
    metrics_port: int = 0  # live Prometheus metrics on 127.0.0.1:PORT while Locust runs; 0: none
    baseline: Path | None = None  # a previous summary.json, or a folder or bundle holding one
    tolerances: Path | None = None  # default: baseline.toml beside the SLO file
    data: LoadData = field(default_factory=LoadData)
    step: LoadStep = field(default_factory=LoadStep)

    @property
    def slo_file(self) -> Path:
        return self.profiles_file.parent / self.profile.slo


@dataclass(frozen=True)
class RunConfig:
    """One run: what it points at, how it behaves, and each suite's part."""

    target: Target
    readonly: bool = False
    limits: Limits = field(default_factory=Limits)
    reports: Path = Path("reports")
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    seed: int = field(default_factory=lambda: secrets.randbelow(2**31))
    quiet: bool = False
    contract: ContractConfig = field(default_factory=ContractConfig)
    load: LoadConfig | None = None

    @property
    def prefix(self) -> str:
        """Every resource the harness creates carries this in its name (and nothing else does)."""
        return f"sh-{self.run_id}-"

    def secrets(self) -> list[str]:
        return self.target.secrets()

    def redacted(self) -> dict[str, Any]:
        """The contract run's configuration as its results file records it: keys never, only whether they were set."""
        target = self.target
        return {
            "baseUrl": target.base_url,
            "apiKey": "[REDACTED]",
            "readonlyApiKey": "[REDACTED]" if target.readonly_key else None,
            "otherApiKey": "[REDACTED]" if target.other_key else None,
            "restartCommand": "set" if target.restart_command else None,
            "embedded": target.embedded,
            "profile": self.contract_profile,
            "requestTimeout": self.limits.request_timeout,
            "provisionWait": self.limits.provision_wait,
            "deadline": self.limits.contract_deadline,
            "rateLimit": self.limits.rate_limit,
            "keepOnFailure": self.contract.keep_on_failure,
            "prefix": self.prefix,
            "strict": self.contract.strict,
            "maxFailures": self.contract.max_failures,
            "concurrency": self.concurrency,
        }

    @property
    def concurrency(self) -> int:
        """Checks in flight at once: as asked; else, adapted to the target, at most ADAPTIVE_CEILING; a narrow run
        (a few requirements, the smoke profile) has too little to overlap to pay for starting workers, so it runs
        one at a time."""
        if self.contract.concurrency:
            return self.contract.concurrency
        if self.contract.requirements or self.contract.checks or self.contract.profile == "smoke":
            return 1
        return RATE_LIMITED_CONCURRENCY if self.limits.rate_limit else ADAPTIVE_CEILING

    @property
    def adaptive(self) -> bool:
        """The concurrent phase's workers start as the target and this machine bear them
        (harness/conformance/swarm.py)."""
        return not self.contract.concurrency and not self.limits.rate_limit and self.concurrency > 1

    @property
    def contract_profile(self) -> str:
        """The profile as reports name it: a read-only run of the full profile is the "readonly" profile."""
        return READONLY_ALIAS if self.readonly else self.contract.profile

    def require_load(self) -> LoadConfig:
        """The load section, which a load run always has; a run without one is a bug in the harness."""
        if self.load is None:
            raise RuntimeError("this run has no load configuration")
        return self.load

    # ------------------------------------------------------------------ the file every process reads
    def to_document(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self), default=str))

    @classmethod
    def from_document(cls, data: Mapping[str, Any]) -> RunConfig:
        load = data.get("load")
        return cls(
            target=_build(Target, data["target"]),
            readonly=data["readonly"],
            limits=_build(Limits, data["limits"]),
            reports=Path(data["reports"]),
            run_id=data["run_id"],
            seed=data["seed"],
            quiet=data["quiet"],
            contract=_build(ContractConfig, data["contract"]),
            load=None if load is None else _load_from_document(load),
        )

    def write(self, path: Path) -> Path:
        """Write the configuration (keys included) readable by this user only."""
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(json.dumps(self.to_document(), indent=2), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path | str) -> RunConfig:
        return cls.from_document(json.loads(Path(path).read_text(encoding="utf-8")))

    def shared(self) -> str:
        """The configuration without keys or restart command, for a Locust worker on another machine."""
        target = replace(self.target, api_key="", readonly_key=None, other_key=None, restart_command=None)
        return json.dumps(replace(self, target=target).to_document())

    @classmethod
    def from_shared(cls, text: str, env: Mapping[str, str] | None = None) -> RunConfig:
        """What a remote worker received from its master, with the key from the worker's own environment."""
        config = cls.from_document(json.loads(text))
        key = require((os.environ if env is None else env).get(API_KEY), API_KEY)
        return replace(config, target=replace(config.target, api_key=key))


def _build(kind: type[Any], data: Mapping[str, Any]) -> Any:
    """A flat dataclass from its document: lists become tuples, as the fields declare them."""
    values = {}
    for item in fields(kind):
        if item.name in data:
            value = data[item.name]
            values[item.name] = tuple(value) if isinstance(value, list) else value
    return kind(**values)


def _load_from_document(data: Mapping[str, Any]) -> LoadConfig:
    def path(value: str | None) -> Path | None:
        return None if value is None else Path(value)

    web = data.get("web")
    return LoadConfig(
        profile=Profile(**data["profile"]),
        profiles_file=Path(data["profiles_file"]),
        locustfile=Path(data["locustfile"]),
        workers=data["workers"],
        remote_workers=data["remote_workers"],
        bind=(data["bind"][0], int(data["bind"][1])),
        web=None if web is None else (web[0], int(web[1])),
        metrics_port=data["metrics_port"],
        baseline=path(data.get("baseline")),
        tolerances=path(data.get("tolerances")),
        data=_build(LoadData, data["data"]),
        step=_build(LoadStep, data["step"]),
    )


# ------------------------------------------------------------------ from flags and the user's variables
def resolve(
    *,
    base_url: str | None = None,
    faults: Sequence[str] = (),
    readonly: bool = False,
    reports: Path = Path("reports"),
    seed: int | None = None,
    quiet: bool = False,
    limits: Mapping[str, float | None] | None = None,
    contract: ContractConfig | None = None,
    load: LoadConfig | None = None,
    require_target: str | None = None,
    env: Mapping[str, str] | None = None,
) -> RunConfig:
    """Flags first, then the user's ``STRONGLY_*`` variables; no target at all means the embedded server.

    ``require_target`` names the command that cannot run without a real target (``sweep``).
    """
    env = os.environ if env is None else env
    url = base_url or env.get(BASE_URL)
    if url:
        if faults:
            raise UsageError("--fault only applies to the embedded reference server (no --base-url)")
        target = Target(
            base_url=check_base_url(url),
            api_key=require(env.get(API_KEY), API_KEY),
            readonly_key=env.get(READONLY_API_KEY) or None,
            other_key=env.get(OTHER_API_KEY) or None,
            restart_command=env.get(RESTART_COMMAND) or None,
        )
    elif require_target:
        raise UsageError(f"{require_target} needs a target: --base-url or {BASE_URL}")
    else:
        from harness.reference.keys import DEV_KEYS

        admin, reader, other = list(DEV_KEYS)
        target = Target(EMBEDDED_PLACEHOLDER, admin, reader, other, embedded=True, faults=tuple(faults))
    chosen = {name: value for name, value in (limits or {}).items() if value is not None}
    values: dict[str, Any] = {"seed": seed} if seed is not None else {}
    return RunConfig(
        target=target,
        readonly=readonly,
        limits=replace(Limits(), **chosen),
        reports=reports,
        quiet=quiet,
        contract=contract or ContractConfig(),
        load=load,
        **values,
    )


def contract_profile(profile: str, readonly: bool) -> tuple[str, bool]:
    """(profile, read-only mode) from ``--profile`` and ``--readonly``; ``--profile readonly`` is the alias."""
    if profile == READONLY_ALIAS:
        return "full", True
    if profile not in CONTRACT_PROFILES:
        choices = ", ".join((*CONTRACT_PROFILES, READONLY_ALIAS))
        raise UsageError(f"unknown profile {profile!r}; choose one of {choices}")
    if readonly and profile != "full":
        raise UsageError(f"--readonly runs every check that only reads; it does not combine with --profile {profile}")
    return profile, readonly


def user_secrets(env: Mapping[str, str] | None = None) -> list[str]:
    """The keys the user set, for scrubbing reports rendered outside a run."""
    env = os.environ if env is None else env
    return [env.get(name, "") for name in (API_KEY, READONLY_API_KEY, OTHER_API_KEY)]


def require_worker_key(env: Mapping[str, str] | None = None) -> None:
    """A remote load worker sends requests with the user's key; its master never sends one."""
    if not (os.environ if env is None else env).get(API_KEY):
        raise UsageError(f"{API_KEY} is not set; a worker sends requests with it")


def without_user_variables(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without the user's ``STRONGLY_*`` variables: a child run then targets the embedded server."""
    env = os.environ if env is None else env
    return {name: value for name, value in env.items() if not name.startswith("STRONGLY_")}


def user_cache(env: Mapping[str, str] | None = None) -> Path:
    """Where the harness keeps what it could derive again but should not have to (the XDG cache folder)."""
    env = os.environ if env is None else env
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "strongly-harness"


def with_hypothesis_cache(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a process that generates cases, with Hypothesis' storage folder in the user's cache
    unless one is set. Hypothesis keeps its Unicode tables there (seconds of CPU to build, in each process that
    generates text); by default the folder is under the working directory, which for the contract's pytest children
    is the run's scratch folder, gone at the run's end, so every process of every run built them again."""
    env = os.environ if env is None else env
    return {"HYPOTHESIS_STORAGE_DIRECTORY": str(user_cache(env) / "hypothesis"), **env}


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = url or "nothing"
        raise UsageError(f"the target must be an http:// or https:// URL with a host, got {shown!r}")
    return url.rstrip("/")


def require(value: str | None, name: str) -> str:
    if not value:
        raise UsageError(f"{name} is not set; the suite needs a key with every scope")
    return value
