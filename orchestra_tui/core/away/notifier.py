"""Notifications on transitions: each tick's snapshot is compared with the last, an agent that
came to need the person becomes one `NotifyEvent`, the policy picks channels, and the channels
run off the event loop. Every delivery is journaled (`notify`), and what was told is read back
from the journal on start, so a restarted orchestra does not tell an occurrence twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from orchestra_tui.core.away.notify_policy import NotifyPolicy, NotifyRules
from orchestra_tui.core.fleet.state import AgentView, FleetSnapshot
from orchestra_tui.models import State
from orchestra_tui.services.notify.event import Delivery, NotifyEvent, NotifyKind
from orchestra_tui.services.store.journal import Journal, JournalWriteFailed

KIND_OF_STATE: dict[State, NotifyKind] = {
    State.APPROVAL: NotifyKind.APPROVAL,
    State.BLOCKED: NotifyKind.BLOCKED,
    State.STUCK: NotifyKind.STUCK,
    State.EXITED: NotifyKind.EXITED,
}


class Channel(Protocol):
    name: str

    def send(self, event: NotifyEvent) -> Delivery: ...


def occurrence_key(view: AgentView) -> str:
    """One occurrence of a state: the agent, the state and when it began (the journal keeps
    `since` across restarts, so the key does too)."""
    status = view.status
    return f"{status.name}:{status.state.value}:{status.since:.0f}"


def excerpt_of(view: AgentView) -> str:
    status = view.status
    if status.dialog_key is not None and status.dialog_key.subject:
        return status.dialog_key.subject
    if status.limit is not None:
        return f"resets {status.limit.words}" if status.limit.words else "no reset time shown"
    return ""


def event_for(view: AgentView, issue: int | None = None) -> NotifyEvent | None:
    kind = KIND_OF_STATE.get(view.status.state)
    if kind is NotifyKind.BLOCKED and view.status.limit is not None:
        kind = NotifyKind.LIMIT
    if kind is None:
        return None
    status, spec = view.status, view.status.spec
    return NotifyEvent(kind=kind, agent=status.name, state=status.state.value,
                       reason=status.reason, key=occurrence_key(view),
                       host=(spec.host if spec and spec.host else "local"),
                       lane=(spec.lane if spec else ""), issue=issue,
                       excerpt=excerpt_of(view),
                       at=dt.datetime.fromtimestamp(status.since, dt.UTC).isoformat())


def new_events(before: Mapping[str, State], snapshot: FleetSnapshot,
               issues: Mapping[str, int] | None = None) -> list[NotifyEvent]:
    """An event for each agent whose state changed into one that needs the person."""
    events = []
    for view in snapshot.agents:
        if before.get(view.name) is view.status.state:
            continue
        event = event_for(view, (issues or {}).get(view.name))
        if event is not None:
            events.append(event)
    return events


def told_keys(journal: Journal | None) -> set[tuple[str, str]]:
    if journal is None:
        return set()
    return {(str(entry.get("channel")), str(entry.get("key")))
            for entry in journal.read(events=("notify",)) if entry.get("ok")}


class Notifier:
    def __init__(self, channels: Sequence[Channel], rules: NotifyRules,
                 journal: Journal | None) -> None:
        self.channels = {channel.name: channel for channel in channels}
        self.policy = NotifyPolicy(rules, self.channels, told=told_keys(journal))
        self._journal = journal
        self._before: dict[str, State] | None = None

    async def observe(self, snapshot: FleetSnapshot, *, focused: bool,
                      issues: Mapping[str, int] | None = None) -> list[Delivery]:
        """Tell the channels what changed since the last snapshot. The first snapshot only
        sets the baseline of states, unless an agent in it has a state never told (a state
        that began while orchestra was not running is news too)."""
        before = self._before if self._before is not None else {}
        self._before = {view.name: view.status.state for view in snapshot.agents}
        return await self.send(new_events(before, snapshot, issues), focused=focused)

    async def send(self, events: Iterable[NotifyEvent], *, focused: bool) -> list[Delivery]:
        deliveries: list[Delivery] = []
        for event in events:
            decision = self.policy.decide(event, now=time.monotonic(),
                                          wall=dt.datetime.now(), focused=focused)
            results = await asyncio.gather(*(asyncio.to_thread(self.channels[name].send, event)
                                             for name in decision.channels))
            for delivery in results:
                self._record(event, delivery)
            deliveries.extend(results)
        return deliveries

    def _record(self, event: NotifyEvent, delivery: Delivery) -> None:
        if self._journal is None:
            return
        try:
            self._journal.append("notify", agent=event.agent, key=event.key, kind=event.kind.value,
                                 channel=delivery.channel, ok=delivery.ok,
                                 error=delivery.error)
        except JournalWriteFailed:
            pass  # the data dir's fault is shown by the fleet; the person was still told
