"""Key remapping from the user's config dir (``$XDG_CONFIG_HOME/dindscope/keys.toml`` or ``keys.yaml``).

The file maps binding ids to keys, e.g.::

    [keys]
    fix = "F"
    what_if = "W,ctrl+w"

``DINDSCOPE_CONFIG_DIR`` overrides the directory (tests point it at an empty one).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FILE_NAMES = ("keys.toml", "keys.yaml", "keys.yml")


def config_dir() -> Path:
    explicit = os.environ.get("DINDSCOPE_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dindscope"


@dataclass
class KeymapResult:
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    problems: list[str] = field(default_factory=list)


def _parse(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return tomllib.loads(text)
    return yaml.safe_load(text)


def load_keymap(known_ids: set[str] | None = None, directory: Path | None = None) -> KeymapResult:
    """Read the keymap file if there is one; problems are returned as lines, never raised."""
    directory = directory or config_dir()
    result = KeymapResult()
    for name in FILE_NAMES:
        path = directory / name
        if not path.is_file():
            continue
        result.path = path
        try:
            data = _parse(path)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            result.problems.append(f"{path}: cannot read key config: {first}")
            return result
        if isinstance(data, dict) and isinstance(data.get("keys"), dict):
            data = data["keys"]
        if not isinstance(data, dict):
            result.problems.append(f"{path}: expected a table of binding id = \"key\"")
            return result
        for binding_id, keys in data.items():
            if isinstance(keys, list):
                keys = ",".join(str(k) for k in keys)
            if not isinstance(binding_id, str) or not isinstance(keys, str) or not keys.strip():
                result.problems.append(f"{path}: ignored entry {binding_id!r}: keys must be a string")
                continue
            if known_ids is not None and binding_id not in known_ids:
                result.problems.append(f"{path}: unknown binding id {binding_id!r} (see dindscope --help keys)")
                continue
            result.keymap[binding_id] = keys.replace(" ", "")
        return result
    return result
