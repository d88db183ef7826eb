"""Writing the config: TOML with `tomli_w`, only the values that differ from the schema's
defaults, so loading it back gives an equal config; and the commented starter config that
`orchestra init` writes (checked to load back before it is written).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import tomli_w

from orchestra_tui.config.check import parse_config
from orchestra_tui.config.schema import (
    LANE_INHERITED,
    Config,
    GitHubConfig,
    HostConfig,
    PathsConfig,
    TmuxConfig,
    UiConfig,
)
from orchestra_tui.errors import ConfigError
from orchestra_tui.models import AgentSpec, LaneSpec
from orchestra_tui.paths import atomic_write, display_path


def _changed(value: object, default: object) -> dict[str, Any]:
    """The fields of dataclass `value` that differ from `default`'s, None left out."""
    out: dict[str, Any] = {}
    for f in fields(value):  # type: ignore[arg-type]
        item = getattr(value, f.name)
        if item is None or item == getattr(default, f.name):
            continue
        out[f.name] = list(item) if isinstance(item, tuple) else item
    return out


def _agent_table(spec: AgentSpec, lane: LaneSpec | None = None) -> dict[str, Any]:
    table: dict[str, Any] = {"name": spec.name}
    table.update(_changed(spec, AgentSpec(name=spec.name)))
    if lane is not None:
        # A default value that differs from its lane's is written too, or the lane's would
        # come back on load.
        for key in (*LANE_INHERITED, "cwd"):
            value = getattr(spec, key)
            if key not in table and value != (lane.path if key == "cwd" else getattr(lane, key)):
                table[key] = list(value) if isinstance(value, tuple) else value
    return table


def _lane_table(lane: LaneSpec) -> dict[str, Any]:
    table: dict[str, Any] = {"name": lane.name}
    table.update(_changed(lane, LaneSpec(name=lane.name)))
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
                                ("ui", config.ui, UiConfig()),
                                ("paths", config.paths, PathsConfig())):
        table = _changed(value, default)
        if table:
            document[key] = table
    # Each agent as its own `[[agent]]` table: tomli_w would write short ones inline.
    chunks = [_dumps(document)] if document else []
    chunks += ["[[host]]\n" + _dumps({"name": host.name, "ssh": host.ssh,
                                      **_changed(host, HostConfig(host.name, host.ssh))})
               for host in config.hosts]
    chunks += ["[[lane]]\n" + _dumps(_lane_table(lane)) for lane in config.lanes]
    chunks += ["[[agent]]\n" + _dumps(_agent_table(spec, config.lane(spec.lane)))
               for spec in config.agents]
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
#   tool     codex, claude, gemini, aider, opencode, copilot, qwen, shell or auto
#   command  how `orchestra restart NAME` starts it again
#   cwd      its working directory (~ is expanded)
#   target   tmux session, session:window, session:window.pane or %pane_id
#   repo     its lane: owner/name on GitHub, for its PRs, review threads and issues
#   branch   glob of its PR head branches, e.g. "fix/*" (default "*")
#   policy   rules put into every handoff, e.g. "ArgoCD watches k8s/; all changes via git"
#   forbid   regexes of commands to raise alerts on, e.g. ["kubectl apply", "--no-verify"]
#   lane     the [[lane]] it takes what it does not set from
#   host     the [[host]] it runs on (default: this machine's tmux server)
# [[lane]]: a template for agents on one repository (`orchestra new NAME --lane LANE`):
#   name, repo, branch (a pattern with *, e.g. "codex/*"), tool, command, policy, forbid,
#   enforce as above; path: the local clone each new agent gets its own worktree of
# Other tables (all optional):
#   [tmux]   socket_name = "NAME" or socket_path = "PATH" (as tmux -L / -S)
#   [github] api_url, host (GitHub Enterprise), repos = ["owner/name"], refresh_seconds,
#            assign_template (fields {number} {url} {title} {repo} {branch})
#   [ui]     theme, poll_seconds, stuck_after_seconds, idle_debounce_seconds,
#            context_warn_percent, context_critical_percent, bell
#   [paths]  worktrees = "PATH" (where new agents' worktrees go; default: the data dir's)
#   [[host]] name, ssh (an ssh destination: alias, user@host, ssh://user@host:port),
#            ssh_options = ["-i", "KEY"], socket_name / socket_path (its tmux server),
#            connect_timeout, tmux (the program there, when not on ssh's PATH): agents
#            on another machine, through OpenSSH and tmux there

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
