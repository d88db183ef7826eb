"""The `[[agent]]` tables `orchestra init` writes from what runs in tmux, here or on a
`[[host]]` (`init.py`, `init_host.py` both use it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from orchestra_tui.config.schema import TOOL_CHOICES
from orchestra_tui.models import AgentSpec

__all__ = ["specs_from_panes"]


def specs_from_panes(discovered: Sequence[Any]) -> list[AgentSpec]:
    """One AgentSpec per pane that runs an agent CLI (`.tool` set and not "shell"; discovered
    panes have `.pane: PaneInfo`, `.argv`, `.tool`). Named after the session; `-<window>` is
    added when a session has several agent panes, `.<pane>` when a window has several; a clash
    gets `-2`, `-3`."""
    agents = [d for d in discovered if d.tool and d.tool != "shell" and not d.pane.dead]
    panes = sorted(agents, key=lambda d: (d.pane.session_name, d.pane.window_index,
                                          d.pane.pane_index))
    per_session = Counter(d.pane.session_name for d in panes)
    per_window = Counter((d.pane.session_name, d.pane.window_index) for d in panes)
    used: set[str] = set()
    specs: list[AgentSpec] = []
    for found in panes:
        pane = found.pane
        name = pane.session_name.strip() or "agent"
        if per_session[pane.session_name] > 1:
            name += f"-{pane.window_index}"
            if per_window[(pane.session_name, pane.window_index)] > 1:
                name += f".{pane.pane_index}"
        unique, suffix = name, 2
        while unique in used:
            unique, suffix = f"{name}-{suffix}", suffix + 1
        used.add(unique)
        tool = found.tool if found.tool in TOOL_CHOICES else "auto"
        specs.append(AgentSpec(name=unique, tool=tool, command=found.argv or "",
                               cwd=pane.current_path or "", target=pane.target))
    return specs
