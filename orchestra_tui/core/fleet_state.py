"""What the fleet holds between ticks and hands to the UI: settings, per-agent slots, views and
the snapshot of one tick."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from orchestra_tui.agents.hook_events import HookEvent, HookReading
from orchestra_tui.agents.tracker import AgentTracker
from orchestra_tui.core.dispatch import DispatchMemory
from orchestra_tui.core.guardrails import OutputWatch
from orchestra_tui.core.loops import LoopWatch
from orchestra_tui.models import (
    ATTENTION_ORDER,
    AgentSpec,
    AgentStatus,
    Alert,
    BranchFigures,
    Detection,
    PaneInfo,
    QueueItem,
    State,
)

ALERTS_KEPT = 5  # per agent: the most recent, shown as a badge and in `status --json`


@dataclass(frozen=True)
class FleetSettings:
    stuck_after: float = 60.0
    idle_debounce: float = 1.5
    history_lines: int = 2000
    context_warn: int = 20
    context_critical: int = 10


@dataclass(frozen=True)
class AgentView:
    """One agent as the UI and `orchestra status` see it after a tick."""

    status: AgentStatus
    queue: tuple[QueueItem, ...] = ()
    paused: bool = False
    screen: str = ""  # the last capture, with colours (SGR escapes)
    pane: PaneInfo | None = None
    held: str = ""  # why its queue waits although it is idle ("you interrupted it")
    work: BranchFigures | None = None  # its branch and diff figures, when it has a worktree
    unseen_alerts: int = 0  # alerts the person has not looked at (`!`): it needs them

    @property
    def needs_person(self) -> bool:
        return self.status.needs_person or self.unseen_alerts > 0

    @property
    def name(self) -> str:
        return self.status.name

    @property
    def attention_rank(self) -> int:
        rank = ATTENTION_ORDER[self.status.state]
        if self.unseen_alerts and not self.status.needs_person:
            # A forbidden command just run: with the blocked, above anyone merely idle.
            rank = ATTENTION_ORDER[State.BLOCKED]
        if self.status.state is State.IDLE and any(i.state == "queued" for i in self.queue):
            rank += 1  # idle with work queued will be fed automatically: less urgent
        return rank


@dataclass(frozen=True)
class FleetSnapshot:
    agents: tuple[AgentView, ...]
    at: float
    tmux_error: str | None = None
    captured: int = 0  # panes captured this tick (the scale benchmarks read it)
    classified: int = 0
    tick_error: str | None = None  # an unexpected failure of this tick, shown, not raised
    tmux_notice: str | None = None  # e.g. the control-mode client lost, reads fall back
    # The data dir failed a write or a read (read-only, full, a newer or corrupt queue file).
    storage_problem: str | None = None

    @property
    def needs_person(self) -> int:
        return sum(1 for view in self.agents if view.needs_person)

    def get(self, name: str) -> AgentView | None:
        return next((view for view in self.agents if view.name == name), None)


@dataclass
class Slot:
    """Runtime state of one agent between ticks."""

    spec: AgentSpec
    tracker: AgentTracker
    pane: PaneInfo | None = None
    tool: str | None = None
    screen: str = ""
    fingerprint: str | None = None
    detection: Detection | None = None
    captured_activity: int | None = None
    captured_at: float = 0.0
    status: AgentStatus | None = None
    memory: DispatchMemory = field(default_factory=DispatchMemory)
    sending: asyncio.Task[None] | None = None
    output: OutputWatch | None = None
    loops: LoopWatch = field(default_factory=LoopWatch)
    loop_reason: str | None = None
    alerts: list[Alert] = field(default_factory=list)
    alerts_unseen: int = 0  # raised since the person last looked (`!`), context warnings aside
    context_level: int = 0  # 0 fine, 1 below warn, 2 below critical: alerts once per level
    pane_override: str | None = None  # a restart opened a new pane: bind to it from now on
    # The person's own interrupt or deny (through orchestra) since the last prompt: what
    # follows on screen is their act, not the agent failing.
    stopped_by_person: str | None = None  # "interrupted" or "denied"
    stopped_at: float = 0.0
    refused_at: str | None = None  # fingerprint at which the gate last refused a queued send
    # (item, state, why) of the last refusal journaled: a person typing a draft changes the
    # screen on every key, and each retry refused for the same draft is not news.
    refusal_journaled: tuple[str, str, str] | None = None
    hook: HookReading | None = None  # the agent's latest hook event that told a state
    hook_pane: str | None = None  # the pane `hook` came from (a new pane starts over)
    hook_mark: str | None = None  # its pane's `@orchestra-hook` last tick (None: not seen yet)
    prompts: tuple[HookEvent, ...] = ()  # the turn starts its hooks reported (core.receipts)
    restarting: bool = False  # being restarted: its queue waits for the handoff to go first
    # (state, since) the journal had when this process first saw the agent in that state.
    carried: tuple[str, float] | None = None
    # The hook event whose disagreement with the screen was journaled: once per episode.
    disagreement: float | None = None
