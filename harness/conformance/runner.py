"""``strongly-harness contract``: preflight, run the suite in a child pytest, and return its result.

The suite runs in its own process so the target is fixed before collection (schemathesis needs
the base URL then) and so a crash of the suite cannot take the command line with it. The child
reads the run's configuration from the one file the runner writes (``--run-config``). Ctrl-C and
SIGTERM are passed on (harness/processes.py): the suite cleans up and writes its results first.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from harness import reports
from harness.embedded import target_for
from harness.errors import InternalError
from harness.paths import CONTRACTS
from harness.preflight import preflight
from harness.processes import GRACE, INTERRUPTED, TIMED_OUT, supervise
from harness.requirements import by_id
from harness.results import RunResult
from harness.run import RunConfig, Target

CONFIG_FILE = "run-config.json"


def pytest_command(config_file: Path, config: RunConfig, extra: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "pytest", str(CONTRACTS),
        "-c", str(CONTRACTS / "pytest.ini"), "--rootdir", str(CONTRACTS),
        "-p", "harness.conformance.plugin", "-p", "no:cacheprovider",
        "--run-config", str(config_file),
        "--alluredir", str(reports.allure_results(config.reports)), "--clean-alluredir",
        f"--hypothesis-seed={config.seed}",
        "-q", "--tb=no",
        *extra,
    ]  # fmt: skip


def run_contract(config: RunConfig) -> RunResult:
    """Run the suite against the configured target (or the embedded server) and return what it found."""
    # the suite runs in a scratch directory: a relative reports path must mean the caller's
    config = replace(config, reports=config.reports.resolve())
    config.reports.mkdir(parents=True, exist_ok=True)
    with target_for(config, reports.server_log(config.reports)) as config:
        notes = preflight(config.target, needs_write=not config.readonly)
        config = replace(config, contract=replace(config.contract, notes=tuple(notes)))
        with tempfile.TemporaryDirectory(prefix="strongly-contract-") as workdir:
            config_file = config.write(Path(workdir) / CONFIG_FILE)
            command = pytest_command(config_file, config, [])
            code = supervise([command], cwd=Path(workdir), timeout=config.limits.deadline + GRACE, quiet=config.quiet)
    if code == TIMED_OUT:
        raise InternalError(f"the suite overran its deadline of {config.limits.deadline:g}s by more than {GRACE:g}s")
    result = reports.read(RunResult, config.reports)
    if code in (3, 4, 5) or result is None:
        raise InternalError(f"the suite itself failed (pytest exit {code}); see the output above")
    result.interrupted = code == INTERRUPTED or (code == 2 and not result.stopped_early)
    return result


def list_requirements(config: RunConfig) -> int:
    """Print the requirements the profile would run, with counts by area (no target needed)."""
    with tempfile.TemporaryDirectory(prefix="strongly-list-") as workdir:
        selection = Path(workdir) / "selection.json"
        dummy = replace(
            config,
            target=Target(base_url="http://127.0.0.1:9", api_key="unused"),
            contract=replace(config.contract, list_file=str(selection)),
        )
        command = pytest_command(dummy.write(Path(workdir) / CONFIG_FILE), dummy, ["--collect-only"])
        run = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
        if not selection.exists():
            raise InternalError(f"collecting the suite failed: {run.stdout[-500:]}{run.stderr[-500:]}")
        chosen: dict[str, list[str]] = json.loads(selection.read_text())
    catalogue = by_id()
    by_area: dict[str, list[str]] = {}
    for rid in chosen:
        by_area.setdefault(catalogue[rid].area, []).append(rid)
    musts = sum(1 for rid in chosen if catalogue[rid].is_must)
    level = "strict: every SHOULD judged as a MUST" if config.contract.strict else "default level"
    print(
        f"profile {config.contract_profile}: {len(chosen)} requirements ({musts} MUST, {len(chosen) - musts} SHOULD), "
        f"{sum(map(len, chosen.values()))} checks; {level}"
    )
    for area in sorted(by_area):
        print(f"\n{area} ({len(by_area[area])})")
        for rid in sorted(by_area[area]):
            requirement = catalogue[rid]
            print(f"  {rid:15} {requirement.level:6} {len(chosen[rid]):3} checks  {requirement.statement}")
            print(f"  {'':15} basis: {requirement.basis}")
    return 0
