"""The away summary: shown when the person comes back after a while (the app regains focus
after ten minutes or more without it): what the agents did, what waits for them in attention
order, what rules did on their behalf (`core.away.summary`'s text). Esc closes it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class AwayScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="away_close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="away-dialog"):
            yield Static(Text("While you were away", style="bold"))
            # Agents' reasons are data, never markup; a section's items indented under it.
            for line in self.text.splitlines():
                if line.startswith(" "):
                    yield Static(Text(line.strip()), classes="away-item")
                else:
                    yield Static(Text(line, style="bold cyan"))
            yield Static(Text("esc closes", style="dim"))
