"""Record the snapshot the report golden tests use, from the real dockerd on this machine.

    .venv/bin/python -m tests.reports.record_golden_snapshot

Creates a handful of labelled containers (socket mount, privileged, writable
/etc, read-only /var/log, a locked-down app), collects a live snapshot through
dindscope's own collector, keeps only those containers, redacts it, writes
``tests/reports/golden/snapshot.json`` and removes the containers again.
Re-record, then refresh the goldens with DINDSCOPE_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

from dindscope.collect.scan import collect_snapshot
from dindscope.snapshot.codec import snapshot_to_dict
from dindscope.snapshot.redact import redact_snapshot
from tests.conftest import BUSYBOX, TEST_LABEL, import_busybox

OUT = Path(__file__).with_name("golden") / "snapshot.json"
SECRET = "glpat-H5goldenNotARealToken0042"
CONTAINERS = {
    "ci-job-socket": ["-v", "/var/run/docker.sock:/var/run/docker.sock", "-e", f"CI_JOB_TOKEN={SECRET}",
                      "-e", "DOCKER_HOST=unix:///var/run/docker.sock"],
    "builder-privileged": ["--privileged"],
    "etc-writer": ["-v", "/etc:/host-etc"],
    "logs-reader": ["-v", "/var/log:/host-logs:ro"],
    "app-locked": ["--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--read-only", "--user", "1000"],
}


def main() -> None:
    import_busybox("docker")
    label = f"h5-golden-{uuid.uuid4().hex[:8]}"
    names = {}
    try:
        for name, flags in CONTAINERS.items():
            full = f"dindscope-golden-{name}"
            names[full] = name
            subprocess.run(["docker", "create", "--name", full, "--label", f"{TEST_LABEL}={label}", *flags,
                            BUSYBOX, "sleep", "3600"], check=True, capture_output=True)
        for full, name in names.items():
            if name not in ("builder-privileged",):  # privileged cannot start in this VM; created is enough
                subprocess.run(["docker", "start", full], check=False, capture_output=True)
        snapshot = collect_snapshot(endpoints=["unix:///run/docker.sock"])
    finally:
        subprocess.run(["docker", "rm", "-f", *names], capture_output=True)
    snapshot.containers = [c for c in snapshot.containers if c.labels.get(TEST_LABEL) == label]
    for engine in snapshot.engines:
        engine.containers_total = len(snapshot.containers_of(engine.key))
    snapshot.problems = []
    snapshot = redact_snapshot(snapshot)
    text = json.dumps(snapshot_to_dict(snapshot), indent=2, sort_keys=False) + "\n"
    assert SECRET not in text, "the recorded snapshot must be redacted"
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} with {len(snapshot.containers)} containers")


if __name__ == "__main__":
    main()
