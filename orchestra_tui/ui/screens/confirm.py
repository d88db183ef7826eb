"""The two dialogs between the person and an irreversible merge.

- `ConfirmScreen`: what will happen, the PR's title and the exact head SHA it is pinned to;
  `y` or enter confirms, `n` or escape cancels. Dismisses with True or False.
- `ReasonScreen`: an admin merge past the gate, shown with what the gate said; it goes ahead
  only after the person types a reason (kept in the journal). Dismisses with the reason or None.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


def _facts(title: str, sha: str) -> Text:
    text = Text.assemble(("title  ", "dim"))
    text.append(title, style="bold")
    text.append("\nhead   ", style="dim")
    text.append(sha or "—", style="bold cyan")
    return text


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "confirm", "Confirm", id="confirm_yes"),
        Binding("n,escape", "cancel", "Cancel", id="confirm_no"),
    ]

    def __init__(self, heading: str, title: str, sha: str, note: str = "") -> None:
        super().__init__()
        self.heading = heading
        self.pr_title = title
        self.sha = sha
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="github-dialog"):
            yield Label(Text(self.heading, style="bold"), id="confirm-heading")
            yield Static(_facts(self.pr_title, self.sha), id="confirm-facts")
            if self.note:
                yield Static(Text(self.note, style="dim"), id="confirm-note")
            yield Label(Text("y / enter: confirm    n / esc: cancel", style="bold"),
                        id="confirm-keys")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ReasonScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reason_cancel")]

    def __init__(self, heading: str, title: str, sha: str,
                 reasons: Sequence[str] = ()) -> None:
        super().__init__()
        self.heading = heading
        self.pr_title = title
        self.sha = sha
        self.reasons = tuple(reasons)

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-dialog", classes="github-dialog"):
            yield Label(Text(self.heading, style="bold red"), id="reason-heading")
            yield Static(_facts(self.pr_title, self.sha), id="reason-facts")
            gate = Text.assemble(("the gate says: ", "dim"))
            gate.append("; ".join(self.reasons) if self.reasons else "ready", style="yellow")
            yield Static(gate, id="reason-gate")
            yield Label("Why merge past the gate? (kept in the journal)")
            yield Input(placeholder="reason", id="reason-input")
            yield Label(Text("enter: admin merge    esc: cancel", style="bold"),
                        id="reason-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = event.value.strip()
        if not reason:
            self.app.bell()
            self.notify("Type a reason first: an admin merge is never anonymous",
                        severity="warning", timeout=4)
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
