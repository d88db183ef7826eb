"""What the review inbox and the issues screen share: a status line over a tree beside a Markdown
detail, redrawn from the `desk` snapshot the app sets whenever it changes. The tree has the focus;
`j`/`k` move it, `escape` goes back, `R` reads GitHub again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Tree

from orchestra_tui.core.desk.desk import UNCONFIGURED, DeskSnapshot
from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.ui.widgets.desk_status import DeskStatus
from orchestra_tui.ui.widgets.markdown_detail import MarkdownDetail


def cursor_bindings() -> list[Binding]:
    """`j`/`k` for the tree, hidden from the footer (every screen of the app moves this way)."""
    return [Binding("j", "cursor('down')", "Down", show=False),
            Binding("k", "cursor('up')", "Up", show=False)]


class DeskScreen(Screen[None]):
    """Subclasses name their `PREFIX` (widget ids: `{PREFIX}-status`, `-body`, `-detail`), the
    tree class and its id, the sub-title, and draw in `show_desk` and `show_detail`. The app
    sets `desk`, and `snapshot` (the fleet: which agents a thread or an issue can go to)."""

    PREFIX: ClassVar[str]
    SUB_TITLE: ClassVar[str]
    TREE: ClassVar[Callable[..., Tree[Any]]]  # takes `id=`
    TREE_ID: ClassVar[str]

    snapshot: reactive[FleetSnapshot] = reactive(FleetSnapshot(agents=(), at=0.0),
                                                 always_update=True, repaint=False)
    desk: reactive[DeskSnapshot] = reactive(UNCONFIGURED, always_update=True, repaint=False)

    def __init__(self, snapshot: FleetSnapshot, desk: DeskSnapshot) -> None:
        super().__init__()
        self.set_reactive(DeskScreen.snapshot, snapshot)
        self.set_reactive(DeskScreen.desk, desk)

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        yield DeskStatus(id=f"{self.PREFIX}-status")
        with Horizontal(id=f"{self.PREFIX}-body"):
            yield self.TREE(id=self.TREE_ID)
            yield MarkdownDetail(id=f"{self.PREFIX}-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.SUB_TITLE
        self.show_desk(self.desk)
        self.listing.focus()

    def watch_desk(self, desk: DeskSnapshot) -> None:
        if self.is_mounted:
            self.show_desk(desk)

    @property
    def listing(self) -> Tree[Any]:
        """The tree (not `tree`: that is Textual's own property of every node)."""
        return self.query_one(f"#{self.TREE_ID}", Tree)

    def agent_names(self) -> list[str]:
        """Who a thread or an issue can go to: the fleet's agents, else the configured ones."""
        return [view.name for view in self.snapshot.agents] or [
            spec.name for spec in self.desk.agents]

    @property
    def status(self) -> DeskStatus:
        return self.query_one(DeskStatus)

    @property
    def detail(self) -> MarkdownDetail:
        return self.query_one(MarkdownDetail)

    def show_desk(self, desk: DeskSnapshot) -> None:
        raise NotImplementedError

    def show_detail(self) -> None:
        raise NotImplementedError

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        event.stop()
        self.show_detail()

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()  # a click only highlights; the screen's keys act

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor(self, direction: str) -> None:
        if direction == "down":
            self.listing.action_cursor_down()
        else:
            self.listing.action_cursor_up()
