"""A yes/no question before something that cannot be undone (kill an agent), or an offer
(queue the refused text instead).

An offer must never be taken stale: one that stays open for minutes, answered by a `y` the
person meant for something else, would queue old text. So a question can say while what it is
valid (`valid_while`, looked at twice a second) and for how long (`expires_after`): past either
it closes by itself with no answer (None) and says so. Its own footer shows its own keys only,
over the fleet's (`y` here is "yes", not "approve")."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static


class AskScreen(ModalScreen[bool | None]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="ask_yes"),
        Binding("n,escape", "answer(False)", "No", id="ask_no"),
    ]

    def __init__(self, question: str, detail: str = "", *,
                 valid_while: Callable[[], bool] | None = None,
                 expires_after: float | None = None,
                 withdrawn: str = "The question closed: what it asked about changed") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.valid_while = valid_while
        self.expires_after = expires_after
        self.withdrawn = withdrawn

    def on_mount(self) -> None:
        if self.valid_while is not None:
            self.set_interval(0.5, self._check_still_valid)
        if self.expires_after is not None:
            self.set_timer(self.expires_after, self._expire)

    def _check_still_valid(self) -> None:
        if self.valid_while is not None and not self.valid_while():
            self._withdraw(self.withdrawn)

    def _expire(self) -> None:
        self._withdraw("The question closed unanswered after a minute; nothing was done")

    def _withdraw(self, why: str) -> None:
        if self.is_current:
            self.app.notify(why, timeout=6)
            self.dismiss(None)

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-dialog"):
            yield Label(Text(self.question, style="bold"))
            if self.detail:
                yield Static(Text(self.detail, style="dim"))
            yield Label(Text("y: yes    n / esc: no", style="bold"))
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
