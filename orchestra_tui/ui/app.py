"""The Textual app: thin. It runs the poll loop in a worker, holds the latest FleetSnapshot and
DeskSnapshot and hands them down to the screens, and turns the messages the screens post into
the work of the controllers it owns (fleet, GitHub, lifecycle), run off the screen."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from orchestra_tui.core.away.duty import AfterTick
from orchestra_tui.core.desk.desk import UNCONFIGURED, Desk, DeskSnapshot
from orchestra_tui.core.fleet.directing import QueueOp
from orchestra_tui.core.fleet.fleet import Fleet, FleetSnapshot
from orchestra_tui.core.lifecycle.lifecycle import Lifecycle
from orchestra_tui.services.notify.clipboard import ClipboardChannel
from orchestra_tui.ui import messages as m
from orchestra_tui.ui.controllers.away import AwayActions, AwaySummaryReady
from orchestra_tui.ui.controllers.diff import DiffActions
from orchestra_tui.ui.controllers.fleet import FleetActions
from orchestra_tui.ui.controllers.github import DeskRefreshed, GitHubActions, bindings_of
from orchestra_tui.ui.controllers.lifecycle import LifecycleActions
from orchestra_tui.ui.news import fleet_news
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.palette import fleet_commands
from orchestra_tui.ui.screens.away import AwayScreen
from orchestra_tui.ui.screens.desk_screen import DeskScreen
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.grid import GridScreen
from orchestra_tui.ui.screens.help import HelpScreen
from orchestra_tui.ui.screens.inbox import InboxScreen
from orchestra_tui.ui.screens.issues import IssuesScreen
from orchestra_tui.ui.screens.merge import MergeScreen
from orchestra_tui.ui.screens.queue import QueueScreen
from orchestra_tui.ui.terminal import terminal_driver


class FleetRefreshed(Message):
    def __init__(self, snapshot: FleetSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


# The screens the app hands each snapshot down to (the fleet's, the desk's) while they are open.
SHOWS_FLEET = (FleetScreen, GridScreen, QueueScreen, DeskScreen, MergeScreen)
SHOWS_DESK = (FleetScreen, DeskScreen, MergeScreen)


class OrchestraApp(App[None]):
    """Built by the composition root (`bootstrap.build_app`) with everything it uses: the
    fleet, the GitHub desk and the lifecycle (None: GitHub or lanes not configured, and the
    keys that need them say so), and the notices to show once the fleet screen is up."""

    CSS_PATH = "orchestra.tcss"
    TITLE = "orchestra"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
    ]

    # No repaint of the whole screen per tick: the screens shown update what changed.
    snapshot: reactive[FleetSnapshot] = reactive(FleetSnapshot(agents=(), at=0.0),
                                                 always_update=True, repaint=False)
    desk: reactive[DeskSnapshot] = reactive(UNCONFIGURED, always_update=True)
    # Set by the program (`commands/app.py`), not by tests that build many apps in one process:
    # once the first snapshot is on screen, what start-up built (modules, styles, widgets: about
    # 140,000 objects) lives as long as the app, and Python's full collections went over all of
    # it every half minute (~0.1 s each). `gc.freeze` sets it aside.
    freeze_after_first_screen = False

    def __init__(self, fleet: Fleet, options: AppOptions | None = None, *,
                 desk: Desk | None = None, lifecycle: Lifecycle | None = None,
                 startup_notices: Iterable[str] = (), away: AfterTick | None = None,
                 clipboard: ClipboardChannel | None = None) -> None:
        super().__init__()
        # A closed terminal must not hang the app half way through its exit (ui/terminal.py).
        self.driver_class = terminal_driver(self.driver_class)
        self.fleet = fleet
        self.lifecycle = lifecycle  # N and X (`ui/controllers/lifecycle.py`); None: not offered
        self.options = options = options or AppOptions()
        self.github_desk = desk
        self.startup_notices = list(startup_notices)
        self.selected_agent: str | None = None
        self.github_actions = GitHubActions(self, fleet, desk, poll=options.poll,
                                    fleet_shown=self._fleet_shown,
                                    desk_shown=self._desk_shown, show_fleet=self._show_fleet,
                                    clipboard=clipboard)
        self.fleet_actions = FleetActions(self, fleet, attach_popup=options.attach_popup,
                                    shown=self._fleet_shown, show=self._show_fleet,
                                    pulls_of=self.github_actions.pulls_of)
        self.lifecycle_actions = LifecycleActions(self, lifecycle, self._fleet_shown)
        self.diff_actions = DiffActions(self, fleet, desk, send_now=self.fleet_actions.send_prompt,
                                        refresh_desk=self.github_actions.refresh,
                                        show_fleet=self._show_fleet)
        self.away_actions = AwayActions(self, fleet, away)  # notify, resume, rules; summary

    def _fleet_shown(self) -> FleetSnapshot:
        return self.snapshot

    def _show_fleet(self, snapshot: FleetSnapshot) -> None:
        self.snapshot = snapshot

    def _desk_shown(self) -> DeskSnapshot:
        return self.desk

    def on_mount(self) -> None:
        if self.options.theme in self.available_themes:
            self.theme = self.options.theme
        self.push_screen(FleetScreen(self.snapshot, self.desk,
                                     config_path=self.options.config_path,
                                     warn=self.options.context_warn,
                                     critical=self.options.context_critical))
        self.fleet.watch_send_failures(self.fleet_actions.queued_send_failed)
        for notice in self.startup_notices:
            self.notify(notice, title="orchestra", severity="warning", timeout=12)
        if self.options.poll:
            self.run_worker(self._poll(), group="poll", exclusive=True)
        else:
            self.snapshot = self.fleet.snapshot
        if self.github_desk is not None:
            self.desk = self.github_desk.snapshot
        self.github_actions.start()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast is plain text: messages carry agents' reasons, pane rows and config
        names such as `[[lane]]`, which Rich markup would style away or choke on (`[/]`)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_unmount(self) -> None:
        self.fleet.close()  # the hook nudge socket goes with the app

    # -- the snapshots, handed down to the screens that show them --------------------------------

    def watch_snapshot(self, snapshot: FleetSnapshot) -> None:
        # A tick that lands while the app shuts down would meet screens whose widgets are gone.
        if not self.is_running:
            return
        for screen in self.screen_stack:
            if isinstance(screen, SHOWS_FLEET):
                screen.snapshot = snapshot

    def watch_desk(self, desk: DeskSnapshot) -> None:
        if not self.is_running:
            return
        for screen in self.screen_stack:
            if isinstance(screen, SHOWS_DESK):
                screen.desk = desk

    # -- the poll loop (a worker: it reads tmux and posts what it saw, never touching widgets)

    async def _poll(self) -> None:
        """One tick per `poll_seconds`, start to start: the loop sleeps what is left of the
        interval. `Fleet.refresh` reports a failed tick in the snapshot instead of raising,
        so the loop outlives any one bad tick."""
        loop = asyncio.get_running_loop()
        self.fleet.listen_for_hooks()
        while True:
            started = loop.time()
            visible = self._visible_agents()
            snapshot = await self.fleet.refresh(visible=visible, history=self.selected_agent)
            self.fleet.dispatch_ready()
            self.away_actions.after_tick(snapshot)
            self.post_message(FleetRefreshed(snapshot))
            elapsed = loop.time() - started
            # News (a hook, a pane starting or stopping writing) wakes the loop at once; while
            # none comes the fleet waits longer (`core/fleet/pace.py`).
            await self.fleet.wait_for_news(max(0.0, self.options.poll_seconds - elapsed))

    def _visible_agents(self) -> set[str]:
        stack = self.screen_stack  # empty while the app closes, the poll not yet stopped
        if stack and isinstance(stack[-1], GridScreen):
            return {view.name for view in self.snapshot.agents}
        return {self.selected_agent} if self.selected_agent else set()

    def on_fleet_refreshed(self, message: FleetRefreshed) -> None:
        if not self.is_running:  # shutting down: the screens' widgets may be gone already
            return
        previous, self.snapshot = self.snapshot, message.snapshot
        if self.freeze_after_first_screen:
            self.freeze_after_first_screen = False
            self.call_after_refresh(gc.freeze)
        toasts, ring = fleet_news(previous, message.snapshot, typing=self._typing())
        for toast in toasts:
            self.notify(toast.text, title=toast.title, severity=toast.severity,
                        timeout=toast.timeout)
        if ring and self.options.bell:
            self.bell()

    def on_desk_refreshed(self, message: DeskRefreshed) -> None:
        self.desk = message.snapshot

    # Whether the person looks (notifications hold while they do), and their coming back.
    def on_app_focus(self, event: events.AppFocus) -> None:
        self.away_actions.app_focused()

    def on_app_blur(self, event: events.AppBlur) -> None:
        self.away_actions.app_blurred()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.away_actions.key_pressed()
        await super().on_event(event)

    def on_away_summary_ready(self, message: AwaySummaryReady) -> None:
        self.push_screen(AwayScreen(message.text))

    def _typing(self) -> bool:
        stack = self.screen_stack
        return bool(stack) and isinstance(stack[-1], FleetScreen) and stack[-1].typing

    # -- the screens' messages: what the person asked for -------------------------------------

    def on_selection_moved(self, message: m.SelectionMoved) -> None:
        self.selected_agent = message.agent
        # Its screen may be seconds old (`core/fleet/reading.py`): a tick now reads it, once
        # the screen has shown the selection (the tick's work would hold the keypress back).
        self.call_after_refresh(self.fleet.look_now)

    def on_prompt_submitted(self, message: m.PromptSubmitted) -> None:
        if message.queue:
            self.fleet_actions.queue_prompt(message.agent, message.text)
        else:
            self.fleet_actions.send_prompt(message.agent, message.text)

    def on_prompt_queued(self, message: m.PromptQueued) -> None:
        self.fleet_actions.queue_prompt(message.agent, message.text)

    def on_queue_opened(self, message: m.QueueOpened) -> None:
        self.push_screen(QueueScreen(message.agent, self.snapshot))

    def on_grid_opened(self, message: m.GridOpened) -> None:
        self.push_screen(GridScreen(self.snapshot, self.selected_agent,
                                    filter_text=message.filter_text, issues=message.issues),
                         self._picked_in_grid)

    def _picked_in_grid(self, agent: str | None) -> None:
        if agent is not None:
            self.select_agent(agent)

    def on_dialog_answered(self, message: m.DialogAnswered) -> None:
        self.fleet_actions.answer(message.agent, message.approve)

    def on_interrupt_confirmed(self, message: m.InterruptConfirmed) -> None:
        self.fleet_actions.interrupt(message.agent)

    def on_alerts_seen(self, message: m.AlertsSeen) -> None:
        self.fleet_actions.alerts_seen(message.agent)

    def on_attach_asked(self, message: m.AttachAsked) -> None:
        self.fleet_actions.attach(message.agent)

    def on_pause_toggled(self, message: m.PauseToggled) -> None:
        self.fleet_actions.toggle_pause(message.agent)

    def on_budget_resume_asked(self, message: m.BudgetResumeAsked) -> None:
        self.fleet_actions.resume_budget(message.lane)

    def on_restart_asked(self, message: m.RestartAsked) -> None:
        self.fleet_actions.restart(message.agent)

    def on_kill_asked(self, message: m.KillAsked) -> None:
        self.fleet_actions.kill(message.agent)

    def on_submit_again_asked(self, message: m.SubmitAgainAsked) -> None:
        self.fleet_actions.submit_again(message.agent, message.item_id)

    def on_policy_reminder_asked(self, message: m.PolicyReminderAsked) -> None:
        self.fleet_actions.remind_policy(message.agent)

    def on_nudge_asked(self, message: m.NudgeAsked) -> None:
        self.fleet_actions.nudge(message.agent)

    def on_new_agent_asked(self, message: m.NewAgentAsked) -> None:
        self.lifecycle_actions.ask_new_agent(lane=message.lane)

    def on_retire_asked(self, message: m.RetireAsked) -> None:
        self.lifecycle_actions.ask_retire(message.agent)

    def on_agent_picked(self, message: m.AgentPicked) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, FleetScreen):
            self.pop_screen()  # back to the fleet, the agent selected there
        self.select_agent(message.agent)

    def on_agent_on_issue_asked(self, message: m.AgentOnIssueAsked) -> None:
        self.lifecycle_actions.ask_agent_on_issue(message.issue)

    # The queue editor's edits, each one operation of the fleet's queue.
    def on_queue_item_edited(self, message: m.QueueItemEdited) -> None:
        self.fleet_actions.queue_op(QueueOp.EDIT, message.item_id, message.text)

    def on_queue_item_deleted(self, message: m.QueueItemDeleted) -> None:
        self.fleet_actions.queue_op(QueueOp.DELETE, message.item_id)

    def on_queue_item_moved(self, message: m.QueueItemMoved) -> None:
        self.fleet_actions.queue_op(QueueOp.MOVE, message.item_id, message.delta)

    def on_queue_item_moved_to(self, message: m.QueueItemMovedTo) -> None:
        self.fleet_actions.queue_op(QueueOp.MOVE_TO_AGENT, message.item_id, message.agent)

    def on_queue_item_requeued(self, message: m.QueueItemRequeued) -> None:
        self.fleet_actions.queue_op(QueueOp.REQUEUE, message.item_id)

    # The GitHub screens'.
    def on_desk_refresh_asked(self, message: m.DeskRefreshAsked) -> None:
        self.github_actions.refresh()

    def on_browser_open_asked(self, message: m.BrowserOpenAsked) -> None:
        self.github_actions.open_in_browser(message.url)

    def on_review_queued(self, message: m.ReviewQueued) -> None:
        self.github_actions.queue_review(message.entry, message.agent)

    def on_loop_item_queued(self, message: m.LoopItemQueued) -> None:
        self.github_actions.queue_loop_item(message.entry, message.agent)

    def on_review_resolved(self, message: m.ReviewResolved) -> None:
        self.github_actions.resolve_review(message.entry)

    def on_review_snoozed(self, message: m.ReviewSnoozed) -> None:
        self.github_actions.snooze_review(message.entry, message.hours)

    def on_review_unsnoozed(self, message: m.ReviewUnsnoozed) -> None:
        self.github_actions.unsnooze_review(message.entry)

    def on_merge_confirmed(self, message: m.MergeConfirmed) -> None:
        self.github_actions.merge_pull(message.pr, message.gate_sha)

    def on_admin_merge_confirmed(self, message: m.AdminMergeConfirmed) -> None:
        self.github_actions.admin_merge_pull(message.pr, message.gate_sha, message.reason)

    def on_branch_update_asked(self, message: m.BranchUpdateAsked) -> None:
        self.github_actions.update_pull_branch(message.pr)

    def on_issues_wanted(self, message: m.IssuesWanted) -> None:
        self.github_actions.load_issues()

    def on_issue_wanted(self, message: m.IssueWanted) -> None:
        self.github_actions.load_issue(message.repo, message.number)

    def on_guidance_written(self, message: m.GuidanceWritten) -> None:
        self.github_actions.post_guidance(message.repo, message.number, message.body)

    def on_issue_assigned(self, message: m.IssueAssigned) -> None:
        self.github_actions.assign_issue(message.issue, message.agent)

    def on_diff_asked(self, message: m.DiffAsked) -> None:
        self.diff_actions.show(message.target)

    def on_review_submitted(self, message: m.ReviewSubmitted) -> None:
        self.diff_actions.submit(message.target, message.comments, message.how)

    # -- the app's own actions and keys ----------------------------------------------------------

    def select_agent(self, agent: str) -> None:
        self.selected_agent = agent
        for screen in self.screen_stack:
            if isinstance(screen, FleetScreen):
                screen.select(agent)

    def action_inbox(self) -> None:
        self.github_actions.open_screen(InboxScreen)

    def action_merge_panel(self) -> None:
        self.github_actions.open_screen(MergeScreen)

    def action_issues(self) -> None:
        self.github_actions.open_screen(IssuesScreen)

    def action_diff(self) -> None:
        self.diff_actions.show_agent(self.selected_agent)

    def action_refresh_github(self) -> None:
        self.github_actions.refresh()

    def action_help(self) -> None:
        sections = [("Everywhere", bindings_of(type(self))),
                    ("Fleet", bindings_of(FleetScreen)),
                    ("Queue editor", bindings_of(QueueScreen)),
                    ("Grid", bindings_of(GridScreen)), self.diff_actions.help_section(),
                    *self.github_actions.help_sections()]
        self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from self.github_actions.system_commands(screen)
        yield SystemCommand("Help", "Every key and what each state means", self.action_help)
        fleet_screen = next((s for s in self.screen_stack if isinstance(s, FleetScreen)), None)
        if fleet_screen is not None:
            yield from fleet_commands(fleet_screen)
