"""What the app says about an agent's state, in plain words: the phrase per state (one map for
every layer: `core.state_words.STATE_PHRASES`) and what the person can do about it."""

from __future__ import annotations

from orchestra_tui.core.state_words import STATE_PHRASES
from orchestra_tui.models import State

__all__ = ["NEXT_STEP", "STATE_PHRASES"]

# What the person can do about a state that needs them, in the toast that tells of it.
NEXT_STEP: dict[State, str] = {
    State.APPROVAL: "y approves, n denies, a shows its pane",
    State.BLOCKED: "it cannot go on by itself: look at its pane (a), nudge it, or restart (R)",
    State.STUCK: "no progress on its screen: look (a), interrupt (esc esc) or restart (R)",
    State.EXITED: "its program ended: R starts it again with a handoff",
}
