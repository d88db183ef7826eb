"""What an agent CLI's screen means: pure functions over text, no I/O.

>>> classify("• Working (12s • esc to interrupt)", "codex").state
<State.WORKING: 'working'>
"""

from __future__ import annotations

from orchestra_tui.agents.commands import tool_from_command
from orchestra_tui.agents.draft import draft_pending
from orchestra_tui.agents.engine import classify_screen, detect_in
from orchestra_tui.agents.keys import answer_keys
from orchestra_tui.agents.names import AGENT_TOOLS, SHELLS, TOOL_NAMES, shell_name
from orchestra_tui.agents.profiles import PROFILES
from orchestra_tui.agents.text import Screen, fingerprint
from orchestra_tui.agents.tracker import AgentTracker, Tracked
from orchestra_tui.agents.walls import reset_time
from orchestra_tui.models import Detection, State

UNKNOWN_TOOL = "unknown"


def detect_tool(screen: str) -> str | None:
    """The tool whose screen this is ("codex", "claude", "gemini", "aider", "shell"), or None."""
    return detect_in(Screen(screen))


def classify(screen: str, tool: str | None = None) -> Detection:
    """Read one capture. With `tool` None (or "auto") the tool is recognised from the screen;
    when nothing matches, the detection names tool "unknown" with state unknown."""
    parsed = Screen(screen)
    name = tool if tool in PROFILES else None
    if name is None:
        name = detect_in(parsed)
    if name is None:
        label = tool if tool and tool != "auto" else UNKNOWN_TOOL
        return Detection(tool=label, state=State.UNKNOWN,
                         reason="unknown: no agent recognised on screen")
    return classify_screen(parsed, name)


__all__ = [
    "AGENT_TOOLS", "PROFILES", "SHELLS", "TOOL_NAMES", "UNKNOWN_TOOL", "AgentTracker", "Tracked",
    "answer_keys", "classify", "detect_tool", "draft_pending", "fingerprint", "reset_time",
    "shell_name", "tool_from_command",
]
