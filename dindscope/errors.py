"""Errors that end a command with one clear line instead of a traceback."""

from __future__ import annotations


class DindscopeError(Exception):
    """Base class: the message is shown to the user as one line."""

    exit_code = 2


class UsageError(DindscopeError):
    exit_code = 2


class SnapshotError(DindscopeError):
    """A snapshot file could not be read: malformed, truncated, wrong version, hostile."""

    exit_code = 2


class NothingScanned(DindscopeError):
    """No engine could be reached and no snapshot was given."""

    exit_code = 3
