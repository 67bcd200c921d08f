"""A report dict with attacker-controlled strings in every field a renderer shows.

Used by the escaping tests (HTML, Markdown, SARIF) and the browser test. It is
shaped like the JSON report contract; the golden tests use real analyses.
"""

from __future__ import annotations

from typing import Any

SCRIPT = "<script>window.__pwned=1;alert('xss')</script>"
IMG = '"><img src=x onerror="window.__pwned=2;alert(1)">'
SVG = "</text></g></svg><svg onload=alert(3)>"
MD = "evil | name](http://evil.example/x) @admin #1 `code` **bold** <b>x</b>\n# heading"
TERM = "\x1b]0;pwned\x07\x1b[31mred\x9b2J\u202egnp.exe"
HOSTILE_NAMES = (SCRIPT, IMG, SVG, MD, TERM)


def hostile_report() -> dict[str, Any]:
    engine = {"key": "docker:X", "kind": "docker", "name": f"docker {IMG}", "endpoints": [f"unix:///run/{SVG}.sock"],
              "rootless": False, "user": "root", "version": SCRIPT, "containers_total": 3}
    findings = []
    for index, name in enumerate(HOSTILE_NAMES):
        findings.append({
            "id": f"f{index}-{name}",
            "severity": ("critical", "high", "medium", "low", "critical")[index],
            "impact": ("host-root", "host-root", "host-write", "host-read", "host-root")[index],
            "subject": {"kind": "container", "name": name, "engine": "docker:X"},
            "state": "running",
            "alternative": 0,
            "cost": 1.0,
            "path": [
                {"kind": "container", "name": name, "node": f"container:docker:X:{index}"},
                {"kind": "endpoint", "name": f"unix:///run/{SCRIPT}.sock", "node": "endpoint:unix:/x"},
                {"kind": "engine", "name": f"docker (rootful) {IMG}", "node": "engine:docker:X"},
                {"kind": "host", "name": "host root", "node": "goal:host-root"},
            ],
            "steps": [
                {"technique": f"socket-mount{SVG}", "explanation": f"mounts the socket {MD}",
                 "evidence": [f"Mounts[].Source={SCRIPT}", f"Labels.x={IMG}"], "enablers": [SCRIPT]},
                {"technique": "engine-api", "explanation": TERM, "evidence": [TERM]},
                {"technique": "rootful-engine", "explanation": "a rootful engine runs containers as root",
                 "evidence": []},
            ],
            "remediations": [{
                "id": "socket-mount/remove", "title": f"Remove the socket mount {SCRIPT}",
                "breaks": f"the path {IMG}", "side_effects": MD,
                "docker_run": f"docker run --name '{SCRIPT}' ```\n``` {IMG}",
                "compose": f"services:\n  x:\n    image: {SVG}", "podman": TERM,
                "alternatives": [SCRIPT, MD], "warning": IMG,
            }],
        })
    return {
        "schema": "dindscope-report", "version": 1,
        "host": {"hostname": f"host{SCRIPT}"},
        "snapshot": {"taken_at": "2024-01-01T00:00:00Z", "source": f"demo{IMG}"},
        "engines": [engine],
        "findings": findings,
        "problems": [{"code": "other", "message": SCRIPT, "source": IMG}],
        "summary": {"verdict": f"3 of 5 containers can reach host root {SCRIPT}", "containers_total": 5},
        "whatif": {
            "applied": [{"id": f"socket-mount/remove{SCRIPT}", "title": f"Remove {IMG}", "subject": MD,
                         "changes": [SCRIPT]}],
            "subject": MD,
            "before": {"verdict": f"before {SCRIPT}"}, "after": {"verdict": f"after {IMG}"},
            "removed": [{"id": "gone", "subject": SCRIPT, "impact": "host-root", "chain": f"{SCRIPT} -> {IMG}",
                         "reason": TERM}],
            "remaining": [f["id"] for f in findings],
            "added": findings[:1],
        },
    }
