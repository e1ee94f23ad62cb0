"""The run's lifecycle: what it refuses before a suite's work begins."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from harness.errors import UsageError
from harness.run.config import Limits, RunConfig, Target
from harness.run.lifecycle import LIMITS, refuse_unhonoured


@dataclass
class Honouring:
    """Just what refuse_unhonoured reads of a suite."""

    name: str
    honours: frozenset[str]


def config(**limits: float) -> RunConfig:
    return RunConfig(Target("http://127.0.0.1:9", "unused"), limits=Limits(**limits))


def test_a_limit_the_suite_cannot_honour_is_refused_with_one_line_and_the_flag_named() -> None:
    """A suite that cannot keep --rate-limit refuses a run that sets it; one that can, or a run without it, goes on."""
    partial = Honouring("partial", frozenset(LIMITS) - {"rate_limit"})

    with pytest.raises(UsageError, match=r"^partial cannot honour --rate-limit; run it without$"):
        refuse_unhonoured(config(rate_limit=5.0), partial)  # type: ignore[arg-type]
    refuse_unhonoured(config(), partial)  # type: ignore[arg-type]
    refuse_unhonoured(config(rate_limit=5.0), Honouring("full", frozenset(LIMITS)))  # type: ignore[arg-type]


def test_every_limit_is_one_the_lifecycle_judges() -> None:
    """LIMITS names every field of Limits, so a limit added later cannot be given and go unjudged."""
    assert set(LIMITS) == set(Limits.__dataclass_fields__)
