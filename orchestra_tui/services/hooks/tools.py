"""What each agent CLI needs to report its events to orchestra: which files, which events, which
handler shape, and the command line of the hook program.

- Claude Code: `hooks` in `~/.claude/settings.json` (`$CLAUDE_CONFIG_DIR`), or the project's
  `.claude/settings.local.json` (personal, not committed: the command names this machine's
  interpreter). Claude Code shows a blocking warning for an event it does not know, so the
  events follow the installed version (`claude --version`).
- Codex: `hooks` in `~/.codex/hooks.json` (`$CODEX_HOME`) or the project's `.codex/hooks.json`.
  Codex runs a hook only once it is trusted: for the user's hooks.json orchestra writes the
  trust of its own entries into `config.toml` (`[hooks.state."..."]`, as Codex's /hooks does);
  a project's hooks are trusted by the person once, in Codex's /hooks.
- Gemini CLI: `hooks` in `~/.gemini/settings.json` or the project's `.gemini/settings.json`.
  Checked with Gemini CLI 0.61: it runs them (the user's too) only in a folder it trusts, and
  reports a turn as BeforeAgent, PreCompress (trigger "auto", before each model call),
  BeforeTool, Notification ToolPermission while its dialog is up, AfterTool, AfterAgent (also
  after a turn that failed on an API error; nothing after Esc).
- Qwen Code: `hooks` in `~/.qwen/settings.json` or the project's `.qwen/settings.json`, in
  Claude Code's shape and with its event names (handler `timeout` in seconds). Checked with
  Qwen Code 0.24.4 offline: SessionStart at launch, UserPromptSubmit (again when a tool's
  result goes back to the model), PermissionRequest and Notification permission_prompt as its
  dialog opens, PreToolUse after the person allowed the call (before it runs), PostToolUse,
  Stop, Notification idle_prompt; the hook inherits the agent's environment (`TMUX_PANE`).
- GitHub Copilot CLI: a file of its own, `~/.copilot/hooks/orchestra.json` (`$COPILOT_HOME`)
  or the project's `.github/hooks/orchestra.json`: `{"version": 1, "hooks": {event: [handler]}}`
  with camel-case events and a `bash` command per handler. Its payloads do not all name their
  event, so each handler passes `--event`. Checked with Copilot CLI 1.0.102 offline:
  sessionStart and userPromptSubmitted with the first prompt, preToolUse before its
  permission dialog, permissionRequest and notification (permission_prompt) as it opens,
  postToolUse, agentStop at the turn's end.
- opencode: no hooks settings but JS plugins: a file of orchestra's own,
  `~/.config/opencode/plugins/orchestra.js` (`$XDG_CONFIG_HOME`) or the project's
  `.opencode/plugins/orchestra.js`, that runs the hook program for each event
  (`services.hooks.opencode`, events mapped in `agents.opencode_hooks`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestra_tui.services.hooks.files import Edit, flat_hooks_edit, json_hooks_edit

TOOLS = ("claude", "codex", "gemini", "qwen", "copilot", "opencode")
HOOK_MODULE = "orchestra_tui.commands.hook"
MARK_OPTION = "@orchestra-hook"  # the pane option hooks without orchestra at hand set
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
QWEN_EVENTS = CLAUDE_BASE_EVENTS + CLAUDE_NEWER_EVENTS  # all in Qwen Code 0.24.4's HookEventName
COPILOT_EVENTS = ("sessionStart", "userPromptSubmitted", "preToolUse", "postToolUse",
                  "permissionRequest", "notification", "agentStop", "sessionEnd")


@dataclass(frozen=True)
class HookProgram:
    """Which orchestra the installed hooks report to: its interpreter, data dir and config."""

    data_dir: Path
    config: Path
    python: str = sys.executable

    def argv(self, tool: str, agent: str = "", enforcing: bool = False,
             event: str = "") -> list[str]:
        """The hook's command line; `enforcing` records that `agent` was started enforcing,
        so the hook denies its commands when the config cannot be read at all; `event` names
        the event for a CLI whose payload does not (Copilot CLI)."""
        argv = [self.python, "-m", HOOK_MODULE, "--tool", tool,
                "--data-dir", str(self.data_dir), "--config", str(self.config)]
        argv += ["--event", event] if event else []
        argv += ["--agent", agent] if agent else []
        return argv + (["--enforcing"] if agent and enforcing else [])

    def shell(self, tool: str, agent: str = "", enforcing: bool = False, event: str = "") -> str:
        return shlex.join(self.argv(tool, agent, enforcing, event))


def is_orchestra_command(command: object) -> bool:
    """An installed hook command (a shell string or an argv list) that runs orchestra's hook,
    or marks the pane's tmux option for it (`services.hooks_marks`)."""
    if isinstance(command, list):
        command = " ".join(str(part) for part in command)
    return isinstance(command, str) and (HOOK_MODULE in command or MARK_OPTION in command)


def is_orchestra_handler(handler: dict[str, Any]) -> bool:
    """Orchestra's handler: its `command` (Copilot CLI: `bash`) runs orchestra's hook."""
    return is_orchestra_command(handler.get("command") or handler.get("bash"))


# -- where ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One file that carries a tool's hooks: `kind` is "hooks" (a JSON hooks table), "trust"
    (Codex's config.toml, where the trust of orchestra's hooks is kept) or "plugin" (a file
    wholly orchestra's: opencode's plugin)."""

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
        hooks = Target(tool, "hooks", directory / "hooks.json", scope)
        # Codex reads hook trust from the user's config.toml only, never a project's.
        return [hooks] if project else [hooks, Target(tool, "trust", base / "config.toml", scope)]
    if tool in ("gemini", "qwen"):
        directory = project / f".{tool}" if project else _home() / f".{tool}"
        return [Target(tool, "hooks", directory / "settings.json", scope)]
    if tool == "copilot":
        base = Path(os.environ.get("COPILOT_HOME") or _home() / ".copilot")
        directory = project / ".github" / "hooks" if project else base / "hooks"
        return [Target(tool, "hooks", directory / "orchestra.json", scope)]
    if tool == "opencode":
        from orchestra_tui.services.hooks.opencode import PLUGIN_NAME, plugin_dir

        return [Target(tool, "plugin", plugin_dir(project) / PLUGIN_NAME, scope)]
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
                version: tuple[int, ...] | None = None, enforcing: bool = False,
                ) -> dict[str, list[dict[str, Any]]]:
    """The matcher groups orchestra adds under `hooks`, per event. No matcher: every tool."""
    command = program.shell(tool, agent, enforcing)
    if tool == "claude":
        handler: dict[str, Any] = {"type": "command", "command": command,
                                   "timeout": HANDLER_SECONDS}
        events = claude_events(version)
    elif tool == "qwen":
        handler = {"type": "command", "command": command, "timeout": HANDLER_SECONDS}
        events = QWEN_EVENTS
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


# -- Codex: trust of orchestra's own hooks in config.toml ------------------------------------------

# Codex runs a hook from hooks.json only once the person trusted it: its /hooks review writes
# `[hooks.state."<hooks.json>:<event>:<group>:<handler>"] trusted_hash = "sha256:..."` into the
# user's config.toml, the hash taken over the handler's normalized identity (checked with Codex
# 0.171: the same entry its "Trust all" writes). Orchestra writes that entry for its own handlers
# only, each under a marker comment, so the person installed hooks that work at once, and
# `remove` takes exactly those out. When a future Codex hashes differently, the entries are
# merely stale: Codex asks for review as if orchestra had written none.
CODEX_EVENT_KEYS = {"PreToolUse": "pre_tool_use", "PermissionRequest": "permission_request",
                    "PostToolUse": "post_tool_use", "PreCompact": "pre_compact",
                    "PostCompact": "post_compact", "SessionStart": "session_start",
                    "UserPromptSubmit": "user_prompt_submit", "Stop": "stop"}
_MATCHERLESS = ("UserPromptSubmit", "Stop")  # Codex ignores a matcher on these
CODEX_DEFAULT_TIMEOUT = 600
TRUST_COMMENT = "# orchestra: trusts its own hook (`orchestra hooks remove` takes this out)"
_TRUST_BLOCK = re.compile(r"(?m)(?:^\n)?^" + re.escape(TRUST_COMMENT)
                          + r"\n\[hooks\.state\.(\"(?:[^\"\\]|\\.)*\")\]\n"
                          + r"(?:[A-Za-z_]+[ \t]*=[^\n]*\n)*")
SESSION_FLAGS_SOURCE = "/<session-flags>/config.toml"  # where Codex says `-c` hooks come from
# An older orchestra put a `notify` program here; Codex also calls notify for its side threads
# (the title it generates for a session), so it reported idle in the middle of a turn.
NOTIFY_COMMENT = "# orchestra: turn ends reported by its hook program (`orchestra hooks remove`)"
_LEGACY_NOTIFY = re.compile(r"(?m)^" + re.escape(NOTIFY_COMMENT) + r"\nnotify = \[[^\n]*\]\n")


def toml_string(text: str) -> str:
    """A TOML basic string (JSON string escaping is valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def codex_trust_hash(event: str, handler: dict[str, Any], matcher: str | None = None) -> str:
    """The `trusted_hash` Codex keeps for a command handler under `event`: sha256 over the
    canonical (sorted, compact) JSON of the event's key and the group with that one handler,
    its timeout and async flag filled in with Codex's defaults."""
    normalized: dict[str, Any] = {"type": "command", "command": handler.get("command", ""),
                                  "timeout": max(1, int(handler.get("timeout")
                                                        or CODEX_DEFAULT_TIMEOUT)),
                                  "async": bool(handler.get("async", False))}
    if isinstance(handler.get("statusMessage"), str):
        normalized["statusMessage"] = handler["statusMessage"]
    identity: dict[str, Any] = {"event_name": CODEX_EVENT_KEYS[event], "hooks": [normalized]}
    if matcher is not None and event not in _MATCHERLESS:
        identity["matcher"] = matcher
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def codex_trust_entries(source: str, hooks: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, trusted_hash) for every orchestra handler in a Codex `hooks` table read from
    `source` (a hooks.json path, or SESSION_FLAGS_SOURCE for hooks given with `-c`)."""
    entries = []
    for event, groups in hooks.items():
        if event not in CODEX_EVENT_KEYS or not isinstance(groups, list):
            continue
        for group_index, group in enumerate(groups):
            handlers = group.get("hooks") if isinstance(group, dict) else None
            for handler_index, handler in enumerate(handlers or []):
                if isinstance(handler, dict) and is_orchestra_handler(handler):
                    matcher = group.get("matcher")
                    key = f"{source}:{CODEX_EVENT_KEYS[event]}:{group_index}:{handler_index}"
                    entries.append((key, codex_trust_hash(
                        event, handler, matcher if isinstance(matcher, str) else None)))
    return entries


def _parse_toml(data: bytes | None) -> dict[str, Any] | None:
    import tomllib

    try:
        return tomllib.loads((data or b"").decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None


def trust_edit(hooks_json: Path) -> Edit:
    """Orchestra's trust entries for its handlers in `hooks_json`, in the user's config.toml
    (read from hooks.json as install left it, so install writes hooks.json first)."""
    prefix = f"{hooks_json}:"

    def ours(match: re.Match[str]) -> bool:
        key = json.loads(match.group(1))  # a TOML basic string is a JSON string
        return isinstance(key, str) and key.startswith(prefix)

    def present(data: bytes | None) -> bool:
        text = (data or b"").decode("utf-8", "replace")
        return (any(ours(m) for m in _TRUST_BLOCK.finditer(text))
                or _LEGACY_NOTIFY.search(text) is not None)

    def strip(data: bytes) -> bytes:
        text = _LEGACY_NOTIFY.sub("", data.decode("utf-8"))
        return _TRUST_BLOCK.sub(lambda m: "" if ours(m) else m.group(0), text).encode()

    def add(data: bytes | None) -> bytes:
        rest = strip(data) if data else b""
        document = _parse_toml(rest)
        if document is None:
            return data or b""  # a file Codex itself cannot read: left alone
        state = (document.get("hooks") or {}).get("state") or {}
        from orchestra_tui.services.hooks.files import load_json, read_bytes

        hooks = load_json(read_bytes(hooks_json), hooks_json).get("hooks") or {}
        text = rest.decode("utf-8")
        if text and not text.endswith("\n"):
            text += "\n"
        for key, trusted in codex_trust_entries(str(hooks_json), hooks):
            if key in state:
                continue  # the person's own word on this entry (trusted or not) stands
            text += (f"\n{TRUST_COMMENT}\n[hooks.state.{toml_string(key)}]\n"
                     f"trusted_hash = {toml_string(trusted)}\n")
        result = text.encode()
        return data if data is not None and result == data else result

    return Edit(present=present, add=add, strip=strip)


def toml_obstacle(data: bytes | None) -> str:
    """Why orchestra's entries cannot go into this config.toml, or ""."""
    if data and _parse_toml(data) is None:
        return "not valid TOML; left alone (Codex asks to trust the hooks in its /hooks)"
    return ""


def codex_launch_override(program: HookProgram, agent: str = "", enforcing: bool = False
                          ) -> str:
    """One `-c` value giving Codex orchestra's hooks and their trust for this run only: a
    session-flags layer Codex merges over the person's files without writing them."""
    return codex_override(hook_groups("codex", program, agent=agent, enforcing=enforcing))


def codex_override(groups: dict[str, list[dict[str, Any]]]) -> str:
    """The `-c hooks = {...}` value for `groups` (one handler per event) with their trust."""
    events = []
    for event, event_groups in groups.items():
        handler = event_groups[0]["hooks"][0]
        inline = ("{type = \"command\", command = " + toml_string(handler["command"])
                  + f", timeout = {handler['timeout']}}}")
        events.append(f"{event} = [{{hooks = [{inline}]}}]")
    trust = [f"{toml_string(key)} = {{trusted_hash = {toml_string(trusted)}}}"
             for key, trusted in codex_trust_entries(SESSION_FLAGS_SOURCE, groups)]
    return "hooks = {" + ", ".join([*events, "state = {" + ", ".join(trust) + "}"]) + "}"


def copilot_handlers(program: HookProgram, *, agent: str = "", enforcing: bool = False
                     ) -> dict[str, list[dict[str, Any]]]:
    """Copilot CLI's handlers, one per event, each naming its event to the hook program."""
    return {event: [{"type": "command", "bash": program.shell("copilot", agent, enforcing, event),
                     "timeoutSec": HANDLER_SECONDS}] for event in COPILOT_EVENTS}


def edit_for(target: Target, program: HookProgram, *,
             version: tuple[int, ...] | None = None) -> Edit:
    if target.kind == "trust":
        return trust_edit(target.path.with_name("hooks.json"))
    if target.kind == "plugin":
        from orchestra_tui.services.hooks.opencode import owned_edit, plugin_source

        return owned_edit(plugin_source(program.argv(target.tool), HANDLER_SECONDS))
    if target.tool == "copilot":
        return flat_hooks_edit(target.path, copilot_handlers(program), is_orchestra_handler)
    return json_hooks_edit(target.path, hook_groups(target.tool, program, version=version),
                           is_orchestra_handler)
