"""The main screen: the fleet in attention order beside the selected agent's live pane."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header

from orchestra_tui.core.fleet import FleetSnapshot
from orchestra_tui.ui.format import duration
from orchestra_tui.ui.messages import AgentSelected, PromptSubmitted
from orchestra_tui.ui.widgets.agent_table import AgentTable
from orchestra_tui.ui.widgets.empty_state import EmptyState
from orchestra_tui.ui.widgets.pane_view import PaneView
from orchestra_tui.ui.widgets.prompt_bar import PromptBar
from orchestra_tui.ui.widgets.status_bar import FleetStatus

# An interrupt stops an agent mid-turn: it takes the same key twice within this many seconds.
INTERRUPT_GUARD_SECONDS = 2.0


class FleetScreen(Screen):
    BINDINGS = [
        Binding("enter", "prompt", "Prompt", id="prompt"),
        Binding("Q", "queue", "Queue", id="queue"),
        Binding("y", "approve", "Approve", id="approve"),
        Binding("n", "deny", "Deny", id="deny"),
        Binding("ctrl+c", "interrupt('ctrl+c')", "Interrupt", id="interrupt", priority=True),
        Binding("escape", "interrupt('escape')", "Interrupt", show=False, id="interrupt_esc"),
        Binding("a", "attach", "Attach", id="attach"),
        Binding("p", "toggle_pause", "Pause queue", id="pause", show=False),
        Binding("R", "restart", "Restart", id="restart"),
        Binding("K", "kill", "Kill", id="kill", show=False),
        Binding("P", "remind_policy", "Policy reminder", id="policy", show=False),
        Binding("g", "grid", "Grid", id="grid"),
        Binding("z", "zoom", "Zoom", id="zoom"),
        Binding("i", "app.inbox", "Inbox", id="inbox"),
        Binding("m", "app.merge_panel", "Merge", id="merge"),
        Binding("I", "app.issues", "Issues", id="issues"),
    ]

    def __init__(self, config_path: str = "", warn: int = 20, critical: int = 10) -> None:
        super().__init__()
        self.config_path = config_path
        self.warn = warn
        self.critical = critical
        self._armed: tuple[str, str, float] | None = None  # (key, agent, when)

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        yield FleetStatus(id="fleet-status")
        with Horizontal(id="fleet-body"):
            yield AgentTable(id="agents", warn=self.warn, critical=self.critical)
            yield PaneView(id="pane")
        yield EmptyState(self.config_path, id="empty")
        yield PromptBar(id="prompt-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "snapshot", self._show, init=True)
        if hasattr(self.app, "desk"):
            self.watch(self.app, "desk", self._show_issues, init=True)
        self.query_one(AgentTable).focus()

    @property
    def selected(self) -> str | None:
        return self.query_one(AgentTable).selected

    def _show(self, snapshot: FleetSnapshot) -> None:
        empty = not snapshot.agents and snapshot.at > 0
        self.set_class(empty, "-empty")
        self.query_one(FleetStatus).show(snapshot)
        self.query_one(AgentTable).update_agents(snapshot)
        self._show_pane(snapshot)

    def _show_issues(self, desk) -> None:
        table = self.query_one(AgentTable)
        issues = {view.name: label for view in self.app.snapshot.agents
                  if (label := desk.current_issue(view.name))}
        if issues != table.issues:
            table.issues = issues
            table.update_agents(self.app.snapshot)

    def _show_pane(self, snapshot: FleetSnapshot) -> None:
        pane = self.query_one(PaneView)
        view = snapshot.get(self.selected) if self.selected else None
        if view is None:
            pane.show("no agent selected", "")
            return
        status = view.status
        title = f"{status.name} · {status.tool} · {status.pane_id or 'no pane'}"
        since = duration(snapshot.at - status.since) if status.since else ""
        subtitle = f"{status.state} {since} · {status.reason}"
        pane.show(title, view.screen, subtitle)

    def select(self, agent: str) -> None:
        self.query_one(AgentTable).select(agent)

    def on_data_table_row_selected(self, event) -> None:
        # The table takes enter before the screen's binding sees it: same meaning either way.
        event.stop()
        self.action_prompt()

    def on_agent_selected(self, message: AgentSelected) -> None:
        self.app.selected_agent = message.agent
        self._show_pane(self.app.snapshot)

    def on_prompt_submitted(self, message: PromptSubmitted) -> None:
        if message.queue:
            self.app.queue_prompt(message.agent, message.text)
        else:
            self.app.send_prompt(message.agent, message.text)
        self.query_one(AgentTable).focus()

    def _require_selected(self) -> str | None:
        if self.selected is None:
            self.notify("No agent selected", severity="warning")
        return self.selected

    def action_prompt(self) -> None:
        if agent := self._require_selected():
            self.query_one(PromptBar).open_for(agent)

    def action_queue(self) -> None:
        if agent := self._require_selected():
            self.app.open_queue(agent)

    def action_approve(self) -> None:
        if agent := self._require_selected():
            self.app.answer(agent, approve=True)

    def action_deny(self) -> None:
        if agent := self._require_selected():
            self.app.answer(agent, approve=False)

    def action_interrupt(self, key: str) -> None:
        agent = self._require_selected()
        if agent is None:
            return
        now = time.monotonic()
        armed = self._armed
        if armed and armed[0] == key and armed[1] == agent \
                and now - armed[2] <= INTERRUPT_GUARD_SECONDS:
            self._armed = None
            self.app.interrupt(agent)
            return
        self._armed = (key, agent, now)
        self.notify(f"Press {key} again to interrupt {agent}", timeout=INTERRUPT_GUARD_SECONDS)

    def action_attach(self) -> None:
        if agent := self._require_selected():
            self.app.attach(agent)

    def action_toggle_pause(self) -> None:
        if agent := self._require_selected():
            self.app.toggle_pause(agent)

    def action_restart(self) -> None:
        if agent := self._require_selected():
            self.app.restart_agent(agent)

    def action_kill(self) -> None:
        if agent := self._require_selected():
            self.app.kill_agent(agent)

    def action_remind_policy(self) -> None:
        if agent := self._require_selected():
            self.app.remind_policy(agent)

    def action_grid(self) -> None:
        self.app.open_grid()

    def action_zoom(self) -> None:
        self.toggle_class("-zoomed")
