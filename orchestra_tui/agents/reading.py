"""One capture read: which tool drew it, and what state it shows.

>>> classify("• Working (12s • esc to interrupt)", "codex").state
<State.WORKING: 'working'>
"""

from __future__ import annotations

from orchestra_tui.agents.engine import classify_screen, detect_in
from orchestra_tui.agents.profiles import PROFILES
from orchestra_tui.agents.text import Screen
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
                         reason="unknown: no agent recognised on screen", rule="unknown")
    return classify_screen(parsed, name)
