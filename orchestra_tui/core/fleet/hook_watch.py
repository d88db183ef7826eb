"""The agents' own hook events, as the fleet reads them each tick.

The hook program appends each event to a per-pane log and nudges a listening app over a unix
socket (`services/hooks/log.py`). Each tick reads what each agent's pane appended (a `stat` when
nothing was) and keeps the newest event that tells a state; a nudge wakes the poll loop early,
so a hook's state reaches the screen within one tick instead of a poll interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from orchestra_tui.agents.hook_events import HookEvent, state_of
from orchestra_tui.core.fleet.evidence import HOOK_EVENTS_KEPT
from orchestra_tui.core.sending.receipts import recent_prompts
from orchestra_tui.services.hooks.log import NudgeListener
from orchestra_tui.services.hooks.marks import mark_event
from orchestra_tui.services.ports import HookLogPort
from orchestra_tui.services.tmux.port import TmuxPort

if TYPE_CHECKING:
    from orchestra_tui.core.fleet.state import Slot


class HookWatch:
    def __init__(self, log: HookLogPort) -> None:
        self.log = log
        self._server_socket: str | None = None
        self._listener: NudgeListener | None = None  # while the app listens
        self._on_news: Callable[[], None] | None = None

    async def read(self, slots: Iterable[Slot], tmux: TmuxPort, now: float) -> None:
        """Give each slot (`core.fleet_state.Slot`) its newest state-telling hook event. Events
        of another tmux server's pane with the same id are not this agent's."""
        if self._server_socket is None:
            self._server_socket = await tmux.server_socket() or ""
        panes = []
        for slot in slots:
            pane_id = slot.pane.pane_id if slot.pane is not None else None
            if pane_id != slot.hook_pane:
                slot.hook, slot.hook_pane, slot.hook_mark = None, pane_id, None
                slot.recent_hooks = ()
                slot.prompts = ()
            if pane_id is not None:
                panes.append((slot, pane_id))
        # File reads, one per pane: in a thread, once per tick, never on the UI's event loop.
        socket = self._server_socket or None
        events = await asyncio.to_thread(
            lambda: [self.log.read_new(pane_id, tmux_socket=socket) for _, pane_id in panes])
        for (slot, _), new in zip(panes, events):
            told = [*new, *_marked(slot, now)]
            if told:
                # In the order they happened: hook programs run unwaited, side by side, so
                # one started later can write its line first (`why` lists them).
                slot.recent_hooks = tuple(sorted((*slot.recent_hooks, *told),
                                                 key=lambda event: event.at))[-HOOK_EVENTS_KEPT:]
            slot.prompts = recent_prompts(slot.prompts, new)  # turn starts, for receipts
            reading = state_of(told, now)
            if reading is not None:
                slot.hook = reading

    def forget(self, pane_id: str) -> None:
        """A new process in the pane: its old events are not the new agent's."""
        self.log.forget(pane_id)

    def listen(self, on_news: Callable[[], None]) -> bool:
        """Call `on_news` the moment the hook program reports. False when another orchestra
        already listens on this data dir (it then learns at its next tick)."""
        if self._listener is not None:
            return True
        self._listener = NudgeListener.open(self.log.data_dir)
        if self._listener is None:
            return False
        self._on_news = on_news
        asyncio.get_running_loop().add_reader(self._listener.fileno(), self._nudged)
        return True

    def _nudged(self) -> None:
        if self._listener is not None and self._listener.drain() and self._on_news is not None:
            self._on_news()

    def close(self) -> None:
        """Stop listening (the socket file goes too)."""
        if self._listener is None:
            return
        try:
            asyncio.get_running_loop().remove_reader(self._listener.fileno())
        except RuntimeError:
            pass  # no running loop any more: the reader went with it
        self._listener.close()
        self._listener = None


def _marked(slot: Slot, now: float) -> list[HookEvent]:
    """The event the pane's `@orchestra-hook` option tells (`services.hooks_marks`: hooks of
    agents on a host): at this moment when it changed since the last tick; as old as the
    host's clock says when the pane is seen for the first time (never in the future)."""
    mark = slot.pane.hook_mark if slot.pane is not None else ""
    seen, slot.hook_mark = slot.hook_mark, mark
    told = mark_event(mark) if mark != seen else None
    if told is None:
        return []
    event, then = told
    at = now if seen is not None else min(then, now)
    pane_id = slot.pane.pane_id if slot.pane is not None else ""
    return [HookEvent(at=at, event=event, tool=slot.tool or "", pane_id=pane_id)]
