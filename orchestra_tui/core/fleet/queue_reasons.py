"""Why each queued prompt of an agent waits: one pure function over an `AgentView`, for
`orchestra queue`, `status` and the app's queue column and `Q` screen alike.

A queued item is sent on the agent's working→idle edge, one at a time, through the send gate
(`core/sending/dispatch.py`, `core/sending/send_gate.py`). What keeps it waiting, first match wins:

- `held`: its queue is paused (`p`), or held because the person stopped the agent;
- `budget`: its lane spent its daily budget, until the person resumes it for the day;
- `unreachable`: its host does not answer;
- `sending`: it is being typed now, or an item before it is;
- `uncertain`: it (or an item before it) was typed and its submission not confirmed: it waits
  for the person (`r` re-sends, or delete it);
- `busy`: the agent is not idle (working, a dialog, blocked, stuck, exited, unknown);
- `draft`: the agent is idle but its prompt box holds text nobody submitted;
- `next`: nothing holds it: it goes once the agent's turn has ended;
- `behind`: nothing holds the queue: it goes after the items before it.

>>> from orchestra_tui.models import AgentStatus, QueueItem, QueueItemState, State
>>> idle = AgentStatus(name="api", pane_id="%1", tool="codex", state=State.IDLE, reason="idle")
>>> items = (QueueItem("a1", "api", "first"), QueueItem("a2", "api", "second"))
>>> [(w.item.id, str(w.kind)) for w in queue_reasons(AgentView(idle, queue=items))]
[('a1', 'next'), ('a2', 'behind')]
>>> [str(w.kind) for w in queue_reasons(AgentView(idle, queue=items, paused=True))]
['held', 'held']
>>> busy = AgentStatus(name="api", pane_id="%1", tool="codex", state=State.WORKING,
...                    reason="working: esc to interrupt")
>>> unsure = (QueueItem("a0", "api", "zeroth", state=QueueItemState.UNCERTAIN), *items)
>>> [(str(w.kind), w.why) for w in queue_reasons(AgentView(busy, queue=unsure))][1]
('uncertain', 'after a0, whose submission is uncertain: r re-sends it, or delete it')
>>> waiting_reason(AgentView(busy, queue=items))
'busy: working: esc to interrupt'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from orchestra_tui.agents.draft import composer_draft
from orchestra_tui.core.fleet.state import AgentView
from orchestra_tui.core.sending.send_gate import draft_reason
from orchestra_tui.models import QueueItem, QueueItemState, State

__all__ = ["QueueWait", "WaitKind", "first_wait", "queue_reasons", "waiting_reason"]


class WaitKind(StrEnum):
    HELD = "held"
    BUDGET = "budget"  # its lane spent its daily budget
    UNREACHABLE = "unreachable"
    SENDING = "sending"
    UNCERTAIN = "uncertain"
    BUSY = "busy"
    DRAFT = "draft"
    NEXT = "next"
    BEHIND = "behind"


@dataclass(frozen=True)
class QueueWait:
    """One unsent item of an agent's queue and why it waits (`kind` decides, `why` says)."""

    item: QueueItem
    kind: WaitKind
    why: str



def _agent_hold(view: AgentView) -> tuple[WaitKind, str] | None:
    """What holds the agent's whole queue before its items are looked at (pause, host)."""
    if view.paused:
        return WaitKind.HELD, view.held or "paused: p resumes it"
    if view.budget is not None and view.budget.holds:
        return WaitKind.BUDGET, view.budget.hold_reason()
    status = view.status
    if status.state is State.UNREACHABLE:
        return WaitKind.UNREACHABLE, status.unreachable
    return None


def _agent_ready(view: AgentView) -> tuple[WaitKind, str] | None:
    """What keeps an agent whose queue is free from taking its next item: not idle, a draft."""
    status = view.status
    if status.state is not State.IDLE:
        return WaitKind.BUSY, status.reason or str(status.state)
    draft = composer_draft(view.screen) if view.screen else ""
    return (WaitKind.DRAFT, draft_reason(draft)) if draft else None


def queue_reasons(view: AgentView) -> tuple[QueueWait, ...]:
    """Every item of `view.queue` not sent yet, in queue order, with why it waits."""
    hold = _agent_hold(view)
    ready = None if hold else _agent_ready(view)
    waits: list[QueueWait] = []
    blocker: QueueWait | None = None  # the sending or uncertain item the rest wait behind
    head: QueueItem | None = None
    for item in view.queue:
        if item.state == QueueItemState.SENT:
            continue
        if item.state == QueueItemState.SENDING:
            wait = QueueWait(item, WaitKind.SENDING, "being typed into the agent now")
            blocker = blocker or wait
        elif item.state == QueueItemState.UNCERTAIN:
            wait = QueueWait(item, WaitKind.UNCERTAIN, "typed, its submission not confirmed: "
                                                       "look at the pane; r re-sends it, or "
                                                       "delete it")
            blocker = blocker or wait
        elif hold is not None:
            wait = QueueWait(item, *hold)
        elif blocker is not None:
            how = ("being sent now" if blocker.kind is WaitKind.SENDING
                   else "whose submission is uncertain: r re-sends it, or delete it")
            wait = QueueWait(item, blocker.kind, f"after {blocker.item.id}, {how}")
        elif ready is not None:
            wait = QueueWait(item, *ready)
        elif head is None:
            head = item
            wait = QueueWait(item, WaitKind.NEXT, "sent once the agent's turn has ended")
        else:
            wait = QueueWait(item, WaitKind.BEHIND, f"after {head.id}")
        waits.append(wait)
    return tuple(waits)


def first_wait(view: AgentView) -> QueueWait | None:
    """The agent's first waiting item and why it waits; None when nothing waits."""
    waits = queue_reasons(view)
    return waits[0] if waits else None


def waiting_reason(view: AgentView) -> str:
    """`kind: why` of the agent's first waiting item, "" when nothing waits: a queue column's
    one cell."""
    first = first_wait(view)
    return f"{first.kind}: {first.why}" if first is not None else ""
