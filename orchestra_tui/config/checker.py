"""The config checker: a parsed TOML document into the schema's frozen dataclasses, collecting
every problem as (key path, message) instead of stopping at the first. Defaults and bounds are
read from the schema (`config/schema.py`); this module keeps no copy of them.
"""

from __future__ import annotations

import datetime
import difflib
import math
import os
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from orchestra_tui.config.schema import (
    ASSIGN_TEMPLATE_FIELDS,
    REPO_PATTERN,
    TOOL_CHOICES,
    Config,
    GitHubConfig,
    TmuxConfig,
    UiConfig,
    default_of,
    minimum_of,
)
from orchestra_tui.config_locate import Path as KeyPath
from orchestra_tui.models import AgentSpec


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


class Checker:
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
        template = self.text(table, "assign_template", where,
                             default=default_of(GitHubConfig, "assign_template"))
        self.template(template, where + ("assign_template",))
        return GitHubConfig(
            api_url=api_url.rstrip("/") if api_url else None,
            host=host,
            repos=tuple(repos),
            refresh_seconds=self.number(table, "refresh_seconds", where, GitHubConfig),
            assign_template=template,
        )

    def ui(self, table: dict[str, Any]) -> UiConfig:
        where: KeyPath = ("ui",)
        self.unknown_keys(table, [f.name for f in fields(UiConfig)], where, "in [ui]")
        warn = self.percent(table, "context_warn_percent", where,
                            default_of(UiConfig, "context_warn_percent"))
        critical = self.percent(table, "context_critical_percent", where,
                                default_of(UiConfig, "context_critical_percent"))
        if critical > warn:
            self.problem(where + ("context_critical_percent",),
                         f"{critical} is above context_warn_percent ({warn})")
        theme = self.text(table, "theme", where, default=default_of(UiConfig, "theme"))
        if not theme.strip():
            self.problem(where + ("theme",), "must not be empty")
        return UiConfig(
            theme=theme,
            poll_seconds=self.number(table, "poll_seconds", where, UiConfig),
            stuck_after_seconds=self.number(table, "stuck_after_seconds", where, UiConfig),
            idle_debounce_seconds=self.number(table, "idle_debounce_seconds", where, UiConfig),
            context_warn_percent=warn,
            context_critical_percent=critical,
            bell=self.boolean(table, "bell", where, default_of(UiConfig, "bell")),
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

    def number(self, table: Mapping[str, Any], key: str, where: KeyPath,
               schema: type) -> float:
        """Field `key` of the `schema` dataclass: its default and lower bound are the schema's."""
        default, minimum = default_of(schema, key), minimum_of(schema, key)
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
