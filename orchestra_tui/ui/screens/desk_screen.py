"""What the review inbox and the issues screen share: a status line over a tree beside a Markdown
detail, redrawn from the app's `desk` snapshot whenever it changes. The tree has the focus;
`j`/`k` move it, `escape` goes back, `R` reads GitHub again."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Tree

from orchestra_tui.core.desk import DeskSnapshot
from orchestra_tui.ui.widgets.desk_status import DeskStatus
from orchestra_tui.ui.widgets.markdown_detail import MarkdownDetail


def cursor_bindings() -> list[Binding]:
    """`j`/`k` for the tree, hidden from the footer (every screen of the app moves this way)."""
    return [Binding("j", "cursor('down')", "Down", show=False),
            Binding("k", "cursor('up')", "Up", show=False)]


class DeskScreen(Screen):
    """Subclasses name their `PREFIX` (widget ids: `{PREFIX}-status`, `-body`, `-detail`), the
    tree class and its id, the sub-title, and draw in `show_snapshot` and `show_detail`."""

    PREFIX: ClassVar[str]
    SUB_TITLE: ClassVar[str]
    TREE: ClassVar[type[Tree]]
    TREE_ID: ClassVar[str]

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        yield DeskStatus(id=f"{self.PREFIX}-status")
        with Horizontal(id=f"{self.PREFIX}-body"):
            yield self.TREE(id=self.TREE_ID)
            yield MarkdownDetail(id=f"{self.PREFIX}-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.SUB_TITLE
        self.watch(self.app, "desk", self.show_snapshot, init=True)
        self.tree.focus()

    @property
    def tree(self) -> Tree:
        return self.query_one(f"#{self.TREE_ID}", self.TREE)

    @property
    def status(self) -> DeskStatus:
        return self.query_one(DeskStatus)

    @property
    def detail(self) -> MarkdownDetail:
        return self.query_one(MarkdownDetail)

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
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
            self.tree.action_cursor_down()
        else:
            self.tree.action_cursor_up()
