"""A detail pane: a heading line (rich Text) over a Markdown document (a review comment, an
issue and its comments). The Markdown is re-rendered only when it changed."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static


class MarkdownDetail(VerticalScroll):
    DEFAULT_CLASSES = "markdown-detail"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._markdown: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="detail-head")
        yield Markdown("", classes="detail-body")

    def show(self, head: Text, markdown: str) -> None:
        self.query_one(".detail-head", Static).update(head)
        if markdown != self._markdown:
            self._markdown = markdown
            self.query_one(".detail-body", Markdown).update(markdown)
            self.scroll_home(animate=False)
