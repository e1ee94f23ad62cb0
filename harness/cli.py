"""The ``strongly-harness`` command line.

Exit codes: 0 conformant / within SLO, 1 non-conformant / SLO broken, 2 usage or configuration
error (one clear line, never a traceback), 3 the harness itself broke.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from harness.errors import EXIT_HARNESS_ERROR, HarnessError, InternalError, UsageError
from harness.paths import LOAD
from harness.run.config import ADAPTIVE_CEILING, DEFAULT_MAX_WORKSPACES

if TYPE_CHECKING:
    from harness.redact import Redactor
    from harness.run import RunConfig


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # no prefixes of options: a script relying on one would break the day a longer option arrives
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        # argparse would print the whole usage block; one line says enough
        raise UsageError(f"{message} (see {self.prog} --help)")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError(f"must be zero or more: {text!r}")
    return value


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number above 0: {text!r}")
    return int(text)


def _nonnegative_int(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return int(text)


def _fault(text: str) -> str:
    """A fault of the catalogue, a variant or mutate-<seed>: an unknown name is refused before a server starts."""
    from harness.reference.faults import known

    if not known(text):
        raise argparse.ArgumentTypeError(f"unknown fault: {text!r} (see strongly-harness serve --list-faults)")
    return text


def _cmd_serve(args: argparse.Namespace) -> int:
    from harness.reference import DEV_KEYS, ServerConfig
    from harness.reference.faults import CATALOGUE, VARIANTS, UnknownFaultError, known
    from harness.reference.keys import KeysFileError, load_keys

    if args.list_faults:
        for fault in sorted(CATALOGUE.values(), key=lambda item: (item.suite, item.area, item.name)):
            print(f"{fault.name:32} {fault.suite:8} {fault.area:11} {','.join(fault.catches):28} {fault.summary}")
        for name, plant in sorted(VARIANTS.items()):
            print(f"{name:32} {'variant':8} {'':11} {'(must pass)':28} {(plant.__doc__ or '').strip().splitlines()[0]}")
        print(f"{'mutate-<seed>':32} {'contract':8} {'mutation':11} {'(any requirement)':28} "
              "one operation's answers perturbed in one way, chosen by the seed")  # fmt: skip
        return 0
    unknown = [name for name in args.fault if not known(name)]
    if unknown:
        raise UsageError(f"unknown fault(s): {', '.join(unknown)} (see --list-faults)")
    try:
        keys = load_keys(args.keys) if args.keys else dict(DEV_KEYS)
    except KeysFileError as exc:
        raise UsageError(str(exc)) from None
    config = ServerConfig(
        db=args.db,
        provision_delay=args.provision_delay,
        keys=keys,
        faults=tuple(args.fault),
        latency=args.latency / 1000,
    )
    from harness.reference.server import serve

    try:
        serve(args.host, args.port, config, fd=args.fd, ready_file=args.ready_file, access_log=args.access_log)
    except UnknownFaultError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _config(args: argparse.Namespace, **sections: Any) -> RunConfig:
    """The run's configuration from the flags (the user's STRONGLY_* variables are read in harness/run/config.py)."""
    from harness.run.config import resolve

    names = ("request_timeout", "provision_wait", "deadline", "rate_limit")
    limits = {name: getattr(args, name, None) for name in names}
    return resolve(
        base_url=args.base_url,
        faults=getattr(args, "fault", ()),
        readonly=getattr(args, "readonly", False),
        reports=getattr(args, "reports", Path("reports")),
        seed=getattr(args, "seed", None),
        quiet=getattr(args, "quiet", False),
        limits=limits,
        **sections,
    )


def _cmd_contract(args: argparse.Namespace) -> int:
    from harness.conformance.runner import list_requirements, run_contract
    from harness.requirements import by_id, load_catalogue
    from harness.run import ContractConfig
    from harness.run.config import contract_profile

    profile, args.readonly = contract_profile(args.profile, args.readonly)
    unknown = [rid for rid in args.requirement if rid not in by_id()]
    contract = ContractConfig(profile=profile, requirements=tuple(args.requirement), checks=tuple(args.check),
                              model_steps=args.model_steps,
                              keep_on_failure=args.keep_on_failure, strict=args.strict,
                              concurrency=args.concurrency, max_workspaces=args.max_workspaces,
                              max_failures=args.max_failures)  # fmt: skip
    config = _config(args, contract=contract)
    if unknown:
        raise UsageError(f"unknown requirement id(s): {', '.join(unknown)}")
    if args.list:
        return list_requirements(config)
    expectations = None
    if args.expect is not None:
        from harness.results.expectations import load

        expectations = load(args.expect, set(by_id()), strict=args.strict_expectations)
    elif args.strict_expectations:
        raise UsageError("--strict-expectations needs --expect FILE")
    result = run_contract(config, expectations)
    if not config.quiet:
        from harness.reports.terminal import print_summary

        print_summary(result, load_catalogue(), config.reports.resolve())
    return 130 if result.interrupted else result.verdict(load_catalogue()).exit_code


def _cmd_load(args: argparse.Namespace) -> int:
    from harness.loadtest.profiles import duration, load_profile
    from harness.loadtest.runner import run_load
    from harness.run import LoadConfig

    overrides: dict[str, object] = {}
    if args.duration is not None:
        overrides["duration"] = duration(args.duration, "--duration")
    for name in ("users", "rate", "model"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    if args.workers < 0 or args.remote_workers < 0:
        raise UsageError("--workers and --remote-workers must be zero or more")
    if args.workers and args.remote_workers:
        raise UsageError("choose local --workers or --remote-workers, not both")
    config = _config(args)  # the target and its keys are checked before any file is read
    load = LoadConfig(
        profile=replace(load_profile(args.profiles, args.profile), **overrides),
        profiles_file=args.profiles,
        workers=args.workers,
        remote_workers=args.remote_workers,
        bind=_address(args.bind),
        baseline=args.baseline,
        tolerances=args.tolerances,
        metrics_port=_free_port(args.metrics_port, "--metrics-port") if args.metrics_port else 0,
        web=(args.web_host, _free_port(args.web_port, "--web-port", args.web_host)) if args.web else None,
    )
    summary = run_load(replace(config, load=load))
    if not config.quiet:
        from harness import reports
        from harness.reports.terminal import print_load_summary

        print_load_summary(summary, reports.load_folder(config.reports.resolve()))
    return summary.exit_code


def _free_port(port: int, option: str, host: str = "127.0.0.1") -> int:
    """A port nothing listens on yet; taken, it is a usage error before the run starts."""
    import socket

    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(f"{option} {port}: cannot listen on {host}:{port} ({exc.strerror})") from None
    return port


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--bind must be HOST:PORT, got {text!r}")
    return host, int(port)


def _cmd_load_compare(args: argparse.Namespace) -> int:
    from harness.loadtest.baseline import compare, find_summary, load_tolerances
    from harness.reports.terminal import print_comparison

    baseline, source = find_summary(args.baseline)
    current, _ = find_summary(args.current)
    comparison = compare(baseline, current, load_tolerances(args.tolerances), source)
    print_comparison(comparison)
    return 1 if comparison.verdict == "regressed" else 0


def _cmd_contract_compare(args: argparse.Namespace) -> int:
    from harness.reports.comparison import RunSide, compare, markdown, read_run
    from harness.reports.terminal import print_contract_comparison

    old, new = (RunSide.from_document(*read_run(path)) for path in (args.old, args.new))
    comparison = compare(old, new)
    print_contract_comparison(comparison)
    if args.markdown is not None:
        _write(args.markdown, _env_redactor()(markdown(comparison)))
    return comparison.exit_code


def _cmd_expectations_write(args: argparse.Namespace) -> int:
    from harness.reports.comparison import read_run
    from harness.requirements import load_catalogue
    from harness.results import RunResult, Status
    from harness.results.expectations import starting_file

    document, source = read_run(args.reports)
    try:
        result, catalogue = RunResult.from_document(document), load_catalogue()
    except (KeyError, TypeError) as exc:  # written by a harness that stored less
        raise UsageError(f"{source}: not a conformance.json this harness can read ({exc} is missing)") from None
    text = _env_redactor()(starting_file(result, catalogue, by_root_cause=args.by_root_cause))
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write(args.output, text)
    failing = sum(result.requirement_status(requirement.id) == Status.FAIL for requirement in catalogue)
    where = f"; written to {args.output}" if args.output else ""
    print(f"{failing} failing requirement(s) of run {result.run_id} ({source}){where}", file=sys.stderr)
    return 0


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _cmd_load_worker(args: argparse.Namespace) -> int:
    from harness.loadtest.runner import worker_command
    from harness.run.config import require_worker_key

    require_worker_key()
    return subprocess.call(worker_command(args.master_host, args.master_port))


def _cmd_sweep(args: argparse.Namespace) -> int:
    from harness.client import ApiClient
    from harness.redact import Redactor
    from harness.run.config import resolve
    from harness.run.sweep import ANY_RUN, sweep

    config = resolve(base_url=args.base_url, require_target="sweep")
    prefix = f"{ANY_RUN}{args.run_id}-" if args.run_id else ANY_RUN
    if args.run_id and not re.fullmatch(r"[A-Za-z0-9]+", args.run_id):
        raise UsageError(f"--run-id must be letters and digits, got {args.run_id!r}")
    from harness.run.preflight import preflight

    preflight(config.target, needs_write=not args.dry_run)
    target = config.target
    with ApiClient(target.base_url, target.api_key, redactor=Redactor(target.secrets())) as client:
        report = sweep(client, prefix, delete=not args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for line in report.found if args.dry_run else report.removed:
        print(f"{verb} {line}")
    for line in report.remaining:
        print(f"could not delete {line}")
    for line in report.problems:
        print(line)
    count = len(report.found if args.dry_run else report.removed)
    print(f"{count} resource(s) {'to delete' if args.dry_run else 'deleted'} whose names start with {prefix!r}")
    return 1 if report.remaining or report.problems else 0


def _env_redactor() -> Redactor:
    from harness.redact import Redactor
    from harness.run.config import user_secrets

    return Redactor(user_secrets())


def _cmd_bundle(args: argparse.Namespace) -> int:
    from harness import reports
    from harness.reports.bundle import make_bundle

    archive = make_bundle(args.reports, vendor=args.vendor, product=args.product, version=args.version,
                          website=args.website, output=args.output, redactor=_env_redactor())  # fmt: skip
    print(f"bundle written to {archive}; badge at {args.reports / reports.BADGE}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    import shutil

    from harness import reports

    rendered = reports.render_again(args.reports, _env_redactor())
    if not rendered:
        raise UsageError(f"nothing to report in {args.reports}: run `strongly-harness contract` or `load` first")
    print("rendered " + ", ".join(map(str, rendered)))
    results = reports.allure_results(args.reports)
    if not results.is_dir():
        return 0
    allure = args.allure or shutil.which("allure")
    if allure is None:
        raise UsageError(
            "Allure is not installed, so allure-results stays unrendered: `npm install -g allure` (Allure 3)"
            " or install the Allure 2 CLI, then run `strongly-harness report` again"
        )
    version = subprocess.run([allure, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    command = [allure, "generate", str(results), "-o", str(reports.allure_report(args.reports))]
    if version.startswith("2."):
        command.append("--clean")  # Allure 2 refuses to overwrite without it
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise UsageError(f"allure generate failed ({run.returncode}): {(run.stderr or run.stdout).strip()[-300:]}")
    _env_redactor().scrub_tree(reports.allure_report(args.reports))
    print(f"Allure report in {reports.allure_report(args.reports)}/index.html")
    return 0


def _cmd_selftest(args: argparse.Namespace) -> int:
    from harness import reports, selftest
    from harness.reference.faults import CATALOGUE

    unknown = [name for name in args.fault if name not in CATALOGUE]
    if unknown:
        raise UsageError(f"unknown fault(s): {', '.join(unknown)} (see strongly-harness serve --list-faults)")
    if args.mutations:
        return _run_mutations(args)
    if args.mutation_matrix:
        return _run_mutation_matrix(args)
    faults = selftest.chosen_faults(args.fault)
    started = time.monotonic()
    print(
        f"kill matrix: the clean run and {len(faults)} faults, {args.jobs} at a time (scope {args.scope})", flush=True
    )

    def progress(outcome: selftest.MatrixRow) -> None:
        verdict = "caught" if outcome.detected else "MISSED"
        if outcome.fault == selftest.CLEAN:
            verdict = "passed" if outcome.detected else "FAILED"
        fired = ",".join(outcome.fired)
        print(f"  {outcome.fault:34} {verdict:7} {outcome.seconds:6.1f}s {fired} {outcome.note}", flush=True)

    outcomes = selftest.run_matrix(
        faults, args.reports / "selftest", scope=args.scope, jobs=args.jobs, seed=args.seed, progress=progress
    )
    wall = time.monotonic() - started
    selftest.write(outcomes, args.reports, scope=args.scope, wall=wall)
    print(selftest.markdown(outcomes, scope=args.scope, wall=wall).splitlines()[0])
    data, text = reports.selftest_files(args.reports)
    print(f"matrix written to {text} and {data}")
    return 0 if selftest.passed(outcomes) else 1


def _run_mutation_matrix(args: argparse.Namespace) -> int:
    from harness import mutation_matrix, reports
    from harness.reference.mutations import KINDS

    print(f"mutation matrix: {args.sample or 'every'} planned run(s), {args.jobs} at a time, after a clean run",
          flush=True)  # fmt: skip
    started = time.monotonic()

    def progress(outcome: mutation_matrix.Outcome) -> None:
        state = "BROKE THE HARNESS" if outcome.broke else f"{len(outcome.met)}/{len(outcome.checks)} met"
        where = f"{outcome.operation}{' (setup spared)' if outcome.spare_setup else ''}"
        print(f"  {outcome.kind:20} {where:47} exit {outcome.exit_code}  {state}  {outcome.seconds:.1f}s", flush=True)

    try:
        clean, outcomes = mutation_matrix.run_matrix(
            args.reports / "mutation-matrix",
            jobs=args.jobs,
            run_seed=args.seed,
            sample=args.sample,
            progress=progress,
            resume=args.resume,
        )
    except RuntimeError as exc:
        raise InternalError(str(exc)) from None
    wall = time.monotonic() - started
    mutation_matrix.write(clean, outcomes, KINDS, args.reports, wall)
    print(mutation_matrix.markdown(clean, outcomes, KINDS, wall).splitlines()[0])
    data, text = reports.selftest_files(args.reports, reports.MUTATION_MATRIX)
    print(f"matrix: {text} and {data}")
    return 0 if not any(outcome.broke for outcome in outcomes) else 1


def _run_mutations(args: argparse.Namespace) -> int:
    from harness import reports, selftest

    seeds = range(args.first_seed, args.first_seed + args.mutations)
    print(f"mutations: {len(seeds)} seeds from {args.first_seed}, {args.jobs} at a time, after a clean run", flush=True)
    started = time.monotonic()

    def progress(outcome: selftest.MutationOutcome) -> None:
        print(f"  {outcome.seed:5} {outcome.mutation:70.70} {outcome.verdict:7} exit {outcome.exit_code} "
              f"{outcome.seconds:5.1f}s {outcome.note}", flush=True)  # fmt: skip

    try:
        outcomes = selftest.run_mutations(seeds, args.reports / "mutations", jobs=args.jobs, run_seed=args.seed,
                                          progress=progress)  # fmt: skip
    except RuntimeError as exc:
        raise InternalError(str(exc)) from None
    wall = time.monotonic() - started
    selftest.write_mutations(outcomes, args.reports, wall)
    print(selftest.mutation_markdown(outcomes, wall).splitlines()[0])
    data, text = reports.selftest_files(args.reports, reports.MUTATIONS)
    print(f"written to {text} and {data}")
    return 1 if any(outcome.verdict == "broken" for outcome in outcomes) else 0


def _cmd_spec(args: argparse.Namespace) -> int:
    from harness.paths import SPEC
    from harness.spec import Spec

    raw = SPEC.read_bytes()  # the file as shipped, byte for byte, so that its hash can be pinned
    contract = Spec.from_bytes(raw)
    level = ""
    if args.level == "default":
        import hashlib

        from harness.leniency import default_level_file

        raw = default_level_file(raw).encode("utf-8")  # as openapi/strongly-v1.default-level.yaml holds it
        level = f" at the default level: file sha256 {hashlib.sha256(raw).hexdigest()}, from"
    if args.output is None:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
    else:
        try:
            args.output.write_bytes(raw)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    # on stderr, so that stdout stays identical to the shipped file
    where = "" if args.output is None else f" written to {args.output}"
    print(f"contract {contract.version}{level} sha256 {contract.sha256}{where}", file=sys.stderr)
    return 0


def _shared_options() -> dict[str, argparse.ArgumentParser]:
    """Options more than one command takes, each declared once; commands take them as argparse parents."""
    groups = {name: _Parser(add_help=False) for name in ("target", "faults", "limits", "mode", "reports")}
    groups["target"].add_argument("--base-url", metavar="URL",
                                  help="the target (default: $STRONGLY_BASE_URL; without one, contract and load "
                                       "start the embedded reference server)")  # fmt: skip
    groups["faults"].add_argument("--fault", action="append", default=[], metavar="NAME", type=_fault,
                                  help="plant a fault in the (embedded) reference server")  # fmt: skip
    limits = groups["limits"]
    limits.add_argument("--request-timeout", type=_positive_float, metavar="S", help="per-request timeout (10)")
    limits.add_argument("--provision-wait", type=_positive_float, metavar="S", help="longest wait for ready (120)")
    limits.add_argument("--deadline", type=_positive_float, metavar="S",
                        help="the whole run's time limit (contract 1800; load: the profile's length)")  # fmt: skip
    limits.add_argument("--rate-limit", type=_positive_float, metavar="N", help="at most N requests per second")
    mode = groups["mode"]
    mode.add_argument("--readonly", action="store_true",
                      help="no POST, PUT or DELETE leaves the harness; it uses what already exists")  # fmt: skip
    mode.add_argument("--quiet", action="store_true", help="no progress, no summary")
    groups["reports"].add_argument("--reports", type=Path, default=Path("reports"), metavar="DIR",
                                   help="the reports folder (default: reports)")  # fmt: skip
    return groups


def _tolerance_option(parser: argparse.ArgumentParser, default: Path | None) -> None:
    where = "baseline.toml beside the SLO file" if default is None else str(default)
    parser.add_argument("--tolerances", type=Path, default=default, metavar="FILE",
                        help=f"how far a route may move before it is a regression (default: {where})")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="strongly-harness", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    shared = _shared_options()
    target, faults, limits, mode, reports = (shared[name] for name in ("target", "faults", "limits", "mode", "reports"))

    serve = commands.add_parser("serve", parents=[faults], help="run the bundled reference server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port to bind (default: 8000)")
    serve.add_argument("--db", default=":memory:", help="SQLite file to keep data in (default: in memory)")
    serve.add_argument(
        "--provision-delay", type=_positive_float, default=1.0, metavar="S", help="seconds from pending to running"
    )
    serve.add_argument(
        "--latency", type=_positive_float, default=0.0, metavar="MS",
        help="milliseconds added to every answer, to rehearse a deployment a network hop away",
    )  # fmt: skip
    serve.add_argument("--keys", type=Path, help="TOML file of [[keys]] replacing the built-in dev keys")
    serve.add_argument("--list-faults", action="store_true", help="print the fault catalogue and exit")
    serve.add_argument("--access-log", action="store_true", help="log every request (method, path, status)")
    # for the embedded server: an inherited listening socket, and a file announcing each boot
    serve.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    serve.add_argument("--ready-file", type=Path, help=argparse.SUPPRESS)
    serve.set_defaults(run=_cmd_serve)

    contract = commands.add_parser("contract", parents=[target, faults, limits, mode, reports],
                                   help="check a target against the contract, requirement by requirement")  # fmt: skip
    contract.add_argument("--profile", default="full",
                          help="full (default), core or smoke; `readonly` is --readonly's old name")  # fmt: skip
    contract.add_argument("--list", action="store_true", help="print the requirements the profile runs, and exit")
    contract.add_argument("--seed", type=int, help="replay a run: the seed its report shows")
    contract.add_argument("--model-steps", type=_positive_int, metavar="N", help="size of the model-based phase")
    contract.add_argument("--keep-on-failure", action="store_true", help="leave created data when a check fails")
    contract.add_argument("--requirement", action="append", default=[], metavar="ID", help="only these requirements")
    contract.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="ID",
        help="only the checks whose id holds this, e.g. test_count_is_the_total[listProjects]",
    )
    contract.add_argument("--strict", action="store_true", help="judge every recommendation (SHOULD) as a MUST")
    contract.add_argument("--expect", type=Path, metavar="FILE",
                          help="known failures (YAML): exit 0 while every failure is listed, 1 on another")  # fmt: skip
    contract.add_argument("--strict-expectations", action="store_true",
                          help="with --expect, a listed failure that no longer happens fails the run")  # fmt: skip
    contract.add_argument("--concurrency", type=_positive_int, metavar="N",
                          help=f"checks in flight (default: adapted to the target and this machine as the "
                               f"run goes, up to {ADAPTIVE_CEILING}; with --requirement or smoke, 1: one at a "
                               "time)")  # fmt: skip
    contract.add_argument("--max-workspaces", type=_nonnegative_int, default=DEFAULT_MAX_WORKSPACES, metavar="N",
                          help=f"most workspaces made ahead for checks (default {DEFAULT_MAX_WORKSPACES})")  # fmt: skip
    contract.add_argument("--max-failures", type=_positive_int, metavar="N",
                          help="stop once N root causes are found (grouped as the report groups them), cleaning up "
                               "as on any end; the verdict says it stopped early (exit 1)")  # fmt: skip
    contract.add_argument("-x", dest="max_failures", action="store_const", const=1,
                          help="stop at the first root cause: --max-failures 1")  # fmt: skip
    contract.set_defaults(run=_cmd_contract)

    load = commands.add_parser("load", parents=[target, faults, limits, mode, reports],
                               help="load the hot polling paths and judge them against SLOs")  # fmt: skip
    load.add_argument("--profile", default="smoke", help="smoke (default), polling, open, soak or capacity")
    load.add_argument("--profiles", type=Path, default=LOAD / "profiles.toml", metavar="FILE", help="profiles file")
    load.add_argument("--workers", type=int, default=0, help="Locust workers beside a master (0: one process)")
    load.add_argument("--remote-workers", type=int, default=0, metavar="N",
                      help="wait for N workers from other machines (strongly-harness load-worker)")  # fmt: skip
    load.add_argument("--bind", default="127.0.0.1:5557", metavar="HOST:PORT",
                      help="where the master listens for remote workers (default 127.0.0.1:5557)")  # fmt: skip
    load.add_argument("--duration", help="override the profile's duration (90, 90s, 5m)")
    load.add_argument("--users", type=int, help="override the profile's number of users (closed model)")
    load.add_argument("--rate", type=_positive_float, help="override the profile's arrival rate (open model)")
    load.add_argument("--model", choices=("closed", "open"), help="override the profile's model")
    load.add_argument("--baseline", type=Path, metavar="PATH",
                      help="an earlier run (summary.json, reports or bundle): exit 1 on a regression")  # fmt: skip
    _tolerance_option(load, None)
    load.add_argument("--metrics-port", type=_port, metavar="PORT",
                      help="serve live Prometheus metrics on 127.0.0.1:PORT/metrics while Locust runs")  # fmt: skip
    load.add_argument(
        "--web", action="store_true", help="show Locust's web UI while the run lasts (it still ends by itself)"
    )
    load.add_argument("--web-host", default="127.0.0.1", metavar="HOST", help="where the web UI listens (127.0.0.1)")
    load.add_argument("--web-port", type=_port, default=8089, metavar="PORT", help="the web UI's port (8089)")
    load.set_defaults(run=_cmd_load)

    comparer = commands.add_parser("load-compare", help="compare two load runs route by route, running nothing")
    comparer.add_argument("baseline", type=Path, help="the earlier run: summary.json, reports folder or bundle")
    comparer.add_argument("current", type=Path, help="the later run, the same way")
    _tolerance_option(comparer, LOAD / "baseline.toml")
    comparer.set_defaults(run=_cmd_load_compare)

    contract_comparer = commands.add_parser(
        "contract-compare", help="compare two contract runs requirement by requirement, running nothing"
    )
    contract_comparer.add_argument("old", type=Path, help="the earlier run: reports folder, conformance.json or bundle")
    contract_comparer.add_argument("new", type=Path, help="the later run, the same way")
    contract_comparer.add_argument("--markdown", type=Path, metavar="FILE",
                                   help="also write the comparison as Markdown (for a CI job to post)")  # fmt: skip
    contract_comparer.set_defaults(run=_cmd_contract_compare)

    known = commands.add_parser("expectations", help="known failures for `contract --expect`")
    actions = known.add_subparsers(dest="action", required=True, parser_class=_Parser)
    writer = actions.add_parser("write", help="list a run's failures as a starting expectations file")
    writer.add_argument("reports", type=Path, metavar="RUN", help="the run: reports folder, conformance.json or bundle")
    writer.add_argument("--by-root-cause", action="store_true",
                        help="one entry per root cause, so another failure of the same requirement is new")  # fmt: skip
    writer.add_argument("--output", type=Path, metavar="FILE", help="write it to FILE instead of stdout")
    writer.set_defaults(run=_cmd_expectations_write)

    sweeper = commands.add_parser("sweep", parents=[target],
                                  help="delete what harness runs left behind (names sh-<run id>-...)")  # fmt: skip
    sweeper.add_argument("--run-id", help="only this run's leftovers (default: every harness run's)")
    sweeper.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    sweeper.set_defaults(run=_cmd_sweep)

    worker = commands.add_parser("load-worker", help="a load worker for a master on another machine")
    worker.add_argument("--master-host", required=True, help="where `strongly-harness load --remote-workers` runs")
    worker.add_argument("--master-port", type=_port, default=5557, help="its --bind port (default 5557)")
    worker.set_defaults(run=_cmd_load_worker)

    packer = commands.add_parser("bundle", parents=[reports],
                                 help="pack a conformance run for publishing, with a manifest and a badge")  # fmt: skip
    packer.add_argument("--vendor", required=True)
    packer.add_argument("--product", required=True)
    packer.add_argument("--version", required=True)
    packer.add_argument("--website", help="the product's web page, for the manifest")
    packer.add_argument("--output", type=Path, metavar="FILE", help="where the .tar.gz goes (default: in DIR)")
    packer.set_defaults(run=_cmd_bundle)

    reporter = commands.add_parser("report", parents=[reports],
                                   help="render the reports again, and Allure's when it is installed")  # fmt: skip
    reporter.add_argument("--allure", metavar="PATH", help="the allure command (default: allure on PATH)")
    reporter.set_defaults(run=_cmd_report)

    kill = commands.add_parser("selftest", parents=[reports],
                               help="prove the suite: clean run passes, every planted fault is caught")  # fmt: skip
    kill.add_argument("--fault", action="append", default=[], metavar="NAME", help="only these faults")
    kill.add_argument("--scope", choices=("declared", "full"), default="declared",
                      help="run only the checks a fault declares (default) or the whole suite per fault")  # fmt: skip
    kill.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="runs in parallel (default: cores)")
    kill.add_argument("--seed", type=int, default=1, help="the seed every run uses (default 1)")
    kill.add_argument(
        "--mutation-matrix",
        action="store_true",
        help="meet every check with every kind of malformed answer (harness/mutation_matrix.py)",
    )
    kill.add_argument("--sample", type=_positive_int, metavar="N", help="with --mutation-matrix: only N of its runs")
    kill.add_argument(
        "--resume",
        action="store_true",
        help="with --mutation-matrix: keep the runs its --reports folder already holds, run the rest",
    )
    kill.add_argument("--mutations", type=_positive_int, default=0, metavar="N",
                      help="instead of the catalogue, run N seeded response mutations (mutate-<seed>)")  # fmt: skip
    kill.add_argument("--first-seed", type=int, default=1, metavar="S", help="the first mutation seed (default 1)")
    kill.set_defaults(run=_cmd_selftest)

    contract_file = commands.add_parser("spec", help="print the bundled contract; its version and sha256 go to stderr")
    contract_file.add_argument("--level", choices=("strict", "default"), default="strict",
                               help="strict: the contract as written (default); default: derived at the default "
                                    "level, for any OpenAPI tool to judge by")  # fmt: skip
    contract_file.add_argument("--output", type=Path, metavar="FILE", help="write it to FILE instead of stdout")
    contract_file.set_defaults(run=_cmd_spec)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; map every way it can end to the documented exit codes."""
    try:
        args = build_parser().parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except HarnessError as exc:
        print(f"strongly-harness: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("strongly-harness: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (| head): nothing left to say
        sys.stderr.close()
        return 0
    except Exception as exc:  # the harness broke: say so, briefly, and exit 3
        print(f"strongly-harness: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_HARNESS_ERROR


if __name__ == "__main__":
    sys.exit(main())
