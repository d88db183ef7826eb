"""The selected agent's live tmux pane, with its colours. Pane text is data, never markup: it is
parsed as ANSI into a Rich Text, so `[/]` in a pane cannot crash the app."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


class PaneView(VerticalScroll):
    DEFAULT_CLASSES = "pane-view"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._body = Static("", classes="pane-body")
        self._screen: str | None = None

    def compose(self):
        yield self._body

    def show(self, title: str, screen: str, subtitle: str = "") -> None:
        self.border_title = title
        self.border_subtitle = subtitle
        if screen == self._screen:
            return
        # Follow the bottom unless the person scrolled up into history to read.
        following = self.scroll_y >= self.max_scroll_y - 1
        self._screen = screen
        self._body.update(Text.from_ansi(screen.rstrip("\n"), no_wrap=True, end=""))
        if following:
            self.call_after_refresh(self.scroll_end, animate=False)
