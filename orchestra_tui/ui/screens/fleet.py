"""The main screen: the fleet in attention order beside the selected agent's live pane.

Keys: `j`/`k` (and arrows) move the selection wherever the focus is (zoomed, back from any
screen); `esc` leaves zoom before it means anything else; while the prompt bar is open no key
reaches a fleet binding."""

from __future__ import annotations

import time

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from orchestra_tui.core.desk.desk import UNCONFIGURED, DeskSnapshot
from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.ui.messages import (
    AlertsSeen,
    AttachAsked,
    DialogAnswered,
    GridOpened,
    InterruptConfirmed,
    KillAsked,
    NewAgentAsked,
    NudgeAsked,
    PauseToggled,
    PolicyReminderAsked,
    PromptClosed,
    QueueOpened,
    RestartAsked,
    RetireAsked,
    SelectionMoved,
)
from orchestra_tui.ui.screens.fleet_keys import FLEET_KEYS
from orchestra_tui.ui.widgets.agent_table import AgentTable
from orchestra_tui.ui.widgets.empty_state import EmptyState
from orchestra_tui.ui.widgets.filter_bar import FilterBar
from orchestra_tui.ui.widgets.pane_view import PaneView
from orchestra_tui.ui.widgets.prompt_bar import PromptBar
from orchestra_tui.ui.widgets.status_bar import FleetStatus
from orchestra_tui.ui.widgets.why_panel import WhyPanel
from orchestra_tui.ui.wording.format import pane_subtitle

# An interrupt stops an agent mid-turn: it takes the same key twice within this many seconds.
INTERRUPT_GUARD_SECONDS = 2.0
# The fleet list takes at most this share of the width; the pane gets the rest.
TABLE_SHARE = 0.6
COMPACT_BELOW = 130  # columns: below this the footer is drawn compact
TABLE_BORDER = 2


class FleetScreen(Screen[None]):
    """Shows `snapshot` and, for who is on which issue, `desk`: the app sets both."""

    BINDINGS = FLEET_KEYS

    snapshot: reactive[FleetSnapshot] = reactive(FleetSnapshot(agents=(), at=0.0),
                                                 always_update=True, repaint=False)
    desk: reactive[DeskSnapshot] = reactive(UNCONFIGURED, always_update=True, repaint=False)

    def __init__(self, snapshot: FleetSnapshot, desk: DeskSnapshot = UNCONFIGURED, *,
                 config_path: str = "", warn: int = 20, critical: int = 10) -> None:
        super().__init__()
        self.set_reactive(FleetScreen.snapshot, snapshot)
        self.set_reactive(FleetScreen.desk, desk)
        self.config_path = config_path
        self.warn = warn
        self.critical = critical
        self._armed: tuple[str, str, float] | None = None  # (key, agent, when)
        # When something was last closed (a screen, the prompt bar, zoom): an esc soon after
        # is the person backing out further, never half an interrupt.
        self._backed_out_at = float("-inf")
        self._shown_before = False  # the first resume is the app's start, not a way back
        self._merged_told: set[str] = set()  # agents whose merged branch was pointed out

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        yield FleetStatus(id="fleet-status")
        yield FilterBar(id="filter-bar")
        with Horizontal(id="fleet-body"):
            yield AgentTable(id="agents", warn=self.warn, critical=self.critical)
            with Vertical(id="pane-column"):
                yield PaneView(id="pane")
                yield WhyPanel(id="why-panel")
        yield EmptyState(self.config_path, id="empty")
        yield PromptBar(id="prompt-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(AgentTable).on_selected = self._agent_selected
        self._show(self.snapshot)
        self._show_issues(self.desk)
        self.query_one(AgentTable).focus()

    def watch_snapshot(self, snapshot: FleetSnapshot) -> None:
        if self.is_mounted:
            self._show(snapshot)

    def watch_desk(self, desk: DeskSnapshot) -> None:
        if self.is_mounted:
            self._show_issues(desk)

    def on_resize(self, event: events.Resize) -> None:
        # A narrow terminal keeps every key in the footer by packing it tighter.
        self.query_one(Footer).compact = event.size.width < COMPACT_BELOW
        limit = int(event.size.width * TABLE_SHARE)
        table = self.query_one(AgentTable)
        table.styles.max_width = limit
        table.fit(limit - TABLE_BORDER)

    def on_screen_resume(self) -> None:
        # Back from help, the queue editor, the grid, the inbox...: the keys move the fleet.
        if self._shown_before:
            self._backed_out()
        self._shown_before = True
        self._give_keys_to_fleet()

    def _backed_out(self) -> None:
        self._disarm()
        self._backed_out_at = time.monotonic()

    def _disarm(self) -> None:
        if self._armed is not None:
            self._armed = None
            self._show_armed(None)

    def _show_armed(self, armed: tuple[str, str] | None) -> None:
        table = self.query_one(AgentTable)
        table.armed = armed
        table.update_agents(self.snapshot)

    @property
    def selected(self) -> str | None:
        return self.query_one(AgentTable).selected

    @property
    def zoomed(self) -> bool:
        return self.has_class("-zoomed")

    @property
    def typing(self) -> bool:
        """The prompt bar is open, or the filter bar has the keys: every key is text (and
        nothing may pop up over the prompt)."""
        return self.query_one(PromptBar).is_open or self.query_one(FilterBar).has_focus

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the prompt bar is open every key is text: `n` must not deny, `K` must not
        # kill, ctrl+c (a priority binding) must not interrupt.
        return not self.typing

    def _give_keys_to_fleet(self) -> None:
        if self.typing:
            return
        if self.zoomed:
            self.set_focus(None)  # the list is hidden; the screen's j/k still move it
        else:
            self.query_one(AgentTable).focus()

    def _show(self, snapshot: FleetSnapshot) -> None:
        empty = not snapshot.agents and snapshot.at > 0
        self.set_class(empty, "-empty")
        table = self.query_one(AgentTable)
        table.update_agents(snapshot)
        self.query_one(FleetStatus).show(snapshot, table.cut)
        self._show_pane(snapshot)
        self._offer_retire(snapshot)
        bar = self.query_one(PromptBar)
        if bar.is_open and bar.agent:
            view = snapshot.get(bar.agent)
            bar.show_queued(view.queued if view else 0)

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()
        self.refresh_bindings()

    def on_filter_bar_edited(self, message: FilterBar.Edited) -> None:
        message.stop()
        self._recut(filter_text=message.text)

    def on_filter_bar_left(self, message: FilterBar.Left) -> None:
        message.stop()
        self.query_one(AgentTable).focus()  # before the way back: the bar has the keys
        self.on_prompt_closed(PromptClosed())

    def action_group(self) -> None:
        self._recut(grouping=self.query_one(AgentTable).grouping.next())

    def action_freeze(self) -> None:
        self._recut(frozen=not self.query_one(AgentTable).frozen)

    def action_cost(self) -> None:
        self._recut(cost=not self.query_one(AgentTable).show_cost)

    def _recut(self, **how) -> None:
        table = self.query_one(AgentTable)
        table.set_view(**how)
        self.query_one(FleetStatus).show(self.snapshot, table.cut)
        self._show_pane(self.snapshot)

    def _show_issues(self, desk: DeskSnapshot) -> None:
        table = self.query_one(AgentTable)
        issues = {view.name: label for view in self.snapshot.agents
                  if (label := desk.current_issue(view.name))}
        if issues != table.issues:
            table.issues = issues
            table.update_agents(self.snapshot)

    @property
    def explaining(self) -> bool:
        return self.has_class("-why")

    def _show_why(self, snapshot: FleetSnapshot) -> None:
        if self.explaining:
            agent = self.selected
            self.query_one(WhyPanel).show(agent, snapshot.get(agent) if agent else None,
                                          snapshot.at)

    def _show_pane(self, snapshot: FleetSnapshot) -> None:
        self._show_why(snapshot)
        pane = self.query_one(PaneView)
        view = snapshot.get(self.selected) if self.selected else None
        if view is None:
            pane.show(None, "no agent selected", "")
            return
        status = view.status
        title = Text(f"{status.name} · {status.tool} · {status.pane_id or 'no pane'}")
        pane.show(status.name, title, view.screen, pane_subtitle(status, view.work, snapshot.at),
                  rows=view.pane.height if view.pane else None)

    def _offer_retire(self, snapshot: FleetSnapshot) -> None:
        """Once per agent: its branch's work is merged, so `X` can retire it."""
        for view in snapshot.agents:
            work = view.work
            if work is not None and work.merged and view.name not in self._merged_told:
                self._merged_told.add(view.name)
                self.notify(f"{view.name}'s branch {work.branch} is merged into {work.base}: "
                            "X retires it (its worktree goes)", title="Merged", timeout=15)

    def select(self, agent: str) -> None:
        self.query_one(AgentTable).select(agent)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # The table takes enter before the screen's binding sees it: same meaning either way.
        event.stop()
        self.action_prompt()

    def _agent_selected(self, agent: str | None) -> None:
        self._show_pane(self.snapshot)
        self.post_message(SelectionMoved(agent))

    def on_prompt_closed(self, message: PromptClosed) -> None:
        self._backed_out()
        self.refresh_bindings()
        self._give_keys_to_fleet()

    def _require_selected(self) -> str | None:
        if self.selected is None:
            self.notify("No agent selected", severity="warning")
        return self.selected

    def action_prompt(self) -> None:
        if agent := self._require_selected():
            view = self.snapshot.get(agent)
            self.query_one(PromptBar).open_for(agent, view.queued if view else 0)
            self.refresh_bindings()

    def action_cursor(self, direction: str) -> None:
        table = self.query_one(AgentTable)
        if direction == "down":
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_scroll_pane(self, direction: str) -> None:
        pane = self.query_one(PaneView)
        if direction == "up":
            pane.scroll_page_up()
        else:
            pane.scroll_page_down()

    def action_alerts(self) -> None:
        agent = self._require_selected()
        view = self.snapshot.get(agent) if agent else None
        if agent is None or view is None:
            return
        alerts = view.status.alerts
        if not alerts:
            self.notify(f"{agent} has no alerts", timeout=4)
            return
        self.post_message(AlertsSeen(agent))
        self.notify("\n".join(f"⚠ {text}" for text in alerts), markup=False,
                    title=f"{agent}: {len(alerts)} alert{'s' if len(alerts) > 1 else ''}",
                    severity="warning", timeout=20)

    def action_escape(self) -> None:
        if self.zoomed:  # leaving zoom is all esc does then: it never arms the interrupt
            self.action_zoom()
            return
        now = time.monotonic()
        if now - self._backed_out_at <= INTERRUPT_GUARD_SECONDS:
            # One of a run of esc presses backing out of screens: it closes nothing more and
            # arms nothing, however many follow (each extends the run).
            self._backed_out_at = now
            return
        self.action_interrupt("escape")

    def action_queue(self) -> None:
        if agent := self._require_selected():
            self.post_message(QueueOpened(agent))

    def action_approve(self) -> None:
        if agent := self._require_selected():
            self.post_message(DialogAnswered(agent, approve=True))

    def action_deny(self) -> None:
        if agent := self._require_selected():
            self.post_message(DialogAnswered(agent, approve=False))

    def action_interrupt(self, key: str) -> None:
        agent = self._require_selected()
        if agent is None:
            return
        now = time.monotonic()
        armed = self._armed
        if armed and armed[0] == key and armed[1] == agent \
                and now - armed[2] <= INTERRUPT_GUARD_SECONDS:
            self._disarm()
            self.post_message(InterruptConfirmed(agent))
            return
        self._armed = (key, agent, now)
        label = "esc" if key == "escape" else key
        self._show_armed((agent, label))
        self.set_timer(INTERRUPT_GUARD_SECONDS, self._expire_arm)

    def _expire_arm(self) -> None:
        armed = self._armed
        if armed is not None and time.monotonic() - armed[2] >= INTERRUPT_GUARD_SECONDS - 0.05:
            self._disarm()

    def action_attach(self) -> None:
        if agent := self._require_selected():
            self.post_message(AttachAsked(agent))

    def action_toggle_pause(self) -> None:
        if agent := self._require_selected():
            self.post_message(PauseToggled(agent))

    def action_restart(self) -> None:
        if agent := self._require_selected():
            self.post_message(RestartAsked(agent))

    def action_kill(self) -> None:
        if agent := self._require_selected():
            self.post_message(KillAsked(agent))

    def action_new_agent(self) -> None:
        view = self.snapshot.get(self.selected) if self.selected else None
        lane = view.status.spec.lane if view is not None and view.status.spec else ""
        self.post_message(NewAgentAsked(lane))

    def action_retire(self) -> None:
        if agent := self._require_selected():
            self.post_message(RetireAsked(agent))

    def action_nudge(self) -> None:
        if agent := self._require_selected():
            self.post_message(NudgeAsked(agent))

    def action_remind_policy(self) -> None:
        if agent := self._require_selected():
            self.post_message(PolicyReminderAsked(agent))

    def action_why(self) -> None:
        self.toggle_class("-why")
        self._show_why(self.snapshot)

    def action_grid(self) -> None:
        table = self.query_one(AgentTable)
        self.post_message(GridOpened(table.filter_text, dict(table.issues)))

    def action_zoom(self) -> None:
        if self.zoomed:
            self._backed_out()
        else:
            self._disarm()
        self.toggle_class("-zoomed")
        self._give_keys_to_fleet()
