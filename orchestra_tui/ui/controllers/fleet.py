"""What the person's actions on one agent do: each a `Fleet` call run in a worker (never on
the screen's turn), its outcome told in a toast. The app owns one `FleetActions` and calls it
from the handlers of the messages the screens post."""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from textual.app import App

from orchestra_tui.agents.text import clip
from orchestra_tui.core.attach import Attach, AttachWay
from orchestra_tui.core.fleet.directing import QueueOp
from orchestra_tui.core.fleet.fleet import Fleet, FleetSnapshot
from orchestra_tui.core.sending.send_gate import SendRefused, text_refusal
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import Gate, PullRequest, QueueItem
from orchestra_tui.services.tmux.attach import run_in_this_terminal
from orchestra_tui.ui.controllers.nudge import ask_nudge
from orchestra_tui.ui.screens.ask import AskScreen
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen

# An offer to queue a refused send closes by itself after this long, unanswered.
OFFER_SECONDS = 60.0


class FleetActions:
    """`shown` is the snapshot the person sees, `show` puts a newer one on screen (a queue edit
    shows at once, not a tick later); `pulls_of(agent)` the agent's open PRs with their gates,
    for a restart's handoff."""

    def __init__(self, app: App[Any], fleet: Fleet, *, attach_popup: bool,
                 shown: Callable[[], FleetSnapshot], show: Callable[[FleetSnapshot], None],
                 pulls_of: Callable[[str], Sequence[tuple[PullRequest, Gate]]]) -> None:
        self.app = app
        self.fleet = fleet
        self.attach_popup = attach_popup
        self.shown = shown
        self.show = show
        self.pulls_of = pulls_of
        self._queue_order = asyncio.Lock()  # follow-ups queued in a row keep their order

    def run(self, work: Coroutine[Any, Any, object], done: str | None = None) -> None:
        async def guarded() -> None:
            try:
                await work
            except OrchestraError as error:
                self.app.notify(str(error), severity="error", timeout=8)
                return
            if done:
                self.app.notify(done, timeout=3)
            self.show(self.fleet.current())

        self.app.run_worker(guarded(), group="actions")

    def resume_budget(self, lane: str) -> None:
        self.run(self.fleet.resume_budget(lane),
                 done=f"lane {lane}: its queues go on past its budget for the rest of today")

    def queued_send_failed(self, agent: str, item: QueueItem, error: BaseException) -> None:
        self.app.notify(f"{error}; the prompt is marked uncertain in {agent}'s queue (Q)",
                        title=f"{agent}: queued prompt not sent", severity="error", timeout=12)

    # -- sending and queueing ----------------------------------------------------------------

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
            self.app.notify(f"Sent to {agent}", timeout=3)

        self.run(send())

    def _offer_queue(self, agent: str, text: str, refused: SendRefused, source: str) -> None:
        if text_refusal(text) is not None:  # no state of the agent's lets it go: no offer
            self.app.notify(str(refused), title=f"{agent}: not sent", severity="error",
                            timeout=12)
            return
        if refused.typed:
            self.app.notify(str(refused), title=f"{agent}: check the pane", severity="error",
                            timeout=12)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run(self.fleet.enqueue(agent, text, source=source),
                         f"Queued for {agent}: sent when it is ready")

        view = self.shown().get(agent)
        state_then = view.status.state if view is not None else None

        def unchanged() -> bool:
            now = self.shown().get(agent)
            return (now.status.state if now is not None else None) is state_then

        self.app.push_screen(AskScreen(
            str(refused), f"Queue it for {agent} instead? It is sent when {agent} is ready.\n"
            f"“{clip(text, 200)}”", valid_while=unchanged, expires_after=OFFER_SECONDS,
            withdrawn=f"{agent} changed since the send was refused: the offer to queue it "
                      "closed, nothing was queued"), answered)

    def queue_prompt(self, agent: str, text: str) -> None:
        async def enqueue() -> None:
            async with self._queue_order:
                await self.fleet.enqueue(agent, text)

        self.run(enqueue(), f"Queued for {agent}")

    def queue_op(self, op: QueueOp, *args: object) -> None:
        self.run(self.fleet.queue_op(op, *args))

    def submit_again(self, agent: str, item_id: str) -> None:
        self.run(self.fleet.submit_again(agent, item_id), f"{agent}: Enter pressed again")

    def toggle_pause(self, agent: str) -> None:
        async def toggle() -> None:
            paused = await self.fleet.toggle_pause(agent)
            self.app.notify(f"{agent}: queue {'paused' if paused else 'resumed'}", timeout=3)

        self.run(toggle())

    def remind_policy(self, agent: str) -> None:
        try:
            reminder = self.fleet.policy_reminder(agent)  # the fleet's one reminder
        except OrchestraError as error:
            self.app.notify(str(error), severity="warning")
            return
        self.send_prompt(agent, reminder, source="policy")

    def nudge(self, agent: str) -> None:
        ask_nudge(self.app, self.fleet, self.shown, agent)

    # -- answering, stopping, looking ----------------------------------------------------------

    def answer(self, agent: str, approve: bool) -> None:
        """Answer the dialog the person sees: the fleet re-reads the pane and refuses when it
        is no longer that dialog."""
        view = self.shown().get(agent)
        seen = view.status.dialog_key if view is not None else None
        self.run(self.fleet.answer(agent, approve, seen=seen),
                 f"{'Approved' if approve else 'Denied'}: {agent}")

    def alerts_seen(self, agent: str) -> None:
        self.fleet.alerts_seen(agent)

    def interrupt(self, agent: str) -> None:
        self.run(self.fleet.interrupt(agent), f"Interrupted {agent}")

    def attach(self, agent: str) -> None:
        async def attach() -> None:
            found = await self.fleet.attach(agent, popup=self.attach_popup)
            back = f"{found.detach} comes back to orchestra"
            if found.way is AttachWay.IN_THIS_TERMINAL:
                await self._attach_here(agent, found)
            elif found.way is AttachWay.COMMAND_ONLY:
                self.app.notify(f"Run  {shlex.join(found.argv)}  ({back})", title="Attach",
                                timeout=20)
            else:
                self.app.notify(f"{agent}'s pane is open in your tmux; {back}",
                                title="Attach", timeout=6)

        self.run(attach())

    async def _attach_here(self, agent: str, found: Attach) -> None:
        """Outside tmux: the app steps aside, the attach runs in this terminal, and orchestra
        comes back when the person detaches."""
        with self.app.suspend():
            print(f"orchestra: attaching to {agent}; {found.detach} comes back to orchestra",
                  flush=True)
            code = await asyncio.to_thread(run_in_this_terminal, found.argv)
        if code != 0:
            self.app.notify(f"The attach ended with exit {code}: {shlex.join(found.argv)}",
                            title="Attach", severity="warning", timeout=12)

    # -- restart and kill ----------------------------------------------------------------------

    def restart(self, agent: str) -> None:
        """Compose the handoff, let the person edit it (saving is the confirmation), then kill
        the agent, start it again and send the handoff once it is ready."""
        async def compose() -> None:
            handoff = await self.fleet.compose_handoff(agent, pulls=self.pulls_of(agent))

            def edited(text: str | None) -> None:
                if text:
                    self.run(self._restart(agent, text))

            self.app.push_screen(EditPromptScreen(
                f"Restart {agent}: this handoff is sent once it is ready", handoff,
                save_label="restart"), edited)

        self.run(compose())

    async def _restart(self, agent: str, handoff: str) -> None:
        self.app.notify(f"Restarting {agent} …", timeout=3)
        outcome = await self.fleet.restart(agent, " ".join(handoff.split()))
        self.app.notify(outcome.summary, title=agent,
                        severity="information" if outcome.handoff_sent else "warning",
                        timeout=10)

    def kill(self, agent: str) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.run(self.fleet.kill(agent), f"Killed {agent}")

        self.app.push_screen(AskScreen(f"Kill {agent}?",
                                       "Its process ends; its queue stays. R restarts it."),
                             answered)
