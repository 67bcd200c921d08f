"""The subjects list as data: one row per container, host user and exposed endpoint.

No Textual here: the rows are computed from a snapshot and its findings, sorted
worst first inside groups (one group per engine, then host users, then endpoints),
and filtered by the ``/`` query. The table widget only diffs and draws them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dindscope.analysis.results import IMPACT_ORDER, SEVERITY_ORDER, Finding, Subject
from dindscope.models import Container, Engine, Snapshot

USERS_GROUP = "§users"
ENDPOINTS_GROUP = "§endpoints"
NO_FINDING = "none"
SEVERITY_RANK = {**SEVERITY_ORDER, NO_FINDING: -1}


def subject_key(subject: Subject) -> str:
    return f"{subject.kind}:{subject.engine}:{subject.name}"


@dataclass
class SubjectRow:
    key: str
    group: str  # engine key, USERS_GROUP or ENDPOINTS_GROUP
    subject: Subject
    state: str = ""
    container: Container | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def worst(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def severity(self) -> str:
        return self.worst.severity if self.worst else NO_FINDING

    @property
    def impact(self) -> str:
        return self.worst.impact if self.worst else ""

    @property
    def path_len(self) -> int | None:
        """Steps of the shortest path to the worst goal reached."""
        worst = self.worst
        if worst is None:
            return None
        same_goal = [f for f in self.findings if f.impact == worst.impact]
        return min(len(f.steps) for f in same_goal)

    @property
    def techniques(self) -> list[str]:
        seen: dict[str, None] = {}
        for finding in self.findings:
            for tech in finding.techniques:
                seen.setdefault(tech, None)
        return list(seen)

    def sort_key(self) -> tuple[int, int, int, str]:
        impact = IMPACT_ORDER.get(self.impact, 0)
        length = self.path_len if self.path_len is not None else 99
        return (-SEVERITY_RANK.get(self.severity, -1), -impact, length, self.subject.name)

    def signature(self) -> tuple[object, ...]:
        """What the table shows for this row; rows whose signature is unchanged are not redrawn."""
        return (self.severity, self.state, self.subject.name, self.impact, self.path_len, self.group)


@dataclass
class Group:
    key: str
    title: str
    rows: list[SubjectRow]
    kind: str = ""  # docker / podman / users / endpoints
    where: str = ""  # endpoint of the engine
    mode: str = ""  # rootful / rootless as USER

    @property
    def worst_rank(self) -> int:
        return max((SEVERITY_RANK[r.severity] for r in self.rows), default=-1)


def _sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-SEVERITY_ORDER.get(f.severity, 0), -IMPACT_ORDER.get(f.impact, 0),
                                           f.alternative, len(f.steps), f.cost))


def build_rows(snapshot: Snapshot, findings: Iterable[Finding]) -> list[SubjectRow]:
    """Every container, host user and exposed endpoint, with the findings whose subject it is."""
    by_key: dict[str, list[Finding]] = {}
    for finding in findings:
        by_key.setdefault(subject_key(finding.subject), []).append(finding)
    rows: list[SubjectRow] = []
    seen: set[str] = set()
    for container in snapshot.containers:
        subject = Subject("container", container.name, container.engine)
        key = subject_key(subject)
        if key in seen:
            continue
        seen.add(key)
        found = _sort_findings(by_key.get(key, []))
        rows.append(SubjectRow(key, container.engine, found[0].subject if found else subject, container.state,
                               container, found))
    for user in snapshot.host.users:
        subject = Subject("user", user.name, "")
        key = subject_key(subject)
        if key not in seen:
            seen.add(key)
            subject = by_key[key][0].subject if key in by_key else subject
            rows.append(SubjectRow(key, USERS_GROUP, subject, f"uid {user.uid}", None,
                                   _sort_findings(by_key.get(key, []))))
    for engine in snapshot.engines:
        for listener in engine.listeners:
            if listener.kind != "tcp":
                continue
            subject = Subject("endpoint", listener.url, engine.key)
            key = subject_key(subject)
            if key not in seen:
                seen.add(key)
                subject = by_key[key][0].subject if key in by_key else subject
                tls = "TLS" if listener.tls else ("no TLS" if listener.tls is False else "TLS ?")
                rows.append(SubjectRow(key, ENDPOINTS_GROUP, subject, tls, None, _sort_findings(by_key.get(key, []))))
    # Subjects the analysis found that the inventory does not list (e.g. endpoints it derived).
    for key, group_findings in by_key.items():
        if key in seen:
            continue
        seen.add(key)
        subject = group_findings[0].subject
        group = subject.engine if subject.kind == "container" else (
            USERS_GROUP if subject.kind == "user" else ENDPOINTS_GROUP)
        rows.append(SubjectRow(key, group, subject, group_findings[0].state, None, _sort_findings(group_findings)))
    return rows


def engine_title(engine: Engine | None, key: str, count: int) -> str:
    if engine is None:
        return f"{key} · {count} containers"
    mode = f"rootless as {engine.user}" if engine.rootless else "rootful"
    where = engine.endpoints[0] if engine.endpoints else "?"
    return f"{engine.kind} ({mode}) {where} · {count} containers"


def group_rows(snapshot: Snapshot, rows: Sequence[SubjectRow]) -> list[Group]:
    """Rows grouped (engines, host users, endpoints), each group worst first, groups by their worst row."""
    groups: dict[str, list[SubjectRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    out: list[Group] = []
    for key, members in groups.items():
        members.sort(key=SubjectRow.sort_key)
        engine = snapshot.engine(key)
        if key == USERS_GROUP:
            group = Group(key, f"host users · {len(members)}", members, "users", "host users")
        elif key == ENDPOINTS_GROUP:
            group = Group(key, f"exposed endpoints · {len(members)}", members, "network", "exposed endpoints")
        elif engine is not None:
            mode = f"rootless as {engine.user}" if engine.rootless else "rootful"
            group = Group(key, engine_title(engine, key, len(members)), members, engine.kind,
                          engine.endpoints[0] if engine.endpoints else key, mode)
        else:
            group = Group(key, engine_title(None, key, len(members)), members, "engine", key)
        out.append(group)
    kind_order = {USERS_GROUP: 1, ENDPOINTS_GROUP: 2}
    out.sort(key=lambda g: (kind_order.get(g.key, 0), -g.worst_rank, g.title))
    return out


def matches(row: SubjectRow, query: str, engine_names: dict[str, str] | None = None) -> bool:
    """The ``/`` filter: every word must match.

    ``sev:high`` keeps high and worse; ``engine:podman``, ``tech:socket``, ``state:running``,
    ``kind:user`` match those fields; any other word matches name, engine, technique,
    severity, impact or state.
    """
    engine_label = (engine_names or {}).get(row.subject.engine, row.subject.engine)
    techs = " ".join(row.techniques)
    for word in query.lower().split():
        field_name, _, value = word.partition(":")
        if value and field_name in ("sev", "severity"):
            if SEVERITY_RANK.get(row.severity, -1) < SEVERITY_RANK.get(value, 99):
                return False
        elif value and field_name == "engine":
            if value not in engine_label.lower() and value not in row.subject.engine.lower():
                return False
        elif value and field_name in ("tech", "technique"):
            if value not in techs.lower():
                return False
        elif value and field_name == "state":
            if value not in row.state.lower():
                return False
        elif value and field_name == "kind":
            if value != row.subject.kind:
                return False
        else:
            haystack = " ".join((row.subject.name, engine_label, row.subject.engine, techs, row.severity,
                                 row.impact, row.state, row.subject.kind)).lower()
            if word not in haystack:
                return False
    return True
