"""`orchestra` with the UI changes the benchmarks recommend, applied by monkeypatching, so
`app_cost.py --launcher benchmarks/proposed_ui_patch.py` measures them before anyone edits `ui/`.

1. `AgentTable.update_agents` calls `update_cell` only for cells whose value changed. Every
   `DataTable.update_cell` bumps the table's `_update_count`, which is part of every row's render
   cache key: calling it for all 7 x N cells each tick re-renders the whole table 4 times a
   second even when nothing changed.
2. The "for" column counts seconds only in the first minute (`45s`, then `4m`, `1h05m`), so a
   row changes at most once a minute after that instead of every second.
3. `FleetStatus.show` skips `Static.update` (a layout refresh) when its line is unchanged.
4. `OrchestraApp.snapshot` does not repaint the whole screen when it is set (a Textual reactive
   repaints its owner by default, and for the App that is every widget of the screen, 4 times a
   second): declare it `reactive(..., always_update=True, repaint=False)` (or a `var`); the
   screens that watch it refresh what changed themselves.
5. The queue store is read once per tick, not 4 times per agent (`items` and `paused` in
   `Fleet._views`, `next_ready` and `paused` in `Fleet.dispatch_ready`; each one a mkdir, an
   open, a flock and a stat): here a per-tick memo of those reads, cleared at each
   `Fleet.refresh`; in the tree, one locked read of every agent's queue and pause per tick.
6. `PaneView.show` updates its body with `layout=False` when the new capture has as many lines
   as the last one (a pane's capture has a fixed height): `Static.update` otherwise lays out
   the whole screen again, every time the selected working agent's counter moves.

With ORCHESTRA_BENCH_CONTROL_MODE=1 the app's tmux service also polls through the control-mode
runner (`TmuxService.from_options(..., control_mode=True)`), when that exists.
"""

from __future__ import annotations

import os
import sys

from orchestra_tui.ui import format as ui_format
from orchestra_tui.ui.widgets import agent_table, status_bar
from orchestra_tui.ui.widgets.agent_table import COLUMNS, AgentTable
from orchestra_tui.ui.widgets.status_bar import FleetStatus


def coarse_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def update_agents(self: AgentTable, snapshot) -> None:
    cache = self.__dict__.setdefault("_cells_shown", {})
    order = [view.name for view in snapshot.agents]
    if order != self._order:
        self.clear()
        cache.clear()
        for view in snapshot.agents:
            cells = self._cells(view, snapshot.at)
            self.add_row(*cells, key=view.name)
            cache[view.name] = cells
        self._order = order
    else:
        for view in snapshot.agents:
            cells = self._cells(view, snapshot.at)
            before = cache.get(view.name)
            if before == cells:
                continue
            for index, (column, cell) in enumerate(zip(COLUMNS, cells)):
                if before is None or before[index] != cell:
                    self.update_cell(view.name, column, cell)
            cache[view.name] = cells
    self._restore_cursor()


_original_show = FleetStatus.show


def show(self: FleetStatus, snapshot) -> None:
    line = (len(snapshot.agents), snapshot.needs_person, snapshot.tmux_error,
            sum(1 for view in snapshot.agents if view.status.state == "working"),
            sum(1 for view in snapshot.agents for item in view.queue if item.state == "queued"))
    if self.__dict__.get("_line_shown") == line:
        return
    self.__dict__["_line_shown"] = line
    _original_show(self, snapshot)


def memo_store_reads() -> None:
    from orchestra_tui.core.fleet import Fleet
    from orchestra_tui.services.store import QueueStore

    for name in ("items", "paused", "next_ready"):
        original = getattr(QueueStore, name)

        def read(self, agent, _original=original, _name=name):
            memo = self.__dict__.setdefault("_tick_memo", {})
            key = (_name, agent)
            if key not in memo:
                memo[key] = _original(self, agent)
            return memo[key]

        setattr(QueueStore, name, read)
    for name in ("add", "edit", "delete", "move", "move_to_agent", "requeue", "set_paused",
                 "mark_sending", "mark_sent", "mark_uncertain", "record_sent"):
        original = getattr(QueueStore, name, None)
        if original is None:
            continue

        def write(self, *args, _original=original, **kwargs):
            self.__dict__["_tick_memo"] = {}
            return _original(self, *args, **kwargs)

        setattr(QueueStore, name, write)
    refresh = Fleet.refresh

    async def refresh_clearing(self, *args, **kwargs):
        if self.store is not None:
            self.store.__dict__["_tick_memo"] = {}
        return await refresh(self, *args, **kwargs)

    Fleet.refresh = refresh_clearing


def pane_view_without_layout() -> None:
    from rich.text import Text

    from orchestra_tui.ui.widgets.pane_view import PaneView

    def show(self, title: str, screen: str, subtitle: str = "") -> None:
        self.border_title = title
        self.border_subtitle = subtitle
        if screen == self._screen:
            return
        following = self.scroll_y >= self.max_scroll_y - 1
        same_height = (self._screen is not None
                       and self._screen.count("\n") == screen.count("\n"))
        self._screen = screen
        self._body.update(Text.from_ansi(screen.rstrip("\n"), no_wrap=True, end=""),
                          layout=not same_height)
        if following and not same_height:
            self.call_after_refresh(self.scroll_end, animate=False)

    PaneView.show = show


def apply() -> None:
    from orchestra_tui.ui.app import OrchestraApp

    if os.environ.get("ORCHESTRA_BENCH_PATCH_PANE", "1") == "1":
        pane_view_without_layout()
    if os.environ.get("ORCHESTRA_BENCH_PATCH_REPAINT", "1") == "1":
        OrchestraApp.__dict__["snapshot"]._repaint = False
    if os.environ.get("ORCHESTRA_BENCH_PATCH_STORE", "1") == "1":
        memo_store_reads()
    ui_format.duration = coarse_duration
    agent_table.duration = coarse_duration
    AgentTable.update_agents = update_agents
    status_bar.FleetStatus.show = show
    if os.environ.get("ORCHESTRA_BENCH_CONTROL_MODE") == "1":
        from orchestra_tui.services import tmux as tmux_module

        original = tmux_module.TmuxService.from_options.__func__

        def from_options(cls, *args, **kwargs):
            kwargs.setdefault("control_mode", True)
            return original(cls, *args, **kwargs)

        tmux_module.TmuxService.from_options = classmethod(from_options)


if __name__ == "__main__":
    apply()
    from orchestra_tui.cli import main

    sys.exit(main())
