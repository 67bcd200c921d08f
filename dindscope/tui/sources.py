"""Where the TUI's snapshot comes from: the live engines, a file, or the demo. Runs in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass

from dindscope.models import Snapshot


@dataclass
class Source:
    """``snapshot`` given (``--from``/``--demo``) or None for a live scan of ``endpoints`` (None: discover)."""

    snapshot: Snapshot | None = None
    endpoints: list[str] | None = None
    timeout: float = 5.0
    redact: bool = True
    follow_events: bool = True

    @property
    def live(self) -> bool:
        return self.snapshot is None

    def label(self) -> str:
        if self.snapshot is not None:
            return "Loading the demo snapshot" if self.snapshot.source == "demo" else "Loading the snapshot"
        try:
            from dindscope.collect.discovery import discover_endpoints

            count = len(discover_endpoints(explicit=self.endpoints))
        except Exception:
            return "Scanning engines"
        return f"Scanning {count} engine endpoint{'s' if count != 1 else ''}"

    def obtain(self) -> Snapshot:
        """The snapshot to analyse (a live scan never raises for engine trouble: it records problems).

        Values stay in memory for the analysis; the details screen redacts what it shows.
        """
        if self.snapshot is not None:
            return self.snapshot
        from dindscope.collect.base import CollectOptions
        from dindscope.collect.scan import collect_snapshot

        return collect_snapshot(CollectOptions(timeout=self.timeout), endpoints=self.endpoints)


def load_demo() -> Snapshot:
    from dindscope.snapshot.demo import load_demo as _load_demo

    return _load_demo()
