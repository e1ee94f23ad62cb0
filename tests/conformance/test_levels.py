"""The two levels: a server that differs from ours only where the documents leave room passes the default
level, and only the reference server passes --strict."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.reference.faults import CATALOGUE, VARIANTS, Fault
from harness.requirements import by_id
from harness.selftest import contract_command
from tests.conformance.test_runner import contract

# The requirements whose checks meet each alternative the variant makes: the error envelope and 400 for a
# refusal (WS-SEM-004, VOL-LIFE-004, GEN-ERR-001), idempotent share (VOL-SHARE-001), project volumes as a
# plain list (PRJ-SUB-001), full objects on create (WS-LIFE-001, PRJ-LIFE-001, VOL-LIFE-001), open values
# (volume status "ready", read in all of them); GEN-VALID-005 answers 400 where we recommend 422.
AFFECTED = ["WS-SEM-004", "VOL-LIFE-004", "GEN-ERR-001", "VOL-SHARE-001", "PRJ-SUB-001", "WS-LIFE-001",
            "PRJ-LIFE-001", "VOL-LIFE-001", "PRJ-COLLAB-002", "GEN-VALID-005"]  # fmt: skip


def run_level(tmp_path: Path, name: str, *args: str) -> tuple[int, dict]:
    """A contract run of the affected requirements; its exit code and conformance.json."""
    reports = tmp_path / name
    selection = [flag for rid in AFFECTED for flag in ("--requirement", rid)]
    run = contract("--quiet", "--reports", str(reports), *selection, *args)
    assert (reports / "conformance.json").exists(), run.stdout[-2000:] + run.stderr[-2000:]
    return run.returncode, json.loads((reports / "conformance.json").read_text())


def failed(document: dict, level: str) -> list[str]:
    return [r["id"] for r in document["requirements"] if r["status"] == "fail" and r["level"] == level]


@pytest.mark.slow
def test_alternative_choices_pass_the_default_level_and_only_ours_passes_strict(tmp_path: Path) -> None:
    """The alternative-choices variant holds every MUST but misses recommendations; --strict fails it and
    passes the reference server."""
    runs = {"alternative": ("--fault", "alternative-choices"),
            "alternative-strict": ("--fault", "alternative-choices", "--strict"),
            "reference-strict": ("--strict",)}  # fmt: skip
    with ThreadPoolExecutor(max_workers=3) as pool:  # three servers at once: the test's time is one run's
        done = dict(zip(runs, pool.map(lambda name: run_level(tmp_path, name, *runs[name]), runs), strict=True))
    (alternative_code, alternative), (strict_code, strict), (ours_code, ours) = done.values()

    assert (alternative_code, alternative["verdict"], failed(alternative, "MUST")) == (0, "partial", [])
    # 400 where we recommend 422 is GEN-ERR-004's since the audit: GEN-VALID-005 is about refusing at all
    assert set(failed(alternative, "SHOULD")) == {"GEN-ERR-001", "GEN-IDEM-001", "GEN-SCHEMA-005", "GEN-ERR-004"}
    assert (strict_code, strict["verdict"], strict["run"]["strict"]) == (1, "non-conformant", True)
    assert (ours_code, ours["verdict"], failed(ours, "MUST") + failed(ours, "SHOULD")) == (0, "partial", [])
    assert "strict" in ours["headline"]


# Faults of our own choices that the model phase predicts (D-12's default order, D-23's defaults, D-29's
# events, D-34's derived fields), on top of the alternative choices (D-01's whole object, D-30's whole list).
OUR_CHOICES_IN_THE_MODEL = ["default-order-oldest-first", "project-defaults-wrong", "volume-defaults-wrong",
                            "activity-misses-workspaces", "activity-misses-shares", "project-object-stale",
                            "alternative-choices"]  # fmt: skip


@pytest.mark.slow
def test_the_model_phase_judges_our_own_choices_only_under_strict(tmp_path: Path) -> None:
    """GEN-MODEL-001 holds for a server that chose otherwise wherever the documents leave room; the same
    server fails it under --strict, where the model's predictions of our choices count."""
    planted = [flag for name in OUR_CHOICES_IN_THE_MODEL for flag in ("--fault", name)]
    runs = {"default": (*planted, "--seed", "3"), "strict": (*planted, "--seed", "3", "--strict")}

    def model_run(name: str) -> tuple[int, dict]:
        reports = tmp_path / name
        run = contract("--quiet", "--reports", str(reports), "--requirement", "GEN-MODEL-001", *runs[name])
        assert (reports / "conformance.json").exists(), run.stdout[-2000:] + run.stderr[-2000:]
        return run.returncode, json.loads((reports / "conformance.json").read_text())

    with ThreadPoolExecutor(max_workers=2) as pool:
        (default_code, default), (strict_code, strict) = pool.map(model_run, runs)

    assert (default_code, failed(default, "MUST")) == (0, [])
    assert strict_code == 1
    # a model finding is charged to the requirement of the prediction it broke: one of our own choices
    model = next(check for check in strict["checks"] if "test_model" in check["check"])
    charged = {failure["requirement"] for failure in model["failures"]}
    assert charged
    assert not any(by_id()[requirement].is_must for requirement in charged)


def test_the_variant_is_a_variant_not_a_fault() -> None:
    """alternative-choices is planted like a fault but registered as a legitimate alternative."""
    assert "alternative-choices" in VARIANTS
    assert "alternative-choices" not in CATALOGUE


def breaks(fault: Fault) -> list[str]:
    """What a fault breaks: GEN-MODEL-001 re-judges other requirements in derived views, each at its own
    level, so it counts as the others the fault declares."""
    return [rid for rid in fault.catches if rid != "GEN-MODEL-001"] or list(fault.catches)


def test_a_fault_is_strict_exactly_when_it_breaks_only_recommendations() -> None:
    """A contract fault that declares a MUST runs at the default level; one that declares only SHOULDs
    runs with --strict (the kill matrix passes the flag for it, and for the clean run)."""
    catalogue = by_id()
    wrong = [f.name for f in CATALOGUE.values() if f.suite == "contract"
             and f.strict != (not any(catalogue[rid].is_must for rid in breaks(f)))]  # fmt: skip

    assert wrong == []
    strict = next(f for f in CATALOGUE.values() if f.strict)
    plain = next(f for f in CATALOGUE.values() if f.suite == "contract" and not f.strict)
    assert "--strict" in contract_command(strict, Path("r"), "declared", 1)
    assert "--strict" not in contract_command(plain, Path("r"), "declared", 1)
    assert "--strict" in contract_command(None, Path("r"), "declared", 1)
