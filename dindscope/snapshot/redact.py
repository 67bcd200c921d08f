"""Redaction: secrets in env values, labels and command lines never leave dindscope by default.

What counts as a secret:

* a *name* that says so (:func:`is_secret_name`): ``*SECRET*``, ``*TOKEN*``,
  ``*PASSWORD*``/``*PASSWD*``/``*_PASS``, ``*KEY``/``*_KEY_*`` (not ``KEYBOARD``), ``*CREDENTIAL*``,
  ``*AUTH*`` (not ``AUTHOR``), ``*PRIVATE*``, ``*COOKIE*``, ``*SESSION*``...; the whole value goes;
* a *value* shaped like a token or key (:func:`looks_like_secret`): JWTs, GitHub/GitLab/Slack/npm/PyPI
  tokens, AWS access key ids, PEM private keys, long high-entropy strings; the whole value goes;
* a secret *inside* a longer text (:func:`redact_text`): ``user:password@`` in URLs (only the password
  goes, so ``DOCKER_HOST=tcp://docker:2375`` and the host of a URL stay for the analysis),
  ``Authorization: Bearer ...``, ``TOKEN=...`` assignments, ``--password x`` and the token shapes above.

Everything the analysis needs (engine client settings such as ``DOCKER_HOST``, paths, image names)
is kept unless it carries a credential.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from dindscope.models import Container, EnvVar, Snapshot
from dindscope.snapshot.codec import clone_snapshot

REDACTED = "<redacted>"

# --- names -----------------------------------------------------------------------------------------

_SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE",
                 "COOKIE", "APIKEY", "ACCESSKEY", "PRIVKEY", "SIGNINGKEY", "CLIENTKEY", "SESSION")
_NOT_SECRET_WORDS = {"KEYBOARD", "KEYBOARDS", "KEYMAP", "KEYMAPS", "KEYRING", "KEYSERVER", "KEYWORD", "KEYWORDS",
                     "KEYCODE", "AUTHOR", "AUTHORS", "AUTHORED", "MONKEY", "TURKEY", "HOCKEY", "JOCKEY", "DONKEY"}
# Names that look secret-ish but hold something the analysis needs and no secret.
_NOT_SECRET_NAMES = {"DOCKER_TLS_CERTDIR", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "PWD", "OLDPWD",
                     "CONTAINER_SSHKEY", "SSH_AUTH_SOCK", "GPG_KEY_ID", "KEY_ID"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_NOT_SECRET_SUFFIXES = ("_FILE", "_PATH", "_DIR", "_STDIN", "_ID", "_SOCK", "_SOCKET", "_URL_PATH")


def _words(name: str) -> list[str]:
    return [w for w in _SPLIT.split(_CAMEL.sub("_", name).upper()) if w]


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """True when a variable, label or flag name says its value is a secret."""
    upper = name.upper().strip("-_ ")
    if not upper or upper in _NOT_SECRET_NAMES:
        return False
    words = _words(name)
    if not words:
        return False
    joined = "_".join(words)
    if joined in _NOT_SECRET_NAMES or any(joined.endswith(s) for s in _NOT_SECRET_SUFFIXES):
        return False
    for word in words:
        if word in _NOT_SECRET_WORDS:
            continue
        if any(s in word for s in _SECRET_WORDS):
            return True
        if word in ("KEY", "KEYS", "PASS", "PW", "PWD", "PSK", "DSN", "AUTH", "OTP", "TOTP", "HMAC", "SALT"):
            return True
        if word.endswith(("KEY", "AUTH")) or word.startswith("AUTH"):
            return True
    return False


# --- values ----------------------------------------------------------------------------------------

_TOKEN_PATTERNS = [
    r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",  # JWT
    r"gh[pousr]_[A-Za-z0-9]{20,}",  # GitHub tokens
    r"github_pat_[A-Za-z0-9_]{20,}",
    r"gl(?:pat|rt|dt|cbt|ptt|ft|imt|agent|oas|soat|ffct)-[A-Za-z0-9_-]{16,}",  # GitLab tokens
    r"xox[abposr]-[A-Za-z0-9-]{10,}",  # Slack
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b",  # AWS access key id
    r"AIza[0-9A-Za-z_-]{35}",  # Google API key
    r"\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,}",  # Stripe
    r"npm_[A-Za-z0-9]{36}",  # npm
    r"pypi-AgE[A-Za-z0-9_-]{50,}",  # PyPI
    r"dckr_pat_[A-Za-z0-9_-]{20,}",  # Docker Hub
    r"hv[sb]\.[A-Za-z0-9_-]{20,}",  # HashiCorp Vault
    r"-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----|\Z)",
]
_TOKEN_RE = re.compile("|".join(f"(?:{p})" for p in _TOKEN_PATTERNS), re.DOTALL)
_CANDIDATE_RE = re.compile(r"[A-Za-z0-9+/=_\-.~]{32,}")
_HEX_RE = re.compile(r"(?:sha\d+:)?[0-9a-fA-F]+")


def _entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _high_entropy(word: str) -> bool:
    """A long random-looking string: mixed case and digits, and much entropy per character."""
    core = word.strip("=")
    if len(core) < 32 or _HEX_RE.fullmatch(core) or core.startswith(("/", "./", "~")):
        return False
    classes = sum(1 for test in (str.isupper, str.islower, str.isdigit) if any(test(ch) for ch in core))
    return classes == 3 and _entropy(core) >= 4.2


def looks_like_secret(value: str) -> bool:
    """True when a value is shaped like a token, key or password blob."""
    if not value:
        return False
    if _TOKEN_RE.search(value):
        return True
    stripped = value.strip()
    return bool(_CANDIDATE_RE.fullmatch(stripped)) and _high_entropy(stripped)


# --- text ------------------------------------------------------------------------------------------

_URL_CREDS_RE = re.compile(r"(?P<pre>\b[A-Za-z][A-Za-z0-9+.\-]{0,30}+://[^\s:/@?#]{0,256}:)(?P<pw>[^\s/@?#]{1,512})(?P<at>@)")
_AUTH_HEADER_RE = re.compile(r"(?P<pre>\b(?:Authorization|Proxy-Authorization)\s*:\s*(?:Bearer|Basic|Token|Digest)?\s*)"
                             r"(?P<val>[^\s\"']+)", re.IGNORECASE)
_BEARER_RE = re.compile(r"(?P<pre>\b(?:Bearer|Basic)\s+)(?P<val>[A-Za-z0-9+/=._\-~]{8,})")
_ASSIGN_RE = re.compile(r"(?P<name>\b[A-Za-z_][A-Za-z0-9_.\-]{0,64}+)(?P<sep>[\"']?[ \t]{0,8}:?[=:][ \t]{0,8})")
_VALUE_RE = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|[^\s\"',;&|]+")
MAX_TEXT = 16384  # longer lines are dropped whole: nothing needs them, and scanning them costs
_FLAG_RE = re.compile(r"(?P<flag>(?<![\w-])--?[A-Za-z][A-Za-z0-9_\-]{0,60}+)(?P<sep>=|\s+)"
                      r"(?P<val>\"[^\"]*\"|'[^']*'|[^\s\"']+)")


def _quote_like(original: str) -> str:
    if len(original) >= 2 and original[0] == original[-1] and original[0] in "\"'":
        return original[0] + REDACTED + original[0]
    return REDACTED


_AUTH_SCHEMES = {"bearer", "basic", "token", "digest", "negotiate"}


def _redact_assignments(text: str) -> str:
    """``NAME=value`` / ``NAME: value`` with a secret name lose the value.

    Iterative: after a non-secret name the scan goes on *inside* its value, so
    ``--build-arg=TOKEN=x`` and ``https://host/?token=x`` are caught too.
    """
    parts: list[str] = []
    pos = 0
    while True:
        m = _ASSIGN_RE.search(text, pos)
        if m is None:
            break
        parts.append(text[pos:m.end()])
        pos = m.end()
        if not is_secret_name(m["name"]):
            continue
        v = _VALUE_RE.match(text, pos)
        if v is None:
            continue
        val = v[0]
        if val.strip("\"'") not in ("", REDACTED) and not val.startswith("//") and val.lower() not in _AUTH_SCHEMES:
            parts.append(_quote_like(val))
            pos = v.end()
    parts.append(text[pos:])
    return "".join(parts)


def redact_text(text: str) -> str:
    """Replace the secrets inside a free text (a log line, a shell script, a URL), keeping the rest."""
    if not text:
        return text
    if len(text) > MAX_TEXT:
        return "\n".join(_redact_line(line) for line in text.split("\n"))
    return _redact_line(text)


def _redact_line(text: str) -> str:
    if len(text) > MAX_TEXT:
        return REDACTED
    out = _TOKEN_RE.sub(REDACTED, text)
    out = _URL_CREDS_RE.sub(lambda m: m["pre"] + REDACTED + m["at"], out)
    out = _AUTH_HEADER_RE.sub(lambda m: m["pre"] + REDACTED, out)
    out = _BEARER_RE.sub(lambda m: m["pre"] + REDACTED, out)

    out = _redact_assignments(out)

    def flag(m: re.Match[str]) -> str:
        val = m["val"]
        if val.startswith("-") or val.strip("\"'") == REDACTED or not _is_secret_flag(m["flag"], long_only=True):
            return m[0]
        return m["flag"] + m["sep"] + _quote_like(val)

    out = _FLAG_RE.sub(flag, out)
    return " ".join(REDACTED if looks_like_secret(w) and REDACTED not in w else w for w in out.split(" "))


# --- command lines ---------------------------------------------------------------------------------

_PORT_SPEC_RE = re.compile(r"[0-9a-fA-F.:\[\]\-]+(?:/(?:tcp|udp|sctp))?")
_ENV_FLAGS = {"-e", "--env", "--build-arg", "--secret", "--label", "-l", "--set", "--set-string"}
# Programs (or subcommands) where "-p VALUE" is a password rather than a port, a path or "parents".
_P_IS_PASSWORD = {"login", "sshpass", "mysql", "mysqldump", "mysqladmin", "mariadb", "mariadb-dump", "redis-cli",
                  "htpasswd", "ldapsearch", "ldapadd", "ldapmodify", "smbclient", "rabbitmqctl"}


def _is_secret_flag(flag: str, *, long_only: bool = False) -> bool:
    name = flag.lstrip("-")
    if long_only and not flag.startswith("--"):
        return False
    return len(name) > 1 and is_secret_name(name)


def _p_is_password(items: list[str], index: int) -> bool:
    before = {item.rsplit("/", 1)[-1] for item in items[:index]}
    return bool(before & _P_IS_PASSWORD)


def redact_args(args: Iterable[str]) -> list[str]:
    """Redact a command line given as a list of arguments.

    Handles ``--password=x``, ``--token x``, ``-p x`` after ``login``, ``mysql``, ``sshpass``... (elsewhere
    ``-p`` is a port or ``mkdir -p``), ``-e TOKEN=x`` and ``TOKEN=x`` assignments, URLs with credentials
    and token-shaped values; ``--password-stdin`` and ``--token-file PATH`` keep their (non-secret) argument.
    """
    items = list(args)
    out: list[str] = []
    take_next = False
    for index, arg in enumerate(items):
        if take_next:
            take_next = False
            out.append(REDACTED)
            continue
        password_p = arg == "-p" and _p_is_password(items, index)
        if arg.startswith("-") and "=" in arg:
            flag, value = arg.split("=", 1)
            if _is_secret_flag(flag) and value:
                out.append(f"{flag}={REDACTED}")
                continue
        elif (password_p or (arg.startswith("-") and _is_secret_flag(arg))) and index + 1 < len(items):
            nxt = items[index + 1]
            if not nxt.startswith("-") and not (arg == "-p" and _PORT_SPEC_RE.fullmatch(nxt)):
                out.append(arg)
                take_next = True
                continue
        out.append(_redact_arg(arg, items[index - 1] if index else ""))
    return out


def _redact_arg(arg: str, previous: str) -> str:
    if "=" in arg and not arg.startswith("-") and (" " not in arg.split("=", 1)[0]):
        name, value = arg.split("=", 1)
        if is_secret_name(name) and value:
            return f"{name}={REDACTED}"
        if previous in _ENV_FLAGS and looks_like_secret(value):
            return f"{name}={REDACTED}"
    if looks_like_secret(arg) and " " not in arg.strip():
        return REDACTED
    return redact_text(arg)


# --- snapshots -------------------------------------------------------------------------------------

def redact_value(name: str, value: str | None) -> tuple[str | None, bool]:
    """Redact one env value or label value given its name: (new value, whether anything was removed)."""
    if value is None or value == "" or value == REDACTED:
        return value, False
    if len(value) > MAX_TEXT:
        return REDACTED, True
    if is_secret_name(name) or looks_like_secret(value):
        return REDACTED, True
    cleaned = redact_text(value)
    return cleaned, cleaned != value


_MEMO_MAX_LEN = 512  # values at most this long are redacted once per snapshot, however often they repeat


class _Memo:
    """Per-snapshot memory of redacted values: hosts repeat the same env (PATH ...), labels and commands."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str | None], tuple[str | None, bool]] = {}
        self.args: dict[tuple[str, ...], list[str]] = {}
        self.texts: dict[str, str] = {}

    def value(self, name: str, value: str | None) -> tuple[str | None, bool]:
        if value is None or len(value) > _MEMO_MAX_LEN:
            return redact_value(name, value)
        key = (name, value)
        found = self.values.get(key)
        if found is None:
            found = self.values[key] = redact_value(name, value)
        return found

    def command(self, args: list[str]) -> list[str]:
        key = tuple(args)
        if sum(len(a) for a in key) > _MEMO_MAX_LEN:
            return redact_args(key)
        found = self.args.get(key)
        if found is None:
            found = self.args[key] = redact_args(key)
        return list(found)

    def text(self, value: str) -> str:
        if len(value) > _MEMO_MAX_LEN:
            return redact_text(value)
        found = self.texts.get(value)
        if found is None:
            found = self.texts[value] = redact_text(value)
        return found


def redact_container(c: Container, memo: _Memo | None = None) -> None:
    """Redact one container in place (env, labels, command, client settings)."""
    memo = memo or _Memo()
    env: list[EnvVar] = []
    for var in c.env:
        value, changed = memo.value(var.name, var.value)
        env.append(EnvVar(var.name, value, var.redacted or changed))
    c.env = env
    c.labels = {k: memo.value(k, v)[0] or "" for k, v in c.labels.items()}
    c.command = memo.command(c.command)
    settings: dict[str, str] = {}
    for k, v in c.client_settings.items():
        settings[k] = (REDACTED if is_secret_name(k) else memo.text(v)) if v else v
    c.client_settings = settings


def redact_snapshot(s: Snapshot, *, in_place: bool = False) -> Snapshot:
    """A redacted deep copy of a snapshot; the original is left untouched.

    ``in_place=True`` redacts ``s`` itself and returns it: for a snapshot nothing
    else holds yet (just collected or loaded), it saves the copy.
    """
    out = s if in_place else clone_snapshot(s)
    memo = _Memo()
    for c in out.containers:
        redact_container(c, memo)
    for p in out.problems:
        p.message = redact_text(p.message)
    out.redacted = True
    return out
