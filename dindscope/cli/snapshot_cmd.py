"""`dindscope snapshot` (placeholder until its issue fills it)."""

from __future__ import annotations

import argparse

from dindscope.cli.common import add_source_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("snapshot", help="snapshot")
    add_source_options(parser, sub=True)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
