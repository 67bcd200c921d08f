"""The `dindscope` command line.

Each subcommand lives in its own module and exposes ``add_parser(subparsers)``
and ``run(args) -> int``. Exit codes (documented in README):

* 0 - done, nothing at or above the ``--fail-on`` threshold
* 1 - findings at or above the ``--fail-on`` threshold
* 2 - usage error, or an input file that cannot be read
* 3 - nothing could be scanned (no engine reachable and no snapshot given)
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from dindscope import __version__
from dindscope.cli import common
from dindscope.errors import DindscopeError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_NOTHING_SCANNED = 3

EPILOG = """exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error or unreadable input,
3 nothing could be scanned. Run 'dindscope COMMAND --help' for each command."""


COMMANDS = ("ui", "scan", "snapshot")  # the order --help lists them in


def command_module(name: str) -> ModuleType:
    """``dindscope.cli.<name>_cmd``, imported on first use: ``dindscope snapshot`` never loads the analysis
    (networkx) or the TUI (textual)."""
    return importlib.import_module(f"dindscope.cli.{name}_cmd")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only``, the other subcommands are bare names (for parsing ``only`` alone)."""
    parser = argparse.ArgumentParser(
        prog="dindscope",
        description="Find which containers on this build host can become root on the host, how, "
        "and the smallest change that stops it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dindscope {__version__}")
    common.add_source_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is None or name == only:
            command_module(name).add_parser(sub)
        else:
            sub.add_parser(name, add_help=False)  # never parsed: argv names the command `only`
    return parser


class _NotPeekable(Exception):
    pass


class _Peeker(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _NotPeekable(message)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, when that is certain without the full parser; else None."""
    peek = _Peeker(add_help=False, exit_on_error=False)
    common.add_source_options(peek)
    peek.add_argument("command", nargs="?")
    peek.add_argument("rest", nargs=argparse.REMAINDER)
    try:
        known, extra = peek.parse_known_args(list(argv))
    except (_NotPeekable, argparse.ArgumentError, SystemExit):
        return None
    if extra:  # --help, --version or a typo before the command: the full parser answers
        return None
    return known.command if known.command in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    only = chosen_command(argv)
    parser = build_parser(only)
    args = parser.parse_args(argv)
    command = args.command or "ui"
    try:
        return command_module(command).run(args)
    except DindscopeError as exc:
        print(f"dindscope: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dindscope: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
