"""The command line: one clear line and exit 2 for bad usage, never a traceback."""

from __future__ import annotations

import hashlib
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.cli import build_parser, main
from harness.paths import DEFAULT_LEVEL_SPEC, SPEC

CI_EXAMPLES = sorted((Path(__file__).parents[1] / "docs" / "ci").glob("*.yml"))


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        ([], "arguments are required"),
        (["serve", "--port", "http"], "not a port number"),
        (["serve", "--provision-delay", "-1"], "must be zero or more"),
        (["serve", "--fault", "no-such-fault"], "unknown fault"),
        (["contract", "--fault", "no-such-fault"], "unknown fault: 'no-such-fault'"),  # before a server starts
        (["load", "--fault", "no-such-fault"], "unknown fault: 'no-such-fault'"),
        (["serve", "--keys", "/nonexistent/keys.toml"], "cannot read keys file"),
        (["frobnicate"], "invalid choice"),
        (["contract", "--report", "out"], "unrecognized arguments: --report"),
        (["spec", "--output", "/nonexistent/dir/contract.yaml"], "cannot write /nonexistent/dir/contract.yaml"),
        (["spec", "--level", "lenient"], "invalid choice: 'lenient'"),
        (["contract", "--expect", "/nonexistent/known.yaml"], "cannot read expectations file /nonexistent/known.yaml"),
        (["contract", "--strict-expectations"], "--strict-expectations needs --expect FILE"),
        (["contract", "--max-failures", "0"], "--max-failures: not a whole number above 0: '0'"),
        (["contract", "--max-failures", "-2"], "--max-failures: not a whole number above 0: '-2'"),
        (["contract", "--max-failures", "x"], "--max-failures: not a whole number above 0: 'x'"),
        (["contract-compare", "/nonexistent/a"], "the following arguments are required: new"),
        (["contract-compare", "/nonexistent/a", "/nonexistent/b"], "/nonexistent/a does not exist"),
        (["expectations"], "the following arguments are required: action"),
        (["expectations", "write", "/nonexistent/reports"], "/nonexistent/reports does not exist"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad arguments print one line naming the problem and exit 2."""
    code = main(argv)

    err = capsys.readouterr().err
    assert code == 2
    assert complaint in err
    assert len(err.strip().splitlines()) == 1


def test_list_faults_prints_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    """--list-faults prints one line per fault with its suite and the requirements that catch it."""
    assert main(["serve", "--list-faults"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("slow-status") for line in lines)


def test_the_module_runs_as_a_program() -> None:
    """`python -m harness` is the same command line."""
    run = subprocess.run(
        [sys.executable, "-m", "harness", "serve", "--port", "x"], capture_output=True, text=True, check=False
    )

    assert run.returncode == 2
    assert "Traceback" not in run.stderr


def test_spec_prints_the_shipped_file_and_names_its_version_and_hash() -> None:
    """`spec` writes the contract byte for byte to stdout, and its version and sha256 to stderr."""
    run = subprocess.run([sys.executable, "-m", "harness", "spec"], capture_output=True, check=False)

    shipped = SPEC.read_bytes()
    assert run.returncode == 0
    assert run.stdout == shipped
    version = yaml.safe_load(shipped)["info"]["version"]
    assert run.stderr.decode() == f"contract {version} sha256 {hashlib.sha256(shipped).hexdigest()}\n"


def test_spec_output_writes_the_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`spec --output FILE` writes the identical file, says where, and prints nothing on stdout."""
    target = tmp_path / "strongly-v1.yaml"

    assert main(["spec", "--output", str(target)]) == 0

    captured = capsys.readouterr()
    assert target.read_bytes() == SPEC.read_bytes()
    assert captured.out == ""
    assert captured.err.strip().endswith(f"written to {target}")


def test_spec_at_the_default_level_is_the_published_file(capsys: pytest.CaptureFixture[str]) -> None:
    """`spec --level default` prints openapi/strongly-v1.default-level.yaml, naming both hashes on stderr."""
    assert main(["spec", "--level", "default"]) == 0

    captured = capsys.readouterr()
    assert captured.out == DEFAULT_LEVEL_SPEC.read_text(encoding="utf-8")
    assert f"file sha256 {hashlib.sha256(DEFAULT_LEVEL_SPEC.read_bytes()).hexdigest()}" in captured.err


@pytest.mark.parametrize("example", CI_EXAMPLES, ids=lambda path: path.name)
def test_the_ci_examples_call_the_cli_as_it_is(example: Path) -> None:
    """Each strongly-harness command in the docs' CI examples parses with today's options."""
    lines = re.findall(r"strongly-harness ([a-z][^@\n]*)", example.read_text())
    commands = [re.sub(r"\$\{\{[^}]*\}\}|\$\w+", "x", line).split("||")[0] for line in lines]

    assert {"contract", "bundle"} <= {shlex.split(command)[0] for command in commands}
    for command in commands:
        build_parser().parse_args(shlex.split(command))


def test_x_is_max_failures_1() -> None:
    """`contract -x` stops at the first root cause, as `--max-failures 1` does; without either there is no limit."""
    parser = build_parser()

    assert parser.parse_args(["contract", "-x"]).max_failures == 1
    assert parser.parse_args(["contract", "--max-failures", "3"]).max_failures == 3
    assert parser.parse_args(["contract"]).max_failures is None
