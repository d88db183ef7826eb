"""A modal editor for one prompt: `ctrl+s` saves, `escape` cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea


class EditPromptScreen(ModalScreen[str | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="edit_save", priority=True),
        Binding("escape", "cancel", "Cancel", id="edit_cancel"),
    ]

    def __init__(self, title: str, text: str = "", *, save_label: str = "save") -> None:
        super().__init__()
        self.title_text = title
        self.initial = text
        self.save_label = save_label  # what ctrl+s does here, said once

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-dialog"):
            yield Label(f"{self.title_text}   ctrl+s {self.save_label} · esc cancel",
                        id="edit-title")
            yield TextArea(self.initial, id="edit-text", soft_wrap=True)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        # ctrl+s is a priority binding: it runs as soon as it is read, while the keys typed
        # just before it (a paste, a fast typist, tmux send-keys) may still wait in the text
        # area's queue. The text is read after them, so none of it is lost.
        self.query_one(TextArea).call_later(self._save)

    def _save(self) -> None:
        if self.is_current:  # a second ctrl+s before the first closed the box
            text = self.query_one(TextArea).text.strip("\n")
            self.dismiss(text if text.strip() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
