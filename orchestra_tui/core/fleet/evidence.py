"""What the fleet keeps about how it read each agent, for `orchestra why` and the `w` panel:
the screen's reading and when it was taken, the agent's last hook events, the tracker's clocks,
which witness decided and why, and the last time the two disagreed. Plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from orchestra_tui.agents.hook_events import HookEvent, HookReading
from orchestra_tui.agents.tracker import Timers
from orchestra_tui.models import Detection, State

# The hook events kept per agent: enough to show what led to the state, not a log.
HOOK_EVENTS_KEPT = 5


@dataclass(frozen=True)
class Disagreement:
    """The screen overruled an older hook reading: when, what each said."""

    at: float
    hook_state: State
    screen_state: State
    said: str  # "hook said approval 30s ago"


@dataclass(frozen=True)
class AgentEvidence:
    """One agent's evidence after a tick. `screen` is the raw reading of its last capture
    (taken at `screen_at`), `screen_state`/`screen_reason` what the tracker made of it (debounce
    and stuck applied), `hook` the newest state-telling hook event's reading and `hook_events`
    its last events, oldest first. `source` and `authority_why`: the witness that decided and
    why (`core.fusion`). `turn_pending`: a prompt was sent and its turn not seen yet, so the
    next queued one waits."""

    screen: Detection | None = None
    screen_at: float = 0.0
    screen_state: State | None = None
    screen_reason: str = ""
    timers: Timers | None = None
    hook: HookReading | None = None
    hook_events: tuple[HookEvent, ...] = ()
    source: str = "screen"
    authority_why: str = ""
    disagreement: Disagreement | None = None
    loop_reason: str | None = None
    stopped_by_person: str | None = None
    turn_pending: bool = False
    sending: bool = False
    on_behalf: tuple[tuple[float, str], ...] = ()  # (when, what) orchestra did for it unasked
