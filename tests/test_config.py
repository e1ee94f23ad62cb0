"""Run settings: read from STRONGLY_* variables, checked, and handed on unchanged."""

from __future__ import annotations

import pytest

from harness.config import Settings, Target
from harness.errors import UsageError

BASE = {"STRONGLY_BASE_URL": "https://api.example.com/", "STRONGLY_API_KEY": "k"}


def test_the_environment_round_trips() -> None:
    """Settings written with to_env read back equal with from_env."""
    settings = Settings(Target("https://x.example", "a", "r", "o", "restart it"), profile="core", rate_limit=5.0)

    assert Settings.from_env(settings.to_env()) == settings


def test_the_base_url_loses_its_trailing_slash() -> None:
    """A trailing slash on the base URL is dropped so paths join cleanly."""
    assert Settings.from_env(BASE).target.base_url == "https://api.example.com"


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"STRONGLY_BASE_URL": "ftp://x"}, "http:// or https://"),
        ({"STRONGLY_BASE_URL": "localhost:8000"}, "http:// or https://"),
        ({"STRONGLY_API_KEY": ""}, "STRONGLY_API_KEY is not set"),
        ({"STRONGLY_PROFILE": "everything"}, "unknown profile"),
        ({"STRONGLY_REQUEST_TIMEOUT": "soon"}, "must be a number"),
        ({"STRONGLY_DEADLINE": "-5"}, "greater than zero"),
    ],
)
def test_bad_settings_are_refused_in_one_line(changes: dict[str, str], complaint: str) -> None:
    """A bad URL, a missing key, an unknown profile or a bad number is a UsageError naming it."""
    with pytest.raises(UsageError, match=complaint):
        Settings.from_env({**BASE, **changes})


def test_the_prefix_marks_this_run() -> None:
    """Every name the run creates starts with sh-<run id>-."""
    settings = Settings(Target("http://127.0.0.1:1", "k"), run_id="abc123")

    assert settings.prefix == "sh-abc123-"


def test_only_keys_are_secrets() -> None:
    """The keys, and nothing else, are what reports must never show."""
    target = Target("http://127.0.0.1:1", "admin-key", None, "other-key", restart_command="kill -HUP 1")

    assert target.secrets() == ["admin-key", "other-key"]


def test_the_model_phase_size_travels_with_the_run() -> None:
    """--model-steps reaches the suite's process through STRONGLY_MODEL_STEPS, and is absent by default."""
    sized = Settings(Target("http://127.0.0.1:8000", "key"), model_steps=40)

    assert Settings.from_env(sized.to_env()).model_steps == 40
    assert Settings.from_env(Settings(Target("http://127.0.0.1:8000", "key")).to_env()).model_steps is None
