"""Two contract runs compared requirement by requirement: what is newly failing, fixed, still failing,
newly blocked or unblocked, and which requirements one run had and the other did not.

Each run is read from what it stored (``conformance.json`` in a reports folder, the file itself, or a
vendor bundle), so the statuses compared are the ones each run reported, whatever harness wrote
them. Runs of different contract versions are compared by requirement id, and the difference is
said; so are other differences that change what a status means (the level, the profile, the target).
"""

from __future__ import annotations

import json
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from harness.errors import UsageError
from harness.reports import RESULT_FILES
from harness.results import RunResult

NAME = PurePosixPath(RESULT_FILES[RunResult]).name  # conformance.json
EMBEDDED = "(embedded reference server)"  # a fresh port each run: the same target all the same
FAILING = ("fail", "error")
RAN = ("pass", "fail", "error")
# the kinds of change, in the order they are listed
KINDS = ("new failure", "fixed", "still failing", "blocked", "unblocked", "added", "removed")


def read_run(path: Path) -> tuple[dict[str, Any], str]:
    """A contract run's stored document from a reports folder, a conformance.json or a bundle; and where it was."""
    if path.is_dir():
        path = path / NAME
        if not path.is_file():
            raise UsageError(f"{path.parent} holds no {NAME}: point at a contract run's reports folder")
    if not path.is_file():
        raise UsageError(f"{path} does not exist")
    source = str(path)
    try:
        if tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                name = _member([m.name for m in archive.getmembers() if m.isfile()], path)
                handle = archive.extractfile(name)
                assert handle is not None  # a regular file member always has a body
                text, source = handle.read().decode("utf-8"), f"{path}:{name}"
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                name = _member(archive.namelist(), path)
                text, source = archive.read(name).decode("utf-8"), f"{path}:{name}"
        else:
            text = path.read_text(encoding="utf-8")
        document = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{source} is not a readable {NAME}: {exc}") from None
    if not isinstance(document, dict) or not {"run", "requirements", "verdict"} <= document.keys():
        raise UsageError(f"{source} is not a contract run's {NAME} (no run, requirements or verdict)")
    return document, source


def _member(names: list[str], archive: Path) -> str:
    found = [name for name in names if PurePosixPath(name).name == NAME]
    if not found:
        raise UsageError(f"{archive} holds no {NAME}: bundle a contract run's reports, or pass the file itself")
    return min(found, key=len)  # the run's own, not one nested deeper


@dataclass(frozen=True)
class RunSide:
    """What one run reported: its identity, its verdict, and each requirement's level and status."""

    source: str
    run_id: str
    contract: str  # version
    contract_sha256: str
    harness: str
    profile: str
    strict: bool
    target: str
    headline: str
    levels: dict[str, str]
    statuses: dict[str, str]

    @classmethod
    def from_document(cls, document: dict[str, Any], source: str) -> RunSide:
        run = document["run"]
        try:
            rows = {row["id"]: (row["level"], row["status"]) for row in document["requirements"]}
            return cls(source, run["id"], run["specVersion"], run.get("specSha256", ""), run["harnessVersion"],
                       run["profile"], bool(run.get("strict")), run["target"], document.get("headline", ""),
                       {rid: level for rid, (level, _) in rows.items()},
                       {rid: status for rid, (_, status) in rows.items()})  # fmt: skip
        except (KeyError, TypeError) as exc:
            raise UsageError(f"{source} is not a contract run's {NAME}: {exc} is missing") from None


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    requirement: str
    level: str
    before: str  # the status in the old run ("" when it had no such requirement)
    after: str


@dataclass(frozen=True)
class ContractComparison:
    old: RunSide
    new: RunSide
    changes: tuple[Change, ...]  # in the order of KINDS, then by requirement
    unchanged: int  # requirements with the same status in both runs, failing ones aside
    notes: tuple[str, ...]  # what differs between the runs besides the statuses

    def of(self, kind: str) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.kind == kind)

    @property
    def regressions(self) -> tuple[Change, ...]:
        """New failures that count at the new run's level (a SHOULD only under --strict)."""
        return tuple(c for c in self.of("new failure") if c.level == "MUST" or self.new.strict)

    @property
    def exit_code(self) -> int:
        return 1 if self.regressions else 0

    def summary(self) -> str:
        counts = [f"{len(self.of(kind))} {kind}{'s' * (kind == 'new failure' and len(self.of(kind)) > 1)}"
                  for kind in KINDS if self.of(kind)]  # fmt: skip
        if self.regressions:
            counts[0] += f" ({', '.join(change.requirement for change in self.regressions)} at the new run's level)"
            return f"REGRESSED: {'; '.join(counts)}"
        return f"NO REGRESSION: {'; '.join(counts) or 'nothing changed'}"


def compare(old: RunSide, new: RunSide) -> ContractComparison:
    """Every requirement either run reported, by id."""
    changes = []
    unchanged = 0
    for rid in sorted(old.statuses.keys() | new.statuses.keys()):
        before, after = old.statuses.get(rid, ""), new.statuses.get(rid, "")
        level = new.levels.get(rid) or old.levels[rid]
        kind = _kind(before, after)
        if kind:
            changes.append(Change(kind, rid, level, before, after))
        else:
            unchanged += 1
    changes.sort(key=lambda change: (KINDS.index(change.kind), change.requirement))
    return ContractComparison(old, new, tuple(changes), unchanged, _notes(old, new))


def _kind(before: str, after: str) -> str:
    """Which change a pair of statuses is, or "" when it is none worth listing."""
    if not before or not after:
        return "added" if after else "removed"
    if after in FAILING:
        return "still failing" if before in FAILING else "new failure"
    if before in FAILING:
        return "fixed" if after == "pass" else "blocked"
    if before == "pass" and after not in RAN:
        return "blocked"
    if before not in RAN and after == "pass":
        return "unblocked"
    return ""


def _notes(old: RunSide, new: RunSide) -> tuple[str, ...]:
    notes = []
    if (old.contract, old.contract_sha256) != (new.contract, new.contract_sha256):
        hashes = f" (sha256 {old.contract_sha256[:12] or '?'} → {new.contract_sha256[:12] or '?'})"
        notes.append(f"the contract differs: {old.contract} → {new.contract}{hashes}; requirements compared by id")
    if old.harness != new.harness:
        notes.append(f"the harness differs: {old.harness} → {new.harness}")
    if old.strict != new.strict:
        level = {False: "the default level", True: "--strict"}
        notes.append(f"the level differs: {level[old.strict]} → {level[new.strict]} (statuses compare alike)")
    if old.profile != new.profile:
        notes.append(f"the profile differs: {old.profile} → {new.profile}: what one did not run shows as blocked")
    if old.target != new.target and not all(EMBEDDED in side.target for side in (old, new)):
        notes.append(f"the target differs: {old.target} → {new.target}")
    return tuple(notes)


def markdown(comparison: ContractComparison) -> str:
    """A short summary a CI job can post: the verdict line, the notes, then one table row per change."""
    old, new = comparison.old, comparison.new
    lines = [
        f"### Contract runs compared: {comparison.summary()}",
        "",
        f"- before: run `{old.run_id}` ({old.source}): {old.headline}",
        f"- after: run `{new.run_id}` ({new.source}): {new.headline}",
        *(f"- note: {note}" for note in comparison.notes),
        "",
    ]
    if comparison.changes:
        lines += ["| change | requirement | level | before | after |", "|---|---|---|---|---|"]
        lines += [f"| {c.kind} | {c.requirement} | {c.level} | {c.before or '-'} | {c.after or '-'} |"
                  for c in comparison.changes]  # fmt: skip
        lines.append("")
    lines.append(f"{comparison.unchanged} requirement(s) unchanged.")
    return "\n".join(lines) + "\n"
