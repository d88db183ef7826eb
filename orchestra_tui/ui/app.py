"""The Textual app: thin. It runs the poll loop in a worker, holds the latest FleetSnapshot for
screens to watch, and turns the person's actions into Fleet calls run off the screen."""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from orchestra_tui.agents.text import clip
from orchestra_tui.config.schema import UiConfig, default_of
from orchestra_tui.core.fleet import FleetSnapshot
from orchestra_tui.core.handoff import policy_reminder
from orchestra_tui.core.send_gate import SendRefused
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import NEEDS_PERSON, Attach, AttachWay
from orchestra_tui.services.tmux_attach import run_in_this_terminal
from orchestra_tui.ui.github_actions import GitHubActions
from orchestra_tui.ui.screens.ask import AskScreen
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.grid import GridScreen
from orchestra_tui.ui.screens.help import HelpScreen
from orchestra_tui.ui.screens.queue import QueueScreen
from orchestra_tui.ui.words import NEXT_STEP, STATE_PHRASES

# An offer to queue a refused send closes by itself after this long, unanswered.
OFFER_SECONDS = 60.0


@dataclass(frozen=True)
class AppOptions:
    """What the app takes from the config; the defaults are the config schema's own."""

    config_path: str = ""
    poll_seconds: float = default_of(UiConfig, "poll_seconds")
    theme: str = default_of(UiConfig, "theme")
    bell: bool = default_of(UiConfig, "bell")
    context_warn: int = default_of(UiConfig, "context_warn_percent")
    context_critical: int = default_of(UiConfig, "context_critical_percent")
    poll: bool = True  # snapshot tests render one fixed snapshot and never poll
    attach_popup: bool = default_of(UiConfig, "attach_popup")


# What each fleet action does, for the command palette (its title is the binding's label).
PALETTE_HELP: dict[str, str] = {
    "prompt": "Type a prompt for the selected agent: send it now or add it to its queue",
    "queue": "Open the selected agent's queue of follow-up prompts",
    "approve": "Answer yes to the selected agent's permission dialog",
    "deny": "Answer no to the selected agent's permission dialog",
    "interrupt": "Stop the selected agent's turn (press twice)",
    "alerts": "The selected agent's alerts: forbidden commands, loops, low context",
    "attach": "Switch your tmux client to the selected agent's pane",
    "pause": "Pause or resume sending the selected agent's queued prompts",
    "restart": "Kill the selected agent and start it again with a handoff you can edit",
    "kill": "Kill the selected agent's process (asks first); its queue stays",
    "policy": "Send the lane's policy to the selected agent as a reminder",
    "nudge": "Send 'continue' to a blocked agent whose prompt box is ready (asks first)",
    "grid": "Show every agent's pane at once",
    "zoom": "Show the selected agent's pane full size",
    "inbox": "Unresolved review threads and bot findings on the agents' PRs",
    "merge": "Each PR's evidence gate; merge only what passes",
    "issues": "The lanes' issues: comment guidance, assign one to an agent",
    "new_agent": "Start a new agent on a lane, optionally on an issue, in its own worktree",
    "retire": "Stop the selected agent and remove its worktree (asks first)",
}


class FleetRefreshed(Message):
    def __init__(self, snapshot: FleetSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class OrchestraApp(GitHubActions, App):
    CSS_PATH = "orchestra.tcss"
    TITLE = "orchestra"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
    ]

    # No repaint of the whole screen per tick: the screens watching it update what changed.
    snapshot: reactive[FleetSnapshot] = reactive(FleetSnapshot(agents=(), at=0.0),
                                                 always_update=True, repaint=False)

    def __init__(self, fleet, options: AppOptions = AppOptions(), desk=None) -> None:
        super().__init__()
        self.fleet = fleet
        self.options = options
        self.selected_agent: str | None = None
        self._queue_order = asyncio.Lock()  # follow-ups queued in a row keep their order
        self.startup_notices: list[str] = []  # said once the fleet screen is up
        self.init_github(desk)

    def on_mount(self) -> None:
        if self.options.theme in self.available_themes:
            self.theme = self.options.theme
        self.push_screen(FleetScreen(self.options.config_path, self.options.context_warn,
                                     self.options.context_critical))
        self.fleet.on_send_failed = self._queued_send_failed
        for notice in self.startup_notices:
            self.notify(notice, title="orchestra", severity="warning", timeout=12)
        if self.options.poll:
            self.run_worker(self._poll(), group="poll", exclusive=True)
        else:
            self.snapshot = self.fleet.snapshot
        self.start_desk()

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast is plain text: messages carry agents' reasons, pane rows and config
        names such as `[[lane]]`, which Rich markup would style away or choke on (`[/]`)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_unmount(self) -> None:
        self.fleet.close()  # the hook nudge socket goes with the app

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
            self.post_message(FleetRefreshed(snapshot))
            elapsed = loop.time() - started
            # A hook event wakes the loop at once: hooks' state reaches the screen in a tick.
            await self.fleet.wait_for_news(max(0.0, self.options.poll_seconds - elapsed))

    def _visible_agents(self) -> set[str]:
        stack = self.screen_stack  # empty while the app closes, the poll not yet stopped
        if stack and isinstance(stack[-1], GridScreen):
            return {view.name for view in self.snapshot.agents}
        return {self.selected_agent} if self.selected_agent else set()

    def _queued_send_failed(self, agent: str, item, error: BaseException) -> None:
        self.notify(f"{error}; the prompt is marked uncertain in {agent}'s queue (Q)",
                    title=f"{agent}: queued prompt not sent", severity="error", timeout=12)

    def on_fleet_refreshed(self, message: FleetRefreshed) -> None:
        previous = self.snapshot
        self.snapshot = message.snapshot
        error = message.snapshot.tick_error
        if error and error != previous.tick_error:
            self.notify(f"{error}; orchestra keeps polling", title="Refresh failed",
                        severity="error", timeout=10)
        notice = message.snapshot.tmux_notice
        if notice and notice != previous.tmux_notice:
            self.notify(notice, title="tmux", severity="warning", timeout=10)
        storage = message.snapshot.storage_problem
        if storage and storage != previous.storage_problem:
            self.notify(storage, title="orchestra's data", severity="error", timeout=15)
        if previous.at > 0:
            self._call_attention(previous, message.snapshot)

    def _call_attention(self, before: FleetSnapshot, after: FleetSnapshot) -> None:
        """A toast and the bell when an agent starts needing the person."""
        rang = False
        earlier = {view.name: view for view in before.agents}
        for view in after.agents:
            old = earlier.get(view.name)
            if old is not None and view.status.alerts != old.status.alerts:
                for text in view.status.alerts:
                    if text not in old.status.alerts:
                        self.notify(f"{text} (! to see its alerts)",
                                    title=f"{view.name}: alert", severity="error", timeout=10)
                        rang = True
            state = view.status.state
            if old is None or old.status.state is state:
                continue
            # Only what needs the person pops up; the rest is in the list. Never over the
            # prompt bar while they type: the row and the bell tell them.
            if state in NEEDS_PERSON:
                if not self._typing():
                    self.notify(NEXT_STEP[state], title=f"{view.name} {STATE_PHRASES[state]}",
                                severity="warning", timeout=6)
                rang = True
        if rang and self.options.bell:
            self.bell()

    def _typing(self) -> bool:
        stack = self.screen_stack
        return bool(stack) and isinstance(stack[-1], FleetScreen) and stack[-1].typing

    # -- actions the screens ask for -------------------------------------------------------

    def _run(self, work: Coroutine, done: str | None = None) -> None:
        async def guarded() -> None:
            try:
                await work
            except OrchestraError as error:
                self.notify(str(error), severity="error", timeout=8)
                return
            if done:
                self.notify(done, timeout=3)
            self.snapshot = self.fleet.current()

        self.run_worker(guarded(), group="actions")

    def send_prompt(self, agent: str, text: str, *, source: str = "person") -> None:
        """Send now through the send gate. A refusal (a dialog, a shell, an unknown screen)
        types nothing; the person is offered to queue the text instead, one key."""
        async def send() -> None:
            try:
                result = await self.fleet.send_now(agent, text, source=source)
            except SendRefused as refused:
                self._offer_queue(agent, text, refused, source)
                return
            if not result.delivered:
                raise OrchestraError(
                    f"{agent}: typed but submission not confirmed ({result.detail}); "
                    "not sent again")
            self.notify(f"Sent to {agent}", timeout=3)

        self._run(send())

    def _offer_queue(self, agent: str, text: str, refused: SendRefused, source: str) -> None:
        if refused.typed:
            self.notify(str(refused), title=f"{agent}: check the pane", severity="error",
                        timeout=12)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(self.fleet.enqueue(agent, text, source=source),
                          f"Queued for {agent}: sent when it is ready")

        view = self.snapshot.get(agent)
        state_then = view.status.state if view is not None else None

        def unchanged() -> bool:
            now = self.snapshot.get(agent)
            return (now.status.state if now is not None else None) is state_then

        self.push_screen(AskScreen(
            str(refused), f"Queue it for {agent} instead? It is sent when {agent} is ready.\n"
            f"“{clip(text, 200)}”", valid_while=unchanged, expires_after=OFFER_SECONDS,
            withdrawn=f"{agent} changed since the send was refused: the offer to queue it "
                      "closed, nothing was queued"), answered)

    def queue_prompt(self, agent: str, text: str) -> None:
        async def enqueue() -> None:
            async with self._queue_order:
                await self.fleet.enqueue(agent, text)

        self._run(enqueue(), f"Queued for {agent}")

    def queue_op(self, op: str, *args) -> None:
        self._run(self.fleet.queue_op(op, *args))

    def submit_again(self, agent: str, item_id: str) -> None:
        """Enter again for an unsubmitted prompt (the fleet checks the composer holds it)."""
        self._run(self.fleet.submit_again(agent, item_id), f"{agent}: Enter pressed again")

    def toggle_pause(self, agent: str) -> None:
        async def toggle() -> None:
            paused = await self.fleet.toggle_pause(agent)
            self.notify(f"{agent}: queue {'paused' if paused else 'resumed'}", timeout=3)

        self._run(toggle())

    def answer(self, agent: str, approve: bool) -> None:
        """Answer the dialog the person sees: the fleet re-reads the pane and refuses when it
        is no longer that dialog."""
        view = self.snapshot.get(agent)
        seen = view.status.dialog_key if view is not None else None
        self._run(self.fleet.answer(agent, approve, seen=seen),
                  f"{'Approved' if approve else 'Denied'}: {agent}")

    def alerts_seen(self, agent: str) -> None:
        self.fleet.alerts_seen(agent)

    def interrupt(self, agent: str) -> None:
        self._run(self.fleet.interrupt(agent), f"Interrupted {agent}")

    def attach(self, agent: str) -> None:
        async def attach() -> None:
            found = await self.fleet.attach(agent, popup=self.options.attach_popup)
            back = f"{found.detach} comes back to orchestra"
            if found.way is AttachWay.IN_THIS_TERMINAL:
                await self._attach_here(agent, found)
            elif found.way is AttachWay.COMMAND_ONLY:
                self.notify(f"Run  {shlex.join(found.argv)}  ({back})", title="Attach",
                            timeout=20)
            else:
                self.notify(f"{agent}'s pane is open in your tmux; {back}", title="Attach",
                            timeout=6)

        self._run(attach())

    async def _attach_here(self, agent: str, found: Attach) -> None:
        """Outside tmux: the app steps aside, the attach runs in this terminal, and orchestra
        comes back when the person detaches."""
        with self.suspend():
            print(f"orchestra: attaching to {agent}; {found.detach} comes back to orchestra",
                  flush=True)
            code = await asyncio.to_thread(run_in_this_terminal, found.argv)
        if code != 0:
            self.notify(f"The attach ended with exit {code}: {shlex.join(found.argv)}",
                        title="Attach", severity="warning", timeout=12)

    def restart_agent(self, agent: str) -> None:
        """Compose the handoff, let the person edit it (saving is the confirmation), then kill
        the agent, start it again and send the handoff once it is ready."""
        async def compose() -> None:
            handoff = await self.fleet.compose_handoff(agent, pulls=self.pulls_of(agent))

            def edited(text: str | None) -> None:
                if text:
                    self._run(self._restart(agent, text))

            self.push_screen(EditPromptScreen(
                f"Restart {agent}: this handoff is sent once it is ready", handoff,
                save_label="restart"), edited)

        self._run(compose())

    def pulls_of(self, agent: str) -> list:
        """The agent's open PRs with their gates, as the last GitHub refresh saw them."""
        return [(item.pr, item.gate) for item in self.desk.pulls if item.pr.agent == agent]

    async def _restart(self, agent: str, handoff: str) -> None:
        self.notify(f"Restarting {agent} …", timeout=3)
        outcome = await self.fleet.restart(agent, " ".join(handoff.split()))
        self.notify(outcome.summary, title=agent,
                    severity="information" if outcome.handoff_sent else "warning", timeout=10)

    def kill_agent(self, agent: str) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._run(self.fleet.kill(agent), f"Killed {agent}")

        self.push_screen(AskScreen(f"Kill {agent}?",
                                   "Its process ends; its queue stays. R restarts it."), answered)

    def remind_policy(self, agent: str) -> None:
        spec = self.fleet.spec(agent)
        if not spec.policy:
            self.notify(f"{agent}'s lane has no policy in the config", severity="warning")
            return
        self.send_prompt(agent, policy_reminder(spec), source="policy")

    def open_queue(self, agent: str) -> None:
        self.push_screen(QueueScreen(agent))

    def open_grid(self) -> None:
        self.push_screen(GridScreen())

    def select_agent(self, agent: str) -> None:
        self.selected_agent = agent
        for screen in self.screen_stack:
            if isinstance(screen, FleetScreen):
                screen.select(agent)

    def action_help(self) -> None:
        sections = [("Everywhere", list(self.BINDINGS)),
                    ("Fleet", list(FleetScreen.BINDINGS)),
                    ("Queue editor", list(QueueScreen.BINDINGS)),
                    ("Grid", list(GridScreen.BINDINGS)),
                    *self.github_help_sections()]
        self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from self.github_system_commands(screen)
        yield SystemCommand("Help", "Every key and what each state means", self.action_help)
        fleet_screen = next((s for s in self.screen_stack if isinstance(s, FleetScreen)), None)
        if fleet_screen is None:
            return
        for binding in FleetScreen.BINDINGS:
            # Every action on an agent, shown in the footer or not; not the cursor keys.
            help_text = PALETTE_HELP.get(binding.id or "")
            if help_text is None:
                continue
            yield SystemCommand(binding.description, f"{help_text} (key: {binding.key})",
                                partial(fleet_screen.run_action, binding.action))
