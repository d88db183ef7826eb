"""The queue editor for one agent: its follow-up prompts, their delivery state, and the
controls to add, edit, delete, reorder, move to another agent, and pause dispatch."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label

from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.core.fleet.queue_reasons import WaitKind, queue_reasons
from orchestra_tui.core.sending.receipts import Receipt, receipt_of
from orchestra_tui.models import QueueItem
from orchestra_tui.ui.messages import (
    BudgetResumeAsked,
    PauseToggled,
    PromptQueued,
    QueueItemDeleted,
    QueueItemEdited,
    QueueItemMoved,
    QueueItemMovedTo,
    QueueItemRequeued,
    SubmitAgainAsked,
)
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.wording.format import duration, why_text

# By receipt state (core.receipts): what became of each prompt.
ITEM_STYLES = {"queued": "bold", "typed": "bold cyan", "submitted": "green", "answered":
               "dim green", "sent": "dim green", "refused": "yellow", "unsubmitted": "bold red",
               "uncertain": "bold yellow"}


WAITING = ("queued", "typed", "uncertain")  # their cell says why they wait (queue_reasons)


def receipt_text(receipt: Receipt, now: float) -> Text:
    """`answered 2m ago`, `refused 5s ago: its prompt box holds unsent text…`."""
    text = Text(f"{receipt.state} {duration(now - receipt.at)} ago")
    if receipt.why:
        text.append(f": {receipt.why[:70]}", style="dim")
    return text


class QueueScreen(ModalScreen[None]):
    """`agent`'s queue as `snapshot` (the app sets it) shows it."""

    BINDINGS = [
        Binding("escape,Q", "dismiss", "Close", id="queue_close"),
        Binding("a", "add", "Add", id="queue_add"),
        Binding("e,enter", "edit", "Edit", id="queue_edit"),
        Binding("d,delete", "delete", "Delete", id="queue_delete"),
        Binding("K,shift+up", "move(-1)", "Up", id="queue_up"),
        Binding("J,shift+down", "move(1)", "Down", id="queue_down"),
        Binding("m", "move_to_agent", "Move to…", id="queue_move_agent"),
        Binding("p", "toggle_pause", "Pause/resume", id="queue_pause"),
        Binding("r", "requeue", "Send again", id="queue_requeue"),
        Binding("s", "submit_again", "Press Enter again", id="queue_submit"),
        Binding("B", "resume_budget", "Resume past budget", id="queue_budget"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
    ]

    snapshot: reactive[FleetSnapshot] = reactive(FleetSnapshot(agents=(), at=0.0),
                                                 always_update=True, repaint=False)

    def __init__(self, agent: str, snapshot: FleetSnapshot) -> None:
        super().__init__()
        self.set_reactive(QueueScreen.snapshot, snapshot)
        self.agent = agent
        self._items: list[QueueItem] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="queue-dialog"):
            yield Label("", id="queue-title")
            yield DataTable(id="queue-items", cursor_type="row")
            yield Label("", id="queue-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in ("#", "state", "prompt", "when / why it waits"):
            table.add_column(column, key=column)
        self._show(self.snapshot)
        table.focus()

    def watch_snapshot(self, snapshot: FleetSnapshot) -> None:
        if self.is_mounted:
            self._show(snapshot)

    _shown: tuple[list[QueueItem], dict[str, tuple[WaitKind, str]], dict[str, Receipt]] = (
        [], {}, {})

    def _show(self, snapshot: FleetSnapshot) -> None:
        view = snapshot.get(self.agent)
        items = list(view.queue) if view else []
        paused = view.paused if view else False
        title = Text(f"Queue · {self.agent}", style="bold")
        budget = view.budget if view else None
        held = budget is not None and budget.holds
        title.append(" — dispatch paused (p resumes)" if paused
                     else " — its lane's budget is spent today (B resumes)" if held
                     else " — sent one at a time when idle",
                     style="yellow" if paused or held else "dim")
        self.query_one("#queue-title", Label).update(title)
        waits = {wait.item.id: wait for wait in queue_reasons(view)} if view else {}
        receipts = {item.id: receipt_of(item, snapshot.at) for item in items}
        shown = (items, {key: (wait.kind, wait.why) for key, wait in waits.items()}, receipts)
        if shown == self._shown:
            return
        table = self.query_one(DataTable)
        selected = self.selected_item
        self._items, self._shown = items, shown
        table.clear()
        for number, item in enumerate(items, 1):
            first_line = item.text.split("\n", 1)[0]
            more = " …" if "\n" in item.text else ""
            wait = waits.get(item.id)
            receipt = receipts[item.id]
            when = (why_text(wait) if wait is not None and receipt.state in WAITING
                    else receipt_text(receipt, snapshot.at))
            table.add_row(str(number), Text(str(receipt.state),
                                            style=ITEM_STYLES.get(receipt.state, "")),
                          Text(first_line[:90] + more), when, key=item.id)
        if selected is not None:
            index = next((i for i, item in enumerate(items) if item.id == selected.id), None)
            if index is not None:
                table.move_cursor(row=index, animate=False)
        hint = "empty: press a to add a prompt" if not items else (
            "unsubmitted: its text sits in the composer; s presses Enter again (never retyped)"
            if any(r.state == "unsubmitted" for r in receipts.values()) else
            "uncertain items wait for you: r sends again, d drops"
            if any(item.state == "uncertain" for item in items) else "")
        self.query_one("#queue-hint", Label).update(hint)

    @property
    def selected_item(self) -> QueueItem | None:
        table = self.query_one(DataTable)
        if not self._items or table.cursor_row is None or table.cursor_row >= len(self._items):
            return None
        return self._items[table.cursor_row]

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + delta))

    def action_add(self) -> None:
        def added(text: str | None) -> None:
            if text:
                self.post_message(PromptQueued(self.agent, text))

        self.app.push_screen(EditPromptScreen(f"New prompt for {self.agent}"), added)

    def action_edit(self) -> None:
        item = self.selected_item
        if item is None or item.state in ("sending", "sent"):
            self.app.bell()
            return

        def edited(text: str | None) -> None:
            if text:
                self.post_message(QueueItemEdited(item.id, text))

        self.app.push_screen(EditPromptScreen(f"Edit prompt for {self.agent}", item.text),
                             edited)

    def action_delete(self) -> None:
        if item := self.selected_item:
            self.post_message(QueueItemDeleted(item.id))

    def action_move(self, delta: int) -> None:
        # The cursor follows the item when the table is rebuilt from the moved queue.
        if item := self.selected_item:
            self.post_message(QueueItemMoved(item.id, delta))

    def action_move_to_agent(self) -> None:
        item = self.selected_item
        if item is None:
            return
        others = [view.name for view in self.snapshot.agents if view.name != self.agent]

        def picked(agent: str | None) -> None:
            if agent:
                self.post_message(QueueItemMovedTo(item.id, agent))

        self.app.push_screen(PickAgentScreen(others, "Move prompt to…"), picked)

    def action_toggle_pause(self) -> None:
        self.post_message(PauseToggled(self.agent))

    def action_resume_budget(self) -> None:
        view = self.snapshot.get(self.agent)
        if view is not None and view.budget is not None and view.budget.holds:
            self.post_message(BudgetResumeAsked(view.budget.lane))
        else:
            self.app.bell()

    def action_submit_again(self) -> None:
        item = self.selected_item
        if item is not None and receipt_of(item, self.snapshot.at).state == "unsubmitted":
            self.post_message(SubmitAgainAsked(self.agent, item.id))
        else:
            self.app.bell()

    def action_requeue(self) -> None:
        item = self.selected_item
        if item is not None and item.state == "uncertain":
            self.post_message(QueueItemRequeued(item.id))
        else:
            self.app.bell()
