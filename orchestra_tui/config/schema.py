"""The config's schema: one frozen dataclass per table, whose field defaults are the defaults
(the checker, the writer and the app read them from here, never from a copy) and whose field
metadata holds each number's lower bound.

>>> UiConfig().poll_seconds, minimum_of(UiConfig, "poll_seconds")
(0.25, 0.05)
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from orchestra_tui.agents.names import TOOL_NAMES
from orchestra_tui.agents.profiles.base import Profile
from orchestra_tui.models import AgentSpec, LaneSpec
from orchestra_tui.pr_facts import LoopKind

DEFAULT_ASSIGN_TEMPLATE = (
    "Read issue #{number} ({url}) and all its comments, then implement it on a branch matching "
    "{branch}; open a PR when done."
)
# Fields `assign_template` may name; the issue prompt is built with `str.format(**these)`.
ASSIGN_TEMPLATE_FIELDS = frozenset({"number", "url", "title", "repo", "branch"})
TOOL_CHOICES: tuple[str, ...] = (*TOOL_NAMES, "auto")  # tool names: agents, the one source
# What a lane's `autoroute` may name: the kinds of PR-loop items.
AUTOROUTE_KINDS: tuple[str, ...] = tuple(kind.value for kind in LoopKind)
REPO_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# A host's name qualifies its pane ids ("gpu:%3"): no colon, no space, no leading dash.
HOST_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _at_least(default: Any, minimum: float) -> Any:
    """A field with its default and the least value the checker accepts."""
    return field(default=default, metadata={"minimum": minimum})


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
    refresh_seconds: float = _at_least(60.0, 1.0)
    assign_template: str = DEFAULT_ASSIGN_TEMPLATE


@dataclass(frozen=True)
class UiConfig:
    """`[ui]`: look and timing of the app."""

    theme: str = "textual-dark"
    poll_seconds: float = _at_least(0.25, 0.05)  # one tick of the fleet poll, start to start
    stuck_after_seconds: float = _at_least(60.0, 1.0)
    idle_debounce_seconds: float = _at_least(1.5, 0.0)
    context_warn_percent: int = 20
    context_critical_percent: int = 10
    bell: bool = True
    # `a` inside a tmux other than the agents': a popup (tmux 3.2+) instead of a new window.
    attach_popup: bool = False


@dataclass(frozen=True)
class PathsConfig:
    """`[paths]`: where orchestra puts what it makes. `worktrees` empty: the data dir's
    `worktrees` folder."""

    worktrees: str = ""


# The keys an `[[agent]]` that names a `lane` takes from it when it does not set them itself
# (`cwd` from the lane's `path`; `host`: an agent of a lane on a host runs there).
LANE_INHERITED = ("tool", "command", "repo", "branch", "policy", "forbid", "enforce", "host",
                  "resume_after_limit", "resume_per_day", "auto_approve")
# A lane's and an agent's name: used in file paths and as a tmux session name.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class HostConfig:
    """`[[host]]`: another machine whose tmux server runs agents, reached with OpenSSH.

    `ssh` is a destination as ssh takes it (an alias of `~/.ssh/config`, `user@host`,
    `ssh://user@host:port`); `ssh_options` are extra ssh arguments (`["-i", "~/.ssh/gpu"]`);
    `socket_name` / `socket_path` pick the tmux server there, as `-L` / `-S` do; `tmux` is
    the program there (a path when it is not on the PATH of ssh's non-interactive shell)."""

    name: str
    ssh: str
    ssh_options: tuple[str, ...] = ()
    socket_name: str | None = None
    socket_path: str | None = None
    connect_timeout: float = _at_least(5.0, 0.5)  # ssh's ConnectTimeout, seconds
    # The tmux program there: ssh's non-interactive shell may not have it on PATH (Homebrew's
    # /opt/homebrew/bin on a Mac).
    tmux: str = "tmux"


TERMINAL_STYLES = ("osc9", "osc777", "osc99", "bell", "off")
NOTIFY_KINDS = ("approval", "blocked", "limit", "stuck", "exited", "done", "rule", "test")
RULE_STATES = ("approval", "blocked", "stuck", "idle", "exited", "unknown", "working")
RULE_ACTIONS = ("notify", "queue", "continue", "restart")


@dataclass(frozen=True)
class NotifyConfig:
    """`[notify]`: the channels that find the person away from the app, and when they speak.
    `urls` are apprise URLs (they hold secrets: never shown); `kinds` maps an event kind to
    the channel names it goes to ("terminal", "desktop", "push", "command")."""

    terminal: str = "osc9"
    desktop: bool = False
    urls: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    quiet_hours: str = ""  # "22:00-07:00"; empty: none
    per_minute: int = 6
    when_focused: bool = False
    kinds: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class RuleConfig:
    """`[[rule]]`: when an agent has been in `state`, its reason matching `reason` (RE2), for
    `after` seconds, do `action` at most `per_day` times a day per agent."""

    name: str
    state: str
    action: str
    after: float = 600.0
    reason: str = ""
    prompt: str = ""
    per_day: int = 3


@dataclass(frozen=True)
class Config:
    """A loaded config. `exists` is False when the default file is absent (an empty config)."""

    path: Path
    exists: bool = False
    agents: tuple[AgentSpec, ...] = ()
    tmux: TmuxConfig = field(default_factory=TmuxConfig)
    github: GitHubConfig = field(default_factory=GitHubConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    lanes: tuple[LaneSpec, ...] = ()
    paths: PathsConfig = field(default_factory=PathsConfig)
    hosts: tuple[HostConfig, ...] = ()  # `[[host]]`: machines reached over ssh
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    rules: tuple[RuleConfig, ...] = ()  # `[[rule]]`: routine stalls resolved
    # `[[tool]]`: CLIs defined by their markers, read as the built-in profiles are.
    tools: tuple[Profile, ...] = ()

    def agent(self, name: str) -> AgentSpec | None:
        """The configured agent called `name`, if any."""
        return next((spec for spec in self.agents if spec.name == name), None)

    def host(self, name: str) -> HostConfig | None:
        """The `[[host]]` called `name`, if any."""
        return next((host for host in self.hosts if host.name == name), None)

    def lane(self, name: str) -> LaneSpec | None:
        """The `[[lane]]` called `name`, if any."""
        return next((lane for lane in self.lanes if lane.name == name), None)


def _field(table: type, name: str) -> Any:
    found = next((f for f in fields(table) if f.name == name), None)
    if found is None:
        raise KeyError(f"{table.__name__} has no field {name!r}")
    return found


def default_of(table: type, name: str) -> Any:
    """The default of field `name` of the dataclass `table`."""
    found = _field(table, name)
    if found.default is not MISSING:
        return found.default
    if found.default_factory is not MISSING:
        return found.default_factory()
    raise KeyError(f"{table.__name__}.{name} has no default")


def minimum_of(table: type, name: str) -> float:
    """The least value the checker accepts for number field `name` of `table`."""
    return float(_field(table, name).metadata["minimum"])
