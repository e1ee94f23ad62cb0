"""The summary at the end of a contract run: counts by area, failed requirements, where reports are."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.reports.comparison import ContractComparison
from harness.requirements import Requirement, at_level
from harness.results import RunResult, leads
from harness.results.expectations import Judgement
from harness.results.load import TOTAL, Comparison, LoadSummary

STYLE = {"pass": "green", "fail": "red", "error": "magenta", "blocked": "bright_red", "skip": "yellow",
         "not run": "dim"}  # fmt: skip
VERDICT_STYLE = {"conformant": "green", "conformant (strict)": "green", "partial": "cyan", "incomplete": "yellow",
                 "no regression": "dark_orange", "non-conformant": "red", "error": "magenta"}  # fmt: skip
CHANGE_STYLE = {"new failure": "red", "fixed": "green", "still failing": "dark_orange", "blocked": "yellow",
                "unblocked": "cyan", "added": "blue", "removed": "blue"}  # fmt: skip


def print_summary(
    result: RunResult, catalogue: tuple[Requirement, ...], reports: Path, console: Console | None = None
) -> None:
    """Root causes first, each once with one curl line; the recommendations not followed, one line per SHOULD;
    then counts by area, then the verdict."""
    console = console or Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    statuses = {requirement.id: result.requirement_status(requirement.id) for requirement in catalogue}
    levels = {requirement.id: requirement for requirement in at_level(catalogue, result.strict)}
    causes, advice = [], []
    for cause in result.root_causes():
        (causes if leads(cause, levels) else advice).append(cause)  # as the progress display counts them
    if causes:
        console.print(f"[bold]Root causes ({len(causes)})[/]", markup=True)
    for number, cause in enumerate(causes, 1):
        console.print(f"[red]{number}.[/] {escape(cause.title[:200])}", markup=True, soft_wrap=True)
        line = f"   fails {', '.join(cause.fails)}"
        if cause.blocks:
            line += (
                f"; blocks {len(cause.blocks)}: {', '.join(cause.blocks[:8])}{' ...' if len(cause.blocks) > 8 else ''}"
            )
        console.print(line, markup=False)
        if cause.curl:
            console.print(f"   reproduce: {cause.curl[:300]}", markup=False)
    unmet = {rid: len({check.check for check, _ in result.failures_for(rid)})
             for rid in dict.fromkeys(rid for cause in advice for rid in cause.fails)}  # fmt: skip
    if unmet:
        console.print(f"[bold]Recommendations not followed ({len(unmet)} SHOULD; --strict makes them MUST)[/]",
                      markup=True)  # fmt: skip
    for rid, count in unmet.items():
        requirement = levels[rid]
        console.print(f"[yellow]-[/] {rid} in {count} check(s): recommended: {escape(requirement.recommended)} "
                      f"({', '.join(requirement.decisions)})", markup=True, soft_wrap=True)  # fmt: skip
    workers = result.config.get("concurrency")
    setting = f"profile {result.profile}" + (f", concurrency {workers}" if workers else "")
    table = Table(title=f"Conformance of {result.target} ({setting})", title_justify="left")
    table.add_column("area")
    for status in STYLE:
        table.add_column(status, justify="right", style=STYLE[status])
    for area in sorted({r.area for r in catalogue}):
        counts = [sum(1 for r in catalogue if r.area == area and statuses[r.id].label == s) for s in STYLE]
        table.add_row(area, *(str(count or "") for count in counts))
    console.print(table)
    print_model_coverage(result, catalogue, console)
    for note in [*result.notes, *result.cleanup_problems, *filter(None, [result.stopped_early])]:
        console.print(f"[yellow]note[/] {note}", markup=True)
    verdict = result.verdict(catalogue)
    if verdict.judgement:
        print_expectations(verdict.judgement, console)
    console.print(f"[{VERDICT_STYLE[verdict.label]}]{escape(verdict.headline)}[/]", markup=True, soft_wrap=True)
    console.print(f"seed {result.seed}, run {result.run_id}; every failure in {reports}/conformance.html", markup=False)


def print_model_coverage(result: RunResult, catalogue: tuple[Requirement, ...], console: Console) -> None:
    """The model phase's map: pairs exercised of its total, and the MUST pairs not reached with why."""
    coverage = result.model_coverage
    if coverage is None:
        return
    lines = coverage.unreached_lines(at_level(catalogue, result.strict))
    style = "yellow" if lines else "green"
    stopped = " before the run stopped early" if result.stopped_early and lines else ""
    console.print(f"[{style}]model map: {coverage.exercised} of {coverage.pairs} (operation, view) pairs "
                  f"exercised{stopped}[/]", markup=True)  # fmt: skip
    if stopped:  # each pair it left would only say so again
        return
    for line in lines:
        console.print(f"  {line}", markup=False, soft_wrap=True)


def print_load_summary(summary: LoadSummary, reports: Path, console: Console | None = None) -> None:
    """Per-route table, the SLO verdicts (which broke, by how much), capacity steps, where reports are."""
    console = console or Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    run = summary.run
    console.print(f"Load profile {run.profile} ({run.model}) against {run.target}", markup=False)
    if summary.routes:
        table = Table()
        for column in ("route", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"):
            table.add_column(column, justify="left" if column == "route" else "right")
        for route, stats in summary.routes.items():
            table.add_row(route, str(stats.requests), f"{stats.rps:g}", f"{stats.p50_ms:g}",
                          f"{stats.p95_ms:g}", f"{stats.p99_ms:g}", f"{stats.max_ms:g}", str(stats.errors))  # fmt: skip
        console.print(table)
    for verdict in summary.slo:
        style = "green" if verdict.held else "red"
        console.print(f"[{style}]{verdict.text}[/]", markup=True)
    capacity = summary.capacity
    if capacity:
        for step in capacity.steps:
            state = "held" if step.held else "; ".join(step.broken)  # each reason already says BROKEN
            console.print(f"  {step.rate:g} req/s -> {step.achieved_rps:g} req/s, p99 {step.p99_ms:g} ms: {state}",
                          markup=False)  # fmt: skip
        console.print(f"capacity: {capacity.rps or 'below the first step'} req/s", markup=False)
    limit = run.limits.get("rateLimit")
    if limit and TOTAL in summary.routes:
        console.print(f"rate limit {limit:g} req/s across every user and worker: achieved "
                      f"{summary.routes[TOTAL].rps:g} req/s", markup=False)  # fmt: skip
    for problem in summary.cleanup:
        console.print(f"[yellow]note[/] {problem}", markup=True)
    if summary.comparison:
        print_comparison(summary.comparison, console)
    if summary.stopped_early:
        console.print(f"[red]STOPPED EARLY[/] {escape(summary.stopped_early)}", markup=True)
    verdict = "[green]SLOs HELD[/]" if summary.verdict == "held" else "[red]SLO BROKEN[/]"
    if summary.stopped_early:
        verdict += " [red]on a run cut short[/]"
    console.print(f"{verdict}  run {run.id}; reports in {reports}/", markup=True)


def print_comparison(comparison: Comparison, console: Console | None = None) -> None:
    """Each regression on its own line (route, measure, by how much); one line when there is none."""
    console = console or Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    regressions = [row for row in comparison.rows if row.regressed]
    console.print(f"against baseline {comparison.source} (run {comparison.baseline_run.id}): "
                  f"{len(comparison.rows)} measures compared; {comparison.noise}", markup=False)  # fmt: skip
    for row in regressions:
        console.print(f"[red]{escape(row.describe())}[/]", markup=True)
    for warning in comparison.warnings:
        console.print(f"[yellow]note[/] {escape(warning)}", markup=True)
    if regressions:
        console.print(f"[red]REGRESSED[/] on {len(regressions)} measure(s) of "
                      f"{len({row.route for row in regressions})} route(s)", markup=True)  # fmt: skip
    else:
        console.print("[green]NO REGRESSION[/] against the baseline", markup=True)


def print_expectations(judgement: Judgement, console: Console) -> None:
    """The run against its expectations file: new failures first, then fixed, expected and unchecked ones."""
    file = judgement.expectations.source
    console.print(f"[bold]Against the known failures in {escape(file)}[/]", markup=True)
    for item in judgement.new:
        console.print(f"[red]new[/]       {escape(item.describe())}: not in the file", markup=True, soft_wrap=True)
    for entry in judgement.fixed:
        console.print(f"[green]fixed[/]     {escape(entry.describe())}: remove it from the file", markup=True)
    for entry in judgement.expected:
        console.print(f"[dark_orange]expected[/]  {escape(entry.describe())}: {escape(entry.reason)}"
                      + (f" ({escape(entry.link)})" if entry.link else ""), markup=True, soft_wrap=True)  # fmt: skip
    for entry in judgement.unchecked:
        console.print(f"[yellow]unchecked[/] {escape(entry.describe())}: did not run to the end", markup=True)


def print_contract_comparison(comparison: ContractComparison, console: Console | None = None) -> None:
    """Both runs' verdicts, what differs between them, one row per changed requirement, then the outcome."""
    console = console or Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    for name, side in (("before", comparison.old), ("after", comparison.new)):
        console.print(f"{name:6} run {side.run_id} ({side.source}): {side.headline}", markup=False, soft_wrap=True)
    for note in comparison.notes:
        console.print(f"[yellow]note[/] {escape(note)}", markup=True)
    if comparison.changes:
        table = Table()
        for column in ("change", "requirement", "level", "before", "after"):
            table.add_column(column)
        for change in comparison.changes:
            table.add_row(f"[{CHANGE_STYLE[change.kind]}]{change.kind}[/]", change.requirement, change.level,
                          change.before or "-", change.after or "-")  # fmt: skip
        console.print(table)
    style = "red" if comparison.regressions else "green"
    console.print(f"[{style}]{escape(comparison.summary())}[/]; {comparison.unchanged} unchanged", markup=True)
