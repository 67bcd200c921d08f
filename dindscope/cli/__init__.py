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
import sys
from collections.abc import Sequence

from dindscope import __version__
from dindscope.cli import common, scan_cmd, snapshot_cmd, ui_cmd
from dindscope.errors import DindscopeError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_NOTHING_SCANNED = 3

EPILOG = """exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error or unreadable input,
3 nothing could be scanned. Run 'dindscope COMMAND --help' for each command."""


def build_parser() -> argparse.ArgumentParser:
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
    ui_cmd.add_parser(sub)
    scan_cmd.add_parser(sub)
    snapshot_cmd.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "ui"
    runners = {"ui": ui_cmd.run, "scan": scan_cmd.run, "snapshot": snapshot_cmd.run}
    try:
        return runners[command](args)
    except DindscopeError as exc:
        print(f"dindscope: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dindscope: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
