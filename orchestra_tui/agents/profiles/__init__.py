"""One profile per tool: the built-in ones, keyed by the names in `agents.names.TOOL_NAMES`,
and the ones a config defines (`[[tool]]`), which `use_profiles` adds at start.

`PROFILES` is one dict, changed in place, so every module that imported it reads the
configured tools too; the config builds their `Profile`s (agents never import the config).
"""

from __future__ import annotations

from collections.abc import Iterable

from orchestra_tui.agents import names
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

BUILT_IN: dict[str, Profile] = {
    p.name: p for p in (codex.PROFILE, claude.PROFILE, gemini.PROFILE, aider.PROFILE,
                        opencode.PROFILE, copilot.PROFILE, qwen.PROFILE, shell.PROFILE)
}
PROFILES: dict[str, Profile] = dict(BUILT_IN)


def use_profiles(configured: Iterable[Profile]) -> None:
    """The built-in profiles and `configured` (a config's tools), replacing any configured
    before. A configured profile never replaces a built-in one (the config refuses the name)."""
    extra = [p for p in configured if p.name not in names.RESERVED_TOOL_NAMES]
    PROFILES.clear()
    PROFILES.update(BUILT_IN)
    PROFILES.update({p.name: p for p in extra})
    names.register_tools({p.name: p.command for p in extra})


__all__ = ["BUILT_IN", "PROFILES", "Profile", "use_profiles"]
