"""The fleet list: one row per agent in attention order, with state, time in state, context and
queue.

A tick puts new values only in the cells whose content changed and repaints only their rows
(`_set_cells`: `DataTable.update_cell` would re-render the whole table for each); it rebuilds
the rows only when the order or the columns change. The selection
sits on the top row (who needs the person most) until the person moves it; from then on it stays
on that agent through re-sorts (`home` goes back to following the top row)."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from orchestra_tui.core.fleet.find import Grouping, filter_views, group_views
from orchestra_tui.core.fleet.fleet import AgentView, FleetSnapshot
from orchestra_tui.core.fleet.queue_reasons import first_wait
from orchestra_tui.ui.widgets.agent_cells import Cells, agent_cells
from orchestra_tui.ui.widgets.agent_columns import (
    ALL_COLUMNS,
    CELL_PADDING,
    COST_LAYOUTS,
    FIXED_WIDTHS,
    LAYOUTS,
    Layout,
    column_widths,
)
from orchestra_tui.ui.widgets.group_header import header_cells
from orchestra_tui.ui.widgets.render_style import StyleOncePerRender
from orchestra_tui.ui.wording.format import (
    cut_words,
    duration,
)
from orchestra_tui.ui.wording.format import (
    since as since_cell,
)

GROUP_ROW = "\x00group:"  # the key prefix of a group's header row (no agent name has a NUL)


class AgentTable(StyleOncePerRender, DataTable, inherit_bindings=False):
    BINDINGS = [
        Binding("enter", "select_cursor", "Prompt", show=False),
        Binding("down,j", "cursor_down", "Next agent", show=False),
        Binding("up,k", "cursor_up", "Previous agent", show=False),
        Binding("home", "scroll_top", "Top row: who needs you most", show=False),
        Binding("end", "scroll_bottom", "Last agent", show=False),
    ]

    def __init__(self, *, warn: int = 20, critical: int = 10, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.warn = warn
        self.critical = critical
        self.issues: dict[str, str] = {}  # agent -> "#90": the issue it was assigned
        # (agent, key) while an interrupt is armed: the row says which key fires it.
        self.armed: tuple[str, str] | None = None
        self._layout = LAYOUTS[0]
        self._width = 0  # cells the table may take; 0 until the screen says
        self._fitted = 0  # the width the columns were last chosen for
        self._order: list[str] = []
        self._shown: dict[str, Cells] = {}
        self._row_cache: dict[str, tuple[tuple, Cells]] = {}
        self._selected: str | None = None
        # Told at once of a new selection, in the same handler as the key that moved it: a
        # message took two hops through the queues, and the screen painted the moved cursor
        # in between, then the pane a frame (~17 ms) later.
        self.on_selected: Callable[[str | None], None] | None = None
        self._pinned = False  # the person moved the selection: it follows that agent
        self._snapshot: FleetSnapshot | None = None
        self.filter_text = ""  # `/`: only the agents it matches are listed
        self.grouping = Grouping.NONE  # `G`: header rows per host, lane or state
        # The sort freeze: the order the rows had when it was turned on (None: not frozen).
        self._frozen: list[str] | None = None
        self.shown_count = 0  # agents listed after the filter
        self.show_cost = False  # `$`: a column of today's tokens and dollars

    def on_mount(self) -> None:
        self._add_columns()

    @property
    def selected(self) -> str | None:
        return self._selected

    @property
    def columns_shown(self) -> tuple[str, ...]:
        return self._layout.columns

    # -- what the screen tells the table -------------------------------------------------------

    def fit(self, width: int) -> None:
        """The table may take `width` cells inside its border: choose the columns that fit."""
        if width != self._width:
            self._width = width
            if self._snapshot is not None:
                self.update_agents(self._snapshot)

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    @property
    def cut(self) -> str:
        """How the list is cut (filter, grouping, freeze), in words for the status line."""
        return cut_words(self.filter_text, self.shown_count, self.grouping, self.frozen)

    def set_view(self, *, filter_text: str | None = None, grouping: Grouping | None = None,
                 frozen: bool | None = None, cost: bool | None = None) -> None:
        """What the screen asks the list to show: a filter, a grouping, a frozen order, the
        cost column."""
        if cost is not None:
            self.show_cost = cost
            self._fitted = -1  # the columns are chosen again
        if filter_text is not None:
            self.filter_text = filter_text
        if grouping is not None:
            self.grouping = grouping
        if frozen is not None:
            self._frozen = [key for key in self._order if not key.startswith(GROUP_ROW)] \
                if frozen else None
        if self._snapshot is not None:
            self.update_agents(self._snapshot)

    def select(self, name: str) -> None:
        """The person chose `name` (e.g. in the grid): it stays selected through re-sorts."""
        if name in self._order and not name.startswith(GROUP_ROW):
            self._pinned = True
            self._set_selected(name)
            self._place_cursor()

    def _listed(self, snapshot: FleetSnapshot) -> tuple[AgentView, ...]:
        """The snapshot's agents the filter keeps, in attention order or the frozen one."""
        views = filter_views(snapshot.agents, self.filter_text, self.issues)
        if self._frozen is not None:
            place = {name: index for index, name in enumerate(self._frozen)}
            views = tuple(sorted(views, key=lambda view: place.get(view.name, len(place))))
        return views

    def _grouped(self, views: tuple[AgentView, ...], cells: dict[str, Cells],
                 layout: Layout) -> list[str]:
        """The row keys in order: agents, with a header row before each group's."""
        if self.grouping is Grouping.NONE:
            return self._keep_selected_in_place([view.name for view in views])
        groups = group_views(views, self.grouping)
        widths = self._header_widths(layout, cells, len(cells) + len(groups))
        order: list[str] = []
        for group in groups:
            key = f"{GROUP_ROW}{group.key}"
            count = len(group.views)
            label, style = ((f"{group.needing}/{count} need you", "bold red") if group.needing
                            else (f"{count} agent{'s' if count != 1 else ''}", "magenta"))
            signature = (group.key, label, widths)
            cached = self._row_cache.get(key)
            if cached is None or cached[0] != signature:
                row: Cells = {column: "" for column in ALL_COLUMNS}
                row.update(header_cells(group.key, label, widths, label_style=style))
                cached = (signature, row)
                self._row_cache[key] = cached
            cells[key] = cached[1]
            order.append(key)
            order.extend(view.name for view in group.views)
        return order

    def _header_widths(self, layout: Layout, cells: dict[str, Cells], rows: int
                       ) -> tuple[tuple[str, int], ...]:
        """Room for a group's header in each column: what the agents' cells need (a header
        never widens a column), and the table's width left over given to the last one."""
        widths = column_widths(layout, cells)
        spare = self._room(rows) - sum(width + CELL_PADDING for width in widths)
        if self._width and spare > 0:
            widths[-1] += spare
        return tuple(zip(layout.columns, widths, strict=True))

    def _room(self, rows: int) -> int:
        """The cells the columns may take: the table's width, less a vertical scrollbar."""
        height = self.size.height - 2  # inside the border
        return self._width - (1 if 0 < height < rows + 1 else 0)

    def update_agents(self, snapshot: FleetSnapshot) -> None:
        self._snapshot = snapshot
        views = self._listed(snapshot)
        self.shown_count = len(views)
        cells = self._rows(views, snapshot.at, self._layout.bar)
        order = self._grouped(views, cells, self._layout)
        if (order == self._order and self._width == self._fitted
                and all(cells[name] is self._shown.get(name) for name in order)):
            self._settle_selection()  # nothing on screen changed: the usual tick
            return
        # Chosen by the agents' cells alone: the group headers fit whatever it is.
        agents = {name: row for name, row in cells.items() if not name.startswith(GROUP_ROW)}
        layout = self._layout_for(agents, len(order))
        self._fitted = self._width
        if layout.bar != self._layout.bar:
            cells = self._rows(views, snapshot.at, layout.bar)
        if layout != self._layout:
            cells = {name: row for name, row in cells.items() if not name.startswith(GROUP_ROW)}
            order = self._grouped(views, cells, layout)
        if layout != self._layout:
            self._layout = layout
            self.clear(columns=True)
            self._add_columns()
            self._add_rows(order, cells)
        elif order != self._order or any(cells[name] is not self._shown.get(name)
                                         for name in order if name.startswith(GROUP_ROW)):
            # A header changed (its counts, the width): the rows again, so the last
            # column takes the header's width (`update_cell` keeps a column's width).
            self.clear()
            self._add_rows(order, cells)
        else:
            changed = []
            for name, row in cells.items():
                before = self._shown.get(name)
                if before is row:
                    continue
                changed += [(name, column, row[column]) for column in layout.columns
                            if before is None or before[column] != row[column]]
            self._set_cells(changed)
        self._order = order
        self._shown = cells
        self._settle_selection()

    def _rows(self, views: tuple[AgentView, ...], at: float, bar: int) -> dict[str, Cells]:
        """Each agent's cells, the same dict as last tick when nothing in them changed."""
        rows: dict[str, Cells] = {}
        for view in views:
            status = view.status
            since = since_cell(at - status.since) if status.since else "—"
            armed = self.armed[1] if self.armed and self.armed[0] == status.name else ""
            # Why queued work waits (a draft shows on the screen, so it is read each tick).
            first = first_wait(view) if view.queue else None
            wait = str(first.kind) if first is not None else ""
            left = status.limit.left(at) if status.limit is not None else None
            key = (status, view.queue, view.paused, self.issues.get(status.name), since, bar,
                   armed, wait, None if left is None else duration(left), view.cost,
                   view.cost_unknown, view.conflicts)
            cached = self._row_cache.get(status.name)
            if cached is None or cached[0] != key:
                cached = (key, agent_cells(view, since, bar, armed, wait, left,
                                           issue=self.issues.get(status.name),
                                           warn=self.warn, critical=self.critical))
            rows[status.name] = cached[1]
            self._row_cache[status.name] = cached
        for gone in self._row_cache.keys() - rows.keys():
            if not gone.startswith(GROUP_ROW):
                del self._row_cache[gone]
        return rows

    def _set_cells(self, changed: list[tuple[str, str, object]]) -> None:
        """Put new values in cells and repaint only their rows. `DataTable.update_cell` counts
        an update that every cached row and line is keyed by, so one changed cell (a `for`
        figure ticking each second) re-renders every row; here only the changed cells' cached
        renders go (a row's other cells come back from the cache: the fleet's `for` column
        moving on for every row at once re-renders one cell a row, not ten), and only their
        rows' regions are refreshed."""
        rows = {RowKey(name) for name, _, _ in changed}
        cells_changed = {(RowKey(name), ColumnKey(column)) for name, column, _ in changed}
        for name, column, value in changed:
            self._data[RowKey(name)][ColumnKey(column)] = value
        indexes = {self._row_locations.get(key) for key in rows}
        cells = self._cell_render_cache
        for cell in [cell for cell in cells.keys() if cell[:2] in cells_changed]:
            cells.discard(cell)
        lines = self._row_render_cache
        for line in [line for line in lines.keys() if line[0] in rows]:
            lines.discard(line)
        renderables = self._row_renderable_cache
        for row in [row for row in renderables.keys() if row[1] in indexes]:
            renderables.discard(row)
        self._line_cache.clear()  # lines of other rows come back from their rows' cache
        for index in indexes:
            if index is not None:
                self.refresh_row(index)

    def _keep_selected_in_place(self, order: list[str]) -> list[str]:
        """The attention order, but a row the person moved to stays on the row it was on (as
        htop and k9s do): a re-sort between two `k` presses must not move the selection under
        the cursor. The top row, followed until the person moves, sorts as it comes."""
        chosen = self._selected
        if not self._pinned or chosen not in order or chosen not in self._order:
            return order
        place = min(self._order.index(chosen), len(order) - 1)
        order.remove(chosen)
        order.insert(place, chosen)
        return order

    # -- columns -------------------------------------------------------------------------------

    def _add_columns(self) -> None:
        for column in self._layout.columns:
            self.add_column(column, key=column, width=FIXED_WIDTHS.get(column))

    def _add_rows(self, order: list[str], cells: dict[str, Cells]) -> None:
        for name in order:
            self.add_row(*(cells[name][column] for column in self._layout.columns), key=name)

    def _layout_for(self, cells: dict[str, Cells], rows: int) -> Layout:
        layouts = COST_LAYOUTS if self.show_cost else LAYOUTS
        if not self._width:  # the same layout as before, with or without the cost
            shown = LAYOUTS if self._layout in LAYOUTS else COST_LAYOUTS
            return layouts[shown.index(self._layout)]
        width = self._room(rows)
        for layout in layouts:
            if sum(w + CELL_PADDING for w in column_widths(layout, cells)) <= width:
                return layout
        return layouts[-1]

    # -- the selection -------------------------------------------------------------------------

    def _agent_rows(self) -> list[str]:
        return [key for key in self._order if not key.startswith(GROUP_ROW)]

    def _settle_selection(self) -> None:
        agents = self._agent_rows()
        if not agents:
            self._pinned = False
            self._set_selected(None)
            return
        if self._selected not in agents:
            self._pinned = False
        self._set_selected(self._selected if self._pinned else agents[0])
        self._place_cursor()

    def _place_cursor(self) -> None:
        if self._selected is None:
            return  # only called with a selection: the fleet is not empty
        row = self._order.index(self._selected)
        if self.cursor_row != row:
            self.move_cursor(row=row, animate=False)

    def _set_selected(self, name: str | None) -> None:
        if name != self._selected:
            self._selected = name
            if self.on_selected is not None:
                self.on_selected(name)

    def _moved_by_person(self, step: int = 1) -> None:
        if not 0 <= self.cursor_row < len(self._order):
            return
        if self._order[self.cursor_row].startswith(GROUP_ROW):
            # A group's header is not an agent: the cursor goes on past it, or back.
            row = self.cursor_row + step
            if not 0 <= row < len(self._order):
                row = self.cursor_row - step
            if 0 <= row < len(self._order) and not self._order[row].startswith(GROUP_ROW):
                self.move_cursor(row=row, animate=False)
            else:
                self._place_cursor()
                return
        if 0 <= self.cursor_row < len(self._order):
            name = self._order[self.cursor_row]
            if name != self._selected:
                self._pinned = True
                self._set_selected(name)

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self._moved_by_person()

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self._moved_by_person(step=-1)

    def action_scroll_bottom(self) -> None:
        super().action_scroll_bottom()
        self._moved_by_person(step=-1)

    def action_scroll_top(self) -> None:
        self._pinned = False
        self._settle_selection()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        # Keys are handled above, at once. What is left is a click: the table itself only ever
        # leaves the cursor on the selection, so a cursor elsewhere was moved by the person.
        self._moved_by_person()
