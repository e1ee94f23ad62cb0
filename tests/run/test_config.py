"""The run's configuration: read once from flags and the user's STRONGLY_* variables, written once, read back equal."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from harness.errors import UsageError
from harness.loadtest.profiles import Profile
from harness.reference.keys import DEV_KEYS
from harness.run import ContractConfig, Limits, LoadConfig, LoadData, LoadStep, RunConfig, Target
from harness.run.config import (
    ADAPTIVE_CEILING,
    RATE_LIMITED_CONCURRENCY,
    contract_profile,
    resolve,
    with_hypothesis_cache,
    without_user_variables,
)

BASE = {"STRONGLY_BASE_URL": "https://api.example.com/", "STRONGLY_API_KEY": "k"}


def full_config() -> RunConfig:
    load = LoadConfig(
        profile=Profile("open", model="open", mix={"pollers": 1}),
        profiles_file=Path("/p/profiles.toml"),
        workers=2,
        web=("127.0.0.1", 8089),
        baseline=Path("/b"),
        data=LoadData(("w1",), ("p1",), ("sh-",)),
        step=LoadStep("open", 12.5, 8.0, "/r"),
    )
    return RunConfig(
        Target("https://x.example", "admin-key-1", "reader-key-2", "other-key-3", "restart it"),
        readonly=True,
        limits=Limits(rate_limit=5.0, deadline=60.0),
        reports=Path("/r/reports"),
        contract=ContractConfig("core", ("WS-LIFE-001",), 40, True, ("a note",), "/r/list.json"),
        load=load,
    )


def test_the_file_round_trips(tmp_path: Path) -> None:
    """A configuration written to its file reads back equal, every section included."""
    config = full_config()

    assert RunConfig.read(config.write(tmp_path / "run.json")) == config


def test_only_its_owner_reads_the_file(tmp_path: Path) -> None:
    """The file holds the keys: it is readable by this user alone."""
    path = full_config().write(tmp_path / "run.json")

    assert path.stat().st_mode & 0o077 == 0


def test_a_remote_worker_gets_no_key_from_its_master() -> None:
    """The shared configuration carries no key or restart command; the worker adds its own key."""
    config = full_config()

    shared = config.shared()
    worker = RunConfig.from_shared(shared, {"STRONGLY_API_KEY": "worker-key"})

    assert not any(secret in shared for secret in config.secrets())
    assert "restart it" not in shared
    assert worker.target.api_key == "worker-key"
    assert replace(worker, target=config.target) == config


def test_a_remote_worker_without_a_key_is_refused() -> None:
    """STRONGLY_API_KEY missing on a worker: a UsageError naming it."""
    with pytest.raises(UsageError, match="STRONGLY_API_KEY is not set"):
        RunConfig.from_shared(full_config().shared(), {})


def test_the_users_variables_name_the_target() -> None:
    """STRONGLY_BASE_URL and the keys become the target; a trailing slash is dropped."""
    env = {**BASE, "STRONGLY_OTHER_API_KEY": "o", "STRONGLY_RESTART_COMMAND": "restart"}

    target = resolve(env=env).target

    assert target == Target("https://api.example.com", "k", None, "o", "restart")


def test_a_flag_beats_the_variable() -> None:
    """--base-url wins over STRONGLY_BASE_URL."""
    assert resolve(base_url="http://127.0.0.1:8000", env=BASE).target.base_url == "http://127.0.0.1:8000"


def test_no_target_means_the_embedded_server_with_the_dev_keys() -> None:
    """Without a URL the run targets the embedded reference server, with its faults and dev keys."""
    target = resolve(faults=["delete-running"], env={}).target

    assert target.embedded
    assert target.faults == ("delete-running",)
    assert target.secrets() == list(DEV_KEYS)


@pytest.mark.parametrize(
    ("options", "env", "complaint"),
    [
        ({}, {"STRONGLY_BASE_URL": "ftp://x", "STRONGLY_API_KEY": "k"}, "http:// or https://"),
        ({}, {"STRONGLY_BASE_URL": "localhost:8000", "STRONGLY_API_KEY": "k"}, "http:// or https://"),
        ({}, {"STRONGLY_BASE_URL": "http://x"}, "STRONGLY_API_KEY is not set"),
        ({"faults": ["slow-status"]}, BASE, "embedded reference server"),
        ({"require_target": "sweep"}, {}, "sweep needs a target"),
    ],
)
def test_bad_configuration_is_refused_in_one_line(
    options: dict[str, object], env: dict[str, str], complaint: str
) -> None:
    """A bad URL, a missing key, a fault for a real target or no target where one is needed: a UsageError."""
    with pytest.raises(UsageError, match=complaint):
        resolve(env=env, **options)  # type: ignore[arg-type]  # the options are resolve's keywords


def test_limits_left_unset_keep_their_defaults() -> None:
    """A limit given as None (the flag absent) leaves the default."""
    limits = resolve(limits={"deadline": 90.0, "rate_limit": None}, env={}).limits

    assert limits == Limits(deadline=90.0)


def test_no_deadline_means_each_suite_its_own() -> None:
    """Without --deadline a contract run keeps 30 minutes and a load run its profile's length (a soak lasts an hour)."""
    limits = resolve(env={}).limits

    assert limits.deadline is None
    assert limits.contract_deadline == 1800
    assert Limits(deadline=60).contract_deadline == 60


def test_readonly_is_a_mode_and_the_old_profile_name_an_alias() -> None:
    """--readonly with the full profile, or --profile readonly, is the read-only mode; reports call it readonly."""
    assert contract_profile("readonly", False) == ("full", True)
    assert contract_profile("full", True) == ("full", True)
    config = RunConfig(Target("http://x", "k"), readonly=True)
    assert config.contract_profile == "readonly"
    with pytest.raises(UsageError, match="does not combine"):
        contract_profile("core", True)
    with pytest.raises(UsageError, match="unknown profile"):
        contract_profile("everything", False)


def test_the_prefix_marks_this_run() -> None:
    """Every name the run creates starts with sh-<run id>-."""
    assert RunConfig(Target("http://127.0.0.1:1", "k"), run_id="abc123").prefix == "sh-abc123-"


def test_only_keys_are_secrets() -> None:
    """The keys, and nothing else, are what reports must never show."""
    target = Target("http://127.0.0.1:1", "admin-key", None, "other-key", restart_command="kill -HUP 1")

    assert target.secrets() == ["admin-key", "other-key"]


def test_a_child_run_sees_none_of_the_users_variables() -> None:
    """The kill matrix's runs start without STRONGLY_* variables, so each targets its own embedded server."""
    assert without_user_variables({**BASE, "PATH": "/bin"}) == {"PATH": "/bin"}


def test_concurrency_adapts_unless_asked_or_narrow() -> None:
    """Against any target the default adapts (up to the ceiling); a narrow run has 1 in flight; a flag wins."""
    deployment = resolve(env={"STRONGLY_BASE_URL": "https://strongly.example.com", "STRONGLY_API_KEY": "k"})
    embedded = resolve(env={})

    assert (deployment.adaptive, embedded.adaptive) == (True, True)
    assert (deployment.concurrency, embedded.concurrency) == (ADAPTIVE_CEILING, ADAPTIVE_CEILING)
    narrow = replace(deployment, contract=ContractConfig(requirements=("WS-LIFE-001",)))
    assert (narrow.concurrency, narrow.adaptive) == (1, False)
    assert replace(deployment, contract=ContractConfig(profile="smoke")).concurrency == 1
    fixed = replace(embedded, contract=ContractConfig(profile="smoke", concurrency=3))
    assert (fixed.concurrency, fixed.adaptive) == (3, False)
    paced = replace(deployment, limits=replace(deployment.limits, rate_limit=20.0))  # workers split the rate
    assert (paced.concurrency, paced.adaptive) == (RATE_LIMITED_CONCURRENCY, False)


def test_the_children_keep_hypothesis_tables_in_the_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child generating text leaves Hypothesis' Unicode tables in the user's cache, where the next run finds
    them, not in its working directory (a contract run's scratch folder); a storage folder set already is kept."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    draw = "from hypothesis import strategies; strategies.text(min_size=1).example()"
    subprocess.run([sys.executable, "-c", draw], env=with_hypothesis_cache(), cwd=scratch, check=True, timeout=120)

    assert list((tmp_path / "cache" / "strongly-harness" / "hypothesis" / "unicode_data").rglob("*.gz"))
    assert not (scratch / ".hypothesis").exists()
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(tmp_path / "theirs"))
    assert with_hypothesis_cache()["HYPOTHESIS_STORAGE_DIRECTORY"] == str(tmp_path / "theirs")
