"""When a queued prompt may be sent: the dispatch policy, pure and separate from the I/O.

An agent gets its next queued prompt only when it is idle (the tracker already debounced the
working→idle edge), its queue is not paused, nothing of its queue is in flight or uncertain, and
it has finished the turn the previous prompt started. "Finished the turn" matters: right after a
send the screen can still read idle for a moment, and sending again then would stack prompts.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestra_tui.models import State


@dataclass
class DispatchMemory:
    """What the policy remembers about one agent between ticks."""

    fingerprint_at_send: str | None = None
    turn_seen: bool = True  # nothing sent yet: the agent owes us no turn
    last_fingerprint: str | None = None
    last_change_at: float = 0.0

    def note_sent(self, fingerprint: str | None) -> None:
        self.fingerprint_at_send = fingerprint
        self.turn_seen = False

    def observe(self, state: State, fingerprint: str | None, now: float, settle: float) -> None:
        """A turn counts as seen once the agent worked, or once its screen changed after the
        send and then held still for `settle` seconds (a reply so fast no tick caught it
        working). A screen that merely changed is not enough: a real agent takes a moment to
        show its spinner after Enter."""
        if fingerprint != self.last_fingerprint:
            self.last_fingerprint = fingerprint
            self.last_change_at = now
        if self.turn_seen:
            return
        if state is not State.IDLE:
            self.turn_seen = True
        elif fingerprint != self.fingerprint_at_send and now - self.last_change_at >= settle:
            self.turn_seen = True


def may_dispatch(state: State, *, paused: bool, has_ready_item: bool,
                 memory: DispatchMemory, sending: bool) -> bool:
    return (
        state is State.IDLE
        and not paused
        and has_ready_item
        and not sending
        and memory.turn_seen
    )
