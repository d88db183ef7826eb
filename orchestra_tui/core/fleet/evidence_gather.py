"""An agent's `AgentEvidence` from what its fleet slot holds after a tick."""

from __future__ import annotations

from orchestra_tui.core.fleet.evidence import AgentEvidence
from orchestra_tui.core.fleet.state import Slot


def gather(slot: Slot, now: float) -> AgentEvidence:
    tracked = slot.tracker.last
    fused = slot.fused
    return AgentEvidence(
        screen=slot.detection, screen_at=slot.captured_at,
        screen_state=tracked.state if tracked is not None else None,
        screen_reason=tracked.reason if tracked is not None else "",
        timers=slot.tracker.timers(now) if tracked is not None else None,
        hook=slot.hook, hook_events=slot.recent_hooks,
        source=fused.source if fused is not None else "screen",
        authority_why=fused.why if fused is not None else "",
        disagreement=slot.last_disagreement, loop_reason=slot.loop_reason,
        stopped_by_person=slot.stopped_by_person,
        turn_pending=not slot.memory.turn_seen,
        sending=slot.sending is not None and not slot.sending.done(),
        on_behalf=slot.on_behalf)
