"""The ``strongly-harness`` command line.

Exit codes: 0 conformant / within SLO, 1 non-conformant / SLO broken, 2 usage or configuration
error (one clear line, never a traceback), 3 the harness itself broke.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from harness.errors import EXIT_HARNESS_ERROR, HarnessError, UsageError


class _Parser(argparse.ArgumentParser):
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


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return int(text)


def _cmd_serve(args: argparse.Namespace) -> int:
    from harness.reference import DEV_KEYS, ServerConfig
    from harness.reference.faults import CATALOGUE, UnknownFaultError
    from harness.reference.keys import KeysFileError, load_keys

    if args.list_faults:
        for fault in sorted(CATALOGUE.values(), key=lambda item: (item.suite, item.area, item.name)):
            print(f"{fault.name:32} {fault.suite:8} {fault.area:11} {','.join(fault.catches):28} {fault.summary}")
        return 0
    unknown = [name for name in args.fault if name not in CATALOGUE]
    if unknown:
        raise UsageError(f"unknown fault(s): {', '.join(unknown)} (see --list-faults)")
    try:
        keys = load_keys(args.keys) if args.keys else dict(DEV_KEYS)
    except KeysFileError as exc:
        raise UsageError(str(exc)) from None
    config = ServerConfig(db=args.db, provision_delay=args.provision_delay, keys=keys, faults=tuple(args.fault))
    from harness.reference.server import serve

    try:
        serve(args.host, args.port, config, fd=args.fd, ready_file=args.ready_file)
    except UnknownFaultError as exc:
        raise UsageError(str(exc)) from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="strongly-harness", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = commands.add_parser("serve", help="run the bundled reference server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port to bind (default: 8000)")
    serve.add_argument("--db", default=":memory:", help="SQLite file to keep data in (default: in memory)")
    serve.add_argument(
        "--provision-delay", type=_positive_float, default=1.0, metavar="S", help="seconds from pending to running"
    )
    serve.add_argument("--keys", type=Path, help="TOML file of [[keys]] replacing the built-in dev keys")
    serve.add_argument("--fault", action="append", default=[], metavar="NAME", help="switch a planted fault on")
    serve.add_argument("--list-faults", action="store_true", help="print the fault catalogue and exit")
    # for the embedded server: an inherited listening socket, and a file announcing each boot
    serve.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    serve.add_argument("--ready-file", type=Path, help=argparse.SUPPRESS)
    serve.set_defaults(run=_cmd_serve)
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
    except Exception as exc:  # the harness broke: say so, briefly, and exit 3
        print(f"strongly-harness: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_HARNESS_ERROR


if __name__ == "__main__":
    sys.exit(main())
