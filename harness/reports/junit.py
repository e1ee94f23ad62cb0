"""JUnit XML: first a suite of the root causes (each distinct finding once), then one test suite per
area with one test case per requirement and check. A blocked check is "skipped", naming its cause.
With --expect, a known failure is "skipped" too (as pytest reports an xfail), and under
--strict-expectations a known failure that no longer happens is a failing case of its own."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.requirements import Requirement
from harness.results import CheckResult, RunResult, Status


def pairs(result: RunResult, requirement: Requirement) -> list[tuple[CheckResult, Status]]:
    """The checks that speak for a requirement, with the status each gives it."""
    found = []
    for check in result.checks:
        charged = any(failure.requirement == requirement.id for failure in check.failures)
        if requirement.id in check.requirements or charged:
            found.append((check, Status.FAIL if charged else check.status_for(requirement.id)))
    return found


def build(result: RunResult, catalogue: tuple[Requirement, ...]) -> ET.ElementTree:
    root = ET.Element("testsuites", name=f"strongly-harness contract ({result.profile})")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    verdict = result.verdict(catalogue)
    judged = verdict.judgement
    reasons = {entry.requirement: entry.reason for entry in judged.expected} if judged else {}
    for item in judged.new if judged else ():
        reasons.pop(item.requirement, None)  # listed, but failing for a finding the file does not name
    causes = result.root_causes()
    if causes:
        known = [cause for cause in causes if all(rid in reasons for rid in cause.fails)]
        suite = ET.SubElement(
            root,
            "testsuite",
            name="root causes",
            tests=str(len(causes)),
            failures=str(len(causes) - len(known)),
            errors="0",
            skipped=str(len(known)),
            time="0",
        )
        for cause in causes:
            case = ET.SubElement(suite, "testcase", classname=f"root-cause.{cause.fails[0]}", name=cause.id)
            if cause in known:
                ET.SubElement(
                    case, "skipped", type="known-failure", message=f"known failure: {reasons[cause.fails[0]]}"
                )
                continue
            headline = cause.title
            element = ET.SubElement(case, "failure", message=headline[:300], type="root-cause")
            element.text = (
                f"{cause.message}\n\nFails: {', '.join(cause.fails)}\nBlocks: {', '.join(cause.blocks) or 'none'}"
                + (f"\n\nReproduce with:\n    {cause.curl}" if cause.curl else "")
            )
        totals["tests"] += len(causes)
        totals["failures"] += len(causes) - len(known)
        totals["skipped"] += len(known)
    if judged and judged.fails_run:
        suite = ET.SubElement(root, "testsuite", name="expectations", tests=str(len(judged.fixed)),
                              failures=str(len(judged.fixed)), errors="0", skipped="0", time="0")  # fmt: skip
        for entry in judged.fixed:
            case = ET.SubElement(suite, "testcase", classname="expectations.fixed", name=entry.describe())
            ET.SubElement(case, "failure", type="known-failure-fixed",
                          message=f"no longer fails: remove it from {judged.expectations.source}")  # fmt: skip
        totals["tests"] += len(judged.fixed)
        totals["failures"] += len(judged.fixed)
    for area in sorted({requirement.area for requirement in catalogue}):
        suite = ET.SubElement(root, "testsuite", name=area)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        time = 0.0
        for requirement in (r for r in catalogue if r.area == area):
            for check, status in pairs(result, requirement):
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"{requirement.resource}.{requirement.id}",
                    name=check.check,
                    time=f"{check.duration:.3f}",
                )
                counts["tests"] += 1
                time += check.duration
                if status == Status.FAIL and requirement.id in reasons:
                    counts["skipped"] += 1
                    ET.SubElement(
                        case, "skipped", type="known-failure", message=f"known failure: {reasons[requirement.id]}"
                    )
                elif status == Status.FAIL:
                    counts["failures"] += 1
                    messages = [f for f in check.failures if f.requirement == requirement.id] or check.failures
                    text = "\n\n".join(
                        f.message + (f"\n\nReproduce with:\n    {f.curl}" if f.curl else "") for f in messages
                    )
                    element = ET.SubElement(
                        case,
                        "failure",
                        message=f"{requirement.level} {requirement.id}: {requirement.statement}",
                        type="non-conformance",
                    )
                    element.text = text
                elif status == Status.ERROR:
                    counts["errors"] += 1
                    element = ET.SubElement(case, "error", message="the harness broke", type="harness-error")
                    element.text = "\n".join(f.message for f in check.failures)
                elif status == Status.SKIP:
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message=check.reason or "skipped")
                elif status == Status.BLOCKED:
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message=f"blocked by {check.blocked_by}: {check.reason or ''}")
        suite.set("time", f"{time:.3f}")
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    properties = ET.Element("properties")
    for name, value in (
        ("run", result.run_id),
        ("target", result.target),
        ("profile", result.profile),
        ("seed", str(result.seed)),
        ("spec", result.spec_version),
        ("verdict", verdict.headline),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    if result.model_coverage is not None:  # the model phase's map: pairs exercised of its total
        coverage = result.model_coverage
        ET.SubElement(properties, "property", name="model-pairs", value=f"{coverage.exercised}/{coverage.pairs}")
    root[0].insert(0, properties)
    return ET.ElementTree(root)


def write(result: RunResult, catalogue: tuple[Requirement, ...], path: Path) -> None:
    tree = build(result, catalogue)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
