"""The fleet's filter bar (`/`), as k9s and lazygit have it: the list narrows as the person types
(core/fleet/find.py says what matches), `enter` keeps the filter and gives the keys back to the
list, `esc` clears it and closes. While it has the focus every key is text."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    DEFAULT_CLASSES = "filter-bar"
    BINDINGS = [
        Binding("escape", "clear_filter", "Clear the filter", show=False),
        Binding("enter", "keep_filter", "Keep the filter", show=False),
    ]

    @dataclass
    class Edited(Message):
        """The filter's text changed: the list shows only what `text` matches."""

        text: str

    @dataclass
    class Left(Message):
        """The person left the bar (enter or esc): the list gets the keys back."""

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="filter: name, lane, repo, host, issue, state, reason "
                                     "(host:gpu state:approval)", compact=True, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self) -> None:
        self.add_class("-open")
        self.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Edited(event.value))

    def action_clear_filter(self) -> None:
        self.value = ""  # posts Changed, so Edited(""): the whole fleet again
        self.remove_class("-open")
        self.post_message(self.Left())

    def action_keep_filter(self) -> None:
        if not self.value:
            self.remove_class("-open")
        self.post_message(self.Left())
