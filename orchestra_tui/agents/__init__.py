"""What an agent CLI's screen means: pure functions over text, no I/O.

The names below load on first use: the hook program imports `agents.names` on every event and
must not pay for the screen reader's patterns.

>>> from orchestra_tui.agents import classify
>>> classify("• Working (12s • esc to interrupt)", "codex").state
<State.WORKING: 'working'>
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "is_agent_tool": "names", "agent_tools": "names", "tool_names": "names",
    "SHELLS": "names", "TOOL_NAMES": "names", "shell_name": "names",
    "tool_from_command": "commands", "draft_pending": "draft", "answer_keys": "keys",
    "PROFILES": "profiles", "use_profiles": "profiles", "fingerprint": "text",
    "AgentTracker": "tracker",
    "Tracked": "tracker", "reset_time": "walls", "classify": "reading",
    "detect_tool": "reading", "UNKNOWN_TOOL": "reading",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
