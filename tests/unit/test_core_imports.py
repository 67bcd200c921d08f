"""The core (models, collect, graph, analysis, remediation, reports, snapshot) never imports Textual or Rich."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ["dindscope.models", "dindscope.collect", "dindscope.graph", "dindscope.analysis", "dindscope.remediation",
        "dindscope.reports", "dindscope.snapshot", "dindscope.techniques", "dindscope.bulk", "dindscope.errors"]
FORBIDDEN = ("textual", "rich")

PROBE = """
import importlib, json, pkgutil, sys
core = json.loads(sys.argv[1])
imported = []
for name in core:
    package = importlib.import_module(name)
    imported.append(name)
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), prefix=name + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
print(json.dumps({"imported": imported, "forbidden": loaded}))
"""


def test_core_imports_neither_textual_nor_rich():
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(CORE)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(CORE) <= set(result["imported"])
    assert len(result["imported"]) > len(CORE)  # the submodules were walked too
    assert result["forbidden"] == [], f"core pulled in {result['forbidden']}"


def test_the_probe_can_fail():
    """The same probe sees Textual when something does import it (the app does)."""
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["dindscope.snapshot", "textual.app"])],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "textual" in json.loads(done.stdout)["forbidden"]


def test_import_linter_contract():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    if not os.path.exists(lint):
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    done = subprocess.run([lint], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "KEPT" in done.stdout
