"""Rendering follows change (issue 21): the fleet list repaints the rows whose cells changed,
not the whole table.

Lines are counted as Textual asks the table for them (`render_line`); the table still renders
every one it is asked for."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.strip import Strip

from orchestra_tui.core.fleet.fleet import AgentView, FleetSnapshot
from orchestra_tui.models import AgentSpec, AgentStatus, State
from orchestra_tui.ui.widgets.agent_table import AgentTable

AT = 1_000_000.0
AGENTS = 20


class CountingTable(AgentTable):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rendered: list[int] = []

        self.cells: list[tuple[int, int]] = []

    def render_line(self, y: int) -> Strip:
        self.rendered.append(y)
        return super().render_line(y)

    def _render_cell(self, row_index: int, column_index: int, *args, **kwargs):
        # Called for each cell of a row being drawn; a cached cell returns at once.
        key = (row_index, column_index)
        before = len(self._cell_render_cache)
        lines = super()._render_cell(row_index, column_index, *args, **kwargs)
        if len(self._cell_render_cache) > before:
            self.cells.append(key)
        return lines


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingTable(id="table")


def snapshot(at: float, *, since: dict[str, float] | None = None) -> FleetSnapshot:
    """20 agents, idle for minutes; `since` moves some into a state that began recently."""
    views = []
    for index in range(AGENTS):
        name = f"agent{index:02d}"
        started = (since or {}).get(name, AT - 600.0)
        views.append(AgentView(status=AgentStatus(
            name=name, pane_id=f"%{index}", tool="codex", state=State.IDLE,
            reason="idle: composer ready", context_left=80, since=started,
            spec=AgentSpec(name=name, tool="codex"))))
    return FleetSnapshot(agents=tuple(views), at=at)


async def test_a_ticking_for_figure_repaints_its_row_only() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(CountingTable)
        table.fit(118)
        recent = {"agent05": AT - 100.0}  # a minute and more in: its `for` figure ticks
        table.update_agents(snapshot(AT, since=recent))
        await pilot.pause()
        full = len(set(table.rendered))
        assert full > AGENTS  # the first paint: every row (and the header)
        table.rendered.clear()
        for seconds in (1.0, 10.0, 19.0):  # still "1m": its first minute, then minutes
            table.update_agents(snapshot(AT + seconds, since=recent))
            await pilot.pause()
        assert table.rendered == []
        table.update_agents(snapshot(AT + 20.0, since=recent))  # "1m" -> "2m"
        await pilot.pause()
        assert table.get_cell("agent05", "for") == "2m"
        assert 0 < len(set(table.rendered)) <= 2, sorted(set(table.rendered))
        table.rendered.clear()
        table.update_agents(snapshot(AT + 20.0, since=recent))  # nothing changed
        await pilot.pause()
        assert table.rendered == []



async def test_a_for_figure_moving_on_for_every_row_renders_one_cell_a_row() -> None:
    """After a start every agent's state began at the same moment, so every row's `for`
    figure moves on at once: each row is drawn again, but only that cell of it is rendered;
    its other cells come from the cache."""
    app = TableApp()
    everyone = {f"agent{index:02d}": AT - 50.0 for index in range(AGENTS)}
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(CountingTable)
        table.fit(118)
        table.update_agents(snapshot(AT, since=everyone))
        await pilot.pause()
        table.update_agents(snapshot(AT + 10.0, since=everyone))  # every "<1m" -> "1m"
        await pilot.pause()  # (the first paints were before the table had the focus)
        table.rendered.clear()
        table.cells.clear()
        table.update_agents(snapshot(AT + 70.0, since=everyone))  # every "1m" -> "2m"
        await pilot.pause()
        assert all(table.get_cell(name, "for") == "2m" for name in everyone)
        assert len(set(table.rendered)) >= AGENTS  # every row drawn again
        assert len(table.cells) <= AGENTS + 2, table.cells  # one cell each (and a margin)
        assert len({column for _, column in table.cells}) <= 2, table.cells
