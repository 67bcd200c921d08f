"""Reading and writing snapshot files: atomic, private, and never a traceback on bad input."""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from dindscope.bulk import paused_gc
from dindscope.errors import SnapshotError
from dindscope.models import Snapshot
from dindscope.snapshot.codec import snapshot_from_dict, snapshot_to_dict
from dindscope.snapshot.redact import redact_snapshot

MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024  # a host with 100k containers is far below this
STDIO = "-"


def save_snapshot(s: Snapshot, path: str | os.PathLike[str], *, redact: bool = True) -> None:
    """Write a snapshot as versioned JSON; redacted unless ``redact=False``.

    The file is written to a temporary file in the same directory with mode
    0600 and renamed into place, so a reader never sees half a snapshot and
    secrets (with ``--no-redact``) are not left readable by others.
    ``path`` ``-`` writes to standard output.
    """
    text = dump_snapshot(s, redact=redact)
    if str(path) == STDIO:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    if target.is_dir():
        raise SnapshotError(f"cannot write snapshot to {_shown(target)}: it is a directory")
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise SnapshotError(f"cannot write snapshot to {_shown(target)}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SnapshotError(f"cannot write snapshot to {_shown(target)}: {exc.strerror or exc}") from None


def dump_snapshot(s: Snapshot, *, redact: bool = True) -> str:
    """The JSON text of a snapshot (redacted unless ``redact=False``), ending in a newline."""
    if redact:
        s = redact_snapshot(s)
    doc = snapshot_to_dict(s)  # "redacted" says what the snapshot holds: True after redact_snapshot
    text = format_document(doc, ascii_only=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from an engine's JSON: escape it, keep the file UTF-8
        text = format_document(doc, ascii_only=True)
    return text


def format_document(doc: dict[str, Any], *, ascii_only: bool) -> str:
    """JSON with one line per top-level field, per host fact and per engine, container or problem.

    Readable and diff-friendly (a changed container is a changed line) while each
    line is rendered by the fast C encoder (``indent=`` would use the slow one).
    """

    dump = json.JSONEncoder(ensure_ascii=ascii_only, allow_nan=False).encode  # one encoder for every line

    def block(value: Any, depth: int) -> str:
        pad, inner = " " * depth, " " * (depth + 1)
        if isinstance(value, dict) and value and depth < 2:
            items = [f"{inner}{dump(k)}: {block(v, depth + 1)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + f"\n{pad}}}"
        if isinstance(value, list) and value and depth < 3:
            return "[\n" + ",\n".join(inner + dump(v) for v in value) + f"\n{pad}]"
        return dump(value)

    return block(doc, 0) + "\n"


def load_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Read a snapshot file; every problem is a :class:`SnapshotError` that names it.

    ``path`` ``-`` reads standard input. The loaded snapshot's ``source`` is the path.
    """
    name = str(path)
    data = _read_stdin() if name == STDIO else _read_file(Path(path))
    snapshot = parse_snapshot(data, name)
    snapshot.source = "stdin" if name == STDIO else name
    return snapshot


def parse_snapshot(data: bytes, name: str = "snapshot") -> Snapshot:
    """Decode and validate the bytes of a snapshot file; ``name`` prefixes error messages."""
    where = f"snapshot {_shown(name)}"
    if not data.strip():
        raise SnapshotError(f"{where} is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                            "is it a snapshot written by 'dindscope snapshot'?") from None
    text = text.removeprefix("\ufeff")
    try:
        with paused_gc():
            doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Unterminated string"):
            raise SnapshotError(f"{where} is truncated: the JSON ends inside a string that starts at line "
                                f"{exc.lineno} column {exc.colno}") from None
        if exc.pos >= len(text.rstrip()):
            raise SnapshotError(f"{where} is truncated: the JSON ends early at line {exc.lineno} "
                                f"column {exc.colno}") from None
        raise SnapshotError(f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise SnapshotError(f"{where} is nested too deeply to be a dindscope snapshot") from None
    except ValueError as exc:  # NaN/Infinity, integers with thousands of digits
        raise SnapshotError(f"{where} is not valid JSON: {_first_line(exc)}") from None
    try:
        return snapshot_from_dict(doc)
    except SnapshotError as exc:
        raise SnapshotError(f"{where}: {exc}") from None
    except RecursionError:  # pragma: no cover - the model nests only a few levels
        raise SnapshotError(f"{where} is nested too deeply to be a dindscope snapshot") from None


def _read_file(path: Path) -> bytes:
    where = f"snapshot {_shown(path)}"
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SnapshotError(f"{where} does not exist") from None
    except PermissionError:
        raise SnapshotError(f"{where} cannot be read: permission denied") from None
    except OSError as exc:
        raise SnapshotError(f"{where} cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise SnapshotError(f"{where} is a directory, not a snapshot file")
    if stat.S_ISREG(info.st_mode) and info.st_size > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"{where} is too large ({info.st_size // (1024 * 1024)} MB; "
                            f"at most {MAX_SNAPSHOT_BYTES // (1024 * 1024)} MB)")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SNAPSHOT_BYTES + 1)
    except PermissionError:
        raise SnapshotError(f"{where} cannot be read: permission denied") from None
    except OSError as exc:
        raise SnapshotError(f"{where} cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"{where} is too large (more than {MAX_SNAPSHOT_BYTES // (1024 * 1024)} MB)")
    return data


def _read_stdin() -> bytes:
    try:
        data = sys.stdin.buffer.read(MAX_SNAPSHOT_BYTES + 1)
    except (OSError, ValueError, AttributeError) as exc:
        raise SnapshotError(f"cannot read a snapshot from standard input: {exc}") from None
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"snapshot on standard input is too large (more than {MAX_SNAPSHOT_BYTES} bytes)")
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a snapshot")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _shown(path: object) -> str:
    """A path as it can be printed safely: control characters escaped, quoted."""
    text = str(path)
    cleaned = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
    return f"'{cleaned}'"
