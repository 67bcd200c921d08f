"""Options shared by every command that reads engines, and how a snapshot is obtained."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TextIO

from dindscope.errors import NothingScanned, UsageError
from dindscope.models import Snapshot

DEFAULT_TIMEOUT = 5.0

_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def add_source_options(parser: argparse.ArgumentParser, *, sub: bool = False) -> None:
    """Add --from/--demo/--timeout/--engine/--no-redact.

    On subcommands the defaults are SUPPRESS so that values given before the
    subcommand (``dindscope --demo scan``) are not overwritten.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if sub else value

    group = parser.add_argument_group("where to look")
    group.add_argument("--from", dest="from_file", metavar="FILE", default=default(None),
                       help="read a snapshot file ('-' for stdin) instead of the live engines")
    group.add_argument("--demo", action="store_true", default=default(False),
                       help="use the embedded demo snapshot of a CI build host")
    group.add_argument("--engine", dest="engines", action="append", metavar="URL", default=default(None),
                       help="scan only this engine endpoint (unix:///path or tcp://host:port); repeatable")
    group.add_argument("--timeout", type=float, metavar="SECONDS", default=default(DEFAULT_TIMEOUT),
                       help=f"per-request timeout for engine calls (default {DEFAULT_TIMEOUT:g})")
    group.add_argument("--no-redact", dest="redact", action="store_false", default=default(True),
                       help="keep secret-looking env values, labels and arguments in outputs")


def safe_line(value: object) -> str:
    """One printable line from attacker-controlled text: no escape sequences, no control characters."""
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def obtain_snapshot(args: argparse.Namespace) -> Snapshot:
    """The snapshot a command works on: ``--from FILE``, ``--demo``, or the live engines.

    Unless ``--no-redact`` was given, the snapshot is redacted here, so nothing
    downstream (reports, TUI, exports) ever holds a secret value. Raises
    :class:`SnapshotError` for an unreadable file and :class:`NothingScanned`
    when no engine could be reached live.
    """
    from_file = getattr(args, "from_file", None)
    demo = bool(getattr(args, "demo", False))
    engines = getattr(args, "engines", None)
    if from_file and demo:
        raise UsageError("--from and --demo cannot be used together")
    if (from_file or demo) and engines:
        raise UsageError("--engine reads live engines; it cannot be combined with --from or --demo")
    if from_file:
        from dindscope.snapshot.io import load_snapshot

        snapshot = load_snapshot(from_file)
    elif demo:
        from dindscope.snapshot.demo import load_demo

        snapshot = load_demo()
    else:
        snapshot = _live_snapshot(args)
    if getattr(args, "redact", True):  # idempotent: a file claiming to be redacted is checked again
        from dindscope.snapshot.redact import redact_snapshot

        snapshot = redact_snapshot(snapshot, in_place=True)  # just read or collected: nothing else holds it
    return snapshot


def _live_snapshot(args: argparse.Namespace) -> Snapshot:
    from dindscope.collect.base import CollectOptions
    from dindscope.collect.scan import collect_snapshot

    timeout = getattr(args, "timeout", DEFAULT_TIMEOUT)
    if timeout is None or timeout <= 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {timeout}")
    snapshot = collect_snapshot(CollectOptions(timeout=timeout), endpoints=getattr(args, "engines", None))
    if not snapshot.engines:
        raise NothingScanned(nothing_scanned_message(snapshot))
    return snapshot


def nothing_scanned_message(snapshot: Snapshot) -> str:
    """One message saying that no engine answered, with each reason on its own indented line."""
    if not snapshot.problems:
        return ("no container engine found: no Docker or Podman socket answered "
                "(try --engine URL, --from FILE or --demo)")
    reasons = "\n".join(f"  - {safe_line(p)}" for p in snapshot.problems)
    return f"no container engine could be scanned (try --engine URL, --from FILE or --demo):\n{reasons}"


def print_problems(snapshot: Snapshot, stream: TextIO | None = None) -> None:
    """Each collection problem as one warning line on stderr."""
    out = stream or sys.stderr
    for problem in snapshot.problems:
        print(f"dindscope: warning: {safe_line(problem)}", file=out)


def summary_line(snapshot: Snapshot) -> str:
    """``2 engines, 17 containers, 1 problem`` for one-line status messages."""

    def count(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    return ", ".join((count(len(snapshot.engines), "engine"), count(len(snapshot.containers), "container"),
                      count(len(snapshot.problems), "problem")))
