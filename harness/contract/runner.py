"""``strongly-harness contract``: preflight, run the suite in a child pytest, and give the verdict.

The suite runs in its own process so the target is fixed before collection (schemathesis needs
the base URL then) and so a crash of the suite cannot take the command line with it. Ctrl-C and
SIGTERM are passed on (harness/processes.py): the suite cleans up and writes its results first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from harness.config import Settings, Target
from harness.embedded import EmbeddedServer
from harness.errors import InternalError
from harness.paths import CONTRACTS
from harness.preflight import preflight
from harness.processes import GRACE, INTERRUPTED, TIMED_OUT, supervise
from harness.requirements import by_id, load_catalogue
from harness.results import RunResult

EMBEDDED_PROVISION_DELAY = 0.3


@dataclass(frozen=True)
class ContractOptions:
    settings: Settings
    faults: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    quiet: bool = False


@contextmanager
def target_for(settings: Settings, faults: tuple[str, ...], log: Path) -> Iterator[Settings]:
    """The settings as given, or pointed at a fresh embedded reference server when no target is."""
    if not settings.target.embedded:
        yield settings
        return
    with EmbeddedServer(provision_delay=EMBEDDED_PROVISION_DELAY, faults=faults, log=log) as server:
        target = replace(settings.target, base_url=server.base_url, restart_command=server.restart_command)
        yield replace(settings, target=target, provision_wait=min(settings.provision_wait, 30.0))


def pytest_command(settings: Settings, workdir: Path, extra: list[str]) -> list[str]:
    reports = settings.reports.resolve()
    return [
        sys.executable, "-m", "pytest", str(CONTRACTS),
        "-c", str(CONTRACTS / "pytest.ini"), "--rootdir", str(CONTRACTS),
        "-p", "harness.contract.plugin", "-p", "no:cacheprovider",
        "--alluredir", str(reports / "allure-results"), "--clean-alluredir",
        f"--hypothesis-seed={settings.seed}",
        "-q", "--tb=no",
        *extra,
    ]  # fmt: skip


def run_contract(options: ContractOptions) -> int:
    # the suite runs in a scratch directory: a relative reports path must mean the caller's
    settings = replace(options.settings, reports=options.settings.reports.resolve())
    settings.reports.mkdir(parents=True, exist_ok=True)
    with target_for(settings, options.faults, settings.reports / "reference-server.log") as settings:
        notes = preflight(settings.target, needs_write=settings.profile != "readonly")
        env = {**os.environ, **settings.to_env(), "STRONGLY_NOTES": "\n".join(notes)}
        if options.requirements:
            env["STRONGLY_REQUIREMENTS"] = ",".join(options.requirements)
        with tempfile.TemporaryDirectory(prefix="strongly-contract-") as workdir:
            command = pytest_command(settings, Path(workdir), [])
            code = supervise(
                [command], env=env, cwd=Path(workdir), timeout=settings.deadline + GRACE, quiet=options.quiet
            )
    results = settings.reports / "conformance.json"
    if code == TIMED_OUT:
        raise InternalError(f"the suite overran its deadline of {settings.deadline:g}s by more than {GRACE:g}s")
    if code in (3, 4, 5) or not results.exists():
        raise InternalError(f"the suite itself failed (pytest exit {code}); see the output above")
    result = RunResult.read(results)
    if not options.quiet:
        from harness.reports.terminal import print_summary

        print_summary(result, load_catalogue(), settings.reports)
    interrupted = code == INTERRUPTED or (code == 2 and not result.stopped_early)
    return 130 if interrupted else result.verdict(load_catalogue()).exit_code


def list_requirements(settings: Settings) -> int:
    """Print the requirements the profile would run, with counts by area (no target needed)."""
    with tempfile.TemporaryDirectory(prefix="strongly-list-") as workdir:
        selection = Path(workdir) / "selection.json"
        dummy = replace(settings, target=Target(base_url="http://127.0.0.1:9", api_key="unused"))
        env = {**os.environ, **dummy.to_env(), "STRONGLY_LIST_FILE": str(selection)}
        command = pytest_command(dummy, Path(workdir), ["--collect-only"])
        run = subprocess.run(command, env=env, cwd=workdir, capture_output=True, text=True, check=False)
        if not selection.exists():
            raise InternalError(f"collecting the suite failed: {run.stdout[-500:]}{run.stderr[-500:]}")
        chosen: dict[str, list[str]] = json.loads(selection.read_text())
    catalogue = by_id()
    by_area: dict[str, list[str]] = {}
    for rid in chosen:
        by_area.setdefault(catalogue[rid].area, []).append(rid)
    musts = sum(1 for rid in chosen if catalogue[rid].is_must)
    level = "strict: every SHOULD judged as a MUST" if settings.strict else "default level"
    print(
        f"profile {settings.profile}: {len(chosen)} requirements ({musts} MUST, {len(chosen) - musts} SHOULD), "
        f"{sum(map(len, chosen.values()))} checks; {level}"
    )
    for area in sorted(by_area):
        print(f"\n{area} ({len(by_area[area])})")
        for rid in sorted(by_area[area]):
            requirement = catalogue[rid]
            print(f"  {rid:15} {requirement.level:6} {len(chosen[rid]):3} checks  {requirement.statement}")
            print(f"  {'':15} basis: {requirement.basis}")
    return 0
