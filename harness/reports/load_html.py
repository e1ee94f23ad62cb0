"""load.html: the load run in one self-contained page, with its plots drawn as inline SVG.

Throughput and latency percentiles over time (latency on a log scale, where 1 ms and 1 s both
read), the SLO table with its verdicts, the routes, time-to-ready from the churn scenario, and for
a capacity search each step. It is built from summary.json alone.
"""

from __future__ import annotations

import math
from html import escape

from harness.results.load import REGRESSED, TOTAL, LoadSummary, SeriesPoint

COLOURS = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#57606a"]
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #fff; border-bottom: 1px solid #d0d7de; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; } .meta { color: #57606a; font-size: 13px; }
main { padding: 16px 32px 48px; max-width: 1200px; }
.verdict { display: inline-block; color: #fff; font-weight: 700; padding: 6px 14px; border-radius: 6px;
  margin-top: 12px; }
.verdict.held { background: #1a7f37; } .verdict.broken { background: #cf222e; }
h2 { font-size: 18px; margin: 26px 0 8px; }
table { border-collapse: collapse; background: #fff; width: 100%; font-size: 13px; }
th, td { padding: 5px 10px; border-bottom: 1px solid #d0d7de; text-align: left; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.broken td { color: #cf222e; font-weight: 600; } tr.held td:first-child::before { content: "✓ "; color: #1a7f37; }
tr.broken td:first-child::before { content: "✗ "; }
figure { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; margin: 10px 0; padding: 8px 12px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg text { font: 11px system-ui, sans-serif; fill: #57606a; }
"""


def render(summary: LoadSummary) -> str:
    run = summary.run
    verdict = summary.verdict
    regressed = summary.comparison is not None and summary.comparison.verdict == REGRESSED
    badge = ""
    if summary.comparison is not None:
        label = "REGRESSED against the baseline" if regressed else "no regression against the baseline"
        badge = f" <div class='verdict {'broken' if regressed else 'held'}' id='baseline-verdict'>{label}</div>"
    if summary.stopped_early:  # the SLOs were judged on less than the run planned: never a plain pass
        badge += f" <div class='verdict broken' id='stopped-early'>STOPPED EARLY: {escape(summary.stopped_early)}</div>"
    limit = run.limits.get("rateLimit")
    limited = f" · rate limit {limit:g} req/s" if limit else ""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Load: {escape(run.profile)} against {escape(run.target)}</title><style>{STYLE}</style></head><body>",
        f"<header><h1>Load report: profile {escape(run.profile)} ({escape(run.model)} model)</h1>",
        f"<div class='meta'>Target <b>{escape(run.target)}</b> · run {escape(run.id)} · "
        f"{escape(run.started_at)} to {escape(run.finished_at)} · workers {run.workers} · "
        f"{summary.seconds:.1f} s measured{limited}{' · read-only' if run.readonly else ''}</div>",
        f"<div class='verdict {verdict}' id='verdict'>SLOs {escape(verdict.upper())}</div>{badge}</header><main>",
        slo_table(summary),
        comparison_table(summary),
        charts(summary),
        routes_table(summary),
        time_to_ready(summary),
        capacity(summary),
        "</main></body></html>",
    ]
    return "\n".join(parts)


def slo_table(summary: LoadSummary) -> str:
    if not summary.slo:
        return ""
    rows = "".join(
        f"<tr class='{'held' if v.held else 'broken'}'><td>{escape(v.route)}</td><td>{escape(v.limit)}</td>"
        f"<td class='num'>{v.allowed:g}</td><td class='num'>{v.seen:g}</td>"
        f"<td>{'held' if v.held else 'BROKEN'}</td></tr>"
        for v in summary.slo
    )
    return ("<h2>Service level objectives</h2><table id='slo'><tr><th>route</th><th>limit</th><th>allowed</th>"
            f"<th>measured</th><th>verdict</th></tr>{rows}</table>")  # fmt: skip


def comparison_table(summary: LoadSummary) -> str:
    """Baseline and current side by side, one row per route and measure, regressions marked."""
    comparison = summary.comparison
    if comparison is None:
        return ""
    rows = []
    for row in comparison.rows:
        change = f"{row.change * 100:+.1f} %" if row.change is not None else "-"
        rows.append(
            f"<tr class='{'broken' if row.regressed else 'held'}'><td>{escape(row.route)}</td>"
            f"<td>{escape(row.measure)}</td><td class='num'>{row.baseline:g}</td><td class='num'>{row.current:g}</td>"
            f"<td class='num'>{change}</td><td>{escape(row.allowed)}</td>"
            f"<td>{'REGRESSED' if row.regressed else 'held'}{': ' + escape(row.note) if row.note else ''}</td></tr>"
        )
    base = comparison.baseline_run
    return (
        f"<h2>Against the baseline</h2><p class='meta'>Baseline {escape(comparison.source)}: run {escape(base.id)}, "
        f"{escape(base.started_at)}. Noise: {escape(comparison.noise)}.</p>"
        + "".join(f"<p class='meta' id='comparison-warning'>⚠ {escape(warning)}</p>" for warning in comparison.warnings)
        + "<table id='comparison'><tr><th>route</th><th>measure</th><th>baseline</th><th>current</th><th>change</th>"
        f"<th>allowed</th><th>verdict</th></tr>{''.join(rows)}</table>"
    )


def charts(summary: LoadSummary) -> str:
    series = summary.series
    if not series:
        return ""
    seconds = [point.second for point in series]
    busiest = sorted((r for r in summary.routes if r not in (TOTAL, "time-to-ready")),
                     key=lambda r: -summary.routes[r].requests)[:4]  # fmt: skip
    throughput = {"all requests": [_stat(point, TOTAL, "rps", 0.0) for point in series]}
    for route in busiest:
        throughput[route] = [_stat(point, route, "rps", 0.0) for point in series]
    latency = {name: [_stat(point, TOTAL, key) for point in series]
               for name, key in (("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms"))}  # fmt: skip
    dashed: set[str] = set()
    if summary.comparison is not None and summary.comparison.baseline_series:
        baseline = summary.comparison.baseline_series
        seconds = sorted(set(seconds) | {point.second for point in baseline})
        by_second = {point.second: point for point in series}
        then = {point.second: point for point in baseline}
        latency = {f"{name}": [_stat(by_second.get(s), TOTAL, key) for s in seconds]
                   for name, key in (("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms"))}  # fmt: skip
        for name, key in (("baseline p50", "p50_ms"), ("baseline p95", "p95_ms"), ("baseline p99", "p99_ms")):
            latency[name] = [_stat(then.get(s), TOTAL, key) for s in seconds]
            dashed.add(name)
        throughput = {"all requests": [_stat(by_second.get(s), TOTAL, "rps", 0.0) for s in seconds],
                      "baseline: all requests": [_stat(then.get(s), TOTAL, "rps", 0.0) for s in seconds]}  # fmt: skip
        dashed.add("baseline: all requests")
    title = "Latency of all requests (ms, log scale)" + (": this run solid, baseline dashed" if dashed else "")
    return (
        "<h2>Over time</h2>"
        + figure("Throughput (requests per second)", seconds, throughput, unit="req/s", dashed=dashed)
        + figure(title, seconds, latency, unit="ms", log=True, dashed=dashed)
    )


def _stat(point: SeriesPoint | None, route: str, key: str, missing: float | None = None) -> float | None:
    stats = point.routes.get(route) if point else None
    return (getattr(stats, key) or missing) if stats else missing


def figure(title: str, xs: list[int], series: dict[str, list[float | None]], *, unit: str, log: bool = False,
           dashed: set[str] | None = None) -> str:  # fmt: skip
    chart = line_chart(xs, series, unit=unit, log=log, dashed=dashed)
    return f"<figure><figcaption>{escape(title)}</figcaption>{chart}</figure>"


def line_chart(
    xs: list[int],
    series: dict[str, list[float | None]],
    *,
    unit: str,
    log: bool = False,
    x_label: str = "seconds",
    dashed: set[str] | None = None,
    marker: tuple[float, str] | None = None,
    colours: dict[str, str] | None = None,
) -> str:
    """A line chart as SVG: one polyline per series (``dashed`` ones dashed), labelled ticks, a legend.

    ``marker`` draws a labelled vertical line at one x value (the capacity: the highest rate that held).
    """
    width, height, left, right, top, bottom = 1000, 280, 64, 16, 42, 40
    values = [v for vs in series.values() for v in vs if v is not None and (v > 0 or not log)]
    if not values or not xs:
        return "<p>No data.</p>"
    low, high = (min(values), max(values)) if log else (0.0, nice(max(values)))
    if log:
        low, high = 10 ** math.floor(math.log10(low)), 10 ** math.ceil(math.log10(high))
        if low == high:
            high = low * 10

    def y(value: float) -> float:
        share = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low)) if log else value / high
        return top + (height - top - bottom) * (1 - share)

    def x(second: int) -> float:
        span = max(xs[-1] - xs[0], 1)
        return left + (width - left - right) * (second - xs[0]) / span

    parts = [f"<svg viewBox='0 0 {width} {height}' width='100%' role='img'>"]
    ticks = [low * 10**i for i in range(round(math.log10(high / low)) + 1)] if log else [high * i / 4 for i in range(5)]
    for tick in ticks:
        parts.append(f"<line x1='{left}' x2='{width - right}' y1='{y(tick):.1f}' y2='{y(tick):.1f}' stroke='#eaeef2'/>")
        parts.append(f"<text x='{left - 6}' y='{y(tick) + 4:.1f}' text-anchor='end'>{tick:g}</text>")
    for second in xs[:: max(1, len(xs) // 10)]:
        parts.append(f"<text x='{x(second):.1f}' y='{height - bottom + 16}' text-anchor='middle'>{second}</text>")
    parts.append(f"<text x='{width - right}' y='{height - 4}' text-anchor='end'>{escape(x_label)}</text>")
    parts.append(f"<text x='{left - 6}' y='{top - 10}' text-anchor='end'>{escape(unit)}</text>")
    if marker is not None:
        at, label = marker
        parts.append(f"<line x1='{x(at):.1f}' x2='{x(at):.1f}' y1='{top}' y2='{height - bottom}' stroke='#1a7f37' "
                     "stroke-width='2' stroke-dasharray='2 3'/>")  # fmt: skip
        parts.append(
            f"<text x='{x(at) + 4:.1f}' y='{top + 12}' style='fill:#1a7f37;font-weight:600'>{escape(label)}</text>"
        )
    dashed = dashed or set()
    plain = [name for name in series if name not in dashed]
    for index, (name, points) in enumerate(series.items()):
        # a baseline curve takes the colour of the current curve it overlays
        twin = next((p for p in plain if name.endswith(p) or name.endswith(f": {p}")), name)
        colour = (colours or {}).get(name) or COLOURS[list(series).index(twin) % len(COLOURS)]
        style = " stroke-dasharray='6 4' opacity='0.75'" if name in dashed else ""
        coordinates = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in zip(xs, points, strict=False)
                               if v is not None and (v > 0 or not log))  # fmt: skip
        parts.append(f"<polyline fill='none' stroke='{colour}' stroke-width='1.8'{style} points='{coordinates}'/>")
        if len(xs) <= 20 and name not in dashed:  # few points (capacity steps): show each measured one
            parts += [f"<circle cx='{point.split(',')[0]}' cy='{point.split(',')[1]}' r='3.5' fill='{colour}'/>"
                      for point in coordinates.split()]  # fmt: skip
        column, line = index % 4, index // 4
        legend_x, legend_y = left + 10 + column * 230, top - 16 - 12 * line
        parts.append(f"<rect x='{legend_x}' y='{legend_y}' width='12' height='3' fill='{colour}'/>")
        parts.append(f"<text x='{legend_x + 16}' y='{legend_y + 5}'>{escape(name[:34])}</text>")
    parts.append("</svg>")
    return "".join(parts)


def nice(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def routes_table(summary: LoadSummary) -> str:
    if not summary.routes:
        return ""
    columns = ("requests", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors", "error_ratio")
    rows = "".join(
        f"<tr><td>{escape(route)}</td>"
        + "".join(f"<td class='num'>{getattr(stats, c):g}</td>" for c in columns)
        + "</tr>"
        for route, stats in summary.routes.items()
    )
    head = "".join(f"<th>{escape(c)}</th>" for c in ("route", *columns))
    return f"<h2>Routes</h2><table id='routes'><tr>{head}</tr>{rows}</table>"


def time_to_ready(summary: LoadSummary) -> str:
    ready = summary.time_to_ready
    if not ready:
        return ""
    return (f"<h2>Time to ready (churn: create or start, then poll)</h2><p id='ttr'>{ready.requests} workspaces: "
            f"median {ready.p50_ms / 1000:.2f} s, p95 {ready.p95_ms / 1000:.2f} s, "
            f"slowest {ready.max_ms / 1000:.2f} s.</p>")  # fmt: skip


def capacity(summary: LoadSummary) -> str:
    """The knee: offered rate against p95/p99 and against achieved throughput, the capacity marked."""
    result = summary.capacity
    if not result:
        return ""
    steps = result.steps
    rows = "".join(
        f"<tr class='{'held' if s.held else 'broken'}'><td>{s.rate:g}</td><td class='num'>{s.achieved_rps:g}</td>"
        f"<td class='num'>{s.p95_ms:g}</td><td class='num'>{s.p99_ms:g}</td><td class='num'>{s.error_ratio:g}</td>"
        f"<td>{escape('; '.join(s.broken) or 'held')}</td></tr>"
        for s in steps
    )
    found = f"{result.rps:g} req/s" if result.rps else "below the first step"
    rates = [int(s.rate) for s in steps]
    marker = (result.rps, f"capacity {result.rps:g} req/s") if result.rps else None
    latency = line_chart(rates, {"p95": [s.p95_ms for s in steps], "p99": [s.p99_ms for s in steps]}, unit="ms",
                         log=True, x_label="offered requests per second", marker=marker)  # fmt: skip
    throughput = line_chart(rates, {"achieved": [s.achieved_rps for s in steps], "offered": [s.rate for s in steps]},
                            unit="req/s", x_label="offered requests per second", marker=marker,
                            dashed={"offered"}, colours={"offered": "#8c959f"})  # fmt: skip
    return (
        f"<h2 id='capacity-found'>Capacity: {found}</h2>"
        "<figure id='knee-latency'><figcaption>p95 and p99 at each offered rate (ms, log scale)</figcaption>"
        f"{latency}</figure>"
        "<figure id='knee-throughput'><figcaption>Achieved against offered throughput</figcaption>"
        f"{throughput}</figure>"
        "<table id='capacity'><tr><th>offered req/s</th><th>achieved</th><th>p95 ms</th><th>p99 ms</th>"
        f"<th>error ratio</th><th>verdict</th></tr>{rows}</table>"
    )
