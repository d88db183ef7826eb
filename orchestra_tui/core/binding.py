"""Which tmux pane each configured agent lives in, from its `target`, without asking tmux again:
the tick's one `list-panes -a` already holds every pane."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from orchestra_tui.models import AgentSpec, PaneInfo


class Bindable(Protocol):
    spec: AgentSpec
    pane: PaneInfo | None


def find_pane(target: str, panes: Sequence[PaneInfo]) -> PaneInfo | None:
    """`%12` (pane id), `session`, `session:window` or `session:window.pane`; the first pane
    in tmux order where the target names a session or window."""
    if not target:
        return None
    if target.startswith("%"):
        return next((pane for pane in panes if pane.pane_id == target), None)
    session, _, rest = target.partition(":")
    window, _, pane_index = rest.partition(".")
    candidates = [
        pane for pane in panes
        if pane.session_name == session
        and (not window or str(pane.window_index) == window)
        and (not pane_index or str(pane.pane_index) == pane_index)
    ]
    candidates.sort(key=lambda pane: (pane.window_index, pane.pane_index))
    return candidates[0] if candidates else None


def bind_agents(slots: Iterable[Bindable], panes: Sequence[PaneInfo]) -> None:
    for slot in slots:
        # After a restart that had to open a new pane, the agent lives there.
        override = getattr(slot, "pane_override", None)
        slot.pane = (find_pane(override, panes) if override else None) or find_pane(
            slot.spec.target or slot.spec.name, panes)
