"""Pick one agent from a list (move a queued prompt, assign an issue)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList


class PickAgentScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick_cancel")]

    def __init__(self, agents: list[str], title: str) -> None:
        super().__init__()
        self.agents = agents
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-dialog"):
            yield Label(self.title_text)
            yield OptionList(*self.agents, id="pick-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.agents[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
