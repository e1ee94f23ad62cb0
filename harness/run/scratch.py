"""The files a run's processes exchange: every name in the run's scratch folder is spelled here.

A run writes its configuration for its children to read (``--run-config``); a contract run's phases wait
at a gate the runner opens, leave their parts of the result, share a pool of workspaces made ahead and
keep their progress where the runner reads it. The reports folder has its one registry of names
(harness/reports/__init__.py); this is the scratch folder's. *Kept by*
``tests/test_architecture.py::test_only_the_scratch_module_names_the_files_processes_exchange``.

    <scratch>/
    ├── run-config.json             the run's configuration (a contract phase's: <phase>-run-config.json)
    ├── <phase>-may-start           the gate: the runner creates it when the phase may start sending
    ├── parts/<phase>-<worker>.json each process's part of the RunResult
    ├── pool-<phase>/               the phase's workspaces made ahead (harness/run/pool.py lays it out)
    ├── progress-<phase>.json       checks done of total, kept by the process that sees every check end
    │                               (a swarm's worker keeps its own: progress-<phase>-<worker>.json)
    ├── claims-<phase>/<index>      a swarm's shared queue: one file per check a worker has taken
    ├── retire-<worker>             the runner asks a swarm's worker to take no further check
    ├── answers/<worker>.txt        a swarm's worker's answer times, one per line, for the runner to adapt to
    ├── findings/<pid>.jsonl        each check that found something, for root causes shown as they are found
    ├── stop                        why the run stops early (--max-failures); every checking process watches it
    └── waiting/<pid>-<workspace>   a check waiting for a workspace to be ready
"""

from __future__ import annotations

from pathlib import Path

CONFIG_FILE = "run-config.json"
GATE = "-may-start"
PARTS = "parts"
POOL = "pool-"
PROGRESS = "progress-"
WAITING = "waiting"
FINDINGS = "findings"
STOP = "stop"
CLAIMS = "claims-"
RETIRE = "retire-"
ANSWERS = "answers"


def config_file(scratch: Path, phase: str | None = None) -> Path:
    """Where the run's configuration goes for its children (a contract phase has its own: its limits differ)."""
    return scratch / (CONFIG_FILE if phase is None else f"{phase}-{CONFIG_FILE}")


def gate(scratch: Path, phase: str) -> Path:
    """Opened (created) by the runner when the phase may start sending."""
    return scratch / f"{phase}{GATE}"


def parts(scratch: Path) -> Path:
    """The folder of the processes' parts of the result."""
    return scratch / PARTS


def part_file(scratch: Path, phase: str, worker: str) -> Path:
    """Where one process (``main``, or a pytest-xdist worker's id) of a phase leaves its part of the result."""
    return parts(scratch) / f"{phase}-{worker}.json"


def phase_of_part(part: Path) -> str:
    """The phase a part file was left by."""
    return part.stem.split("-")[0]


def pool_folder(scratch: Path, phase: str) -> Path:
    """The phase's pool of workspaces made ahead."""
    return scratch / f"{POOL}{phase}"


def pool_folders(scratch: Path) -> list[Path]:
    """Every phase's pool folder."""
    return sorted(scratch.glob(f"{POOL}*"))


def progress_file(scratch: Path, phase: str, worker: str | None = None) -> Path:
    """The phase's progress; a swarm's worker (harness/conformance/swarm.py) keeps its own."""
    return scratch / f"{PROGRESS}{phase}{'-' + worker if worker else ''}.json"


def progress_files(scratch: Path, phase: str) -> list[Path]:
    """The phase's progress files: its one process's, or each of its swarm's workers'."""
    return [progress_file(scratch, phase), *sorted(scratch.glob(f"{PROGRESS}{phase}-*.json"))]


def claims_folder(scratch: Path, phase: str) -> Path:
    """A swarm's shared queue: a worker takes the check at an index by creating the file of that index."""
    return scratch / f"{CLAIMS}{phase}"


def retire_file(scratch: Path, worker: str) -> Path:
    """Created by the runner when a swarm's worker is to take no further check."""
    return scratch / f"{RETIRE}{worker}"


def answers_file(scratch: Path, worker: str) -> Path:
    """A swarm's worker's answer times (seconds, one per line), read by the runner as they come."""
    return scratch / ANSWERS / f"{worker}.txt"


def waiting_folder(scratch: Path) -> Path:
    """One file per check waiting for a workspace, while it waits."""
    return scratch / WAITING


def findings_folder(scratch: Path) -> Path:
    """One file per process that runs checks: each check that found something, a JSON line each."""
    return scratch / FINDINGS


def stop_file(scratch: Path) -> Path:
    """Written by the runner once the run may stop (--max-failures): why."""
    return scratch / STOP


class AppendedLines:
    """The whole lines appended to a folder's files since the last look (processes append, the runner reads).

    A line still being written waits for the next look. Lines end at "\n" only: a JSON string in them may
    hold U+2028 or U+0085, which ``splitlines()`` would split on."""

    def __init__(self, folder: Path, pattern: str) -> None:
        self.folder = folder
        self.pattern = pattern
        self.read: dict[Path, int] = {}  # how far each file has been read

    def new(self) -> list[bytes]:
        lines: list[bytes] = []
        for path in sorted(self.folder.glob(self.pattern)) if self.folder.is_dir() else []:
            with path.open("rb") as handle:
                handle.seek(self.read.get(path, 0))
                chunk = handle.read()
            whole = chunk[: chunk.rfind(b"\n") + 1]
            self.read[path] = self.read.get(path, 0) + len(whole)
            lines += filter(None, whole.split(b"\n"))
        return lines
