"""GitHub Copilot CLI's hook events in Claude Code's terms: pure, no I/O.

Copilot CLI (checked with 1.0.102) names its events in camel case and its payload fields so
too (`sessionId`, `toolName`, `toolArgs` for preToolUse, `toolInput` for permissionRequest),
and most payloads do not name their event: the installed handler passes it (`--event`). The
hook program records each event under Claude Code's name and fields, so what an event means
(hook_events.py), delivery receipts and `auto_approve` read it as they read Claude Code's.

>>> as_claude("preToolUse", {"sessionId": "s1", "toolName": "bash", "cwd": "/w",
...                          "toolArgs": '{"command": "ls"}'})
{'hook_event_name': 'PreToolUse', 'session_id': 's1', 'cwd': '/w', 'tool_name': 'bash', \
'tool_input': {'command': 'ls'}}
>>> as_claude("agentStop", {"stopReason": "end_turn"})["hook_event_name"]
'Stop'
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["EVENTS", "as_claude"]

# Copilot CLI's event -> Claude Code's (an event not here keeps its own name, and tells
# nothing about state).
EVENTS = {"sessionStart": "SessionStart", "sessionEnd": "SessionEnd",
          "userPromptSubmitted": "UserPromptSubmit", "preToolUse": "PreToolUse",
          "postToolUse": "PostToolUse", "permissionRequest": "PermissionRequest",
          "notification": "Notification", "agentStop": "Stop", "subagentStop": "SubagentStop"}
# Copilot's field -> Claude Code's, for the fields orchestra reads.
_FIELDS = {"sessionId": "session_id", "cwd": "cwd", "toolName": "tool_name",
           "prompt": "prompt", "source": "source", "notification_type": "notification_type",
           "reason": "reason", "stopReason": "reason"}


def as_claude(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload of Copilot's `event` as Claude Code would have sent it."""
    out: dict[str, Any] = {"hook_event_name": EVENTS.get(event, event)}
    for theirs, ours in _FIELDS.items():
        if theirs in payload and ours not in out:
            out[ours] = payload[theirs]
    tool_input = payload.get("toolArgs", payload.get("toolInput"))
    if isinstance(tool_input, str):  # documented as a JSON string; seen as an object
        try:
            tool_input = json.loads(tool_input)
        except ValueError:
            tool_input = None
    if isinstance(tool_input, dict):
        out["tool_input"] = tool_input
    return out
