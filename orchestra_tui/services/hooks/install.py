"""`orchestra hooks install|remove|status`: orchestra's entries in the agent CLIs' settings, and
the launch-time injection for agents orchestra starts itself.

>>> import tempfile; home = Path(tempfile.mkdtemp()); (home / "repo").mkdir()
>>> program = HookProgram(data_dir=home / "data", config=home / "config.toml", python="/py")
>>> [c.action for c in install("gemini", program, project=home / "repo")]
['installed']
>>> [c.action for c in install("gemini", program, project=home / "repo")]
['unchanged']
>>> [c.action for c in remove("gemini", home / "data", project=home / "repo")]
['deleted']
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from orchestra_tui.errors import OrchestraError
from orchestra_tui.paths import atomic_write, display_path
from orchestra_tui.services.hooks.files import (
    BACKUP_SUFFIX,
    Change,
    Manifest,
    apply_install,
    apply_remove,
    load_json,
    read_bytes,
)
from orchestra_tui.services.hooks.tools import (
    TOOLS,
    TRUST_COMMENT,
    HookProgram,
    Target,
    codex_launch_override,
    edit_for,
    hook_groups,
    installed_version,
    is_orchestra_handler,
    targets,
    toml_obstacle,
)

__all__ = ["TOOLS", "Change", "HookProgram", "LaunchInjection", "StatusRow", "install",
           "launch_injection", "remove", "status", "with_hooks"]


def _check_tool(tool: str) -> None:
    if tool not in TOOLS:
        raise OrchestraError(f"unknown tool {tool!r}: hooks exist for {', '.join(TOOLS)}")


def _check_project(project: Path | None) -> Path | None:
    if project is None:
        return None
    project = Path(project).expanduser().resolve()
    if not project.is_dir():
        raise OrchestraError(f"{display_path(project)}: no such project directory")
    return project


def install(tool: str, program: HookProgram, *, project: Path | None = None,
            version: tuple[int, ...] | None = None) -> list[Change]:
    """Merge orchestra's entries into the tool's user (or `project`) settings. `version`
    defaults to the installed CLI's (it decides which Claude Code events are known)."""
    _check_tool(tool)
    project = _check_project(project)
    if version is None and tool == "claude":
        version = installed_version(tool)
    manifest = Manifest(program.data_dir)
    changes = []
    for target in targets(tool, project):
        if target.kind == "trust":
            reason = toml_obstacle(read_bytes(target.path))
            if reason:
                changes.append(Change(target.path, "skipped", reason))
                continue
        changes.append(apply_install(target.path, edit_for(target, program, version=version),
                                     manifest))
    return changes


def remove(tool: str, data_dir: Path, *, project: Path | None = None) -> list[Change]:
    """Take out only orchestra's entries: the file as before install when nobody changed it
    since, else the file with orchestra's entries stripped."""
    _check_tool(tool)
    project = _check_project(project)
    manifest = Manifest(data_dir)
    placeholder = HookProgram(data_dir=Path(data_dir), config=Path(data_dir))
    changes = []
    for target in targets(tool, project):
        change = apply_remove(target.path, edit_for(target, placeholder), manifest)
        if target.kind == "plugin" and change.action == "stripped":
            # A plugin file is wholly orchestra's: changed since install, it goes all the same.
            target.path.unlink(missing_ok=True)
            change = Change(target.path, "deleted", "orchestra's own file")
        changes.append(change)
    return changes


# -- status ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusRow:
    tool: str
    scope: str
    path: Path
    installed: bool
    events: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()  # the distinct hook commands found
    problems: tuple[str, ...] = field(default=())
    other_config: str = ""  # a config its hooks read that is not the one status was given

    def line(self) -> str:
        where = display_path(self.path)
        if not self.installed:
            return f"{self.tool:<8} {self.scope:<5} {where}: not installed"
        text = f"{self.tool:<8} {self.scope:<5} {where}: installed"
        if self.events:
            text += f" ({', '.join(self.events)})"
        return text + "".join(f"\n        ! {problem}" for problem in self.problems)


def _problems(commands: tuple[str, ...], data_dir: Path | None,
              config: Path | None = None) -> tuple[str, ...]:
    problems = []
    for command in commands:
        try:
            argv = shlex.split(command)
        except ValueError:
            problems.append(f"unreadable command: {command}")
            continue
        if argv and not os.access(argv[0], os.X_OK):
            problems.append(f"interpreter missing: {argv[0]} (install again)")
        if data_dir is not None and "--data-dir" in argv:
            named = argv[argv.index("--data-dir") + 1:][:1]
            if named and Path(named[0]) != Path(data_dir):
                problems.append(f"reports to another data dir: {named[0]}")
        other = _other_config(argv, config)
        if other and config is not None:  # (only a config of ours can have another one)
            problems.append(f"enforces by another config: {other} (this orchestra reads "
                            f"{display_path(config)}): install again, or run orchestra "
                            f"with --config {other}")
    return tuple(problems)


def _other_config(argv: list[str], config: Path | None) -> str:
    """The config a hook's argv names with `--config` when it is not `config`, else ""."""
    if config is None or "--config" not in argv:
        return ""
    named = argv[argv.index("--config") + 1:][:1]
    return named[0] if named and _resolved(Path(named[0])) != _resolved(config) else ""


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError):
        return path


def _status_of(target: Target, data_dir: Path | None, config: Path | None = None
               ) -> StatusRow:
    data = read_bytes(target.path)
    if target.kind == "plugin":
        from orchestra_tui.agents.opencode_hooks import EVENTS
        from orchestra_tui.services.hooks.opencode import plugin_argv

        argv = plugin_argv(data)
        if argv is None:
            return StatusRow(target.tool, target.scope, target.path, False)
        command = shlex.join(argv)
        return StatusRow(target.tool, target.scope, target.path, True, EVENTS, (command,),
                         _problems((command,), data_dir, config),
                         other_config=_other_config(argv, config))
    if target.kind == "trust":
        trusted = (data or b"").decode("utf-8", "replace").count(TRUST_COMMENT + "\n")
        return StatusRow(target.tool, target.scope, target.path, bool(trusted),
                         (f"trust of {trusted} hooks",) if trusted else ())
    try:
        document = load_json(data, target.path)
    except OrchestraError as error:
        return StatusRow(target.tool, target.scope, target.path, False, problems=(str(error),))
    events: list[str] = []
    commands: list[str] = []
    for event, groups in (document.get("hooks") or {}).items():
        for group in groups if isinstance(groups, list) else []:
            handlers = group.get("hooks") if isinstance(group, dict) else None
            for handler in handlers if isinstance(handlers, list) else []:
                if isinstance(handler, dict) and is_orchestra_handler(handler):
                    events.append(event) if event not in events else None
                    command = str(handler.get("command"))
                    commands.append(command) if command not in commands else None
    others = [_other_config(_split(command), config) for command in commands]
    return StatusRow(target.tool, target.scope, target.path, bool(events), tuple(events),
                     tuple(commands), _problems(tuple(commands), data_dir, config),
                     other_config=next((other for other in others if other), ""))


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return []


def status(tools: tuple[str, ...] = TOOLS, *, project: Path | None = None,
           data_dir: Path | None = None, config: Path | None = None) -> list[StatusRow]:
    """What is installed where: the user settings of each tool, the project's too when given,
    and any other project orchestra installed into (from its record). A hook that reports to
    another `data_dir` or reads another `config` than the ones given is a problem of its row."""
    project = _check_project(project)
    rows = []
    seen: set[Path] = set()
    for tool in tools:
        _check_tool(tool)
        for scope in (None, project) if project else (None,):
            for target in targets(tool, scope):
                rows.append(_status_of(target, data_dir, config))
                seen.add(target.path)
    if data_dir is not None:
        for path_text in sorted(Manifest(data_dir).load()):
            path = Path(path_text)
            if path in seen or path.name.endswith(BACKUP_SUFFIX):
                continue
            for tool in tools:
                for target in targets(tool, _project_of(path)):
                    if target.path == path:
                        rows.append(_status_of(target, data_dir, config))
    return rows


def _project_of(path: Path) -> Path:
    if path.parent.name == "plugins" and path.parent.parent.name == ".opencode":
        return path.parent.parent.parent  # <project>/.opencode/plugins/orchestra.js
    return path.parent.parent  # <project>/.claude/settings.local.json and the like


# -- agents orchestra starts itself ---------------------------------------------------------------


@dataclass(frozen=True)
class LaunchInjection:
    """What to add to a tool's command line (`args`, right after the program) and environment
    (`env`) so the agent reports to orchestra without any change to the person's files."""

    tool: str
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    note: str = ""


def launch_injection(tool: str, program: HookProgram, *, agent: str = "",
                     version: tuple[int, ...] | None = None, enforcing: bool = False,
                     ) -> LaunchInjection:
    """Claude Code: `--settings FILE`, an orchestra-owned settings file with the hooks (merged
    by Claude Code with the person's own). Codex: one `-c hooks={...}` with the hooks and their
    trust, a layer for this run only over the person's own files. Gemini CLI: none
    (no extra-settings flag; 0.61 reads a system settings or defaults file named in its
    environment only when root owns it and every folder above): install its hooks with
    `orchestra hooks install`. `agent`
    names the configured agent, so the hook needs no tmux lookup to enforce its lane;
    `enforcing` (its spec's `enforce`) lets the hook fail closed for it when the config cannot
    be read at all."""
    _check_tool(tool)
    if tool == "claude":
        directory = Path(program.data_dir) / "hooks"
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"claude-settings-{_file_safe(agent)}.json" if agent else "claude-settings.json"
        path = directory / name
        groups = hook_groups("claude", program, agent=agent, version=version,
                             enforcing=enforcing)
        data = (json.dumps({"hooks": groups}, indent=2) + "\n").encode()
        if read_bytes(path) != data:
            atomic_write(path, data)
        return LaunchInjection(tool, args=("--settings", str(path)))
    if tool == "codex":
        return LaunchInjection(tool, args=("-c", codex_launch_override(program, agent,
                                                                       enforcing)))
    name = {"qwen": "Qwen Code", "copilot": "Copilot CLI",
            "opencode": "opencode"}.get(tool, "Gemini CLI")
    return LaunchInjection(tool, note=f"{name} takes no extra settings file at launch: "
                                      f"run `orchestra hooks install --tool {tool}`")


def with_hooks(command: str, injection: LaunchInjection) -> str:
    """`command` (a shell command line whose first word is the tool) with the injection's
    arguments right after the program and its environment in front.

    >>> with_hooks("claude --model opus", LaunchInjection("claude", ("--settings", "/x y")))
    "claude --settings '/x y' --model opus"
    """
    words = command.strip().split(None, 1)
    if not words:
        return command
    args = " ".join(shlex.quote(arg) for arg in injection.args)
    env = " ".join(f"{name}={shlex.quote(value)}" for name, value in injection.env)
    middle = f" {args}" if args else ""
    rest = f" {words[1]}" if len(words) > 1 else ""
    return f"{env + ' ' if env else ''}{words[0]}{middle}{rest}"


def _file_safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)[:64]
