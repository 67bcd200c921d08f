"""The embedded demo: a snapshot of a realistic CI build host, recorded from real engines.

It ships inside the package (``dindscope/data/demo-snapshot.json``) and is
re-recorded with ``snapshots/record.py``; it is never typed by hand.
"""

from __future__ import annotations

from importlib import resources

from dindscope.errors import SnapshotError
from dindscope.models import Snapshot
from dindscope.snapshot.io import parse_snapshot

DEMO_RESOURCE = "data/demo-snapshot.json"


def load_demo() -> Snapshot:
    """The demo snapshot (``source`` is ``"demo"``)."""
    try:
        data = resources.files("dindscope").joinpath(DEMO_RESOURCE).read_bytes()
    except OSError as exc:
        raise SnapshotError(f"the demo snapshot is missing from this installation ({exc.strerror or exc}); "
                            "reinstall dindscope") from None
    snapshot = parse_snapshot(data, "demo")
    snapshot.source = "demo"
    return snapshot
