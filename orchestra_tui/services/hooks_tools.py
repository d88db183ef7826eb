"""What each agent CLI needs to report its events to orchestra: which files, which events, which
handler shape, and the command line of the hook program.

- Claude Code: `hooks` in `~/.claude/settings.json` (`$CLAUDE_CONFIG_DIR`), or the project's
  `.claude/settings.local.json` (personal, not committed: the command names this machine's
  interpreter). Claude Code shows a blocking warning for an event it does not know, so the
  events follow the installed version (`claude --version`).
- Codex: `hooks` in `~/.codex/hooks.json` (`$CODEX_HOME`) or the project's `.codex/hooks.json`
  (Codex asks the person to trust new hooks once, in its `/hooks`), and the older `notify`
  program in `config.toml` for turn ends, when the person has none of their own.
- Gemini CLI: `hooks` in `~/.gemini/settings.json` or the project's `.gemini/settings.json`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestra_tui.services.hooks_files import Edit, json_hooks_edit

TOOLS = ("claude", "codex", "gemini")
HOOK_MODULE = "orchestra_tui.commands.hook"
HANDLER_SECONDS = 10
VERSION_SECONDS = 15.0

# Claude Code events: the base set every 2.x knows, the rest checked with 2.1.332.
CLAUDE_BASE_EVENTS = ("SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse",
                      "PermissionRequest", "Notification", "Stop", "SessionEnd")
CLAUDE_NEWER_EVENTS = ("PostToolUseFailure", "StopFailure")
CLAUDE_CHECKED_VERSION = (2, 1, 332)
CODEX_EVENTS = ("SessionStart", "UserPromptSubmit", "PreToolUse", "PermissionRequest",
                "PostToolUse", "Stop")
GEMINI_EVENTS = ("SessionStart", "BeforeAgent", "BeforeTool", "AfterTool", "Notification",
                 "AfterAgent", "PreCompress", "SessionEnd")


@dataclass(frozen=True)
class HookProgram:
    """Which orchestra the installed hooks report to: its interpreter, data dir and config."""

    data_dir: Path
    config: Path
    python: str = sys.executable

    def argv(self, tool: str, agent: str = "") -> list[str]:
        argv = [self.python, "-m", HOOK_MODULE, "--tool", tool,
                "--data-dir", str(self.data_dir), "--config", str(self.config)]
        return argv + (["--agent", agent] if agent else [])

    def shell(self, tool: str, agent: str = "") -> str:
        return shlex.join(self.argv(tool, agent))


def is_orchestra_command(command: object) -> bool:
    """An installed hook command (a shell string or an argv list) that runs orchestra's hook."""
    if isinstance(command, list):
        command = " ".join(str(part) for part in command)
    return isinstance(command, str) and HOOK_MODULE in command


def is_orchestra_handler(handler: dict[str, Any]) -> bool:
    return is_orchestra_command(handler.get("command"))


# -- where ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One file that carries a tool's hooks: `kind` is "hooks" (a JSON hooks table) or
    "notify" (Codex's config.toml `notify`)."""

    tool: str
    kind: str
    path: Path
    scope: str  # "user" or the project directory


def _home() -> Path:
    return Path(os.path.expanduser("~"))


def targets(tool: str, project: Path | None = None) -> list[Target]:
    scope = str(project) if project is not None else "user"
    if tool == "claude":
        base = Path(os.environ.get("CLAUDE_CONFIG_DIR") or _home() / ".claude")
        path = project / ".claude" / "settings.local.json" if project else base / "settings.json"
        return [Target(tool, "hooks", path, scope)]
    if tool == "codex":
        base = Path(os.environ.get("CODEX_HOME") or _home() / ".codex")
        directory = project / ".codex" if project else base
        return [Target(tool, "hooks", directory / "hooks.json", scope),
                Target(tool, "notify", directory / "config.toml", scope)]
    if tool == "gemini":
        directory = project / ".gemini" if project else _home() / ".gemini"
        return [Target(tool, "hooks", directory / "settings.json", scope)]
    raise ValueError(f"unknown tool {tool!r}")


# -- which events ---------------------------------------------------------------------------------


def parse_version(text: str) -> tuple[int, ...] | None:
    """`2.1.332 (Claude Code)` -> (2, 1, 332)."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text or "")
    return tuple(int(part) for part in match.groups()) if match else None


def installed_version(tool: str) -> tuple[int, ...] | None:
    """The version of the tool's CLI on PATH (`claude --version`), or None when absent."""
    program = shutil.which(tool)
    if program is None:
        return None
    try:
        done = subprocess.run([program, "--version"], capture_output=True, text=True,
                              timeout=VERSION_SECONDS, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_version(done.stdout)


def claude_events(version: tuple[int, ...] | None) -> tuple[str, ...]:
    """All events orchestra uses for a version at least as new as the one checked (or when no
    Claude Code is installed yet); only the base set for an older one."""
    if version is not None and version < CLAUDE_CHECKED_VERSION:
        return CLAUDE_BASE_EVENTS
    return CLAUDE_BASE_EVENTS + CLAUDE_NEWER_EVENTS


def hook_groups(tool: str, program: HookProgram, *, agent: str = "",
                version: tuple[int, ...] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The matcher groups orchestra adds under `hooks`, per event. No matcher: every tool."""
    command = program.shell(tool, agent)
    if tool == "claude":
        handler: dict[str, Any] = {"type": "command", "command": command,
                                   "timeout": HANDLER_SECONDS}
        events = claude_events(version)
    elif tool == "codex":
        handler = {"type": "command", "command": command, "timeout": HANDLER_SECONDS}
        events = CODEX_EVENTS
    elif tool == "gemini":
        handler = {"name": "orchestra", "type": "command", "command": command,
                   "timeout": HANDLER_SECONDS * 1000, "description": "report state to orchestra"}
        events = GEMINI_EVENTS
    else:
        raise ValueError(f"unknown tool {tool!r}")
    return {event: [{"hooks": [dict(handler)]}] for event in events}


# -- Codex notify in config.toml ------------------------------------------------------------------

NOTIFY_COMMENT = "# orchestra: turn ends reported by its hook program (`orchestra hooks remove`)"


def toml_string_array(items: list[str]) -> str:
    """A TOML array of basic strings (JSON string escaping is valid TOML)."""
    import json

    return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "]"


def notify_block(program: HookProgram) -> str:
    return f"{NOTIFY_COMMENT}\nnotify = {toml_string_array(program.argv('codex'))}\n"


def _notify_lines(text: str) -> re.Match[str] | None:
    return re.search(r"(?m)^" + re.escape(NOTIFY_COMMENT) + r"\nnotify = \[[^\n]*\]\n", text)


def notify_edit(path: Path, program: HookProgram) -> Edit:
    """Codex's `notify = [...]` as the first lines of config.toml (before any table, so it is
    a top-level key). A person's own notify program is never replaced: then nothing is added
    (`add` returns the bytes unchanged) and turn ends come from the hooks alone."""

    def present(data: bytes | None) -> bool:
        return data is not None and _notify_lines(data.decode("utf-8", "replace")) is not None

    def strip(data: bytes) -> bytes:
        text = data.decode("utf-8")
        match = _notify_lines(text)
        return (text[:match.start()] + text[match.end():]).encode() if match else data

    def add(data: bytes | None) -> bytes:
        import tomllib

        rest = strip(data) if data else b""
        try:
            document = tomllib.loads(rest.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return data or b""  # a file Codex itself cannot read: left alone
        if "notify" in document:
            return data or b""
        block = notify_block(program).encode()
        if data is not None and present(data) and _notify_lines(data.decode()).group(0) == (
                block.decode()):
            return data
        return block + rest

    return Edit(present=present, add=add, strip=strip)


def has_own_notify(data: bytes | None) -> bool:
    """The person's config.toml names a notify program of their own."""
    if not data:
        return False
    import tomllib

    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    notify = document.get("notify")
    return notify is not None and not is_orchestra_command(notify)


def edit_for(target: Target, program: HookProgram, *,
             version: tuple[int, ...] | None = None) -> Edit:
    if target.kind == "notify":
        return notify_edit(target.path, program)
    return json_hooks_edit(target.path, hook_groups(target.tool, program, version=version),
                           is_orchestra_handler)
