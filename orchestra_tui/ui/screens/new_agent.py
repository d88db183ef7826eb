"""`N`: a new agent on a lane (and an issue): its lane, its name and, optionally, the issue it
works on. Enter moves to the next field and, on the last, starts it; escape cancels. The
answer is a `NewRequest` for `core.lifecycle`; the checks that need git or tmux happen there."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from orchestra_tui.config.schema import NAME_PATTERN
from orchestra_tui.core.lifecycle.lifecycle import NewRequest


def parse_issue(text: str) -> int | None | str:
    """The issue number typed (`7`, `#7`), None for nothing, or why it is not one."""
    value = text.strip().removeprefix("#")
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        return f"{text.strip()!r} is not an issue number (like 7 or #7)"
    return int(value)


class NewAgentScreen(ModalScreen[NewRequest | None]):
    DEFAULT_CSS = """
    NewAgentScreen { align: center middle; }
    #new-dialog {
        width: 72; height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    #new-dialog Input { margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="new_cancel")]
    FIELDS = ("new-lane", "new-name", "new-issue")

    def __init__(self, lanes: Sequence[str], *, lane: str = "", name: str = "",
                 issue: int | None = None, title: str = "New agent") -> None:
        super().__init__()
        self.lanes = tuple(lanes)
        self.initial = (lane or (self.lanes[0] if self.lanes else ""), name,
                        "" if issue is None else str(issue))
        self.title_text = title

    def compose(self) -> ComposeResult:
        lane, name, issue = self.initial
        with Vertical(id="new-dialog"):
            yield Label(Text(self.title_text, style="bold"))
            yield Label(Text(f"lane ({', '.join(self.lanes)})", style="dim"))
            yield Input(lane, placeholder="lane", id="new-lane")
            yield Label(Text("name (letters, digits, - and _)", style="dim"))
            yield Input(name, placeholder="name", id="new-name")
            yield Label(Text("issue number (optional)", style="dim"))
            yield Input(issue, placeholder="#", id="new-issue")
            yield Label(Text("enter: next, on the last field start it    esc: cancel",
                             style="bold"))

    def on_mount(self) -> None:
        empty = next((f for f in self.FIELDS if not self.query_one(f"#{f}", Input).value),
                     self.FIELDS[-1])
        self.query_one(f"#{empty}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        index = self.FIELDS.index(event.input.id or self.FIELDS[-1])
        if index < len(self.FIELDS) - 1:
            self.query_one(f"#{self.FIELDS[index + 1]}", Input).focus()
            return
        self.action_start()

    def action_start(self) -> None:
        lane, name, issue_text = (self.query_one(f"#{f}", Input).value.strip()
                                  for f in self.FIELDS)
        issue = parse_issue(issue_text)
        problem = (f"no lane named {lane!r}" if lane not in self.lanes
                   else f"{name!r} is not an agent name: letters, digits, - and _"
                   if not NAME_PATTERN.match(name) else issue if isinstance(issue, str)
                   else "")
        if problem or isinstance(issue, str):
            self.notify(problem, severity="warning", timeout=5)
            return
        self.dismiss(NewRequest(name=name, lane=lane, issue=issue))

    def action_cancel(self) -> None:
        self.dismiss(None)
