"""`dindscope scan`: the non-interactive main job. Scan, print who reaches the host and how, write reports,
and set the exit code for CI with --fail-on."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TextIO

from dindscope.analysis import Analysis, Finding, analyze
from dindscope.analysis.severity import at_or_above
from dindscope.cli.common import add_source_options

FAIL_LEVELS = ("critical", "high", "medium", "low")
SECTIONS = (("host-root", "Reach host root"), ("host-write", "Can write host files"),
            ("host-read", "Can read host files"))
_ESC = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CTRL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(value: object) -> str:
    """Printable one-line text of an attacker-controlled value: no escape sequences, no control characters."""
    return _CTRL.sub("", _ESC.sub("", str(value)).replace("\n", " ").replace("\t", " "))


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "scan", help="find every escape path to the host and report it",
        description="Scan every discovered engine (or --from FILE / --demo), print who can reach host root, "
                    "write reports, and exit 1 when a finding is at or above --fail-on.")
    add_source_options(parser, sub=True)
    parser.add_argument("--format", dest="formats", default="table", metavar="FORMATS",
                        help="table (default, printed), json, markdown, html, sarif; several comma-separated")
    parser.add_argument("-o", "--output", metavar="FILE", default=None,
                        help="write the report here (a stem when several formats are given); default stdout")
    parser.add_argument("--fail-on", choices=FAIL_LEVELS, default=None,
                        help="exit 1 when a finding has this severity or worse")
    parser.add_argument("--baseline", metavar="REPORT", default=None,
                        help="an earlier JSON report: only findings not in it count for --fail-on and reports")
    parser.add_argument("--alternatives", type=int, default=3, metavar="K",
                        help="alternative paths per subject (default 3)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only the verdict line")


def _obtain(args: argparse.Namespace):
    from dindscope.cli import common

    obtain = getattr(common, "obtain_snapshot", None)
    if obtain is None:
        from dindscope.errors import NothingScanned

        raise NothingScanned("this build cannot read engines yet (dindscope.cli.common.obtain_snapshot missing)")
    return obtain(args)


def run(args: argparse.Namespace) -> int:
    snapshot = _obtain(args)
    analysis = analyze(snapshot, max_alternatives=max(0, args.alternatives))
    findings = analysis.findings
    report = None
    if args.baseline:
        from dindscope.reports.baseline import load_baseline, new_findings

        known = load_baseline(args.baseline)
        findings = new_findings(findings, known)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    table = "table" in formats
    others = [f for f in formats if f != "table"]
    if others:
        report = _report(analysis, findings)
        written = write_formats(analysis, others, args.output, report)
        for path in written:
            print(f"dindscope: wrote {safe(path)}", file=sys.stderr)
    if table or not others:
        out = sys.stdout if not others or args.output else sys.stderr
        print_summary(analysis, findings, out, quiet=args.quiet)
    if args.fail_on and any(at_or_above(f.severity, args.fail_on) for f in findings):
        return 1
    return 0


def _report(analysis: Analysis, findings: list[Finding]) -> dict:
    from dindscope.reports.json_report import build_report

    report = build_report(analysis)
    if len(findings) != len(analysis.findings):
        keep = {f.id for f in findings}
        report["findings"] = [f for f in report["findings"] if f["id"] in keep]
    return report


def write_formats(analysis: Analysis, formats: list[str], output: str | None, report: dict) -> list:
    """The one place that turns formats into files: the report registry when present, else JSON."""
    try:
        from dindscope.reports import write_reports
    except ImportError:
        write_reports = None
    if write_reports is not None:
        return write_reports(analysis, formats, output, report=report)
    import json

    text = json.dumps(report, indent=2) + "\n"
    if output in (None, "-"):
        sys.stdout.write(text)
        return []
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    return [output]


def _engine_line(analysis: Analysis) -> str:
    parts = []
    for e in analysis.snapshot.engines:
        n = len(analysis.snapshot.containers_of(e.key))
        parts.append(f"{safe(e.label)} [{n} container{'s' if n != 1 else ''}]")
    return "; ".join(parts) or "none"


def print_summary(analysis: Analysis, findings: list[Finding], out: TextIO, *, quiet: bool = False) -> None:
    summary = analysis.summary()
    print(f"dindscope: {summary.verdict}", file=out)
    if quiet:
        return
    print(f"engines: {_engine_line(analysis)}   source: {safe(analysis.snapshot.source)}", file=out)
    alts: dict[tuple, int] = {}
    for f in findings:
        if f.alternative:
            key = (f.subject, f.impact)
            alts[key] = alts.get(key, 0) + 1
    for impact, title in SECTIONS:
        best = [f for f in findings if f.impact == impact and f.alternative == 0]
        if not best:
            continue
        print(f"\n{title} ({len(best)}):", file=out)
        for f in best:
            more = alts.get((f.subject, f.impact), 0)
            state = f" {f.state}" if f.state else ""
            kind = "" if f.subject.kind == "container" else f"{f.subject.kind} "
            print(f"  {f.severity.upper():8} {kind}{safe(f.subject.label)}{state}: {safe(f.chain)}", file=out)
            print(f"           via {' > '.join(f.techniques)}"
                  + (f"  (+{more} alternative path{'s' if more != 1 else ''})" if more else ""), file=out)
            if f.remediations:
                print(f"           fix: {f.remediations[0].id} - {safe(f.remediations[0].title)}", file=out)
    if not any(f.alternative == 0 for f in findings):
        print("\nno escape path found", file=out)
    if analysis.snapshot.problems:
        print("\ncollection problems:", file=out)
        for p in analysis.snapshot.problems:
            print(f"  - {safe(p)}", file=out)
