"""The vendor bundle: a conformance run packed for publishing, with a product manifest and a badge."""

from __future__ import annotations

import io
import json
import re
import tarfile
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import yaml

from harness import __version__
from harness.errors import UsageError
from harness.redact import Redactor
from harness.reports import BADGE, bundled_files, result_file
from harness.results import RunResult
from harness.results.load import LoadSummary

FILES = bundled_files(RunResult)
LOAD_FILES = bundled_files(LoadSummary)  # packed when the reports hold a load run too


def counts(document: dict[str, Any]) -> tuple[int, int, int]:
    """(passed, failed, skipped) requirements; an error counts as failed; blocked and not run as skipped."""
    totals = document["totals"]
    unchecked = totals["skip"] + totals["not run"] + totals.get("blocked", 0)
    return totals["pass"], totals["fail"] + totals["error"], unchecked


def badge(document: dict[str, Any]) -> str:
    """A flat badge: 'strongly conformance | 74 passed · 2 failed · 1 skipped', coloured by the verdict."""
    passed, failed, skipped = counts(document)
    verdict = document["verdict"]
    claim = "" if verdict in ("conformant", "non-conformant") else f"{verdict} · "  # never read a subset as conformant
    if verdict == "no regression":  # known failures: still not conformant
        claim = f"not conformant, no regression ({document['expectations']['known']} known) · "
    left, right = "strongly conformance", f"{claim}{passed} passed · {failed} failed · {skipped} skipped"
    colour = {
        "conformant": "#2ea44f",
        "conformant (strict)": "#2ea44f",
        "non-conformant": "#cf222e",
        "partial": "#6e7781",
        "incomplete": "#bf8700",
        "no regression": "#bc4c00",
    }.get(verdict, "#8250df")
    left_width, right_width = 7 * len(left) + 12, int(6.2 * len(right)) + 14
    width = left_width + right_width
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='20' role='img' "
        f"aria-label='{escape(left)}: {escape(right)}'><title>{escape(left)}: {escape(right)}</title>"
        f"<rect width='{left_width}' height='20' fill='#555'/>"
        f"<rect x='{left_width}' width='{right_width}' height='20' fill='{colour}'/>"
        "<g fill='#fff' font-family='Verdana,DejaVu Sans,sans-serif' font-size='11'>"
        f"<text x='6' y='14'>{escape(left)}</text><text x='{left_width + 7}' y='14'>{escape(right)}</text></g></svg>"
    )


def manifest(document: dict[str, Any], vendor: str, product: str, version: str, website: str | None) -> dict[str, Any]:
    run = document["run"]
    passed, failed, skipped = counts(document)
    return {
        "vendor": vendor,
        "product": product,
        "version": version,
        "website_url": website,
        "conformance": {
            "verdict": document["verdict"],
            "level": "strict" if run.get("strict") else "default",
            "statement": document.get("headline", ""),
            "unchecked": document.get("unchecked", []),
            **({"known_failures": document["expectations"]["known"]} if document.get("expectations") else {}),
            "selection": run.get("selection", []),
            "passed": passed,
            "failed": failed,
            "skipped": skipped,
            "profile": run["profile"],
            "contract_version": run["specVersion"],
            "contract_sha256": run.get("specSha256", ""),
            "harness_version": run["harnessVersion"],
            "run_id": run["id"],
            "seed": run["seed"],
            "tested_at": run["startedAt"],
        },
        "bundled_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "bundled_by": f"strongly-harness {__version__}",
    }


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"


def make_bundle(
    reports: Path, *, vendor: str, product: str, version: str, website: str | None, output: Path | None,
    redactor: Redactor,
) -> Path:  # fmt: skip
    """Pack the run's reports, its redacted configuration, PRODUCT.yaml and badge.svg into one .tar.gz.

    A load run's summary.json and load.html beside them go in too, so the bundle can serve as a
    later run's ``load --baseline``.
    """
    missing = [name for name in FILES if not (reports / name).exists()]
    if missing:
        raise UsageError(f"{reports} has no {', '.join(missing)}: run `strongly-harness contract` first")
    document = json.loads(result_file(RunResult, reports).read_text(encoding="utf-8"))
    if document["verdict"] == "error":
        raise UsageError("the run ended in a harness error: it proves nothing about the product, run it again")
    svg = badge(document)
    (reports / BADGE).write_text(svg, encoding="utf-8")
    extra = {
        "PRODUCT.yaml": yaml.safe_dump(manifest(document, vendor, product, version, website), sort_keys=False),
        "config.json": json.dumps(document["run"]["config"], indent=2),
        BADGE: svg,
    }
    name = f"strongly-conformance-{slug(vendor)}-{slug(product)}-{slug(version)}"
    target = output or reports / f"{name}.tar.gz"
    with tarfile.open(target, "w:gz") as archive:
        for file_name in (*FILES, *(path for path in LOAD_FILES if (reports / path).is_file())):
            add(archive, f"{name}/{file_name}", redactor((reports / file_name).read_text(encoding="utf-8")))
        for file_name, text in extra.items():
            add(archive, f"{name}/{file_name}", redactor(text))
    return target


def add(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))
