"""The config checker: a parsed TOML document into the schema's frozen dataclasses, collecting
every problem as (key path, message) instead of stopping at the first. Defaults and bounds are
read from the schema (`config/schema.py`); this module keeps no copy of them."""

from __future__ import annotations

import difflib
import math
import os
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from orchestra_tui.config.away import away_keys, check_notify, check_rules
from orchestra_tui.config.budgets import check_budget
from orchestra_tui.config.hosts import check_agent_host, check_hosts
from orchestra_tui.config.schema import (
    ASSIGN_TEMPLATE_FIELDS,
    AUTOROUTE_KINDS,
    LANE_INHERITED,
    NAME_PATTERN,
    REPO_PATTERN,
    TOOL_CHOICES,
    Config,
    GitHubConfig,
    PathsConfig,
    TmuxConfig,
    UiConfig,
    default_of,
    minimum_of,
)
from orchestra_tui.config.tools import check_tools
from orchestra_tui.config.values import type_name
from orchestra_tui.config_locate import Path as KeyPath
from orchestra_tui.models import AgentSpec, LaneSpec

_MISSING = object()
_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def _escape_controls(text: str) -> str:
    return _CONTROL_CHAR.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


class Checker:
    """Turns a parsed document into a Config, collecting every problem as (key path, text)."""

    def __init__(self, *, keep_broken: bool = False) -> None:
        # Keep an `[[agent]]` or `[[lane]]` with problems as far as it reads (the enforcement
        # reader's lenient mode: `config.lenient`); the app's config drops it (and fails).
        self.keep_broken = keep_broken
        # (key path, message, whether the message is prefixed with the key's name)
        self.problems: list[tuple[KeyPath, str, bool]] = []
        self.lane_names: set[str] = set()  # every [[lane]] name written, broken lanes too
        self.host_names: set[str] = set()  # every good [[host]] name, for agent.host
        self.tool_names: set[str] = set()  # every good [[tool]] name, for agent.tool

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
        self.unknown_keys(document, ("agent", "lane", "tmux", "github", "ui", "paths", "host",
                                     "notify", "rule", "tool"), (), "at top level")
        # Hosts and tools before the lanes and agents, whose `host` and `tool` name them.
        hosts = check_hosts(self, document.get("host", []))
        tools = check_tools(self, document.get("tool", []))
        lanes = self.lanes(document.get("lane", _MISSING))
        return Config(
            path=path,
            exists=True,
            agents=self.agents(document.get("agent", _MISSING), lanes),
            tmux=self.tmux(self.table(document, "tmux")),
            github=self.github(self.table(document, "github")),
            ui=self.ui(self.table(document, "ui")),
            lanes=lanes,
            paths=self.paths(self.table(document, "paths")),
            hosts=hosts,
            notify=check_notify(self, self.table(document, "notify")),
            rules=check_rules(self, document.get("rule", [])), tools=tools)

    def table(self, document: dict[str, Any], key: str) -> dict[str, Any]:
        value = document.get(key, {})
        if not isinstance(value, dict):
            self.problem((key,), f"expected a [{key}] table, got {type_name(value)}")
            return {}
        return value

    def agents(self, value: object, lanes: Sequence[LaneSpec] = ()) -> tuple[AgentSpec, ...]:
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            self.problem(("agent",), "expected [[agent]] tables (an array of tables), got "
                         + type_name(value))
            return ()
        specs: list[AgentSpec] = []
        first_index: dict[str, int] = {}
        for index, table in enumerate(value):
            where: KeyPath = ("agent", index)
            if not isinstance(table, dict):
                self.problem(where, f"expected a table, got {type_name(table)}")
                continue
            spec = self.agent(table, where, lanes)
            if spec is None:
                continue
            if spec.name in first_index:
                self.problem(where + ("name",), f'duplicate agent name "{spec.name}" '
                             f"(also agent[{first_index[spec.name] + 1}])")
                continue
            first_index[spec.name] = index
            specs.append(spec)
        return tuple(specs)

    def agent(self, table: dict[str, Any], where: KeyPath,
              lanes: Sequence[LaneSpec] = ()) -> AgentSpec | None:
        known = [f.name for f in fields(AgentSpec)]
        self.unknown_keys(table, known, where, "in [[agent]]")
        before = len(self.problems)
        name = self.text(table, "name", where, required=True)
        if isinstance(table.get("name"), str) and not name.strip():
            self.problem(where + ("name",), "must not be empty")
        common = self.lane_keys(table, where)
        branch = self.text(table, "branch", where)
        if "branch" in table and isinstance(table["branch"], str) and not branch.strip():
            self.problem(where + ("branch",), 'must not be empty (use "*" for any branch)')
        spec = AgentSpec(
            name=name,
            cwd=self.text(table, "cwd", where),
            branch=branch or "*",
            target=self.text(table, "target", where),
            lane=self.text(table, "lane", where),
            host=check_agent_host(self, table, where),
            **common,
        )
        if spec.lane:
            spec = self.from_lane(spec, table, where, lanes)
        if not spec.host:  # on a host (its own or its lane's), `~` is the home there
            spec = replace(spec, cwd=os.path.expanduser(spec.cwd))
        return spec if self.keep_broken or len(self.problems) == before else None

    def lane_keys(self, table: dict[str, Any], where: KeyPath) -> dict[str, Any]:
        """The keys `[[agent]]` and `[[lane]]` share, checked alike."""
        tool = self.text(table, "tool", where) or "auto"
        choices = (*TOOL_CHOICES, *sorted(self.tool_names))
        if isinstance(table.get("tool"), str) and tool not in choices:
            self.problem(where + ("tool",), f'"{tool}" is not one of {", ".join(choices)}')
        repo = self.text(table, "repo", where)
        if repo and not REPO_PATTERN.match(repo):
            self.problem(where + ("repo",), f'"{repo}" is not in owner/name form')
        forbid = self.strings(table, "forbid", where)
        for index, pattern in enumerate(forbid):
            try:
                re.compile(pattern)
            except re.error as error:
                self.problem(where + ("forbid", index),
                             f"bad regular expression {pattern!r}: {error}")
        return dict(tool=tool, command=self.text(table, "command", where), repo=repo,
                    policy=self.text(table, "policy", where), forbid=tuple(forbid),
                    enforce=self.boolean(table, "enforce", where, False),
                    **away_keys(self, table, where))

    def from_lane(self, spec: AgentSpec, table: dict[str, Any], where: KeyPath,
                  lanes: Sequence[LaneSpec]) -> AgentSpec:
        """The agent with what it does not set itself taken from the lane it names."""
        lane = next((lane for lane in lanes if lane.name == spec.lane), None)
        if lane is None:
            if spec.lane not in self.lane_names:  # a broken lane has its own problem already
                names = ", ".join(sorted(self.lane_names)) or "none in this file"
                self.problem(where + ("lane",), f'no [[lane]] named "{spec.lane}" '
                             f"(lanes: {names})")
            return spec
        taken = {key: getattr(lane, key) for key in LANE_INHERITED if key not in table}
        if "cwd" not in table and lane.path:
            taken["cwd"] = lane.path
        return replace(spec, **taken)

    def lanes(self, value: object) -> tuple[LaneSpec, ...]:
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            self.problem(("lane",), "expected [[lane]] tables (an array of tables), got "
                         + type_name(value))
            return ()
        lanes: list[LaneSpec] = []
        first_index: dict[str, int] = {}
        for index, table in enumerate(value):
            where: KeyPath = ("lane", index)
            if not isinstance(table, dict):
                self.problem(where, f"expected a table, got {type_name(table)}")
                continue
            lane = self.lane(table, where)
            if lane is None:
                continue
            if lane.name in first_index:
                self.problem(where + ("name",), f'duplicate lane name "{lane.name}" '
                             f"(also lane[{first_index[lane.name] + 1}])")
                continue
            first_index[lane.name] = index
            lanes.append(lane)
        return tuple(lanes)

    def lane(self, table: dict[str, Any], where: KeyPath) -> LaneSpec | None:
        self.unknown_keys(table, [f.name for f in fields(LaneSpec)], where, "in [[lane]]")
        before = len(self.problems)
        if "name" not in table:
            self.problem(where + ("name",), "missing (every [[lane]] needs a name)")
        name = self.text(table, "name", where)
        if isinstance(table.get("name"), str):
            self.lane_names.add(name)
            if not NAME_PATTERN.match(name):
                self.problem(where + ("name",), f'"{name}" is not a lane name: use letters, '
                             "digits, - and _ (it names a folder)")
        branch = self.text(table, "branch", where, default="*")
        if "*" not in branch:
            self.problem(where + ("branch",), f'"{branch}" has no * where each agent\'s part '
                         'of the branch name goes (e.g. "codex/*")')
        common = self.lane_keys(table, where)
        host = check_agent_host(self, table, where)
        path = self.text(table, "path", where)  # on a host, `~` is the home there
        lane = LaneSpec(name=name, path=path if host else os.path.expanduser(path),
                        branch=branch, host=host, autoroute=self.autoroute(table, where),
                        behind_limit=self.behind_limit(table, where),
                        budget_per_day=check_budget(self, table, where), **common)
        return lane if self.keep_broken or len(self.problems) == before else None

    def autoroute(self, table: dict[str, Any], where: KeyPath) -> tuple[str, ...]:
        """The inbox kinds a lane's agents get unasked (`ci`, `conflict`, `behind`, `review`)."""
        kinds = self.strings(table, "autoroute", where)
        for index, kind in enumerate(kinds):
            if kind not in AUTOROUTE_KINDS:
                self.problem(where + ("autoroute", index),
                             f'"{kind}" is not one of {", ".join(AUTOROUTE_KINDS)}')
        return tuple(k for k in dict.fromkeys(kinds) if k in AUTOROUTE_KINDS)

    def behind_limit(self, table: dict[str, Any], where: KeyPath) -> int | None:
        """Commits a branch may be behind its base before it is an inbox item (unset: never)."""
        if "behind_limit" not in table:
            return None
        value = table["behind_limit"]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where + ("behind_limit",),
                         f"expected an integer, got {type_name(value)}")
            return None
        if value < 1:
            self.problem(where + ("behind_limit",), f"{value} is out of range (at least 1)")
            return None
        return value

    def paths(self, table: dict[str, Any]) -> PathsConfig:
        where: KeyPath = ("paths",)
        self.unknown_keys(table, [f.name for f in fields(PathsConfig)], where, "in [paths]")
        worktrees = self.text(table, "worktrees", where)
        return PathsConfig(worktrees=os.path.expanduser(worktrees) if worktrees else "")

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
            self.problem(where + (key,), f"expected a string, got {type_name(value)}")
            return default
        return value

    def strings(self, table: Mapping[str, Any], key: str, where: KeyPath) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list):
            self.problem(where + (key,), f"expected an array of strings, got {type_name(value)}")
            return []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(where + (key, index),
                             f"expected a string, got {type_name(item)}")
                return []
        return value

    def number(self, table: Mapping[str, Any], key: str, where: KeyPath,
               schema: type) -> float:
        """Field `key` of the `schema` dataclass: its default and lower bound are the schema's."""
        default: float = default_of(schema, key)
        minimum = minimum_of(schema, key)
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where + (key,), f"expected a number of seconds, got {type_name(value)}")
            return default
        if not math.isfinite(value) or value < minimum:
            self.problem(where + (key,), f"{value} is out of range (at least {minimum:g})")
            return default
        return float(value)

    def percent(self, table: Mapping[str, Any], key: str, where: KeyPath, default: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where + (key,), f"expected an integer, got {type_name(value)}")
            return default
        if not 0 <= value <= 100:
            self.problem(where + (key,), f"{value} is not a percentage (0 to 100)")
            return default
        return value

    def boolean(self, table: Mapping[str, Any], key: str, where: KeyPath, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem(where + (key,), f"expected true or false, got {type_name(value)}")
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
