"""opencode's plugin events in Claude Code's terms: pure, no I/O.

opencode (checked with 1.18.33) has no hooks settings; it loads JS plugins from its config
dirs' `plugins/` folders. Orchestra's plugin (`services.hooks.opencode`) runs the hook program
with `--event NAME` and a JSON payload for each of these, which this module turns into the
Claude Code event the rest of orchestra reads:

- `chat.message` (a plugin hook, as a prompt goes in) -> UserPromptSubmit, with the prompt's
  text parts as `prompt` (a delivery receipt); for a sub-agent's session SubagentStart;
- `tool.execute.before` (a plugin hook, before the tool's permission check: throwing there
  blocks the call) -> PreToolUse, its `args` as `tool_input`;
- `permission.asked` (a bus event, as its "Permission required" dialog opens) ->
  PermissionRequest, the asked command (`metadata.command`) as `tool_input.command`;
- `permission.replied` once/always -> PreToolUse with no input (the call goes ahead: working,
  nothing to judge again); reject -> nothing (the turn ends: `session.idle` follows);
- `tool.execute.after` -> PostToolUse;
- `question.asked` (its question tool waits for the person) -> Notification elicitation_dialog;
- `session.idle` -> Stop, or StopFailure when the plugin saw `session.error` for the session
  since its last prompt (the error's name as `error_type`), SubagentStop for a sub-agent's;
- `plugin.loaded` (the plugin's start, once per opencode process) -> SessionStart.

The `permission.ask` plugin hook of opencode's docs is never called by 1.18.33 (checked): the
dialog is seen through the `permission.asked` event.

>>> as_claude("tool.execute.before", {"input": {"tool": "bash", "sessionID": "s1"},
...                                   "output": {"args": {"command": "ls"}}, "cwd": "/w"})
{'hook_event_name': 'PreToolUse', 'session_id': 's1', 'cwd': '/w', 'tool_name': 'bash', \
'tool_input': {'command': 'ls'}}
>>> as_claude("permission.asked", {"properties": {"sessionID": "s1", "permission": "bash",
...                                "metadata": {"command": "rm -rf build"}}})["tool_input"]
{'command': 'rm -rf build'}
>>> as_claude("session.idle", {"properties": {"sessionID": "s1"}, "error": "APIError"})
{'hook_event_name': 'StopFailure', 'session_id': 's1', 'error_type': 'APIError'}
"""

from __future__ import annotations

from typing import Any

__all__ = ["EVENTS", "as_claude"]

# The events the plugin reports (what `hooks status` lists for it).
EVENTS = ("plugin.loaded", "chat.message", "tool.execute.before", "permission.asked",
          "permission.replied", "tool.execute.after", "question.asked", "session.idle")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _prompt(parts: object) -> str:
    """The text the person typed: the text parts that opencode did not add itself."""
    if not isinstance(parts, list):
        return ""
    return "\n".join(_text(part.get("text")) for part in parts
                     if isinstance(part, dict) and part.get("type") == "text"
                     and not part.get("synthetic") and _text(part.get("text")))


def as_claude(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload of opencode's `event` as Claude Code would have sent it. An event not known
    here keeps its own name and tells nothing about state."""
    source = _dict(payload.get("input")) or _dict(payload.get("properties"))
    session = _text(source.get("sessionID"))
    child = payload.get("child") is True
    name = event
    out: dict[str, Any] = {}
    if event == "chat.message":
        name = "SubagentStart" if child else "UserPromptSubmit"
        prompt = _prompt(payload.get("parts"))
        if prompt and not child:
            out["prompt"] = prompt
    elif event == "tool.execute.before":
        name = "PreToolUse"
        out["tool_name"] = _text(source.get("tool"))
        args = _dict(payload.get("output")).get("args")
        if isinstance(args, dict):
            out["tool_input"] = args
    elif event == "tool.execute.after":
        name = "PostToolUse"
        out["tool_name"] = _text(source.get("tool"))
    elif event == "permission.asked":
        name = "PermissionRequest"
        out["tool_name"] = _text(source.get("permission"))
        command = _dict(source.get("metadata")).get("command")
        if isinstance(command, str):
            out["tool_input"] = {"command": command}
    elif event == "permission.replied":
        if source.get("reply") not in ("once", "always"):
            return {"hook_event_name": ""}  # rejected: the turn's end tells
        name = "PreToolUse"
        out["tool_name"] = "permission granted"
    elif event == "question.asked":
        name = "Notification"
        out["notification_type"] = "elicitation_dialog"
    elif event == "session.idle":
        name = "SubagentStop" if child else "Stop"
        error = payload.get("error")
        if isinstance(error, str) and error and not child:
            name = "StopFailure"
            out["error_type"] = error
    elif event == "plugin.loaded":
        name = "SessionStart"
        out["source"] = "startup"
    result: dict[str, Any] = {"hook_event_name": name}
    if session:
        result["session_id"] = session
    cwd = payload.get("cwd")
    if isinstance(cwd, str) and cwd:
        result["cwd"] = cwd
    result.update({key: value for key, value in out.items() if value != ""})
    return result
