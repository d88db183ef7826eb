"""Hooks that report through the agent's own tmux pane, for agents orchestra starts where its
hook program is not at hand (a `[[host]]`: orchestra, its data dir and its socket are on this
machine, the agent on that one).

Each event's hook is a line of POSIX shell that sets a pane option, `@orchestra-hook`, to the
event's name and the host's clock (epoch seconds):

    tmux set-option -p -t "$TMUX_PANE" @orchestra-hook "PermissionRequest 1795911360"

The hook inherits the agent's environment, so `$TMUX` names the tmux server of its pane and
`$TMUX_PANE` the pane; nothing but tmux is needed there. orchestra reads the option with every
poll (it is one more field of the pane list it asks for anyway, over the host's connection).
A value that changed between two polls is an event of that moment, timed by orchestra's clock;
one found at a first look (`orchestra status`) is as old as the host's clock says. Only
events whose name alone tells a state are marked: what a notification is about, or why a
session started or ended, stays the screen's to tell.

>>> print(mark_command("Stop").replace("; ", ";\\n"))
cat >/dev/null 2>&1;
tmux set-option -p -t "$TMUX_PANE" @orchestra-hook "Stop $(date +%s)" >/dev/null 2>&1;
exit 0
>>> mark_event("PermissionRequest 1795911360"), mark_event(""), mark_event("rm -rf 1")
(('PermissionRequest', 1795911360.0), None, None)
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from orchestra_tui.services.hooks.tools import (
    CODEX_EVENTS,
    HANDLER_SECONDS,
    MARK_OPTION,
    codex_override,
)

__all__ = ["MARK_EVENTS", "MARK_OPTION", "mark_args", "mark_command", "mark_event"]

# Events whose name alone tells a state (agents.hook_events.meaning), per tool.
MARK_EVENTS = {
    "claude": ("UserPromptSubmit", "PreToolUse", "PostToolUse", "PermissionRequest", "Stop"),
    "codex": tuple(event for event in CODEX_EVENTS if event != "SessionStart"),
}


def mark_command(event: str, tmux: str = "tmux") -> str:
    """The hook's shell line for `event`: drain the event's JSON, set the pane option, never
    fail (an observing hook must not stop the agent)."""
    return (f"cat >/dev/null 2>&1; {shlex.quote(tmux)} set-option -p -t \"$TMUX_PANE\" "
            f"{MARK_OPTION} \"{event} $(date +%s)\" >/dev/null 2>&1; exit 0")


def mark_event(value: str) -> tuple[str, float] | None:
    """(event, the host's epoch seconds) a pane option's value tells; None for an empty or
    foreign value."""
    words = value.split()
    if len(words) != 2 or not words[1].isdigit():
        return None
    known = {event for events in MARK_EVENTS.values() for event in events}
    return (words[0], float(words[1])) if words[0] in known else None


def _groups(tool: str, tmux: str) -> dict[str, list[dict[str, Any]]]:
    return {event: [{"hooks": [{"type": "command", "command": mark_command(event, tmux),
                                "timeout": HANDLER_SECONDS}]}]
            for event in MARK_EVENTS[tool]}


def mark_args(tool: str, tmux: str = "tmux") -> tuple[str, ...]:
    """What to add after the tool's program so it marks its pane on each event: Claude Code
    takes settings as a JSON string (`--settings`), Codex a `-c` layer with the hooks and
    their trust. Nothing for another tool."""
    if tool == "claude":
        return ("--settings", json.dumps({"hooks": _groups("claude", tmux)},
                                         separators=(",", ":")))
    if tool == "codex":
        return ("-c", codex_override(_groups("codex", tmux)))
    return ()
