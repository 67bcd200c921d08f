"""Snapshot files: the versioned JSON format, redaction, safe loading and the embedded demo."""

from dindscope.snapshot.codec import SCHEMA_NAME, snapshot_from_dict, snapshot_to_dict
from dindscope.snapshot.demo import load_demo
from dindscope.snapshot.io import MAX_SNAPSHOT_BYTES, dump_snapshot, load_snapshot, parse_snapshot, save_snapshot
from dindscope.snapshot.redact import (
    REDACTED,
    is_secret_name,
    looks_like_secret,
    redact_args,
    redact_snapshot,
    redact_text,
)

__all__ = [
    "MAX_SNAPSHOT_BYTES",
    "REDACTED",
    "SCHEMA_NAME",
    "dump_snapshot",
    "is_secret_name",
    "load_demo",
    "load_snapshot",
    "looks_like_secret",
    "parse_snapshot",
    "redact_args",
    "redact_snapshot",
    "redact_text",
    "save_snapshot",
    "snapshot_from_dict",
    "snapshot_to_dict",
]
