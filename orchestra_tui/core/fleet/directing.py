"""Directing agents: everything the person (or the queue) makes orchestra do to a pane.

Every write of text goes through the send gate (`core/sending/send_gate.py`): send now, the policy
reminder, queue dispatch, the restart handoff (`core/fleet/restart.py`). Dialog answers re-read
the pane too, and answer only the dialog the person was shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from orchestra_tui import agents
from orchestra_tui.core.fleet.answering import answer_swallowed, dialog_drawn, still_shown
from orchestra_tui.core.fleet.state import FleetContext, Slot, require_pane
from orchestra_tui.core.guard.guardrails import OutputWatch
from orchestra_tui.core.lifecycle.handoff import policy_reminder
from orchestra_tui.core.ports import SendFailed
from orchestra_tui.core.sending import receipts as receipt_rules
from orchestra_tui.core.sending.dispatch import may_dispatch
from orchestra_tui.core.sending.send_gate import DRAFT_REASON, SendRefused, text_refusal
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import (
    DialogKey,
    PaneInfo,
    QueueItem,
    SendResult,
    State,
)
from orchestra_tui.receipt import ReceiptState, ReceiptStep
from orchestra_tui.services.ports import QueueStorePort
from orchestra_tui.services.store.queues import QueueError


class _NotClaimed(Exception):
    """The queued item could not be claimed for sending (nothing was typed)."""


class QueueOp(StrEnum):
    """What the person does to one queued item (`Directing.queue_op`)."""

    EDIT = "edit"
    DELETE = "delete"
    MOVE = "move"
    MOVE_TO_AGENT = "move_to_agent"
    REQUEUE = "requeue"


QUEUE_OPS = frozenset(QueueOp)


class Directing:
    """The fleet's verbs over the shared `FleetContext`. `on_send_failed` is told when a
    queued send failed unexpectedly (the app's toast); more listeners join with
    `watch_send_failures`."""

    def __init__(self, context: FleetContext, *,
                 on_send_failed: SendFailed | None = None,
                 budget_holds: Callable[[str], bool] = lambda _lane: False) -> None:
        self.context = context
        self.budget_holds = budget_holds  # lane -> its daily budget is spent: queues hold
        self._send_failed: list[SendFailed] = [on_send_failed] if on_send_failed else []

    @property
    def _store(self) -> QueueStorePort:
        if self.context.store is None:
            raise OrchestraError("this fleet has no queue store")
        return self.context.store

    async def _journal(self, event: str, agent: str | None = None, **fields: Any) -> None:
        await self.context.record.write(event, agent, **fields)

    # -- sending ---------------------------------------------------------------------------

    async def send_now(self, name: str, text: str, *, source: str = "person",
                       to_shell: bool = False, allow_blocked: bool = False) -> SendResult:
        """Send a prompt straight away through the gate. Raises `SendRefused` (nothing typed,
        nothing journaled as sent) when the pane is not a composer ready for input.
        `allow_blocked`: a blocked agent whose composer is on screen takes it (a nudge)."""
        slot = self.context.slot(name)
        pane = require_pane(slot)
        tracked = slot.status.state if slot.status else None
        try:
            result = await self.context.gate.send(
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
            result = await self.context.gate.send(pane_id, pane_id, text, None, to_shell=to_shell)
        except SendRefused as refused:
            await self._journal("send_refused", agent=pane_id, text=text, source="cli",
                                state=str(refused.state), reason=refused.reason,
                                typed=refused.typed)
            raise
        if result.delivered or result.uncertain:
            await self._journal("prompt_sent", agent=pane_id, text=text, source="cli",
                                delivered=result.delivered, uncertain=result.uncertain)
        return result

    def _before_send_hook(self, slot: Slot, text: str) -> Callable[[], Awaitable[None]]:
        async def note() -> None:
            self.before_send(slot, text)
        return note

    def policy_reminder(self, name: str) -> str:
        """The reminder of the agent's lane policy, the one text both the app's key and
        `remind_policy` send; raises when its lane has none."""
        spec = self.context.slot(name).spec
        if not spec.policy:
            raise OrchestraError(f"{spec.name}'s lane has no policy in the config")
        return policy_reminder(spec)

    async def remind_policy(self, name: str) -> SendResult:
        return await self.send_now(name, self.policy_reminder(name), source="policy")

    def before_send(self, slot: Slot, text: str) -> None:
        # Registered before the text reaches the pane: its echo is never an alert or a loop.
        if slot.output is None:
            slot.output = OutputWatch(slot.spec.name, slot.spec)
        slot.output.note_prompt(text)
        slot.loops.note_prompt(text)
        slot.memory.note_sent(slot.fingerprint)
        slot.stopped_by_person = None

    async def _record_sent(self, slot: Slot, text: str, source: str,
                           result: SendResult) -> None:
        if self.context.store is not None:
            await asyncio.to_thread(self.context.store.record_sent, slot.spec.name, text)
        await self._journal("prompt_sent", agent=slot.spec.name, text=text, source=source,
                            delivered=result.delivered, uncertain=result.uncertain)

    # -- the queue -------------------------------------------------------------------------

    async def enqueue(self, name: str, text: str, *, source: str = "person") -> QueueItem:
        slot = self.context.slot(name)
        if (why := text_refusal(text)) is not None:  # it would wait at the head forever
            raise OrchestraError(f"not queued for {slot.spec.name}: {why}")
        item = await asyncio.to_thread(self._store.add, slot.spec.name, text, source=source)
        await self._journal("queue_added", agent=slot.spec.name, text=text, source=source)
        return item

    async def queue_op(self, op: QueueOp | str, *args: object) -> None:
        """Edit, delete, move, move_to_agent or requeue a queued item. Store writes fsync, so
        they run in a thread, never on the caller's event loop."""
        match QueueOp(op), args:
            case QueueOp.EDIT, (str(item_id), str(text)):
                await self.edit_queued(item_id, text)
            case QueueOp.DELETE, (str(item_id),):
                await self.delete_queued(item_id)
            case QueueOp.MOVE, (str(item_id), int(delta)):
                await self.move_queued(item_id, delta)
            case QueueOp.MOVE_TO_AGENT, (str(item_id), str(agent)):
                await self.move_queued_to_agent(item_id, agent)
            case QueueOp.REQUEUE, (str(item_id),):
                await self.requeue(item_id)
            case _:
                raise ValueError(f"queue operation {op!r} does not take {args!r}")

    async def edit_queued(self, item_id: str, text: str) -> QueueItem:
        if (why := text_refusal(text)) is not None:
            raise OrchestraError(f"not changed: {why}")
        return await asyncio.to_thread(self._store.edit, item_id, text)

    async def delete_queued(self, item_id: str) -> QueueItem:
        return await asyncio.to_thread(self._store.delete, item_id)

    async def move_queued(self, item_id: str, delta: int) -> QueueItem:
        return await asyncio.to_thread(self._store.move, item_id, delta)

    async def move_queued_to_agent(self, item_id: str, agent: str) -> QueueItem:
        return await asyncio.to_thread(self._store.move_to_agent, item_id, agent)

    async def requeue(self, item_id: str) -> QueueItem:
        """An `uncertain` item queued again, by the person's choice."""
        return await asyncio.to_thread(self._store.requeue, item_id)

    async def toggle_pause(self, name: str) -> bool:
        agent = self.context.slot(name).spec.name
        paused = not await asyncio.to_thread(self._store.paused, agent)
        await asyncio.to_thread(self._store.set_paused, agent, paused)
        return paused

    def dispatch_ready(self) -> list[str]:
        """Start sending the next queued prompt to every agent that is ready for one.
        Returns the names dispatched to. Sends run as tracked tasks so a tick never waits on
        them, and a failure reaches the person through `on_send_failed`."""
        if self.context.store is None or self.context.read_only:
            return []
        queues = self.context.queues
        started = []
        for slot in self.context.slots.values():
            status = slot.status
            if status is None or slot.pane is None or slot.restarting \
                    or self.budget_holds(slot.spec.lane):
                continue
            sending = slot.sending is not None and not slot.sending.done()
            item = None if sending else queues.next_ready(slot.spec.name)
            refused_here = (item is not None
                            and slot.refused_at == (item.id, slot.fingerprint))
            if item is not None and may_dispatch(
                    status.state, paused=slot.spec.name in queues.paused,
                    has_ready_item=not refused_here, memory=slot.memory, sending=sending):
                slot.sending = asyncio.ensure_future(self.deliver(slot, item))
                slot.sending.add_done_callback(self._send_done(slot, item))
                started.append(slot.spec.name)
        return started

    def _send_done(self, slot: Slot, item: QueueItem
                   ) -> Callable[[asyncio.Future[None]], None]:
        def done(task: asyncio.Future[None]) -> None:
            if task.cancelled():
                return
            error = task.exception()
            if error is not None:
                self.context.record.later(self._journal("send_failed", agent=slot.spec.name,
                                               text=item.text, error=str(error)))
                for listener in self._send_failed:
                    listener(slot.spec.name, item, error)
        return done

    def watch_send_failures(self, listener: SendFailed) -> None:
        """Tell `listener` of every queued send that fails unexpectedly (the app's toast).
        The item is already `uncertain` on disk (never retyped unasked)."""
        self._send_failed.append(listener)

    async def wait_for_sends(self) -> None:
        tasks = [slot.sending for slot in self.context.slots.values() if slot.sending]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def deliver(self, slot: Slot, item: QueueItem) -> None:
        async def claim() -> None:
            # On disk as `sending` after the gate passed and before a byte reaches the pane:
            # a crash from here on leaves it `uncertain` for the person, never sent twice.
            try:
                await asyncio.to_thread(self._store.mark_sending, item.id,
                                        receipt_rules.pane_identity(pane))
            except QueueError as error:
                raise _NotClaimed(str(error)) from None
            self.before_send(slot, item.text)

        pane = slot.pane
        if pane is None:
            return  # unbound since dispatch (its pane gone): nothing claimed, it stays queued
        tracked = slot.status.state if slot.status else None
        try:
            result = await self.context.gate.send(
                slot.spec.name, pane.pane_id, item.text, slot.tool, tracked=tracked,
                before_first_byte=claim, left_in_composer=self._left_in_composer(slot))
        except _NotClaimed:
            return  # edited, deleted or claimed by another sender meanwhile: not ours to send
        except SendRefused as refused:
            if refused.typed:
                await asyncio.to_thread(self._store.mark_uncertain, item.id, str(refused))
            # Not typed: the item was never claimed and stays queued; wait for the screen to
            # change before trying again rather than asking the pane every tick.
            slot.refused_at = (item.id, slot.fingerprint)
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
            await asyncio.to_thread(self._store.mark_uncertain, item.id, f"send failed: {error}")
            raise
        if result.delivered:
            await asyncio.to_thread(self._store.mark_sent, item.id, self.context.clock())
            await self._journal("receipt", agent=slot.spec.name, item=item.id, state="typed")
        else:
            await asyncio.to_thread(self._store.mark_uncertain, item.id,
                                    result.detail or "submission not confirmed")
            # The recipe's last read still showed the text in the composer: certain evidence.
            await self._note_receipt(slot, item, ReceiptState.UNSUBMITTED,
                                     receipt_rules.STILL_IN_COMPOSER)
        await self._record_sent(slot, item.text, item.source or "queue", result)

    # -- receipts --------------------------------------------------------------------------

    async def submit_again(self, name: str, item_id: str) -> receipt_rules.Receipt:
        """Press Enter again for an `unsubmitted` prompt still in the composer (never retyped;
        `core.sending.receipts.submit_again` says when it refuses)."""
        slot = self.context.slot(name)
        return await receipt_rules.submit_again(
            self.context.gate, self._store, self._journal, slot.spec.name, require_pane(slot),
            item_id, tool=slot.tool, before_enter=lambda text: self.before_send(slot, text),
            clock=self.context.clock)

    def _left_in_composer(self, slot: Slot) -> tuple[str, ...]:
        return receipt_rules.left_in_composer(self.context.queues.of(slot.spec.name),
                                              self.context.clock())

    async def _note_receipt(self, slot: Slot, item: QueueItem, state: ReceiptState,
                            why: str) -> None:
        step = ReceiptStep(state, self.context.clock(), why)
        await receipt_rules.record(self._store, self._journal,
                                   receipt_rules.Change(slot.spec.name, item.id, step))

    # -- unblocking ------------------------------------------------------------------------

    async def answer(self, name: str, approve: bool, *, seen: DialogKey | None = None,
                     source: str = "person") -> State:
        """Approve or deny the open dialog with the keys its tool expects. The pane is read
        afresh: a dialog that closed, or another one that opened since the person looked
        (`seen` is the identity of the one they were shown), gets no key."""
        slot = self.context.slot(name)
        pane = require_pane(slot)
        # One writer per pane: no send may be typing while the answer's keys go in.
        async with self.context.gate.holding(slot.spec.name, pane.pane_id):
            return await self._answer_held(slot, pane, approve, seen, source)

    async def _answer_held(self, slot: Slot, pane: PaneInfo, approve: bool,
                           seen: DialogKey | None, source: str) -> State:
        reading = await dialog_drawn(self.context.gate, slot, pane.pane_id)
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
        await self.context.tmux.send_keys(pane.pane_id, *keys)
        if keys == ["Enter"] and await answer_swallowed(self.context.gate, slot, reading):
            await self.context.tmux.send_keys(pane.pane_id, *keys)
            keys = [*keys, *keys]  # journaled as pressed: twice
        if not approve:
            await self._person_stopped(slot, "denied")
        by = {"source": source} if source != "person" else {}  # orchestra's own, by a rule
        await self._journal("approval" if approve else "denial", agent=slot.spec.name,
                            keys=keys, reason=detection.reason, **by)
        return detection.state

    def alerts_seen(self, name: str) -> None:
        """The person looked at the agent's alerts (`!`): it no longer sorts as needing them
        for those. Shown on the next snapshot."""
        self.context.slot(name).alerts_unseen = 0

    async def interrupt(self, name: str) -> None:
        slot = self.context.slot(name)
        pane = require_pane(slot)
        await self.context.tmux.send_keys(pane.pane_id, "Escape")
        await self._person_stopped(slot, "interrupted")
        await self._journal("interrupt", agent=slot.spec.name)

    async def _person_stopped(self, slot: Slot, how: str) -> None:
        """The person stopped the agent's turn: what follows on screen is their act, not a
        failure, and its queue waits for them (held until `p` resumes it)."""
        slot.stopped_by_person, slot.stopped_at = how, self.context.clock()
        slot.hook = None  # no hook event tells of the person's act: the old one is over
        store = self.context.store
        if store is not None and not await asyncio.to_thread(store.paused, slot.spec.name):
            await asyncio.to_thread(store.set_paused, slot.spec.name, True)
