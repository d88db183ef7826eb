"""Which tmux pane each configured agent lives in, from its `target`, without asking tmux again:
the tick's one `list-panes -a` already holds every pane. An agent on a `[[host]]` binds only to
that host's panes: its `target` is read on its host (`%3` there is `gpu:%3` here)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from orchestra_tui.models import AgentSpec, PaneInfo
from orchestra_tui.services.tmux.port import TmuxPort


class Bindable(Protocol):
    spec: AgentSpec
    pane: PaneInfo | None
    pane_override: str | None  # a restart opened a new pane: it lives there from now on


def find_pane(target: str, panes: Sequence[PaneInfo], host: str = "") -> PaneInfo | None:
    """`%12` (pane id), `session`, `session:window` or `session:window.pane` on `host` ("" is
    this machine), or a qualified pane id (`gpu:%12`); the first pane in tmux order where the
    target names a session or window."""
    if not target:
        return None
    if target.startswith("%") and host:
        target = f"{host}:{target}"
    if target.startswith("%") or ":%" in target:
        return next((pane for pane in panes if pane.pane_id == target), None)
    session, _, rest = target.partition(":")
    window, _, pane_index = rest.partition(".")
    candidates = [
        pane for pane in panes
        if pane.host == host and pane.session_name == session
        and (not window or str(pane.window_index) == window)
        and (not pane_index or str(pane.pane_index) == pane_index)
    ]
    candidates.sort(key=lambda pane: (pane.window_index, pane.pane_index))
    return candidates[0] if candidates else None


def bind_agents(slots: Iterable[Bindable], panes: Sequence[PaneInfo]) -> None:
    for slot in slots:
        # After a restart that had to open a new pane, the agent lives there.
        override = slot.pane_override
        host = slot.spec.host
        slot.pane = (find_pane(override, panes, host) if override else None) or find_pane(
            slot.spec.target or slot.spec.name, panes, host)


def host_down(tmux: TmuxPort, slot: Bindable) -> str | None:
    """Why the agent's host (a `[[host]]` reached over ssh) does not answer, when it does not
    (the host router refuses every command to it, so nothing is typed there); None otherwise."""
    errors = tmux.host_errors
    host = slot.spec.host or (slot.pane.host if slot.pane is not None else "")
    return errors[host] if errors and host in errors else None
