"""One profile per tool, keyed by the names in `agents.names.TOOL_NAMES`."""

from __future__ import annotations

from orchestra_tui.agents.profiles import (
    aider,
    claude,
    codex,
    copilot,
    gemini,
    opencode,
    qwen,
    shell,
)
from orchestra_tui.agents.profiles.base import Profile

PROFILES: dict[str, Profile] = {
    p.name: p for p in (codex.PROFILE, claude.PROFILE, gemini.PROFILE, aider.PROFILE,
                        opencode.PROFILE, copilot.PROFILE, qwen.PROFILE, shell.PROFILE)
}

__all__ = ["PROFILES", "Profile"]
