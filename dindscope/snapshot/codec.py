"""Snapshot <-> plain JSON-ready dict, with strict field-by-field validation on the way in.

The decoder walks the model dataclasses' type hints, so a new field added to a
model (with a default) is picked up without touching this module. Unknown keys
are ignored (forward compatibility); a wrong type or a missing required field is
a :class:`SnapshotError` naming the exact path, e.g.
``containers[3].mounts[0].read_only: expected bool, got str``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, Literal, Union

from dindscope.errors import SnapshotError
from dindscope.models import SCHEMA_VERSION, Snapshot

SCHEMA_NAME = "dindscope-snapshot"
# Fields of Snapshot that are not written: the version goes to "version", and
# "source" says where a snapshot in memory came from (set again on load).
_NOT_WRITTEN = {"schema_version", "source"}
_JSON_TYPE_NAMES = {
    str: "string",
    int: "int",
    float: "number",
    bool: "bool",
    type(None): "null",
    list: "list",
    dict: "object",
}


def snapshot_to_dict(s: Snapshot) -> dict[str, Any]:
    """The JSON-ready form of a snapshot: ``schema`` and ``version`` first, then the model's fields."""
    out: dict[str, Any] = {"schema": SCHEMA_NAME, "version": SCHEMA_VERSION}
    for f in dataclasses.fields(s):
        if f.name not in _NOT_WRITTEN:
            out[f.name] = _encode(getattr(s, f.name))
    return out


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def snapshot_from_dict(d: object) -> Snapshot:
    """Build a Snapshot from a decoded JSON document, checking every field's type.

    The ``schema`` and ``version`` keys are checked here too, so callers other
    than :func:`dindscope.snapshot.io.load_snapshot` get the same guarantees.
    """
    if not isinstance(d, dict):
        raise SnapshotError(f"expected a JSON object at the top level, got {_type_name(d)}")
    check_header(d)
    snapshot = _decode_dataclass(Snapshot, d, "", skip=_NOT_WRITTEN)
    snapshot.schema_version = SCHEMA_VERSION
    return snapshot


def check_header(d: dict[str, Any]) -> None:
    """Check the ``schema`` name and ``version`` of a snapshot document."""
    if "schema" not in d:
        raise SnapshotError('not a dindscope snapshot: no "schema" field')
    schema = d["schema"]
    if schema != SCHEMA_NAME:
        shown = repr(schema)[:80]
        hint = " (this looks like a dindscope report; pass a snapshot instead)" \
            if isinstance(schema, str) and schema.startswith("dindscope") else ""
        raise SnapshotError(f'not a dindscope snapshot: "schema" is {shown}, expected "{SCHEMA_NAME}"{hint}')
    version = d.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise SnapshotError(f'"version": expected int, got {_type_name(version)}')
    if version > SCHEMA_VERSION:
        raise SnapshotError(f"snapshot format version {version} is newer than this dindscope understands "
                            f"(version {SCHEMA_VERSION}); upgrade dindscope to read it")
    if version < SCHEMA_VERSION:
        raise SnapshotError(f"snapshot format version {version} is older than this dindscope understands "
                            f"(version {SCHEMA_VERSION}); record the snapshot again")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode_dataclass(cls: type, value: object, path: str, skip: set[str] | frozenset[str] = frozenset()) -> Any:
    if not isinstance(value, dict):
        raise SnapshotError(f"{path or 'snapshot'}: expected object, got {_type_name(value)}")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in skip or not f.init:
            continue
        sub = f"{path}.{f.name}" if path else f.name
        if f.name not in value:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SnapshotError(f"{sub}: required field is missing")
            continue
        kwargs[f.name] = _decode(hints[f.name], value[f.name], sub)
    return cls(**kwargs)


def _decode(tp: Any, value: object, path: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        return _decode_dataclass(tp, value, path)
    if origin in (Union, types.UnionType):
        return _decode_union(tp, value, path)
    if origin is Literal:
        choices = typing.get_args(tp)
        if value not in choices or type(value) is bool:
            allowed = ", ".join(repr(c) for c in choices)
            raise SnapshotError(f"{path}: expected one of {allowed}, got {_shown(value)}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise SnapshotError(f"{path}: expected list, got {_type_name(value)}")
        (item_tp,) = typing.get_args(tp) or (Any,)
        return [_decode(item_tp, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise SnapshotError(f"{path}: expected object, got {_type_name(value)}")
        _key_tp, val_tp = typing.get_args(tp) or (str, Any)
        return {k: _decode(val_tp, v, f"{path}[{_shown(k)}]") for k, v in value.items()}
    return _decode_scalar(tp, value, path)


def _decode_union(tp: Any, value: object, path: str) -> Any:
    args = typing.get_args(tp)
    options = [a for a in args if a is not type(None)]
    if value is not None:
        if len(options) == 1 and options[0] not in _JSON_TYPE_NAMES:
            return _decode(options[0], value, path)  # nested errors keep their own, deeper path
        for arg in options:
            try:
                return _decode(arg, value, path)
            except SnapshotError:
                continue
    elif type(None) in args:
        return None
    expected = " or ".join(_hint_name(a) for a in args)
    raise SnapshotError(f"{path}: expected {expected}, got {_type_name(value)}")


def _decode_scalar(tp: Any, value: object, path: str) -> Any:
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok:
            value = float(value)  # type: ignore[arg-type]
    elif tp is str:
        ok = isinstance(value, str)
    elif tp is type(None):
        ok = value is None
    else:  # a type this decoder does not know: refuse rather than guess
        raise SnapshotError(f"{path}: cannot decode values of type {tp!r}")
    if not ok:
        raise SnapshotError(f"{path}: expected {_hint_name(tp)}, got {_type_name(value)}")
    return value


def _hint_name(tp: Any) -> str:
    if tp in _JSON_TYPE_NAMES:
        return _JSON_TYPE_NAMES[tp]
    origin = typing.get_origin(tp)
    if origin is list:
        return "list"
    if origin is dict or dataclasses.is_dataclass(tp):
        return "object"
    if origin is Literal:
        return "one of " + ", ".join(repr(c) for c in typing.get_args(tp))
    return getattr(tp, "__name__", str(tp))


def _type_name(value: object) -> str:
    for py_type, name in _JSON_TYPE_NAMES.items():
        if type(value) is py_type:
            return name
    return type(value).__name__


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
