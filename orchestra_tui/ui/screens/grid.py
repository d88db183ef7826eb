"""Every agent's pane at once, in attention order; `enter` picks one and goes back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from orchestra_tui.core.fleet.find import filter_views
from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.models import State
from orchestra_tui.ui.widgets.agent_cells import on_host
from orchestra_tui.ui.wording.format import split_capture, state_badge


class PaneTile(Static, can_focus=True):
    DEFAULT_CLASSES = "pane-tile"

    def __init__(self, agent: str) -> None:
        super().__init__("", id=None)
        self.agent = agent
        self.border_title = agent
        self._screen: tuple[str, int | None] | None = None
        self._titles: tuple[Text, str] | None = None

    def show(self, screen: str, state: State, reason: str, rows: int | None = None,
             host: str = "") -> None:
        title = on_host(Text(f"{self.agent} "), host)
        badge = state_badge(state)
        badge.rstrip()  # in place: the badge's padding is for the list's column
        title.append_text(badge)
        if (title, reason) != self._titles:  # a border title repaints even when unchanged
            self._titles = (title, reason)
            self.border_title = title
            self.border_subtitle = Text(reason)
        if (screen, rows) != self._screen:
            self._screen = (screen, rows)
            self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self._screen is None:
            return
        screen, rows = self._screen
        # The tile shows the bottom of the current screen: that is where agents say what they
        # do (the composer, a dialog's options). Never rows above it: those are history (old
        # frames of a clearing agent). As many rows as fit inside the border, no more, or the
        # bottom ones would be cut off.
        lines, top = split_capture(screen, rows)
        fits = max(1, self.content_size.height or 12)
        shown = lines[max(top, len(lines) - fits):]
        self.update(Text.from_ansi("\n".join(shown), no_wrap=True, end=""))


class GridScreen(Screen[str | None]):
    """Shows `snapshot` (the app sets it); `enter` dismisses with the agent picked. Opens on
    `selected`."""

    BINDINGS = [
        Binding("escape,g", "app.pop_screen", "Back", id="grid_back"),
        Binding("enter", "pick", "Select", id="grid_pick"),
        Binding("right,l,down,j", "app.focus_next", "Next", show=False),
        Binding("left,h,up,k", "app.focus_previous", "Previous", show=False),
    ]

    snapshot: reactive[FleetSnapshot] = reactive(FleetSnapshot(agents=(), at=0.0),
                                                 always_update=True, repaint=False)

    def __init__(self, snapshot: FleetSnapshot, selected: str | None, *,
                 filter_text: str = "", issues: dict[str, str] | None = None) -> None:
        super().__init__()
        self.set_reactive(GridScreen.snapshot, snapshot)
        self.selected = selected
        self.filter_text = filter_text  # the fleet's `/` filter: the same agents, as tiles
        self.issues = issues or {}

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        yield Grid(id="grid")
        yield Footer()

    def on_mount(self) -> None:
        self._show(self.snapshot)

    def watch_snapshot(self, snapshot: FleetSnapshot) -> None:
        if self.is_mounted:
            self._show(snapshot)

    def _show(self, snapshot: FleetSnapshot) -> None:
        grid = self.query_one(Grid)
        tiles = {tile.agent: tile for tile in self.query(PaneTile)}
        views = filter_views(snapshot.agents, self.filter_text, self.issues)
        names = [view.name for view in views]
        if list(tiles) != names:
            grid.remove_children()
            tiles = {name: PaneTile(name) for name in names}
            grid.mount_all(tiles.values())
            columns = 1 if len(names) <= 1 else 2 if len(names) <= 4 else 3
            grid.styles.grid_size_columns = columns
            if tiles:
                shown = tiles.get(self.selected) if self.selected else None
                (shown or next(iter(tiles.values()))).focus()
        for view in views:
            tiles[view.name].show(view.screen, view.status.state, view.status.reason,
                                  view.pane.height if view.pane else None,
                                  view.status.spec.host if view.status.spec else "")

    def action_pick(self) -> None:
        self.dismiss(self.focused.agent if isinstance(self.focused, PaneTile) else None)
