"""What the fleet holds between ticks and hands to the UI: settings, per-agent slots, views and
the snapshot of one tick; and `FleetContext`, the state the fleet's collaborators share (the
slots, the services, the queues as this tick read them), handed to each in its constructor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from orchestra_tui.agents.hook_events import HookEvent, HookReading
from orchestra_tui.agents.tracker import AgentTracker
from orchestra_tui.config import UiConfig, default_of
from orchestra_tui.core.costs import CostSummary
from orchestra_tui.core.fleet.budget_standing import BudgetStanding
from orchestra_tui.core.fleet.evidence import AgentEvidence, Disagreement
from orchestra_tui.core.fleet.fusion import Fused
from orchestra_tui.core.fleet.record import FleetRecord
from orchestra_tui.core.guard.guardrails import OutputWatch
from orchestra_tui.core.guard.retry_loops import LoopWatch
from orchestra_tui.core.sending.dispatch import DispatchMemory
from orchestra_tui.core.sending.send_gate import SendGate, SendRefused
from orchestra_tui.errors import AgentNotFound, OrchestraError
from orchestra_tui.models import (
    ATTENTION_ORDER,
    AgentSpec,
    AgentStatus,
    Alert,
    BranchFigures,
    Detection,
    PaneInfo,
    QueueItem,
    QueueItemState,
    State,
)
from orchestra_tui.pr_facts import PredictedConflict
from orchestra_tui.services.ports import QueueStorePort
from orchestra_tui.services.store.queues_format import EMPTY as NO_QUEUES
from orchestra_tui.services.store.queues_format import QueueSnapshot
from orchestra_tui.services.tmux.port import TmuxPort

ALERTS_KEPT = 5  # per agent: the most recent, shown as a badge and in `status --json`


def count_queued(queue: Iterable[QueueItem]) -> int:
    """How many of a queue's items wait to be sent: the one count every view shows."""
    return sum(1 for item in queue if item.state is QueueItemState.QUEUED)


@dataclass(frozen=True)
class FleetSettings:
    # The config's `[ui]` defaults are the defaults: one place says them (`config.schema`).
    stuck_after: float = default_of(UiConfig, "stuck_after_seconds")
    idle_debounce: float = default_of(UiConfig, "idle_debounce_seconds")
    history_lines: int = 2000
    context_warn: int = default_of(UiConfig, "context_warn_percent")
    context_critical: int = default_of(UiConfig, "context_critical_percent")

    def tracker(self) -> AgentTracker:
        """A fresh tracker for one agent (at start, and after a restart)."""
        return AgentTracker(stuck_after=self.stuck_after, idle_debounce=self.idle_debounce)


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
    evidence: AgentEvidence | None = None  # how its state was read (`orchestra why`)
    # Tokens and dollars from its CLI's session records (None: not read yet, or not readable:
    # `cost_unknown` says why).
    cost: CostSummary | None = None
    cost_unknown: str = ""
    budget: BudgetStanding | None = None  # its lane's daily budget, when the lane has one
    # The conflict radar: another agent's worktree its own would conflict with on merging.
    conflicts: tuple[PredictedConflict, ...] = ()

    @property
    def needs_person(self) -> bool:
        return self.status.needs_person or self.unseen_alerts > 0

    @property
    def name(self) -> str:
        return self.status.name

    @property
    def queued(self) -> int:
        """Prompts in its queue waiting to be sent."""
        return count_queued(self.queue)

    @property
    def attention_rank(self) -> int:
        rank = ATTENTION_ORDER[self.status.state]
        if self.unseen_alerts and not self.status.needs_person:
            # A forbidden command just run: with the blocked, above anyone merely idle.
            rank = ATTENTION_ORDER[State.BLOCKED]
        if self.status.state is State.IDLE and self.queued:
            rank += 1  # idle with work queued will be fed automatically: less urgent
        return rank


@dataclass(frozen=True)
class FleetSnapshot:
    agents: tuple[AgentView, ...]
    at: float
    tmux_error: str | None = None
    captured: int = 0  # panes captured this tick (the scale benchmarks read it)
    watched: int = 0  # panes whose writes tmux pushes (the rest are polled)
    classified: int = 0
    tick_error: str | None = None  # an unexpected failure of this tick, shown, not raised
    tmux_notice: str | None = None  # e.g. the control-mode client lost, reads fall back
    # The data dir failed a write or a read (read-only, full, a newer or corrupt queue file).
    storage_problem: str | None = None
    budgets: tuple[BudgetStanding, ...] = ()  # every lane with a daily budget, as it stands

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
    history_read: int | None = None  # its pane's history_size when it was last read
    # The pane's pushed write count at its last read (None: read while its writes were not
    # pushed), the newest hook event then, and whether that read had scrollback.
    output_seen: int | None = None
    hook_seen: HookEvent | None = None
    deep: bool = False
    # A hook-led pane's `window_activity` at its last "quiet" read (None: none pending), and
    # how many times such a read proved to be a pause between two frames (`core/fleet/reading`).
    quiet_read: int | None = None
    false_quiets: int = 0
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
    # The queued item the gate last refused and the screen (fingerprint) it refused it on: that
    # item waits for the screen to change; another item (the refused one deleted) may go.
    refused_at: tuple[str, str | None] | None = None
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
    last_disagreement: Disagreement | None = None  # the latest one, kept to be explained
    fused: Fused | None = None  # the last fusion of hook and screen (None: neither decided)
    recent_hooks: tuple[HookEvent, ...] = ()  # its last hook events, oldest first
    # (when, what) orchestra did for it unasked (rules, limit resumes, auto_approve), `why`.
    on_behalf: tuple[tuple[float, str], ...] = ()


@dataclass
class FleetContext:
    """What the fleet's collaborators share, as lazygit hands its controllers one helpers
    struct: the services, the settings, every agent's slot and this tick's read of the
    queues."""

    tmux: TmuxPort
    gate: SendGate
    record: FleetRecord
    store: QueueStorePort | None = None
    settings: FleetSettings = field(default_factory=FleetSettings)
    clock: Callable[[], float] = field(default=lambda: 0.0)
    read_only: bool = False
    slots: dict[str, Slot] = field(default_factory=dict)
    queues: QueueSnapshot = NO_QUEUES  # one read of every queue per tick
    # A usage limit's reset words and when they appeared -> the reset moment (epoch seconds);
    # the composition root passes `core.away.limits`' reader.
    limit_reset: Callable[[str, float], float | None] = lambda _words, _at: None

    def add_slot(self, spec: AgentSpec) -> Slot:
        slot = Slot(spec=spec, tracker=self.settings.tracker(),
                    tool=None if spec.tool == "auto" else spec.tool)
        self.slots[spec.name] = slot
        return slot

    def slot(self, name_or_pane: str) -> Slot:
        if name_or_pane in self.slots:
            return self.slots[name_or_pane]
        for slot in self.slots.values():
            if slot.pane is not None and slot.pane.pane_id == name_or_pane:
                return slot
        raise AgentNotFound(f"no agent or pane named {name_or_pane!r} "
                            f"(known: {', '.join(self.slots) or 'none'})")

    def read_queues(self) -> None:
        """One read of every queue (a `stat` when nothing changed)."""
        if self.store is not None:
            self.queues = self.store.snapshot()


def require_pane(slot: Slot) -> PaneInfo:
    """The agent's live pane, or why there is none to act on."""
    status = slot.status
    if status is not None and status.state is State.UNREACHABLE:  # its host does not answer
        raise SendRefused(slot.spec.name, State.UNREACHABLE, status.unreachable)
    if slot.pane is None or slot.pane.dead:
        raise OrchestraError(f"{slot.spec.name} has no live pane")
    return slot.pane
