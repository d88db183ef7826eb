"""How an agent's state is said in a sentence, after its name: one map, used by the app's toasts
and by the send gate's refusals."""

from __future__ import annotations

from orchestra_tui.models import State

# An agent in each state, in words after its name: "api needs approval", "ingest has exited".
STATE_PHRASES: dict[State, str] = {
    State.APPROVAL: "needs approval",
    State.BLOCKED: "is blocked",
    State.STUCK: "is stuck",
    State.EXITED: "has exited",
    State.IDLE: "is idle",
    State.WORKING: "is working",
    State.UNKNOWN: "shows a screen orchestra cannot read",
    State.UNREACHABLE: "is unreachable",
}
