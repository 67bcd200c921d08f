"""`dindscope snapshot`: write what dindscope sees as a versioned JSON snapshot file."""

from __future__ import annotations

import argparse
import sys

from dindscope.cli.common import add_source_options, obtain_snapshot, print_problems, safe_line, summary_line


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "snapshot", help="save what the engines show as a JSON snapshot file",
        description="Collect every discovered engine (or --from FILE / --demo) and write a versioned JSON "
                    "snapshot. Secret-looking env values, labels and arguments are redacted unless "
                    "--no-redact is given. Any command reads the file back with --from FILE.",
        epilog="exit codes: 0 written, 2 usage error or unreadable input, 3 no engine could be scanned")
    add_source_options(parser, sub=True)
    parser.add_argument("-o", "--output", metavar="FILE", default="-",
                        help="where to write the snapshot ('-' for stdout, the default); "
                             "files are written atomically with mode 0600")


def run(args: argparse.Namespace) -> int:
    from dindscope.snapshot.io import save_snapshot

    redact = getattr(args, "redact", True)
    snapshot = obtain_snapshot(args)
    print_problems(snapshot)
    output = args.output
    save_snapshot(snapshot, output, redact=False)  # obtain_snapshot already redacted it unless --no-redact
    where = "stdout" if output == "-" else safe_line(output)
    state = "redacted" if redact else "NOT redacted: it may contain secrets"
    print(f"dindscope: snapshot of {summary_line(snapshot)} -> {where} ({state})", file=sys.stderr)
    return 0
