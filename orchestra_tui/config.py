"""The config file: TOML read with `tomllib`, checked into frozen dataclasses, written with
`tomli_w`.

Every problem is a `ConfigError` whose message has one line per problem, each naming the file,
the line and the key:

    ~/.config/orchestra/config.toml:14: agent[2].forbid: expected an array of strings, got integer
    ~/.config/orchestra/config.toml:7: unknown key "comand" in [[agent]] (did you mean "command"?)

`agent[2]` counts `[[agent]]` tables from 1, as a person reads the file.
"""

from __future__ import annotations

import datetime
import difflib
import math
import os
import re
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from orchestra_tui.config_locate import Path as KeyPath
from orchestra_tui.config_locate import line_of, locate
from orchestra_tui.errors import ConfigError
from orchestra_tui.models import TOOLS, AgentSpec
from orchestra_tui.paths import atomic_write, config_path, config_path_is_explicit, display_path

DEFAULT_ASSIGN_TEMPLATE = (
    "Read issue #{number} ({url}) and all its comments, then implement it on a branch matching "
    "{branch}; open a PR when done."
)
# Fields `assign_template` may name; the issue prompt is built with `str.format(**these)`.
ASSIGN_TEMPLATE_FIELDS = frozenset({"number", "url", "title", "repo", "branch"})
TOOL_CHOICES: tuple[str, ...] = (*TOOLS, "auto")
REPO_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class TmuxConfig:
    """`[tmux]`: which server to talk to, as `-L` / `-S` (the command line wins over these)."""

    socket_name: str | None = None
    socket_path: str | None = None


@dataclass(frozen=True)
class GitHubConfig:
    """`[github]`: where GitHub is and which repos to watch beyond the agents' lanes."""

    api_url: str | None = None
    host: str | None = None
    repos: tuple[str, ...] = ()
    refresh_seconds: float = 60.0
    assign_template: str = DEFAULT_ASSIGN_TEMPLATE


@dataclass(frozen=True)
class UiConfig:
    """`[ui]`: look and timing of the app."""

    theme: str = "textual-dark"
    poll_seconds: float = 1.0
    stuck_after_seconds: float = 60.0
    idle_debounce_seconds: float = 1.5
    context_warn_percent: int = 20
    context_critical_percent: int = 10
    bell: bool = True


@dataclass(frozen=True)
class Config:
    """A loaded config. `exists` is False when the default file is absent (an empty config)."""

    path: Path
    exists: bool = False
    agents: tuple[AgentSpec, ...] = ()
    tmux: TmuxConfig = field(default_factory=TmuxConfig)
    github: GitHubConfig = field(default_factory=GitHubConfig)
    ui: UiConfig = field(default_factory=UiConfig)

    def agent(self, name: str) -> AgentSpec | None:
        """The configured agent called `name`, if any."""
        return next((spec for spec in self.agents if spec.name == name), None)


# ---------------------------------------------------------------------------------------------
# Loading


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the config at `path`, else `$ORCHESTRA_CONFIG`, else the user config dir's.

    The default file missing gives an empty config (`exists=False`); a file the person named
    that is missing, unreadable or wrong raises `ConfigError`.
    """
    resolved = config_path(path)
    shown = display_path(resolved)
    try:
        data = resolved.read_bytes()
    except FileNotFoundError:
        if config_path_is_explicit(path):
            source = "--config" if path else "$ORCHESTRA_CONFIG"
            raise ConfigError(f"{shown}: no such config file (named by {source})") from None
        return Config(path=resolved, exists=False)
    except IsADirectoryError:
        raise ConfigError(f"{shown}: is a directory, not a config file") from None
    except OSError as error:
        raise ConfigError(f"{shown}: cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}: not UTF-8 text (byte {error.start})") from None
    return parse_config(text, resolved)


def parse_config(text: str, path: Path) -> Config:
    """Check TOML `text` read from `path` into a `Config`, or raise one `ConfigError`."""
    shown = display_path(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_syntax_message(shown, text, str(error))) from None
    except RecursionError:
        raise ConfigError(f"{shown}:1: TOML nested too deeply") from None
    try:
        lines = locate(text)
    except RecursionError:
        lines = {}
    checker = _Checker()
    config = checker.config(document, path)
    if checker.problems:
        rendered = sorted(
            ((line_of(lines, where), _name(where) if named else "", message)
             for where, message, named in checker.problems),
            key=lambda problem: problem[0],
        )
        problems = [f"{shown}:{line}: {name}{message}" for line, name, message in rendered]
        error = ConfigError("\n".join(problems))
        error.problems = problems  # type: ignore[attr-defined]
        raise error
    return config


_SYNTAX = re.compile(r"^(?P<message>.*?) \((?:at line (?P<line>\d+), column (?P<column>\d+)"
                     r"|at end of document)\)$", re.S)
_LINE_KEY = re.compile(r"""^\s*\[*\s*(?P<key>[A-Za-z0-9_.\-"' ]+?)\s*(?:=|\])""")


def _syntax_message(shown: str, text: str, raw: str) -> str:
    match = _SYNTAX.match(raw)
    if match is None:
        return f"{shown}:1: TOML syntax error: {raw}"
    message = match["message"]
    if match["line"]:
        line, where = int(match["line"]), f"{match['line']}:{match['column']}"
    else:
        line = text.count("\n") + (0 if text.endswith("\n") else 1) or 1
        where = str(line)
    source_lines = text.splitlines()
    key = ""
    if 0 < line <= len(source_lines):
        key_match = _LINE_KEY.match(source_lines[line - 1])
        if key_match:
            key = f' near key "{key_match["key"].strip()}"'
    return f"{shown}:{where}: TOML syntax error{key}: {message}"


def _name(where: KeyPath) -> str:
    """`("agent", 1, "forbid")` -> `agent[2].forbid: ` (indices from 1); () -> ``."""
    if not where:
        return ""
    out = ""
    for part in where:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out + ": "


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, datetime.time):
        return "time"
    return type(value).__name__


_MISSING = object()


def _escape_controls(text: str) -> str:
    return _CONTROL_CHAR.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


class _Checker:
    """Turns a parsed document into a Config, collecting every problem as (key path, text)."""

    def __init__(self) -> None:
        # (key path, message, whether the message is prefixed with the key's name)
        self.problems: list[tuple[KeyPath, str, bool]] = []

    def problem(self, where: KeyPath, message: str) -> None:
        # A value quoted into the message may hold control characters (a record separator
        # would split the one-line error in two): show them escaped, as TOML would.
        self.problems.append((where, _escape_controls(message), True))

    def unknown_keys(self, table: Mapping[str, Any], known: Sequence[str], where: KeyPath,
                     label: str) -> None:
        for key in table:
            if key in known:
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            message = _escape_controls(f'unknown key "{key}" {label}{hint}')
            self.problems.append((where + (key,), message, False))

    # -- tables -----------------------------------------------------------------------------

    def config(self, document: dict[str, Any], path: Path) -> Config:
        self.unknown_keys(document, ("agent", "tmux", "github", "ui"), (), "at top level")
        return Config(
            path=path,
            exists=True,
            agents=self.agents(document.get("agent", _MISSING)),
            tmux=self.tmux(self.table(document, "tmux")),
            github=self.github(self.table(document, "github")),
            ui=self.ui(self.table(document, "ui")),
        )

    def table(self, document: dict[str, Any], key: str) -> dict[str, Any]:
        value = document.get(key, {})
        if not isinstance(value, dict):
            self.problem((key,), f"expected a [{key}] table, got {_type_name(value)}")
            return {}
        return value

    def agents(self, value: object) -> tuple[AgentSpec, ...]:
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            self.problem(("agent",), "expected [[agent]] tables (an array of tables), got "
                         + _type_name(value))
            return ()
        specs: list[AgentSpec] = []
        first_index: dict[str, int] = {}
        for index, table in enumerate(value):
            where: KeyPath = ("agent", index)
            if not isinstance(table, dict):
                self.problem(where, f"expected a table, got {_type_name(table)}")
                continue
            spec = self.agent(table, where)
            if spec is None:
                continue
            if spec.name in first_index:
                self.problem(where + ("name",), f'duplicate agent name "{spec.name}" '
                             f"(also agent[{first_index[spec.name] + 1}])")
                continue
            first_index[spec.name] = index
            specs.append(spec)
        return tuple(specs)

    def agent(self, table: dict[str, Any], where: KeyPath) -> AgentSpec | None:
        known = [f.name for f in fields(AgentSpec)]
        self.unknown_keys(table, known, where, "in [[agent]]")
        before = len(self.problems)
        name = self.text(table, "name", where, required=True)
        if isinstance(table.get("name"), str) and not name.strip():
            self.problem(where + ("name",), "must not be empty")
        tool = self.text(table, "tool", where) or "auto"
        if isinstance(table.get("tool"), str) and tool not in TOOL_CHOICES:
            self.problem(where + ("tool",),
                         f'"{tool}" is not one of {", ".join(TOOL_CHOICES)}')
        repo = self.text(table, "repo", where)
        if repo and not REPO_PATTERN.match(repo):
            self.problem(where + ("repo",), f'"{repo}" is not in owner/name form')
        branch = self.text(table, "branch", where)
        if "branch" in table and isinstance(table["branch"], str) and not branch.strip():
            self.problem(where + ("branch",), 'must not be empty (use "*" for any branch)')
        forbid = self.strings(table, "forbid", where)
        for index, pattern in enumerate(forbid):
            try:
                re.compile(pattern)
            except re.error as error:
                self.problem(where + ("forbid", index),
                             f"bad regular expression {pattern!r}: {error}")
        spec = AgentSpec(
            name=name,
            tool=tool,
            command=self.text(table, "command", where),
            cwd=os.path.expanduser(self.text(table, "cwd", where)),
            repo=repo,
            branch=branch or "*",
            target=self.text(table, "target", where),
            policy=self.text(table, "policy", where),
            forbid=tuple(forbid),
            enforce=self.boolean(table, "enforce", where, False),
        )
        return spec if len(self.problems) == before else None

    def tmux(self, table: dict[str, Any]) -> TmuxConfig:
        where: KeyPath = ("tmux",)
        self.unknown_keys(table, [f.name for f in fields(TmuxConfig)], where, "in [tmux]")
        socket_name = self.text(table, "socket_name", where) or None
        socket_path = self.text(table, "socket_path", where) or None
        if socket_name and socket_path:
            self.problem(where + ("socket_path",),
                         "set socket_name or socket_path, not both (as tmux -L or -S)")
        return TmuxConfig(socket_name=socket_name,
                          socket_path=os.path.expanduser(socket_path) if socket_path else None)

    def github(self, table: dict[str, Any]) -> GitHubConfig:
        where: KeyPath = ("github",)
        self.unknown_keys(table, [f.name for f in fields(GitHubConfig)], where, "in [github]")
        api_url = self.text(table, "api_url", where) or None
        if api_url and not re.match(r"^https?://[^/\s]+", api_url):
            self.problem(where + ("api_url",),
                         f'"{api_url}" is not an http:// or https:// URL')
        host = self.text(table, "host", where) or None
        if host and ("/" in host or not host.strip()):
            self.problem(where + ("host",),
                         f'"{host}" is not a host name like github.example.com')
        repos = self.strings(table, "repos", where)
        for index, repo in enumerate(repos):
            if not REPO_PATTERN.match(repo):
                self.problem(where + ("repos", index), f'"{repo}" is not in owner/name form')
        template = self.text(table, "assign_template", where, default=DEFAULT_ASSIGN_TEMPLATE)
        self.template(template, where + ("assign_template",))
        return GitHubConfig(
            api_url=api_url.rstrip("/") if api_url else None,
            host=host,
            repos=tuple(repos),
            refresh_seconds=self.number(table, "refresh_seconds", where, 60.0, minimum=1.0),
            assign_template=template,
        )

    def ui(self, table: dict[str, Any]) -> UiConfig:
        where: KeyPath = ("ui",)
        self.unknown_keys(table, [f.name for f in fields(UiConfig)], where, "in [ui]")
        warn = self.percent(table, "context_warn_percent", where, 20)
        critical = self.percent(table, "context_critical_percent", where, 10)
        if critical > warn:
            self.problem(where + ("context_critical_percent",),
                         f"{critical} is above context_warn_percent ({warn})")
        theme = self.text(table, "theme", where, default="textual-dark")
        if not theme.strip():
            self.problem(where + ("theme",), "must not be empty")
        return UiConfig(
            theme=theme,
            poll_seconds=self.number(table, "poll_seconds", where, 1.0, minimum=0.05),
            stuck_after_seconds=self.number(table, "stuck_after_seconds", where, 60.0,
                                            minimum=1.0),
            idle_debounce_seconds=self.number(table, "idle_debounce_seconds", where, 1.5,
                                              minimum=0.0),
            context_warn_percent=warn,
            context_critical_percent=critical,
            bell=self.boolean(table, "bell", where, True),
        )

    # -- values -----------------------------------------------------------------------------

    def text(self, table: Mapping[str, Any], key: str, where: KeyPath, *,
             required: bool = False, default: str = "") -> str:
        if key not in table:
            if required:
                self.problem(where + (key,), "missing (every [[agent]] needs a name)"
                             if key == "name" else "missing")
            return default
        value = table[key]
        if not isinstance(value, str):
            self.problem(where + (key,), f"expected a string, got {_type_name(value)}")
            return default
        return value

    def strings(self, table: Mapping[str, Any], key: str, where: KeyPath) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list):
            self.problem(where + (key,), f"expected an array of strings, got {_type_name(value)}")
            return []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(where + (key, index),
                             f"expected a string, got {_type_name(item)}")
                return []
        return value

    def number(self, table: Mapping[str, Any], key: str, where: KeyPath, default: float, *,
               minimum: float) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where + (key,), f"expected a number of seconds, got {_type_name(value)}")
            return default
        if not math.isfinite(value) or value < minimum:
            self.problem(where + (key,), f"{value} is out of range (at least {minimum:g})")
            return default
        return float(value)

    def percent(self, table: Mapping[str, Any], key: str, where: KeyPath, default: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where + (key,), f"expected an integer, got {_type_name(value)}")
            return default
        if not 0 <= value <= 100:
            self.problem(where + (key,), f"{value} is not a percentage (0 to 100)")
            return default
        return value

    def boolean(self, table: Mapping[str, Any], key: str, where: KeyPath, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem(where + (key,), f"expected true or false, got {_type_name(value)}")
            return default
        return value

    def template(self, template: str, where: KeyPath) -> None:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(template)
                     if name is not None}
        except ValueError as error:
            self.problem(where, f"bad template: {error} (write {{{{ and }}}} for braces)")
            return
        for name in sorted(names):
            base = re.split(r"[.\[]", name, maxsplit=1)[0]
            if base not in ASSIGN_TEMPLATE_FIELDS:
                self.problem(where, f"unknown field {{{name}}}; use "
                             + ", ".join(f"{{{f}}}" for f in sorted(ASSIGN_TEMPLATE_FIELDS)))


# ---------------------------------------------------------------------------------------------
# Writing


def _changed(value: object, default: object) -> dict[str, Any]:
    """The fields of dataclass `value` that differ from `default`'s, None left out."""
    out: dict[str, Any] = {}
    for f in fields(value):  # type: ignore[arg-type]
        item = getattr(value, f.name)
        if item is None or item == getattr(default, f.name):
            continue
        out[f.name] = list(item) if isinstance(item, tuple) else item
    return out


def _agent_table(spec: AgentSpec) -> dict[str, Any]:
    table: dict[str, Any] = {"name": spec.name}
    table.update(_changed(spec, AgentSpec(name=spec.name)))
    return table


def render_config(config_or_specs: Config | Sequence[AgentSpec]) -> str:
    """The TOML text of a config (or of a config with just these agents); only values that
    differ from the defaults are written, so loading it back gives an equal config."""
    if isinstance(config_or_specs, Config):
        config = config_or_specs
    else:
        config = Config(path=Path(), agents=tuple(config_or_specs))
    document: dict[str, Any] = {}
    for key, value, default in (("tmux", config.tmux, TmuxConfig()),
                                ("github", config.github, GitHubConfig()),
                                ("ui", config.ui, UiConfig())):
        table = _changed(value, default)
        if table:
            document[key] = table
    # Each agent as its own `[[agent]]` table: tomli_w would write short ones inline.
    chunks = [_dumps(document)] if document else []
    chunks += ["[[agent]]\n" + _dumps(_agent_table(spec)) for spec in config.agents]
    return "\n".join(chunks)


def _dumps(table: dict[str, Any]) -> str:
    """TOML for `table`, with readable multi-line strings unless one holds a carriage return
    (TOML turns CRLF inside a multi-line string into LF, which would change the value)."""
    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            value = list(value.values())
        return [text for item in value for text in strings(item)] \
            if isinstance(value, list) else []

    return tomli_w.dumps(table, multiline_strings=not any("\r" in text
                                                          for text in strings(table)))


STARTER_HEADER = """\
# orchestra config: one [[agent]] table per AI coding agent running in tmux.
# Written by `orchestra init` from the panes it found; edit freely. Keys of [[agent]]:
#   name     (required, unique) what the fleet view and `orchestra send NAME` call it
#   tool     codex, claude, gemini, aider, shell or auto (read from the screen)
#   command  how `orchestra restart NAME` starts it again
#   cwd      its working directory (~ is expanded)
#   target   tmux session, session:window, session:window.pane or %pane_id
#   repo     its lane: owner/name on GitHub, for its PRs, review threads and issues
#   branch   glob of its PR head branches, e.g. "fix/*" (default "*")
#   policy   rules put into every handoff, e.g. "ArgoCD watches k8s/; all changes via git"
#   forbid   regexes of commands to raise alerts on, e.g. ["kubectl apply", "--no-verify"]
# Other tables (all optional):
#   [tmux]   socket_name = "NAME" or socket_path = "PATH" (as tmux -L / -S)
#   [github] api_url, host (GitHub Enterprise), repos = ["owner/name"], refresh_seconds,
#            assign_template (fields {number} {url} {title} {repo} {branch})
#   [ui]     theme, poll_seconds, stuck_after_seconds, idle_debounce_seconds,
#            context_warn_percent, context_critical_percent, bell

"""


def render_starter_config(agents: Sequence[AgentSpec], *,
                          tmux: TmuxConfig | None = None) -> str:
    """The commented starter config `orchestra init` writes, checked to load back."""
    config = Config(path=Path(), agents=tuple(agents), tmux=tmux or TmuxConfig())
    text = STARTER_HEADER + render_config(config)
    parse_config(text, Path("<starter config>"))
    return text


def write_starter_config(agents: Sequence[AgentSpec], path: Path, *, force: bool = False,
                         tmux: TmuxConfig | None = None) -> Path:
    """Write a starter config for `agents` to `path` (parents created, written atomically).
    An existing file is overwritten only with `force`."""
    path = Path(path).expanduser()
    if path.exists() and not force:
        raise ConfigError(f"{display_path(path)}: already exists; pass --force to overwrite it")
    text = render_starter_config(agents, tmux=tmux)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"), mode=0o644)
    return path


__all__ = [
    "ASSIGN_TEMPLATE_FIELDS", "Config", "DEFAULT_ASSIGN_TEMPLATE", "GitHubConfig", "TOOL_CHOICES",
    "TmuxConfig", "UiConfig", "load_config", "parse_config", "render_config",
    "render_starter_config", "write_starter_config",
]
