"""Details: the security-relevant facts of one subject (env values redacted)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from dindscope.models import Container, Snapshot
from dindscope.screens.base import BACK, FIX, GRAPH, DindscopeScreen
from dindscope.screens.paths import subject_title
from dindscope.tui.rows import SubjectRow
from dindscope.tui.safe import clean

REDACTED = "<redacted>"


def redacted(c: Container) -> Container:
    """A copy of ``c`` with secret-looking env values, labels and arguments replaced."""
    import copy

    from dindscope.snapshot.redact import redact_container

    out = copy.deepcopy(c)
    redact_container(out)
    return out


def _section(out: Text, title: str) -> None:
    out.append(f"\n\n{title}\n", style="bold underline")


def _kv(out: Text, key: str, value: object, style: str = "") -> None:
    out.append(f"  {key}: ", style="bold")
    out.append(clean(value, 300), style=style)
    out.append("\n")


def container_facts(c: Container, snapshot: Snapshot) -> Text:
    out = Text(end="")
    engine = snapshot.engine(c.engine)
    _kv(out, "id", c.short_id)
    _kv(out, "image", c.image or "?")
    _kv(out, "engine", engine.label if engine else c.engine)
    _kv(out, "state", c.state)
    _kv(out, "user", c.user or "(image default, usually root)", "bold red" if c.runs_as_root else "")
    _kv(out, "privileged", "yes" if c.privileged else "no", "bold red" if c.privileged else "")
    if c.pod:
        _kv(out, "pod", c.pod)
    _section(out, "Capabilities")
    out.append("  " + (clean(" ".join(cap.removeprefix("CAP_") for cap in c.capabilities), 2000) or "(none)"))
    if c.cap_add or c.cap_drop:
        added, dropped = clean(" ".join(c.cap_add), 400) or "-", clean(" ".join(c.cap_drop), 400) or "-"
        out.append(f"\n  added: {added}  dropped: {dropped}", style="dim")
    _section(out, "Namespaces")
    ns = c.namespaces
    for kind in ("pid", "network", "ipc", "uts", "userns", "cgroupns"):
        value = getattr(ns, kind) or "(default)"
        _kv(out, kind, value, "bold red" if value == "host" else "")
    _section(out, "Security options")
    sec = c.security
    _kv(out, "seccomp", sec.seccomp, "bold red" if sec.seccomp == "unconfined" else "")
    _kv(out, "apparmor", sec.apparmor or "(engine default)", "bold red" if sec.apparmor == "unconfined" else "")
    _kv(out, "no-new-privileges", "yes" if sec.no_new_privileges else "no")
    _kv(out, "system paths", "unconfined" if sec.systempaths_unconfined else "masked")
    _kv(out, "read-only rootfs", "yes" if sec.readonly_rootfs else "no")
    _section(out, f"Mounts ({len(c.mounts)})")
    for m in c.mounts:
        out.append(f"  {clean(m.type, 10)} ", style="dim")
        out.append(clean(m.source or m.name or "?", 200), style="yellow")
        out.append(" -> ")
        out.append(clean(m.destination, 200))
        out.append("  ro" if m.read_only else "  rw", style="" if m.read_only else "bold")
        if m.propagation:
            out.append(f" {clean(m.propagation, 20)}", style="dim")
        out.append("\n")
    if not c.mounts:
        out.append("  (none)\n")
    if c.devices:
        _section(out, f"Devices ({len(c.devices)})")
        for d in c.devices:
            out.append(f"  {clean(d.host_path, 200)} -> {clean(d.container_path, 200)} {clean(d.permissions, 5)}\n")
    _section(out, "Networks and ports")
    for n in c.networks:
        out.append(f"  {clean(n.name, 80)}")
        if n.aliases:
            out.append(f"  aliases: {clean(', '.join(n.aliases), 200)}", style="dim")
        if n.ip_address:
            out.append(f"  {clean(n.ip_address, 40)}", style="dim")
        out.append("\n")
    for p in c.ports:
        where = f"{p.host_ip or '0.0.0.0'}:{p.host_port}" if p.host_port is not None else "not published"
        out.append(f"  {p.container_port}/{clean(p.protocol, 6)} -> {clean(where, 60)}\n")
    if c.client_settings:
        _section(out, "Engine client settings")
        for key, value in sorted(c.client_settings.items()):
            _kv(out, key, value)
    _section(out, f"Environment ({len(c.env)}, secret-looking values redacted)")
    for var in c.env:
        out.append(f"  {clean(var.name, 100)}=", style="bold")
        if var.redacted or var.value is None:
            out.append(REDACTED, style="dim italic")
        else:
            out.append(clean(var.value, 200))
        out.append("\n")
    if c.labels:
        _section(out, f"Labels ({len(c.labels)})")
        for key, value in sorted(c.labels.items()):
            out.append(f"  {clean(key, 100)}=", style="bold")
            out.append(clean(value, 200))
            out.append("\n")
    return out


def other_facts(row: SubjectRow, snapshot: Snapshot) -> Text:
    out = Text(end="")
    if row.subject.kind == "user":
        user = snapshot.host.user(row.subject.name)
        if user is not None:
            _kv(out, "uid", user.uid)
            _kv(out, "gid", user.gid)
            _kv(out, "groups", ", ".join(user.groups) or "-")
            _kv(out, "home", user.home or "-")
    engine = snapshot.engine(row.subject.engine)
    if engine is not None:
        _kv(out, "engine", engine.label)
        for listener in engine.listeners:
            if row.subject.kind == "endpoint" and listener.url != row.subject.name:
                continue
            _kv(out, "listener", listener.url)
            if listener.kind == "tcp":
                _kv(out, "  TLS", {True: "required", False: "off", None: "unknown"}[listener.tls])
            else:
                _kv(out, "  owner", f"{listener.owner}:{listener.group} mode {listener.mode_octal}")
    for finding in row.findings[:1]:
        _kv(out, "reaches", finding.impact)
    return out


class DetailsScreen(DindscopeScreen):
    BINDINGS = [FIX, GRAPH, BACK]

    DEFAULT_CSS = """
    DetailsScreen #title { height: auto; padding: 0 1; background: $boost; }
    DetailsScreen #facts { padding: 0 1; }
    """

    def __init__(self, row: SubjectRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        yield Static(subject_title(self.row, "details of"), id="title")
        with VerticalScroll():
            yield Static(id="facts")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()
        self.query_one(VerticalScroll).focus()

    def current_row(self) -> SubjectRow | None:
        return self.dapp.row(self.row.key) or self.row

    def refresh_view(self) -> None:
        session = self.dapp.session
        if session is None:
            return
        row = self.current_row() or self.row
        container = row.container
        if container is not None and self.dapp.source.redact:
            container = redacted(container)
        facts = container_facts(container, session.snapshot) if container else other_facts(row, session.snapshot)
        self.query_one("#facts", Static).update(facts)
