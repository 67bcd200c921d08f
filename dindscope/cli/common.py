"""Options shared by every command that reads engines, and how a snapshot is obtained."""

from __future__ import annotations

import argparse

DEFAULT_TIMEOUT = 5.0


def add_source_options(parser: argparse.ArgumentParser, *, sub: bool = False) -> None:
    """Add --from/--demo/--timeout/--engine/--no-redact.

    On subcommands the defaults are SUPPRESS so that values given before the
    subcommand (``dindscope --demo scan``) are not overwritten.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if sub else value

    group = parser.add_argument_group("where to look")
    group.add_argument("--from", dest="from_file", metavar="FILE", default=default(None),
                       help="read a snapshot file instead of the live engines")
    group.add_argument("--demo", action="store_true", default=default(False),
                       help="use the embedded demo snapshot of a CI build host")
    group.add_argument("--engine", dest="engines", action="append", metavar="URL", default=default(None),
                       help="scan only this engine endpoint (unix:///path or tcp://host:port); repeatable")
    group.add_argument("--timeout", type=float, metavar="SECONDS", default=default(DEFAULT_TIMEOUT),
                       help=f"per-request timeout for engine calls (default {DEFAULT_TIMEOUT:g})")
    group.add_argument("--no-redact", dest="redact", action="store_false", default=default(True),
                       help="keep secret-looking env values, labels and arguments in outputs")
