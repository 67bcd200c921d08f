"""`dindscope` / `dindscope ui`: the interactive TUI over the live engines, a snapshot file, or the demo."""

from __future__ import annotations

import argparse

from dindscope.cli.common import add_source_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "ui", help="explore escape paths interactively (the default command)",
        description="Open the TUI on every discovered engine (or --from FILE / --demo). "
                    "Keys: ? help, / filter, p paths, f fix, w what-if, g graph, d details, e export, q quit. "
                    "Keys are remappable in $XDG_CONFIG_HOME/dindscope/keys.toml.")
    add_source_options(parser, sub=True)
    parser.add_argument("--no-live", dest="live", action="store_false", default=argparse.SUPPRESS,
                        help="do not follow the engines' event streams")


def _snapshot_from_args(args: argparse.Namespace) -> object:
    if getattr(args, "from_file", None):
        from dindscope.snapshot.io import load_snapshot

        return load_snapshot(args.from_file)
    if getattr(args, "demo", False):
        from dindscope.tui.sources import load_demo

        return load_demo()
    return None


def run(args: argparse.Namespace) -> int:
    from dindscope.app import DindscopeApp
    from dindscope.tui.sources import Source

    snapshot = _snapshot_from_args(args)  # a bad file fails here with one line, before the screen opens
    source = Source(snapshot=snapshot,  # type: ignore[arg-type]
                    endpoints=getattr(args, "engines", None), timeout=getattr(args, "timeout", 5.0),
                    redact=getattr(args, "redact", True), follow_events=getattr(args, "live", True))
    result = DindscopeApp(source).run()
    return int(result or 0)
