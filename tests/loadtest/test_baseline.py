"""The baseline comparison: tolerances, noise floors, like-with-like, and where a baseline is found."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from harness.cli import main
from harness.errors import UsageError
from harness.loadtest.baseline import Tolerance, Tolerances, check_comparable, compare, find_summary, load_tolerances
from harness.paths import LOAD, PACKAGE
from harness.results.load import LoadRun, LoadSummary, RouteStats, SeriesPoint, SloResult

STATUS = "GET /api/v1/workspaces/{id}/status"
LIST = "GET /api/v1/workspaces"
DEFAULTS = Tolerances(Tolerance(), {})


def stats(p95: float = 0.5, *, requests: int = 5000, rps: float = 100.0, errors: int = 0) -> RouteStats:
    return RouteStats(requests=requests, rps=rps, p50_ms=p95 / 2, p95_ms=p95, p99_ms=p95 * 1.5, max_ms=p95 * 3,
                      service_p99_ms=p95, errors=errors, error_ratio=round(errors / requests, 5))  # fmt: skip


def summary(routes: dict[str, RouteStats] | None = None, *, profile: str = "smoke", model: str = "closed",
            settings: dict[str, float] | None = None) -> LoadSummary:  # fmt: skip
    routes = routes if routes is not None else {STATUS: stats(), "total": stats(requests=2000, rps=200)}
    run = LoadRun("r1", profile, model, "http://127.0.0.1:1", started_at="2026-11-30T12:00:00+00:00",
                  profile_settings=settings or {"users": 20.0, "rate": 100.0})  # fmt: skip
    series = [SeriesPoint(second, dict(routes)) for second in range(3)]
    slo = [SloResult(STATUS, "p95_ms", 50.0, routes[STATUS].p95_ms if STATUS in routes else 0, True, "held: ...")]
    return LoadSummary(run, "held", routes, slo, series, 3.0)


def regressions(baseline: LoadSummary, current: LoadSummary, tolerances: Tolerances = DEFAULTS) -> list[str]:
    return [f"{row.route} {row.measure}" for row in compare(baseline, current, tolerances).rows if row.regressed]


def test_a_run_compared_with_itself_has_no_regression() -> None:
    """Every measure of every route is compared, and none regresses against itself."""
    comparison = compare(summary(), summary(), DEFAULTS)

    assert comparison.verdict == "held"
    assert {(row.route, row.measure) for row in comparison.rows} >= {(STATUS, "p95_ms"), (STATUS, "rps")}


def test_a_slower_route_is_named_with_how_far_it_moved() -> None:
    """A p95 from 0.5 ms to 300 ms regresses; the row says the route, the measure and the change."""
    slow = summary({STATUS: stats(300.0), "total": stats(requests=2000, rps=200)})

    comparison = compare(summary(), slow, DEFAULTS)

    assert "GET /api/v1/workspaces/{id}/status p95_ms" in regressions(summary(), slow)
    row = next(row for row in comparison.rows if row.measure == "p95_ms" and row.regressed)
    assert row.describe().startswith("REGRESSED: GET /api/v1/workspaces/{id}/status p95_ms 0.5 -> 300 ms (+59900 %")
    assert comparison.verdict == "regressed"


def test_a_swing_under_the_floor_is_noise_not_a_regression() -> None:
    """A p95 from 6 ms to 16 ms is +167 % but under the 20 ms floor: not a regression (seen between clean runs)."""
    assert regressions(summary({STATUS: stats(6.0)}), summary({STATUS: stats(16.0)})) == []


def test_a_change_past_both_floors_regresses() -> None:
    """100 ms to 130 ms is +30 % and +30 ms: past +15 % and +20 ms, so p95 regresses."""
    assert f"{STATUS} p95_ms" in regressions(summary({STATUS: stats(100.0)}), summary({STATUS: stats(130.0)}))


def test_routes_with_few_requests_are_shown_but_not_judged() -> None:
    """Under min_requests in either run, even a tenfold p95 is noted, not called a regression."""
    comparison = compare(
        summary({LIST: stats(10.0, requests=50)}), summary({LIST: stats(100.0, requests=50)}), DEFAULTS
    )

    assert comparison.verdict == "held"
    assert all("not judged" in row.note for row in comparison.rows)


def test_a_tail_percentile_needs_enough_requests_beyond_it() -> None:
    """With 1,000 requests p95 is judged (50 beyond it) but p99 is not (10 beyond it): only p95 regresses."""
    before, after = summary({STATUS: stats(20.0, requests=1000)}), summary({STATUS: stats(80.0, requests=1000)})
    rows = {row.measure: row for row in compare(before, after, DEFAULTS).rows}

    assert regressions(before, after) == [f"{STATUS} p50_ms", f"{STATUS} p95_ms"]
    assert rows["p99_ms"].note == "not judged: p99 needs 2000 requests"


def test_lost_throughput_and_new_errors_regress() -> None:
    """Throughput down 20 % and an error ratio up by 5 % are regressions; down 10 % is not."""
    assert regressions(summary({STATUS: stats()}), summary({STATUS: stats(rps=80.0)})) == [f"{STATUS} rps"]
    assert regressions(summary({STATUS: stats()}), summary({STATUS: stats(rps=90.0)})) == []
    assert regressions(summary({STATUS: stats()}), summary({STATUS: stats(errors=250)})) == [f"{STATUS} error_ratio"]


def test_a_route_the_run_stopped_calling_regresses() -> None:
    """A busy baseline route missing from the current run is a regression."""
    assert regressions(summary({STATUS: stats(), LIST: stats()}), summary({STATUS: stats()})) == [f"{LIST} rps"]


def test_a_route_table_overrides_only_what_it_names(tmp_path: Path) -> None:
    """[routes."..."] p95_pct = 50 lets that route's p95 rise 40 %; its p50 and p99 keep the defaults."""
    path = tmp_path / "baseline.toml"
    floors = "p50_min_ms = 1\np95_min_ms = 1\np99_min_ms = 1\n"
    path.write_text(f'[default]\n{floors}[routes."{STATUS}"]\np95_pct = 50\n')
    tolerances = load_tolerances(path)

    assert tolerances.for_route(STATUS) == replace(Tolerance(), p50_min_ms=1, p95_min_ms=1, p99_min_ms=1, p95_pct=50)
    assert regressions(summary({STATUS: stats(20.0)}), summary({STATUS: stats(28.0)}), tolerances) == [
        f"{STATUS} p50_ms",
        f"{STATUS} p99_ms",
    ]


@pytest.mark.parametrize(
    ("before", "now", "warned"),
    [([0.3, 0.4], [0.2, 0.5], False), ([0.3, 0.4], [0.9, 1.2], True), ([4.0, 3.8], [4.1, 3.9], True),
     ([], [4.0], False)],
)  # fmt: skip
def test_a_busy_or_unevenly_busy_machine_is_named_beside_the_verdict(
    before: list[float], now: list[float], warned: bool
) -> None:
    """Runs on an oversubscribed machine, or one much busier than the other's, carry a warning; calm ones do not."""
    baseline, current = summary(), summary()
    baseline.run.host_load, current.run.host_load = before, now

    warnings = compare(baseline, current, DEFAULTS).warnings

    assert bool(warnings) is warned
    assert all("runnable processes per core" in warning for warning in warnings)


def test_the_shipped_tolerances_file_reads() -> None:
    """load/baseline.toml parses, and its defaults are the ones in code."""
    tolerances = load_tolerances(LOAD / "baseline.toml")

    assert tolerances.default == Tolerance()


@pytest.mark.parametrize(
    ("text", "complaint"),
    [("[defaults]\n", "unknown tables"), ("[default]\np95 = 1\n", "unknown tolerance 'p95'"),
     ("[default]\np95_pct = -1\n", "zero or more"), ("[default\n", "tolerances file")],
)  # fmt: skip
def test_a_bad_tolerances_file_is_refused(tmp_path: Path, text: str, complaint: str) -> None:
    """Unknown tables or names, negative numbers and bad TOML are a UsageError."""
    path = tmp_path / "baseline.toml"
    path.write_text(text)

    with pytest.raises(UsageError, match=complaint):
        load_tolerances(path)


@pytest.mark.parametrize(
    ("baseline", "complaint"),
    [(summary(profile="polling"), "profile 'polling'"), (summary(model="open"), "open model"),
     (summary(settings={"users": 40.0}), "40 users")],
)  # fmt: skip
def test_unlike_runs_are_refused(baseline: LoadSummary, complaint: str) -> None:
    """Another profile, model or number of users is refused with one line."""
    with pytest.raises(UsageError, match=complaint):
        check_comparable(baseline.run, summary().run)


def test_open_model_runs_at_another_rate_are_refused() -> None:
    """The open model compares only runs at the same arrival rate."""
    with pytest.raises(UsageError, match="200 req/s, this run at 100 req/s"):
        check_comparable(summary(model="open", settings={"rate": 200}).run, summary(model="open").run)


def test_a_summary_is_found_in_a_file_a_folder_and_bundles(tmp_path: Path) -> None:
    """summary.json itself, reports/ or reports/load/, a .tar.gz bundle and a .zip all give the same summary."""
    reports = tmp_path / "reports"
    summary().write(reports / "load" / "summary.json")
    text = (reports / "load" / "summary.json").read_text()
    bundle = tmp_path / "bundle.tar.gz"
    with tarfile.open(bundle, "w:gz") as archive:
        data = text.encode()
        info = tarfile.TarInfo("strongly-conformance-acme/load/summary.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as archive:
        archive.writestr("run/load/summary.json", text)

    for path in (reports / "load" / "summary.json", reports, reports / "load", bundle, tmp_path / "bundle.zip"):
        found, source = find_summary(path)
        assert found == summary(), path
        assert source.endswith("summary.json")


@pytest.mark.parametrize(("name", "content", "complaint"), [
    ("missing", None, "does not exist"), ("empty", "", "holds no summary.json"),
    ("other.json", '{"run": {}}', "is not a load summary.json"), ("broken.json", "{", "is not a load summary.json"),
])  # fmt: skip
def test_a_baseline_that_is_not_one_is_refused(tmp_path: Path, name: str, content: str | None, complaint: str) -> None:
    """A missing path, a folder without a summary, or a file that is not one: a UsageError naming it."""
    path = tmp_path / name
    if content == "":
        path.mkdir()
    elif content is not None:
        path.write_text(content)

    with pytest.raises(UsageError, match=complaint):
        find_summary(path)


def test_a_summary_survives_write_and_read_and_validates(tmp_path: Path) -> None:
    """LoadSummary.write then read gives it back; the file validates against load-summary.schema.json."""
    original = summary()
    original.comparison = compare(summary(), summary({STATUS: stats(300.0)}), DEFAULTS)
    path = tmp_path / "summary.json"
    original.write(path)

    schema = json.loads((PACKAGE / "schemas" / "load-summary.schema.json").read_text())
    jsonschema.validate(json.loads(path.read_text()), schema)
    assert LoadSummary.read(path) == original


@pytest.mark.parametrize(
    ("path", "value"),
    [(("routes", STATUS, "p95_ms"), "fast"), (("verdict",), "fine"), (("run", "model"), "burst"),
     (("comparison", "rows", 0, "measure"), "p90_ms"), (("surprise",), 1)],
)  # fmt: skip
def test_the_schema_refuses_a_summary_that_is_not_one(
    tmp_path: Path, path: tuple[str | int, ...], value: object
) -> None:
    """A mistyped percentile, an unknown verdict, model or measure, or an unknown field fails validation."""
    original = summary()
    original.comparison = compare(summary(), summary(), DEFAULTS)
    document = original.to_document()
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    schema = json.loads((PACKAGE / "schemas" / "load-summary.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_load_compare_exits_by_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """load-compare: 0 for the same numbers, 1 naming the regressed route, 2 for unlike runs."""
    for name, value in (("a", summary()), ("b", summary({STATUS: stats(300.0)})), ("c", summary(profile="soak"))):
        value.write(tmp_path / name / "summary.json")

    assert main(["load-compare", str(tmp_path / "a"), str(tmp_path / "a")]) == 0
    assert "NO REGRESSION" in capsys.readouterr().out
    assert main(["load-compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    assert f"REGRESSED: {STATUS} p95_ms 0.5 -> 300 ms" in capsys.readouterr().out
    assert main(["load-compare", str(tmp_path / "a"), str(tmp_path / "c")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
