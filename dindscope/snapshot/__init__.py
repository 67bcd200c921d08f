"""Snapshot files: the versioned JSON format, redaction, safe loading and the embedded demo.

The names below are imported on first use (PEP 562), so that ``dindscope.snapshot.io``
does not pull in the demo loader (``importlib.resources``) for ``dindscope snapshot``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dindscope.snapshot.codec import SCHEMA_NAME, snapshot_from_dict, snapshot_to_dict
    from dindscope.snapshot.demo import load_demo
    from dindscope.snapshot.io import (
        MAX_SNAPSHOT_BYTES,
        dump_snapshot,
        load_snapshot,
        parse_snapshot,
        save_snapshot,
    )
    from dindscope.snapshot.redact import (
        REDACTED,
        is_secret_name,
        looks_like_secret,
        redact_args,
        redact_snapshot,
        redact_text,
    )

_WHERE = {
    "SCHEMA_NAME": "codec", "snapshot_from_dict": "codec", "snapshot_to_dict": "codec",
    "load_demo": "demo",
    "MAX_SNAPSHOT_BYTES": "io", "dump_snapshot": "io", "load_snapshot": "io", "parse_snapshot": "io",
    "save_snapshot": "io",
    "REDACTED": "redact", "is_secret_name": "redact", "looks_like_secret": "redact", "redact_args": "redact",
    "redact_snapshot": "redact", "redact_text": "redact",
}

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
