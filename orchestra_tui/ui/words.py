"""What the app says about an agent's state, in plain words: one phrase per state and what the
person can do about it."""

from __future__ import annotations

from orchestra_tui.models import State

# How a state change is told in a toast: "api needs approval", "ingest has exited".
STATE_PHRASES: dict[State, str] = {
    State.APPROVAL: "needs approval",
    State.BLOCKED: "is blocked",
    State.STUCK: "is stuck",
    State.EXITED: "has exited",
    State.IDLE: "is idle",
    State.WORKING: "is working",
    State.UNKNOWN: "shows an unreadable screen",
    State.UNREACHABLE: "is unreachable",
}

# What the person can do about a state that needs them, in the toast that tells of it.
NEXT_STEP: dict[State, str] = {
    State.APPROVAL: "y approves, n denies, a shows its pane",
    State.BLOCKED: "it cannot go on by itself: look at its pane (a), nudge it, or restart (R)",
    State.STUCK: "no progress on its screen: look (a), interrupt (esc esc) or restart (R)",
    State.EXITED: "its program ended: R starts it again with a handoff",
}
