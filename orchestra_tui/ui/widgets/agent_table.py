"""The fleet list: one row per agent in attention order, with state, time in state, context and
queue. Rows are rebuilt each tick; the cursor stays on the same agent as rows move."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from orchestra_tui.core.fleet import AgentView, FleetSnapshot
from orchestra_tui.ui.format import context_bar, duration, lane, state_badge
from orchestra_tui.ui.messages import AgentSelected

COLUMNS = ("state", "agent", "tool", "lane", "for", "context", "queue")


class AgentTable(DataTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, warn: int = 20, critical: int = 10, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.warn = warn
        self.critical = critical
        self._order: list[str] = []
        self._selected: str | None = None
        self.issues: dict[str, str] = {}  # agent -> "#90": the issue it was assigned

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column, key=column)

    @property
    def selected(self) -> str | None:
        return self._selected

    def select(self, name: str) -> None:
        self._selected = name
        self._restore_cursor()

    def update_agents(self, snapshot: FleetSnapshot) -> None:
        order = [view.name for view in snapshot.agents]
        if order != self._order:
            self.clear()
            for view in snapshot.agents:
                self.add_row(*self._cells(view, snapshot.at), key=view.name)
            self._order = order
        else:
            for view in snapshot.agents:
                for column, cell in zip(COLUMNS, self._cells(view, snapshot.at)):
                    self.update_cell(view.name, column, cell)
        self._restore_cursor()

    def _restore_cursor(self) -> None:
        if not self._order:
            self._selected = None
            return
        if self._selected not in self._order:
            self._selected = self._order[0]
            self.post_message(AgentSelected(self._selected))
        row = self._order.index(self._selected)
        if self.cursor_row != row:
            self.move_cursor(row=row, animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        name = event.row_key.value if event.row_key else None
        if name != self._selected:
            self._selected = name
            self.post_message(AgentSelected(name))

    def _cells(self, view: AgentView, now: float) -> tuple:
        status = view.status
        spec = status.spec
        queued = sum(1 for item in view.queue if item.state == "queued")
        waiting = sum(1 for item in view.queue if item.state in ("sending", "uncertain"))
        queue = Text(str(queued) if queued else "·", style="bold" if queued else "dim")
        if waiting:
            queue.append(f" !{waiting}", style="bold yellow")
        if view.paused:
            queue.append(" ⏸", style="yellow")
        name = Text(status.name, style="bold")
        if status.alerts:
            name.append(f" ⚠{len(status.alerts)}", style="bold red")
        lane_cell = Text(lane(spec.repo, spec.branch) if spec else "—")
        if issue := self.issues.get(status.name):
            lane_cell.append(f" {issue}", style="bold cyan")
        return (
            state_badge(status.state),
            name,
            status.tool,
            lane_cell,
            duration(now - status.since) if status.since else "—",
            context_bar(status.context_left, status.context_trend,
                        warn=self.warn, critical=self.critical),
            queue,
        )
