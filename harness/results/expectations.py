"""Known failures: the failures a target is expected to have, so that a run fails only on a new one.

Modelled on web-platform-tests' expectation metadata and pytest's ``xfail(strict=True)``. A vendor
whose server does not conform yet lists its failures, each by requirement (optionally by root cause)
with a reason and a link to where its fix is tracked::

    version: 1
    known-failures:
    - requirement: WS-LIFE-008
      root-cause: rc-1a2b3c4d   # optional: only this finding; another failure of WS-LIFE-008 is new
      reason: deleting a running workspace is accepted; fixed in 2.5
      link: https://tracker.example/ACME-123

``strongly-harness contract --expect FILE`` judges the run against it (``judge``): a failure the file
does not list is **new**; a listed one still seen is **expected**; a listed one whose requirement ran
and no longer fails that way is **fixed** (reported so it can be removed; ``--strict-expectations``
fails the run, as a strict xfail that passes does); a listed one whose requirement did not run to the
end is **unchecked**. Root causes are matched by the id ``RunResult.root_causes()`` gives them.
Expected failures never make a run conformant: ``RunResult.verdict`` says "no regression (n known)".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from harness.errors import UsageError
from harness.results.conformance import Status

if TYPE_CHECKING:
    from harness.requirements import Requirement
    from harness.results.conformance import RunResult

VERSION = 1
ENTRY_KEYS = ("requirement", "root-cause", "reason", "link")


@dataclass(frozen=True)
class KnownFailure:
    """One listed failure: a requirement, or one root cause of it, with why and where its fix is tracked."""

    requirement: str
    reason: str
    link: str = ""
    root_cause: str = ""  # empty: any failure of the requirement

    def describe(self) -> str:
        return f"{self.requirement} ({self.root_cause})" if self.root_cause else self.requirement

    def to_dict(self) -> dict[str, str]:
        return {"requirement": self.requirement, "rootCause": self.root_cause, "reason": self.reason, "link": self.link}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> KnownFailure:
        return cls(data["requirement"], data["reason"], data.get("link", ""), data.get("rootCause", ""))


@dataclass(frozen=True)
class Expectations:
    """An expectations file as read, and whether a fixed entry fails the run (--strict-expectations)."""

    source: str  # the file as named on the command line
    known: tuple[KnownFailure, ...]
    strict: bool = False


@dataclass(frozen=True)
class NewFailure:
    """A failure that counts at the run's level and that the file does not list."""

    requirement: str
    root_causes: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.requirement} ({', '.join(self.root_causes)})"


@dataclass(frozen=True)
class Judgement:
    """A run against an expectations file: every listed entry is exactly one of expected, fixed, unchecked."""

    expectations: Expectations
    new: tuple[NewFailure, ...]
    expected: tuple[KnownFailure, ...]
    fixed: tuple[KnownFailure, ...]
    unchecked: tuple[KnownFailure, ...]
    explained: frozenset[str]  # the root causes of the expected failures: what they block is expected too

    @property
    def fails_run(self) -> bool:
        """Whether the file alone fails the run: a fixed entry still listed, under --strict-expectations."""
        return bool(self.fixed) and self.expectations.strict

    def stale(self) -> str:
        """A clause for the headline when listed failures no longer happen; empty when none."""
        if not self.fixed:
            return ""
        names = ", ".join(entry.describe() for entry in self.fixed[:3]) + (" ..." if len(self.fixed) > 3 else "")
        strict = " (--strict-expectations fails the run)" if self.expectations.strict else ""
        return f"; {len(self.fixed)} known failure(s) fixed: remove {names} from {self.expectations.source}{strict}"

    def to_dict(self, known: int) -> dict[str, Any]:
        """The ``expectations`` part of conformance.json; ``known`` is how many MUST failed as expected."""
        return {
            "file": self.expectations.source,
            "strict": self.expectations.strict,
            "known": known,
            "new": [{"requirement": item.requirement, "rootCauses": list(item.root_causes)} for item in self.new],
            **{name: [entry.to_dict() for entry in getattr(self, name)] for name in ("expected", "fixed", "unchecked")},
        }


def judge(expectations: Expectations, result: RunResult, catalogue: tuple[Requirement, ...]) -> Judgement:
    """Match the run's failures to the file; ``catalogue`` is at the run's level (its MUSTs are what counts)."""
    causes: dict[str, set[str]] = {}
    for cause in result.root_causes():
        for rid in cause.fails:
            causes.setdefault(rid, set()).add(cause.id)
    listed: dict[str, list[KnownFailure]] = {}
    for entry in expectations.known:
        listed.setdefault(entry.requirement, []).append(entry)
    new = []
    for requirement in catalogue:
        if not requirement.is_must or result.requirement_status(requirement.id) != Status.FAIL:
            continue
        entries = listed.get(requirement.id, [])
        if any(not entry.root_cause for entry in entries):
            continue
        unlisted = causes.get(requirement.id, set()) - {entry.root_cause for entry in entries}
        if unlisted or not entries:
            new.append(NewFailure(requirement.id, tuple(sorted(unlisted))))
    expected, fixed, unchecked = [], [], []
    explained: set[str] = set()
    for entry in expectations.known:
        status = result.requirement_status(entry.requirement)
        seen = causes.get(entry.requirement, set())
        if status == Status.FAIL and (not entry.root_cause or entry.root_cause in seen):
            expected.append(entry)
            explained |= {entry.root_cause} if entry.root_cause else seen
        elif status in (Status.PASS, Status.FAIL):
            fixed.append(entry)
        else:
            unchecked.append(entry)
    return Judgement(expectations, tuple(new), tuple(expected), tuple(fixed), tuple(unchecked), frozenset(explained))


def load(path: Path, known_ids: set[str], *, strict: bool = False) -> Expectations:
    """Read and check an expectations file; anything wrong is one line and exit 2, never a traceback."""
    where = f"expectations file {path}"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {where}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"{where} is not valid YAML{line}: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(document, dict) or "known-failures" not in document:
        raise UsageError(f"{where}: expected a mapping with `known-failures:` (`strongly-harness expectations write`)")
    unknown = sorted(set(map(str, document)) - {"version", "known-failures"})
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)} (known: version, known-failures)")
    if document.get("version", VERSION) != VERSION:
        raise UsageError(f"{where}: version {document['version']!r} is not one this harness reads ({VERSION})")
    entries = document["known-failures"]
    entries = [] if entries is None else entries  # `known-failures:` with nothing under it
    if not isinstance(entries, list):
        raise UsageError(f"{where}: known-failures must be a list of entries")
    known = [_entry(item, number, where, known_ids) for number, item in enumerate(entries, 1)]
    keys = [(entry.requirement, entry.root_cause) for entry in known]
    twice = sorted({entry.describe() for entry in known if keys.count((entry.requirement, entry.root_cause)) > 1})
    if twice:
        raise UsageError(f"{where}: listed twice: {', '.join(twice)}")
    return Expectations(str(path), tuple(known), strict)


def _entry(item: Any, number: int, where: str, known_ids: set[str]) -> KnownFailure:
    if not isinstance(item, dict):
        raise UsageError(f"{where}, entry {number}: must be a mapping with requirement and reason")
    rid = item.get("requirement")
    name = f"{where}, entry {number}" + (f" ({rid})" if isinstance(rid, str) else "")
    unknown = sorted(set(map(str, item)) - set(ENTRY_KEYS))
    if unknown:
        raise UsageError(f"{name}: unknown key(s) {', '.join(unknown)} (known: {', '.join(ENTRY_KEYS)})")
    for key in ENTRY_KEYS:
        if key in item and not isinstance(item[key], str):
            raise UsageError(f"{name}: {key} must be text")
    requirement, reason = item.get("requirement", ""), item.get("reason", "").strip()
    if not requirement:
        raise UsageError(f"{name}: requirement is missing")
    if requirement not in known_ids:
        raise UsageError(f"{name}: unknown requirement {requirement} (`strongly-harness contract --list` shows them)")
    if not reason:
        raise UsageError(f"{name}: reason is missing: say why it fails")
    return KnownFailure(requirement, reason, item.get("link", "").strip(), item.get("root-cause", "").strip())


def starting_file(result: RunResult, catalogue: tuple[Requirement, ...], *, by_root_cause: bool = False) -> str:
    """An expectations file listing every failure of the run (SHOULDs too: what they block is then known)."""
    causes = result.root_causes()
    level = "strict level" if result.strict else "default level"
    lines = [
        "# Known failures for `strongly-harness contract --expect FILE`.",
        f"# Written by `strongly-harness expectations write` from run {result.run_id} ({result.started_at})",
        f"# against {result.target}, contract {result.spec_version}, {level}, profile {result.profile}"
        + (f" (only {' '.join(result.selection)})." if result.selection else "."),
        "# With --expect, a run exits 0 while every failure is listed here and 1 on any other; a listed",
        "# failure that no longer happens is reported as fixed (--strict-expectations fails the run until",
        "# it is removed). Give each entry the reason it fails and a link to where its fix is tracked.",
        f"version: {VERSION}",
    ]
    entries = []
    for requirement in catalogue:
        if result.requirement_status(requirement.id) != Status.FAIL:
            continue
        mine = [cause for cause in causes if requirement.id in cause.fails]
        for group in ([cause] for cause in mine) if by_root_cause else [mine]:
            first = group[0].title if group else ""
            more = f" (and {len(group) - 1} more finding(s))" if len(group) > 1 else ""
            entry = {"requirement": requirement.id, **({"root-cause": group[0].id} if by_root_cause else {}),
                     "reason": f"seen in run {result.run_id}: {first[:200]}{more}"}  # fmt: skip
            comment = f"# {requirement.level} {requirement.id}: {requirement.statement}"
            entries.append(f"{comment}\n{yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=10_000)}"
                           "  # link: where its fix is tracked")  # fmt: skip
    if not entries:
        return "\n".join([*lines, "known-failures: []  # the run had no failure"]) + "\n"
    return "\n".join([*lines, "known-failures:", *entries]) + "\n"
