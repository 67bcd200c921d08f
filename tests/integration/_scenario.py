"""Create real containers with one risky setting each, collect them from the real engine, analyse.

Shared by the technique integration tests (one collection per module keeps them fast).
"""

from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass, field

import pytest

from dindscope.analysis import Analysis, Finding, analyze
from dindscope.collect.base import CollectOptions
from dindscope.collect.scan import collect_snapshot
from tests.conftest import BUSYBOX, PODMAN_RUN_FLAGS, TEST_LABEL


@dataclass
class Scenario:
    cli: str
    endpoint: str
    label: str
    prefix: str
    created: dict[str, str] = field(default_factory=dict)  # short name -> container name
    networks: list[str] = field(default_factory=list)
    analysis: Analysis | None = None

    def name(self, short: str) -> str:
        return f"{self.prefix}-{short}"

    def create(self, short: str, *flags: str, cmd: tuple[str, ...] = ("sleep", "3600")) -> str:
        name = self.name(short)
        extra = PODMAN_RUN_FLAGS if self.cli == "podman" else []
        proc = subprocess.run([self.cli, "create", "--name", name, "--label", f"{TEST_LABEL}={self.label}",
                               *extra, *flags, BUSYBOX, *cmd], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.fail(f"{self.cli} create {short} failed: {proc.stderr.strip()}")
        self.created[short] = name
        return name

    def network(self, short: str) -> str:
        name = self.name(short)
        subprocess.run([self.cli, "network", "create", "--label", f"{TEST_LABEL}={self.label}", name],
                       check=True, capture_output=True)
        self.networks.append(name)
        return name

    def collect(self) -> Analysis:
        snapshot = collect_snapshot(CollectOptions(timeout=30, probe_tcp=False), endpoints=[self.endpoint])
        self.analysis = analyze(snapshot)
        return self.analysis

    def findings(self, short: str) -> list[Finding]:
        assert self.analysis is not None
        name = self.created[short]
        return [f for f in self.analysis.findings if f.subject.kind == "container" and f.subject.name == name]

    def best(self, short: str, impact: str = "host-root") -> Finding:
        found = [f for f in self.findings(short) if f.impact == impact and f.alternative == 0]
        assert found, f"{short}: no {impact} finding; got {[(f.impact, f.chain) for f in self.findings(short)]}"
        return found[0]

    def cleanup(self) -> None:
        ids = subprocess.run([self.cli, "ps", "-aq", "--filter", f"label={TEST_LABEL}={self.label}"],
                             capture_output=True, text=True).stdout.split()
        if ids:
            subprocess.run([self.cli, "rm", "-f", *ids], capture_output=True)
        for net in self.networks:
            subprocess.run([self.cli, "network", "rm", net], capture_output=True)


def new_scenario(cli: str, endpoint: str) -> Scenario:
    token = uuid.uuid4().hex[:8]
    return Scenario(cli, endpoint, f"h4-{cli}-{token}", f"dsx-{token}")


def step_with(finding: Finding, technique: str):
    for step in finding.steps:
        if step.technique == technique:
            return step
    raise AssertionError(f"{technique} not in {finding.techniques} ({finding.chain})")
