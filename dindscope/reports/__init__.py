"""Report formats: JSON (the contract), Markdown, HTML and SARIF, all from one report dict.

``render(fmt, analysis)`` builds the JSON report dict once
(:func:`dindscope.reports.json_report.build_report`, which replaces every
secret value the snapshot holds) and renders it; so every format shows the
same facts and none can show a secret the JSON does not.
``write_reports`` writes one or several formats in one run.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dindscope.errors import UsageError
from dindscope.reports.text import clean

FORMATS: tuple[str, ...] = ("json", "markdown", "html", "sarif")
EXTENSIONS: dict[str, str] = {"json": ".json", "markdown": ".md", "html": ".html", "sarif": ".sarif"}
ALIASES: dict[str, str] = {"md": "markdown", "htm": "html"}
_UNSAFE_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def render_json(report: Mapping[str, Any]) -> str:
    """The JSON report, with characters that could act on a terminal written as \\u escapes."""
    text = json.dumps(report, indent=2, ensure_ascii=False)
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _renderers() -> dict[str, Callable[[Mapping[str, Any]], str]]:
    from dindscope.reports.html import render_html
    from dindscope.reports.markdown import render_markdown
    from dindscope.reports.sarif import render_sarif

    return {"json": render_json, "markdown": render_markdown, "html": render_html, "sarif": render_sarif}


def parse_formats(value: str | Sequence[str]) -> list[str]:
    """``"html,json"`` or ``["html", "json"]`` -> ``["html", "json"]``; unknown names are a UsageError."""
    items = value.split(",") if isinstance(value, str) else [p for v in value for p in str(v).split(",")]
    out: list[str] = []
    for item in items:
        name = ALIASES.get(item.strip().lower(), item.strip().lower())
        if not name:
            continue
        if name not in FORMATS:
            raise UsageError(f"unknown report format {clean(item)!r}; choose from {', '.join(FORMATS)}")
        if name not in out:
            out.append(name)
    if not out:
        raise UsageError(f"no report format given; choose from {', '.join(FORMATS)}")
    return out


def build(analysis: Any, *, whatif: Any = None) -> dict[str, Any]:
    """The JSON report dict for an analysis (``build_report`` replaces every secret value of the snapshot)."""
    from dindscope.reports.json_report import build_report

    return build_report(analysis, whatif=whatif)


def render_report(fmt: str, report: Mapping[str, Any]) -> str:
    """Render an already built (and redacted) report dict in one format."""
    (name,) = parse_formats(fmt)
    return _renderers()[name](report)


def render(fmt: str, analysis: Any, *, whatif: Any = None) -> str:
    """Render an analysis (and optionally a what-if state) in one format."""
    return render_report(fmt, build(analysis, whatif=whatif))


def output_paths(formats: Sequence[str], output: str) -> dict[str, Path]:
    """Where each format goes for ``-o output``.

    One format: exactly ``output``. Several: ``output`` is a stem (a known
    extension is dropped) and each format gets its own extension; a directory
    gets ``dindscope-report.<ext>`` files inside it.
    """
    target = Path(output)
    if len(formats) == 1 and not target.is_dir():
        return {formats[0]: target}
    if target.is_dir():
        target = target / "dindscope-report"
    elif target.suffix.lower() in {*EXTENSIONS.values(), ".htm", ".sarif.json"}:
        target = target.with_suffix("")
    return {fmt: target.with_name(target.name + EXTENSIONS[fmt]) for fmt in formats}


def _write_atomic(path: Path, text: str) -> None:
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {clean(path)}: directory {clean(path.parent)} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write {clean(path)}: {clean(exc.strerror or exc)}") from None


def write_reports(analysis: Any, formats: str | Sequence[str], output: str | None, *, whatif: Any = None,
                  report: Mapping[str, Any] | None = None) -> list[Path]:
    """Render ``formats`` and write them; returns the files written ([] when printed to stdout).

    ``output`` None or ``"-"``: the one format is printed to stdout (several
    formats need a file stem). ``report`` may pass a report dict already built
    (e.g. after a baseline filter) instead of building it from ``analysis``.
    """
    names = parse_formats(formats)
    data = report if report is not None else build(analysis, whatif=whatif)
    if output in (None, "", "-"):
        if len(names) > 1:
            raise UsageError(f"several formats ({', '.join(names)}) need -o FILE_STEM, e.g. -o report")
        sys.stdout.write(render_report(names[0], data))
        sys.stdout.flush()
        return []
    written = []
    for fmt, path in output_paths(names, str(output)).items():
        _write_atomic(path, render_report(fmt, data))
        written.append(path)
    return written


__all__ = ["EXTENSIONS", "FORMATS", "build", "output_paths", "parse_formats", "render", "render_json",
           "render_report", "write_reports"]
