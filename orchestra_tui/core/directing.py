"""Directing agents: everything the person (or the queue) makes orchestra do to a pane.

Every write of text goes through the send gate (`core/send_gate.py`): send now, the policy
reminder, queue dispatch, the restart handoff. Dialog answers re-read the pane too, and answer
only the dialog the person was shown. `Directing` is a mixin of `Fleet`: it uses the fleet's
slots, store, journal and clock.
"""

from __future__ import annotations

import asyncio

from orchestra_tui import agents
from orchestra_tui.agents.tracker import AgentTracker
from orchestra_tui.core import receipts as receipt_rules
from orchestra_tui.core.answering import dialog_drawn, still_shown
from orchestra_tui.core.attach import attach_to
from orchestra_tui.core.dispatch import DispatchMemory, may_dispatch
from orchestra_tui.core.fleet_state import Slot
from orchestra_tui.core.guardrails import OutputWatch
from orchestra_tui.core.handoff import (
    compose_handoff,
    last_issue,
    policy_reminder,
    refused_prompts,
)
from orchestra_tui.core.loops import LoopWatch
from orchestra_tui.core.restart import RestartOutcome, kill_agent, restart_agent
from orchestra_tui.core.send_gate import DRAFT_REASON, SendRefused
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import (
    Attach,
    DialogKey,
    PaneInfo,
    QueueItem,
    SendResult,
    State,
)
from orchestra_tui.receipt import ReceiptState, ReceiptStep
from orchestra_tui.services.store import QueueError

QUEUE_OPS = frozenset({"edit", "delete", "move", "move_to_agent", "requeue"})


class _NotClaimed(Exception):
    """The queued item could not be claimed for sending (nothing was typed)."""


class Directing:
    """The fleet's verbs. Expects `_slot`, `_slots`, `store`, `journal`, `gate`, `clock`,
    `settings`, `tmux`, `read_only`, `_queues`, `_background` and `_journal` from `Fleet`."""

    # -- sending ---------------------------------------------------------------------------

    async def send_now(self, name: str, text: str, *, source: str = "person",
                       to_shell: bool = False, allow_blocked: bool = False) -> SendResult:
        """Send a prompt straight away through the gate. Raises `SendRefused` (nothing typed,
        nothing journaled as sent) when the pane is not a composer ready for input.
        `allow_blocked`: a blocked agent whose composer is on screen takes it (a nudge)."""
        slot = self._slot(name)
        pane = self._require_pane(slot)
        tracked = slot.status.state if slot.status else None
        try:
            result = await self.gate.send(
                slot.spec.name, pane.pane_id, text, slot.tool, to_shell=to_shell,
                tracked=tracked, before_first_byte=self._before_send_hook(slot, text),
                allow_blocked=allow_blocked, left_in_composer=self._left_in_composer(slot))
        except SendRefused as refused:
            await self._journal("send_refused", agent=slot.spec.name, text=text, source=source,
                                state=str(refused.state), reason=refused.reason,
                                typed=refused.typed)
            raise
        if result.delivered or result.uncertain:
            await self._record_sent(slot, text, source, result)
        return result

    async def send_to_pane(self, pane_id: str, text: str, *, to_shell: bool = False
                           ) -> SendResult:
        """Send to a pane that is no configured or discovered agent (`orchestra send %12`),
        through the same gate; the tool is read from its screen."""
        try:
            result = await self.gate.send(pane_id, pane_id, text, None, to_shell=to_shell)
        except SendRefused as refused:
            await self._journal("send_refused", agent=pane_id, text=text, source="cli",
                                state=str(refused.state), reason=refused.reason,
                                typed=refused.typed)
            raise
        if result.delivered or result.uncertain:
            await self._journal("prompt_sent", agent=pane_id, text=text, source="cli",
                                delivered=result.delivered, uncertain=result.uncertain)
        return result

    def _before_send_hook(self, slot: Slot, text: str):
        async def note() -> None:
            self._before_send(slot, text)
        return note

    async def remind_policy(self, name: str) -> SendResult:
        slot = self._slot(name)
        if not slot.spec.policy:
            raise OrchestraError(f"{slot.spec.name}'s lane has no policy in the config")
        return await self.send_now(name, policy_reminder(slot.spec), source="policy")

    def _before_send(self, slot: Slot, text: str) -> None:
        # Registered before the text reaches the pane: its echo is never an alert or a loop.
        if slot.output is None:
            slot.output = OutputWatch(slot.spec.name, slot.spec)
        slot.output.note_prompt(text)
        slot.loops.note_prompt(text)
        slot.memory.note_sent(slot.fingerprint)
        slot.stopped_by_person = None

    async def _record_sent(self, slot: Slot, text: str, source: str,
                           result: SendResult) -> None:
        if self.store is not None:
            await asyncio.to_thread(self.store.record_sent, slot.spec.name, text)
        await self._journal("prompt_sent", agent=slot.spec.name, text=text, source=source,
                            delivered=result.delivered, uncertain=result.uncertain)

    # -- the queue -------------------------------------------------------------------------

    async def enqueue(self, name: str, text: str, *, source: str = "person") -> QueueItem:
        slot = self._slot(name)
        item = await asyncio.to_thread(self.store.add, slot.spec.name, text, source=source)
        await self._journal("queue_added", agent=slot.spec.name, text=text, source=source)
        return item

    async def queue_op(self, op: str, *args) -> None:
        """Edit, delete, move, move_to_agent or requeue a queued item. Store writes fsync, so
        they run in a thread, never on the caller's event loop."""
        if op not in QUEUE_OPS:
            raise ValueError(f"unknown queue operation {op!r}")
        await asyncio.to_thread(getattr(self.store, op), *args)

    async def submit_again(self, name: str, item_id: str) -> receipt_rules.Receipt:
        """Press Enter again for an `unsubmitted` prompt still in the composer (never retyped;
        `core.receipts.submit_again` says when it refuses)."""
        slot = self._slot(name)
        return await receipt_rules.submit_again(
            self.gate, self.store, self._journal, slot.spec.name, self._require_pane(slot),
            item_id, tool=slot.tool, before_enter=lambda text: self._before_send(slot, text),
            clock=self.clock)

    def _left_in_composer(self, slot: Slot) -> tuple[str, ...]:
        return receipt_rules.left_in_composer(self._queues.of(slot.spec.name), self.clock())

    async def _note_receipt(self, slot: Slot, item: QueueItem, state: ReceiptState,
                            why: str) -> None:
        step = ReceiptStep(state, self.clock(), why)
        await receipt_rules.record(self.store, self._journal,
                                   receipt_rules.Change(slot.spec.name, item.id, step))

    async def toggle_pause(self, name: str) -> bool:
        agent = self._slot(name).spec.name
        paused = not await asyncio.to_thread(self.store.paused, agent)
        await asyncio.to_thread(self.store.set_paused, agent, paused)
        return paused

    def dispatch_ready(self) -> list[str]:
        """Start sending the next queued prompt to every agent that is ready for one.
        Returns the names dispatched to. Sends run as tracked tasks so a tick never waits on
        them, and a failure reaches the person through `on_send_failed`."""
        if self.store is None or self.read_only:
            return []
        queues = self._queues
        started = []
        for slot in self._slots.values():
            status = slot.status
            if status is None or slot.pane is None or slot.restarting:
                continue
            sending = slot.sending is not None and not slot.sending.done()
            item = None if sending else queues.next_ready(slot.spec.name)
            refused_here = slot.refused_at is not None and slot.refused_at == slot.fingerprint
            if may_dispatch(status.state, paused=slot.spec.name in queues.paused,
                            has_ready_item=item is not None and not refused_here,
                            memory=slot.memory, sending=sending):
                slot.sending = asyncio.ensure_future(self._deliver(slot, item))
                slot.sending.add_done_callback(self._send_done(slot, item))
                started.append(slot.spec.name)
        return started

    def _send_done(self, slot: Slot, item: QueueItem):
        def done(task: asyncio.Task) -> None:
            if task.cancelled():
                return
            error = task.exception()
            if error is not None:
                self._background(self._journal("send_failed", agent=slot.spec.name,
                                               text=item.text, error=str(error)))
                self.on_send_failed(slot.spec.name, item, error)
        return done

    def on_send_failed(self, agent: str, item: QueueItem, error: BaseException) -> None:
        """Called when a queued send failed unexpectedly; the app replaces it with a toast.
        The item is already `uncertain` on disk (never retyped unasked)."""

    async def wait_for_sends(self) -> None:
        tasks = [slot.sending for slot in self._slots.values() if slot.sending]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _deliver(self, slot: Slot, item: QueueItem) -> None:
        async def claim() -> None:
            # On disk as `sending` after the gate passed and before a byte reaches the pane:
            # a crash from here on leaves it `uncertain` for the person, never sent twice.
            try:
                await asyncio.to_thread(self.store.mark_sending, item.id,
                                        receipt_rules.pane_identity(pane))
            except QueueError as error:
                raise _NotClaimed(str(error)) from None
            self._before_send(slot, item.text)

        pane = slot.pane
        tracked = slot.status.state if slot.status else None
        try:
            result = await self.gate.send(slot.spec.name, pane.pane_id, item.text, slot.tool,
                                          tracked=tracked, before_first_byte=claim,
                                          left_in_composer=self._left_in_composer(slot))
        except _NotClaimed:
            return  # edited, deleted or claimed by another sender meanwhile: not ours to send
        except SendRefused as refused:
            if refused.typed:
                await asyncio.to_thread(self.store.mark_uncertain, item.id, str(refused))
            # Not typed: the item was never claimed and stays queued; wait for the screen to
            # change before trying again rather than asking the pane every tick.
            slot.refused_at = slot.fingerprint
            why = DRAFT_REASON if refused.draft else refused.reason
            seen = (item.id, str(refused.state), why)
            if refused.typed or seen != slot.refusal_journaled:
                slot.refusal_journaled = seen
                if not refused.typed:  # its receipt says why it waits
                    await self._note_receipt(slot, item, ReceiptState.REFUSED, str(refused))
                await self._journal("send_refused", agent=slot.spec.name, text=item.text,
                                    source=item.source or "queue", state=str(refused.state),
                                    reason=refused.reason, typed=refused.typed)
            return
        except OrchestraError as error:
            await asyncio.to_thread(self.store.mark_uncertain, item.id, f"send failed: {error}")
            raise
        if result.delivered:
            await asyncio.to_thread(self.store.mark_sent, item.id, self.clock())
            await self._journal("receipt", agent=slot.spec.name, item=item.id, state="typed")
        else:
            await asyncio.to_thread(self.store.mark_uncertain, item.id,
                                    result.detail or "submission not confirmed")
            # The recipe's last read still showed the text in the composer: certain evidence.
            await self._note_receipt(slot, item, ReceiptState.UNSUBMITTED,
                                     receipt_rules.STILL_IN_COMPOSER)
        await self._record_sent(slot, item.text, item.source or "queue", result)

    # -- unblocking ------------------------------------------------------------------------

    async def answer(self, name: str, approve: bool, *,
                     seen: DialogKey | None = None) -> State:
        """Approve or deny the open dialog with the keys its tool expects. The pane is read
        afresh: a dialog that closed, or another one that opened since the person looked
        (`seen` is the identity of the one they were shown), gets no key."""
        slot = self._slot(name)
        pane = self._require_pane(slot)
        # One writer per pane: no send may be typing while the answer's keys go in.
        async with self.gate.holding(slot.spec.name, pane.pane_id):
            return await self._answer_held(slot, pane, approve, seen)

    async def _answer_held(self, slot: Slot, pane: PaneInfo, approve: bool,
                           seen: DialogKey | None) -> State:
        reading = await dialog_drawn(self.gate, slot, pane.pane_id)
        detection = reading.detection
        if reading.pane.dead or detection.state is not State.APPROVAL:
            raise OrchestraError(f"{slot.spec.name} is not waiting for approval now "
                                 f"({detection.reason or detection.state}); nothing sent")
        if seen is not None and not still_shown(slot, seen, detection.dialog_key):
            raise OrchestraError(f"{slot.spec.name}'s dialog changed since it was shown "
                                 f"(now {detection.reason}); look again, nothing sent")
        if approve and detection.dialog == "question":
            # Enter would pick whichever choice is highlighted: a choice, not a yes.
            raise OrchestraError(f"{slot.spec.name} asks a question with choices, not for "
                                 "approval: answer it in its pane (a); nothing sent")
        keys = agents.answer_keys(detection.tool, detection.dialog, approve)
        await self.tmux.send_keys(pane.pane_id, *keys)
        if not approve:
            await self._person_stopped(slot, "denied")
        await self._journal("approval" if approve else "denial", agent=slot.spec.name,
                            keys=keys, reason=detection.reason)
        return detection.state

    def alerts_seen(self, name: str) -> None:
        """The person looked at the agent's alerts (`!`): it no longer sorts as needing them
        for those. Shown on the next snapshot."""
        self._slot(name).alerts_unseen = 0

    async def interrupt(self, name: str) -> None:
        slot = self._slot(name)
        pane = self._require_pane(slot)
        await self.tmux.send_keys(pane.pane_id, "Escape")
        await self._person_stopped(slot, "interrupted")
        await self._journal("interrupt", agent=slot.spec.name)

    def _notice_interrupt_in_pane(self, slot: Slot, state: State, interrupted: bool,
                                  now: float) -> None:
        """The person pressed Esc in the agent's own pane (attached to it): its turn ended
        with the tool's interrupt notice. Their act, as through orchestra: the queue is held
        so that no follow-up lands in the agent they just stopped. Only an interrupt seen
        happening (working, then this): one already on screen at start is old news."""
        previous = slot.status
        if (self.read_only or slot.stopped_by_person is not None or state is not State.IDLE
                or not interrupted or previous is None
                or previous.state is not State.WORKING):
            return
        slot.stopped_by_person, slot.stopped_at = "interrupted", now
        slot.hook = None
        # This tick's read of the queues: no file is touched on the poll loop.
        if self.store is not None and slot.spec.name not in self._queues.paused:
            self._background(asyncio.to_thread(self.store.set_paused, slot.spec.name, True))
        self._background(self._journal("interrupt", agent=slot.spec.name, where="pane"))

    async def _person_stopped(self, slot: Slot, how: str) -> None:
        """The person stopped the agent's turn: what follows on screen is their act, not a
        failure, and its queue waits for them (held until `p` resumes it)."""
        slot.stopped_by_person, slot.stopped_at = how, self.clock()
        slot.hook = None  # no hook event tells of the person's act: the old one is over
        if self.store is not None and not await asyncio.to_thread(self.store.paused,
                                                                  slot.spec.name):
            await asyncio.to_thread(self.store.set_paused, slot.spec.name, True)

    async def attach(self, name: str, *, popup: bool = False) -> Attach:
        """Take the person to the agent's pane, wherever their terminal is (`core.attach`)."""
        slot = self._slot(name)
        return await attach_to(self.tmux, self._require_pane(slot), slot.spec.name,
                               popup=popup)

    # -- restart and kill ------------------------------------------------------------------

    async def compose_handoff(self, name: str, note: str = "", pulls=()) -> str:
        """The one-paragraph handoff a restarted agent gets: lane, issue, PRs, last prompts,
        policy and the person's note."""
        slot = self._slot(name)
        if not slot.spec.command:
            raise OrchestraError(f"{slot.spec.name} has no `command` in the config to restart "
                                 "it with; set one in its [[agent]] table")
        entries = (await asyncio.to_thread(self.journal.read, agent=slot.spec.name)
                   if self.journal is not None else [])
        # A longer history than is quoted: slash commands, refusals and earlier handoffs are
        # left out of it, and a few real prompts must remain.
        recent = self.store.history(slot.spec.name, limit=20) if self.store else []
        return compose_handoff(slot.spec, issue=last_issue(entries, slot.spec.name),
                               pulls=pulls, recent_prompts=recent, note=note,
                               refused=refused_prompts(entries, slot.spec.name))

    async def restart(self, name: str, handoff: str) -> RestartOutcome:
        """Kill the agent and start its configured command at the same target, then send the
        handoff through the gate once it is ready. Its queue stays and resumes through the
        normal dispatch."""
        slot = self._slot(name)
        if not slot.spec.command:
            raise OrchestraError(f"{slot.spec.name} has no `command` in the config to restart "
                                 "it with")
        pane_id = slot.pane.pane_id if slot.pane is not None else None
        self._before_send(slot, handoff)
        # Its queue waits while it restarts: the handoff is the new session's first prompt.
        slot.restarting = True
        try:
            outcome = await restart_agent(self.tmux, slot.spec, pane_id, handoff=handoff,
                                          journal=None if self.read_only else self.journal,
                                          gate=self.gate)
        finally:
            slot.restarting = False
        if outcome.pane_id:
            slot.pane_override = outcome.pane_id
        slot.output, slot.loops, slot.loop_reason = None, LoopWatch(), None
        slot.tracker = AgentTracker(stuck_after=self.settings.stuck_after,
                                    idle_debounce=self.settings.idle_debounce)
        slot.fingerprint = slot.detection = None
        slot.context_level = 0
        slot.stopped_by_person = None
        slot.hook = None
        if self.hook_watch is not None and outcome.pane_id:
            self.hook_watch.forget(outcome.pane_id)
        # A fresh session has its whole context: the old warning no longer holds.
        slot.alerts = [alert for alert in slot.alerts if alert.kind != "context"]
        slot.memory = DispatchMemory()
        if outcome.handoff_sent:
            slot.memory.note_sent(None)  # the queue waits for the handoff's turn to end
        return outcome

    async def kill(self, name: str) -> None:
        slot = self._slot(name)
        pane = self._require_pane(slot)
        await kill_agent(self.tmux, pane.pane_id, agent=slot.spec.name,
                         journal=None if self.read_only else self.journal)

    def _require_pane(self, slot: Slot) -> PaneInfo:
        status = slot.status
        if status is not None and status.state is State.UNREACHABLE:  # its host does not answer
            raise SendRefused(slot.spec.name, State.UNREACHABLE,
                              status.reason.removeprefix("unreachable: "))
        if slot.pane is None or slot.pane.dead:
            raise OrchestraError(f"{slot.spec.name} has no live pane")
        return slot.pane
