"""Snapshot <-> plain JSON-ready dict, with strict field-by-field validation on the way in.

The codec is compiled once per model class from the dataclasses' type hints, so
a new field added to a model (with a default) is picked up without touching
this module, and 10,000 containers load in well under a second. Unknown keys are
ignored (forward compatibility); a wrong type or a missing required field is a
:class:`SnapshotError` naming the exact path, e.g.
``containers[3].mounts[0].read_only: expected bool, got string``.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, Literal, Union

from dindscope.bulk import paused_gc
from dindscope.errors import SnapshotError
from dindscope.models import SCHEMA_VERSION, Snapshot

SCHEMA_NAME = "dindscope-snapshot"
# Fields of Snapshot that are not written: the version goes to "version", and
# "source" says where a snapshot in memory came from (set again on load).
_NOT_WRITTEN = frozenset({"schema_version", "source"})
_JSON_TYPE_NAMES = {str: "string", int: "int", float: "number", bool: "bool", type(None): "null",
                    list: "list", dict: "object"}

MAX_CONTAINERS = 100_000
MAX_ITEMS = 10_000_000  # list and object entries in one snapshot: a hostile file cannot exhaust memory
Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]


class _Invalid(Exception):
    """A validation failure on its way up; collects the path parts (innermost first)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.parts: list[str] = []

    def path(self) -> str:
        return "".join(reversed(self.parts)).lstrip(".")


def clone_snapshot(s: Snapshot) -> Snapshot:
    """A deep copy of a snapshot, about twice as fast as ``copy.deepcopy`` (the model has no cycles)."""
    _budget.left = MAX_ITEMS
    with paused_gc():
        try:
            return _decoder(Snapshot)(_encoder(Snapshot)(s))
        except _Invalid:  # a field holding a value of the wrong type: copy the slow way
            return copy.deepcopy(s)


# --- encoding --------------------------------------------------------------------------------------

def snapshot_to_dict(s: Snapshot) -> dict[str, Any]:
    """The JSON-ready form of a snapshot: ``schema`` and ``version`` first, then the model's fields."""
    out: dict[str, Any] = {"schema": SCHEMA_NAME, "version": SCHEMA_VERSION}
    out.update(_encoder(Snapshot, _NOT_WRITTEN)(s))
    return out


def _identity(value: Any) -> Any:
    return value


@cache
def _encoder(tp: Any, skip: frozenset[str] = frozenset()) -> Encoder:
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        spec = [(f.name, _encoder(hints[f.name])) for f in dataclasses.fields(tp) if f.name not in skip]
        return _compiled_encoder(tp.__name__, spec)
    origin = typing.get_origin(tp)
    if origin is list:
        (item_tp,) = typing.get_args(tp) or (Any,)
        item = _encoder(item_tp)
        if item is _identity:
            return list
        return lambda values: [item(v) for v in values]
    if origin is dict:
        _key_tp, val_tp = typing.get_args(tp) or (str, Any)
        val = _encoder(val_tp)
        if val is _identity:
            return lambda mapping: {str(k): v for k, v in mapping.items()}
        return lambda mapping: {str(k): val(v) for k, v in mapping.items()}
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        encoders = [_encoder(a) for a in options]
        if all(e is _identity for e in encoders):
            return _identity
        return _generic_encode
    return _identity


def _compiled_encoder(name: str, spec: list[tuple[str, Encoder]]) -> Encoder:
    """``lambda obj: {"id": obj.id, "mounts": enc_1(obj.mounts), ...}`` as real code: no per-field loop,
    and no call at all for fields stored as they are (field names are Python identifiers, never data)."""
    namespace: dict[str, Any] = {}
    items = []
    for index, (field_name, enc) in enumerate(spec):
        if not field_name.isidentifier():  # pragma: no cover - dataclass fields always are
            raise TypeError(f"bad field name {field_name!r}")
        if enc is _identity:
            items.append(f"{field_name!r}: obj.{field_name}")
        else:
            namespace[f"enc_{index}"] = enc
            items.append(f"{field_name!r}: enc_{index}(obj.{field_name})")
    source = f"def encode_{name}(obj):\n    return {{{', '.join(items)}}}\n"
    exec(compile(source, f"<snapshot encoder for {name}>", "exec"), namespace)
    return namespace[f"encode_{name}"]


def _generic_encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encoder(type(value))(value)
    if isinstance(value, list | tuple):
        return [_generic_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _generic_encode(v) for k, v in value.items()}
    return value


# --- decoding --------------------------------------------------------------------------------------

def snapshot_from_dict(d: object) -> Snapshot:
    """Build a Snapshot from a decoded JSON document, checking every field's type.

    The ``schema`` and ``version`` keys are checked here too, so callers other
    than :func:`dindscope.snapshot.io.load_snapshot` get the same guarantees.
    """
    if not isinstance(d, dict):
        raise SnapshotError(f"expected a JSON object at the top level, got {_type_name(d)}")
    check_header(d)
    containers = d.get("containers")
    if isinstance(containers, list) and len(containers) > MAX_CONTAINERS:
        raise SnapshotError(f"containers: {len(containers)} entries, more than the {MAX_CONTAINERS} allowed")
    _budget.left = MAX_ITEMS
    try:
        with paused_gc():
            snapshot = _decoder(Snapshot, _NOT_WRITTEN)(d)
    except _Invalid as exc:
        raise SnapshotError(f"{exc.path() or 'snapshot'}: {exc.message}") from None
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
def _decoder(tp: Any, skip: frozenset[str] = frozenset()) -> Decoder:
    if tp is Any:
        return _identity
    if dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp, skip)
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return _union_decoder(tp)
    if origin is Literal:
        return _literal_decoder(typing.get_args(tp))
    if origin is list:
        (item_tp,) = typing.get_args(tp) or (Any,)
        return _list_decoder(_decoder(item_tp))
    if origin is dict:
        _key_tp, val_tp = typing.get_args(tp) or (str, Any)
        return _dict_decoder(_decoder(val_tp))
    if tp in (str, int, float, bool, type(None)):
        return _scalar_decoder(tp)
    raise TypeError(f"the snapshot codec cannot decode values of type {tp!r}")  # a model bug, found in tests


def _scalar_decoder(tp: type) -> Decoder:
    name = _JSON_TYPE_NAMES[tp]
    accepted: tuple[type, ...] = (int, float) if tp is float else (tp,)

    def decode_scalar(value: Any) -> Any:
        if type(value) in accepted:  # exact types: a bool is not an int
            return float(value) if tp is float else value
        raise _Invalid(f"expected {name}, got {_type_name(value)}")

    return decode_scalar


def _literal_decoder(choices: tuple[Any, ...]) -> Decoder:
    allowed = frozenset(choices)
    shown = ", ".join(repr(c) for c in choices)

    def decode_literal(value: Any) -> Any:
        if type(value) in (str, int) and value in allowed:
            return value
        raise _Invalid(f"expected one of {shown}, got {_shown(value)}")

    return decode_literal


def _union_decoder(tp: Any) -> Decoder:
    args = typing.get_args(tp)
    nullable = type(None) in args
    options = [a for a in args if a is not type(None)]
    decoders = [_decoder(a) for a in options]
    expected = " or ".join(_hint_name(a) for a in args)
    nested = len(options) == 1 and options[0] not in _JSON_TYPE_NAMES  # keep the deeper error and path

    def decode_union(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise _Invalid(f"expected {expected}, got null")
        if nested:
            return decoders[0](value)
        for decode in decoders:
            try:
                return decode(value)
            except _Invalid:
                continue
        raise _Invalid(f"expected {expected}, got {_type_name(value)}")

    return decode_union


class _Budget(threading.local):
    left = MAX_ITEMS


_budget = _Budget()


def _spend(count: int) -> None:
    _budget.left -= count
    if _budget.left < 0:
        raise _Invalid(f"too many entries: a snapshot holds at most {MAX_ITEMS} list and object entries")


def _list_decoder(item: Decoder) -> Decoder:
    def decode_list(value: Any) -> list[Any]:
        if type(value) is not list:
            raise _Invalid(f"expected list, got {_type_name(value)}")
        _spend(len(value))
        if item is _identity:
            return list(value)
        out: list[Any] = []
        append = out.append
        for index, v in enumerate(value):
            try:
                append(item(v))
            except _Invalid as exc:
                exc.parts.append(f"[{index}]")
                raise
        return out

    return decode_list


def _dict_decoder(val: Decoder) -> Decoder:
    def decode_dict(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise _Invalid(f"expected object, got {_type_name(value)}")
        _spend(len(value))
        out: dict[str, Any] = {}
        for key, v in value.items():
            try:
                out[key] = val(v)
            except _Invalid as exc:
                exc.parts.append(f"[{_shown(key)}]")
                raise
        return out

    return decode_dict


def _dataclass_decoder(cls: type, skip: frozenset[str]) -> Decoder:
    hints = typing.get_type_hints(cls)
    spec = [(f.name, _decoder(hints[f.name]),
             f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
            for f in dataclasses.fields(cls) if f.init and f.name not in skip]

    def decode_dataclass(value: Any) -> Any:
        if type(value) is not dict:
            raise _Invalid(f"expected object, got {_type_name(value)}")
        kwargs: dict[str, Any] = {}
        for name, decode, required in spec:
            if name in value:
                try:
                    kwargs[name] = decode(value[name])
                except _Invalid as exc:
                    exc.parts.append(f".{name}")
                    raise
            elif required:
                exc = _Invalid("required field is missing")
                exc.parts.append(f".{name}")
                raise exc
        return cls(**kwargs)

    return decode_dataclass


# --- names for messages ----------------------------------------------------------------------------

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
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
