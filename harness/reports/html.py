"""conformance.html: one self-contained file (no network to open it) a person can read.

A verdict and counts first; then the requirements, grouped by resource and area, MUST before
SHOULD, coloured by status and filterable; each failure opens to show the request, the response
(keys redacted long before this point) and the curl line that reproduces it; then which
operations the run exercised. It is built from conformance.json alone.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from harness import spec
from harness.client import pretty

STATUSES = ("fail", "error", "blocked", "pass", "skip", "not run")
VERDICT_CLASS = {
    "conformant": "pass",
    "conformant (strict)": "pass",
    "partial": "notrun",
    "incomplete": "skip",
    "non-conformant": "fail",
    "error": "error",
    "no regression": "known",
}

STYLE = """
:root { --pass: #1a7f37; --fail: #cf222e; --error: #8250df; --blocked: #bc4c00; --skip: #9a6700; --notrun: #6e7781;
  --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328;
  background: #f6f8fa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .meta { color: #57606a; font-size: 13px; }
main { padding: 20px 32px 60px; max-width: 1280px; }
.verdict { display: inline-block; font-weight: 700; padding: 6px 14px; border-radius: 6px; color: #fff;
  margin: 12px 0 0; }
.verdict.pass { background: var(--pass); } .verdict.fail { background: var(--fail);
  } .verdict.error { background: var(--error); }
.verdict.skip { background: var(--skip); } .verdict.notrun { background: var(--notrun); }
.verdict.known { background: var(--blocked); }
.expectations li { margin: 2px 0; } .expectations .new { color: var(--fail); font-weight: 600; }
.headline { margin-top: 6px; font-weight: 600; }
.cause { background: #fff; border: 1px solid #ffcecb; border-left: 5px solid var(--fail); border-radius: 6px;
  margin: 6px 0;
  padding: 8px 12px; }
.cause .what { font-weight: 600; } .cause .which { color: #57606a; font-size: 13px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 110px; }
.card b { display: block; font-size: 24px; }
.card.pass b { color: var(--pass); } .card.fail b { color: var(--fail); } .card.error b { color: var(--error); }
.card.skip b { color: var(--skip); } .card.notrun b { color: var(--notrun); } .card.blocked b { color: var(--blocked); }
.filters { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px;
  display: flex; gap: 18px;
  flex-wrap: wrap; align-items: center; position: sticky; top: 0; z-index: 2; }
.filters label { white-space: nowrap; }
.filters input[type=search] { padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; min-width: 220px; }
h2 { margin: 28px 0 8px; font-size: 18px; }
h3 { margin: 18px 0 6px; font-size: 15px; color: #57606a; text-transform: capitalize; }
.req { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--notrun);
  border-radius: 6px; margin: 6px 0; }
.req.pass { border-left-color: var(--pass); } .req.fail { border-left-color: var(--fail); }
.req.error { border-left-color: var(--error); } .req.skip { border-left-color: var(--skip); }
.req.blocked { border-left-color: var(--blocked); }
.req > summary { cursor: pointer; padding: 8px 12px; display: grid;
  grid-template-columns: 130px 70px 70px 1fr 90px; gap: 10px;
  align-items: baseline; list-style: none; }
.req > summary::-webkit-details-marker { display: none; }
.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; }
.badge { font-size: 12px; font-weight: 700; text-transform: uppercase; }
.badge.pass { color: var(--pass); } .badge.fail { color: var(--fail); } .badge.error { color: var(--error); }
.badge.skip { color: var(--skip); } .badge.notrun { color: var(--notrun); } .badge.blocked { color: var(--blocked); }
.level { font-size: 12px; color: #57606a; }
.count { text-align: right; color: #57606a; font-size: 12px; }
.body { padding: 4px 16px 14px; border-top: 1px solid var(--line); }
.basis { color: #57606a; font-size: 13px; }
.failure { border: 1px solid #ffcecb; background: #fff8f7; border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.failure h4 { margin: 0 0 6px; font-size: 13px; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; overflow: auto;
  max-height: 320px; white-space: pre-wrap; word-break: break-word; font: 12px/1.4 ui-monospace, Menlo, monospace; }
.exchange { margin: 6px 0; } .exchange summary { cursor: pointer; font-size: 13px; }
ul.checks { margin: 6px 0; padding-left: 18px; font-size: 13px; }
table { border-collapse: collapse; background: #fff; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.unexercised td { color: var(--fail); }
.hidden { display: none !important; }
.notes li { margin: 2px 0; }
"""

SCRIPT = """
const boxes = [...document.querySelectorAll('[data-filter-status]')];
const level = document.getElementById('level'), resource = document.getElementById('resource');
const text = document.getElementById('text');
function apply() {
  const shown = new Set(boxes.filter(b => b.checked).map(b => b.dataset.filterStatus));
  const words = text.value.trim().toLowerCase();
  document.querySelectorAll('.req').forEach(r => {
    const ok = shown.has(r.dataset.status) && (!level.value || r.dataset.level === level.value)
      && (!resource.value || r.dataset.resource === resource.value)
      && (!words || r.textContent.toLowerCase().includes(words));
    r.classList.toggle('hidden', !ok);
  });
  document.querySelectorAll('section.group').forEach(g =>
    g.classList.toggle('hidden', !g.querySelector('.req:not(.hidden)')));
}
[...boxes, level, resource, text].forEach(e => e.addEventListener('input', apply));
apply();
"""


def css_status(status: str) -> str:
    return status.replace(" ", "")


def render(document: dict[str, Any]) -> str:
    run = document["run"]
    verdict = document["verdict"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Conformance: {escape(run['target'])}</title><style>{STYLE}</style></head><body>",
        "<header><h1>Strongly API conformance report</h1>",
        f"<div class='meta'>Target <b>{escape(run['target'])}</b> · profile {escape(run['profile'])} · run "
        f"{escape(run['id'])} · seed {run['seed']} · contract {escape(run['specVersion'])}{contract_hash(run)} · "
        "strongly-harness "
        f"{escape(run['harnessVersion'])} · {escape(run['startedAt'])} to {escape(run['finishedAt'])}</div>",
        f"<div class='verdict {VERDICT_CLASS[verdict]}' id='verdict'>{escape(verdict.upper())}</div>",
        f"<div class='headline'>{escape(document.get('headline', ''))}</div></header><main>",
        cards(document),
        root_causes(document),
        expectations(document),
        filters(document),
        requirement_matrix(document),
        coverage(document),
        model_coverage(document),
        notes(document),
        f"<h2>Configuration</h2><pre>{escape(json.dumps(run['config'], indent=2))}</pre>",
        f"</main><script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)


def contract_hash(run: dict[str, Any]) -> str:
    """The start of the contract's sha256, enough to tell files apart; older reports have none."""
    digest = run.get("specSha256", "")
    return f" (sha256 <span title='{escape(digest)}'>{escape(digest[:12])}</span>)" if digest else ""


def cards(document: dict[str, Any]) -> str:
    totals = document["totals"]
    musts = [r for r in document["requirements"] if r["level"] == "MUST"]
    passed_musts = sum(r["status"] == "pass" for r in musts)
    items = [f"<div class='card {css_status(s)}'><b>{totals.get(s, 0)}</b>{escape(s)}</div>" for s in STATUSES]
    items.append(f"<div class='card'><b>{passed_musts}/{len(musts)}</b>MUST checked and held</div>")
    items.append(f"<div class='card'><b>{sum(document['operations'].values())}</b>requests sent</div>")
    if document.get("modelCoverage"):
        map_ = document["modelCoverage"]
        items.append(f"<div class='card'><b>{map_['exercised']}/{map_['pairs']}</b>model pairs exercised</div>")
    return f"<div class='cards' id='totals'>{''.join(items)}</div>"


def root_causes(document: dict[str, Any]) -> str:
    """Each distinct finding once, with what it fails and what it kept from being checked: those that fail a MUST
    first; those that fail only recommendations after them, folded (the terminal folds them too)."""
    causes = document.get("rootCauses", [])
    if not causes:
        return ""
    strict = document["run"].get("strict", False)
    musts = {row["id"] for row in document["requirements"] if strict or row["level"] == "MUST"}
    findings = [cause for cause in causes if set(cause["fails"]) & musts]
    advice = [cause for cause in causes if not set(cause["fails"]) & musts]
    html = f"<h2 id='root-causes'>Root causes ({len(findings)})</h2>" + "".join(map(cause_row, enumerate(findings, 1)))
    if advice:
        html += (
            f"<details class='advice'><summary>Recommendations not followed ({len(advice)} root causes; "
            f"--strict makes them MUST)</summary>{''.join(map(cause_row, enumerate(advice, 1)))}</details>"
        )
    return html


def cause_row(numbered: tuple[int, dict[str, Any]]) -> str:
    number, cause = numbered
    first = cause.get("title") or next((line for line in cause["message"].splitlines() if line.strip()), cause["id"])
    blocks = f" · blocks {len(cause['blocks'])}: {', '.join(cause['blocks'])}" if cause["blocks"] else ""
    where = f" · in {len(cause.get('operations', []))} operations" if cause.get("operations") else ""
    curl = f"<pre>{escape(cause['curl'])}</pre>" if cause["curl"] else ""
    return (f"<div class='cause' id='{escape(cause['id'])}'><div class='what'>{number}. {escape(first)}</div>"
            f"<div class='which'>{escape(cause['id'])} · fails {escape(', '.join(cause['fails']))}"
            f"{escape(blocks)} · met by {cause['checks']} checks{where}</div>{curl}</div>")  # fmt: skip


def expectations(document: dict[str, Any]) -> str:
    """The run against its known failures (--expect): new ones first, then fixed, expected and unchecked."""
    judged = document.get("expectations")
    if not judged:
        return ""
    items = [f"<li class='new'>new: {escape(item['requirement'])} ({escape(', '.join(item['rootCauses']))}): "
             "not in the file</li>" for item in judged["new"]]  # fmt: skip
    said = {"fixed": "no longer fails: remove it from the file", "unchecked": "did not run to the end"}
    for part in ("fixed", "expected", "unchecked"):
        for entry in judged[part]:
            name = entry["requirement"] + (f" ({entry['rootCause']})" if entry["rootCause"] else "")
            link = entry["link"] and f" {escape(entry['link'])}"
            if entry["link"].startswith(("https://", "http://")):  # the file's own text never becomes a script
                link = f" <a href='{escape(entry['link'])}'>{escape(entry['link'])}</a>"
            items.append(f"<li>{part}: {escape(name)}: {escape(said.get(part, entry['reason']))}{link}</li>")
    return (f"<h2 id='expectations'>Known failures ({escape(judged['file'])}): {len(judged['new'])} new, "
            f"{len(judged['expected'])} expected, {len(judged['fixed'])} fixed</h2>"
            f"<ul class='expectations'>{''.join(items)}</ul>")  # fmt: skip


def filters(document: dict[str, Any]) -> str:
    resources = sorted({r["resource"] for r in document["requirements"]})
    boxes = "".join(
        f"<label><input type='checkbox' data-filter-status='{css_status(s)}' checked> {escape(s)}</label>"
        for s in STATUSES
    )
    resource_options = "".join(f"<option>{escape(r)}</option>" for r in resources)
    return (
        f"<div class='filters'>{boxes}"
        "<label>level <select id='level'><option value=''>all</option><option>MUST</option><option>SHOULD</option>"
        f"</select></label><label>resource <select id='resource'><option value=''>all</option>{resource_options}"
        "</select></label><input type='search' id='text' placeholder='search ids, statements, failures'></div>"
    )


def requirement_matrix(document: dict[str, Any]) -> str:
    parts = ["<h2>Requirements</h2>"]
    requirements = document["requirements"]
    for resource in sorted({r["resource"] for r in requirements}):
        for area in sorted({r["area"] for r in requirements if r["resource"] == resource}):
            group = [r for r in requirements if r["resource"] == resource and r["area"] == area]
            group.sort(key=lambda r: (r["level"] != "MUST", STATUSES.index(r["status"]), r["id"]))
            parts.append(f"<section class='group'><h3>{escape(resource)} · {escape(area)}</h3>")
            parts += [requirement(r, document) for r in group]
            parts.append("</section>")
    return "\n".join(parts)


def requirement(row: dict[str, Any], document: dict[str, Any]) -> str:
    status = css_status(row["status"])
    checks = {check["check"]: check for check in document["checks"]}
    check_items = "".join(
        f"<li><span class='badge {css_status(checks[name]['status'])}'>{escape(checks[name]['status'])}</span> "
        f"<code>{escape(name)}</code>"
        + (f" <i>({escape(checks[name]['reason'] or '')})</i>" if checks[name]["status"] == "skip" else "")
        + (
            f" <i>({escape(checks[name]['reason'] or '')}: <a href='#{escape(checks[name]['blocked_by'] or '')}'>"
            f"{escape(checks[name]['blocked_by'] or '')}</a>)</i>"
            if checks[name]["status"] == "blocked"
            else ""
        )
        + "</li>"
        for name in row["checks"]
        if name in checks
    )
    failures = "".join(failure(f) for f in row["failures"])
    open_attribute = " open" if status in ("fail", "error") else ""
    return (
        f"<details class='req {status}' data-status='{status}' data-level='{row['level']}' "
        f"data-resource='{escape(row['resource'])}' id='{escape(row['id'])}'{open_attribute}>"
        f"<summary><span class='id'>{escape(row['id'])}</span><span class='level'>{row['level']}</span>"
        f"<span class='badge {status}'>{escape(row['status'])}</span><span>{escape(row['statement'])}</span>"
        f"<span class='count'>{len(row['checks'])} check(s)</span></summary>"
        f"<div class='body'><div class='basis'>Basis: {escape(row['basis'])}</div>"
        f"<ul class='checks'>{check_items}</ul>{failures}</div></details>"
    )


def failure(item: dict[str, Any]) -> str:
    exchanges = "".join(exchange(e) for e in item.get("exchanges", []))
    curl = item["exchanges"][-1]["curl"] if item.get("exchanges") else None
    reproduce = f"<div><b>Reproduce with</b><pre class='curl'>{escape(curl)}</pre></div>" if curl else ""
    operation = f" · operation <code>{escape(item['operation'])}</code>" if item.get("operation") else ""
    return (
        f"<div class='failure'><h4>In <code>{escape(item['check'])}</code>{operation}</h4>"
        f"<pre>{escape(item['message'])}</pre>{reproduce}{exchanges}</div>"
    )


def exchange(item: dict[str, Any]) -> str:
    request = f"{item['method']} {item['url']}\n" + "\n".join(f"{k}: {v}" for k, v in item["request_headers"].items())
    if item.get("request_body"):
        request += "\n\n" + pretty(item["request_body"])
    if item.get("error"):
        response = f"no answer: {item['error']}"
    else:
        response = f"{item['status']}\n" + "\n".join(f"{k}: {v}" for k, v in item["response_headers"].items())
        response += "\n\n" + pretty(item.get("response_body"))
    title = (
        f"{item['method']} {item['url']} → {item.get('status') or item.get('error')} ({item['elapsed'] * 1000:.0f} ms)"
    )
    return (
        f"<details class='exchange'><summary>{escape(title)}</summary>"
        f"<b>Request</b><pre>{escape(request)}</pre><b>Response</b><pre>{escape(response)}</pre></details>"
    )


def coverage(document: dict[str, Any]) -> str:
    counts = document["operations"]
    rows = []
    for operation in spec.load().operations:
        sent = counts.get(operation.operation_id, 0)
        rows.append(
            f"<tr class='{'' if sent else 'unexercised'}'><td><code>{escape(operation.method)} "
            f"{escape(operation.path)}</code></td><td>{escape(operation.operation_id)}</td>"
            f"<td class='num'>{sent}</td><td>{'yes' if sent else 'no'}</td></tr>"
        )
    exercised = sum(1 for operation in spec.load().operations if counts.get(operation.operation_id))
    return (
        f"<h2 id='coverage'>Operation coverage: {exercised} of {len(rows)} exercised</h2>"
        "<table><tr><th>operation</th><th>id</th><th>requests</th><th>exercised</th></tr>" + "".join(rows) + "</table>"
    )


def model_coverage(document: dict[str, Any]) -> str:
    """The model phase's map: (operation, view) pairs exercised of its total, and those not reached with why."""
    map_ = document.get("modelCoverage")
    if not map_:
        return ""
    rows = "".join(f"<tr class='unexercised'><td><code>{escape(u['pair'])}</code></td><td>{escape(u['requirement'])}"
                   f"</td><td>{escape(u['why'])}</td></tr>" for u in map_["unreached"])  # fmt: skip
    table = f"<table><tr><th>pair not reached</th><th>requirement</th><th>why</th></tr>{rows}</table>" if rows else ""
    return (f"<h2 id='model-coverage'>Model map: {map_['exercised']} of {map_['pairs']} (operation, view) pairs "
            f"exercised</h2>{table}")  # fmt: skip


def notes(document: dict[str, Any]) -> str:
    items = document["run"]["notes"] + document["cleanup"]["problems"]
    if document["run"].get("stoppedEarly"):
        items.append(f"stopped early: {document['run']['stoppedEarly']}")
    if not items:
        return ""
    return "<h2>Notes</h2><ul class='notes'>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
