"""The orchestrator without a screen: which pane is which agent, what state it is in, and
sending its queued prompts when it is ready.

One `refresh()` is one tick: a single `list-panes -a` for the whole server, one batched capture
of only the panes that changed (or that the person is looking at), classification only of
screens whose masked fingerprint changed, then the tracker turns detections into states over
time. The UI calls `refresh()` from a worker and renders the `FleetSnapshot` it returns.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from orchestra_tui import agents
from orchestra_tui.agents.tracker import AgentTracker
from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.core.binding import bind_agents
from orchestra_tui.core.dispatch import DispatchMemory, may_dispatch
from orchestra_tui.core.guardrails import OutputWatch
from orchestra_tui.core.handoff import compose_handoff, last_issue, policy_reminder
from orchestra_tui.core.loops import LoopWatch
from orchestra_tui.core.restart import RestartOutcome, kill_agent, restart_agent
from orchestra_tui.errors import AgentNotFound, OrchestraError, TmuxUnavailable
from orchestra_tui.models import (
    ATTENTION_ORDER,
    AgentSpec,
    AgentStatus,
    Alert,
    ContextTrend,
    Detection,
    PaneInfo,
    QueueItem,
    SendResult,
    State,
)

QUEUE_OPS = frozenset({"edit", "delete", "move", "move_to_agent", "requeue"})
AGENT_TOOLS = frozenset({"codex", "claude", "gemini", "aider"})


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

    @property
    def name(self) -> str:
        return self.status.name

    @property
    def attention_rank(self) -> int:
        rank = ATTENTION_ORDER[self.status.state]
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

    @property
    def needs_person(self) -> int:
        return sum(1 for view in self.agents if view.status.needs_person)

    def get(self, name: str) -> AgentView | None:
        return next((view for view in self.agents if view.name == name), None)


@dataclass
class _Slot:
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
    context_level: int = 0  # 0 fine, 1 below warn, 2 below critical: alerts once per level
    pane_override: str | None = None  # a restart opened a new pane: bind to it from now on


class Fleet:
    def __init__(self, tmux, specs: Sequence[AgentSpec], *, store=None, journal=None,
                 settings: FleetSettings = FleetSettings(), discover: bool | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.tmux = tmux
        self.store = store
        self.journal = journal
        self.settings = settings
        self.clock = clock
        # With no configured agents, every agent pane found on the server is one.
        self.discover = (not specs) if discover is None else discover
        self._slots: dict[str, _Slot] = {}
        for spec in specs:
            self._add_slot(spec)
        self._snapshot = FleetSnapshot(agents=(), at=0.0)
        self._tasks: set[asyncio.Task] = set()
        self._examined: dict[str, tuple[int, str]] = {}  # pane id -> (pid, command) looked at

    # -- reading ---------------------------------------------------------------------------

    @property
    def snapshot(self) -> FleetSnapshot:
        return self._snapshot

    @property
    def names(self) -> list[str]:
        return list(self._slots)

    def spec(self, name: str) -> AgentSpec:
        return self._slot(name).spec

    async def refresh(self, *, visible: Iterable[str] = (), history: str | None = None
                      ) -> FleetSnapshot:
        """One tick. `visible` names agents whose panes are on screen (always captured);
        `history` names one agent whose capture includes scrollback."""
        now = self.clock()
        try:
            panes = await self.tmux.list_panes()
        except TmuxUnavailable as error:
            return self._server_down(str(error), now)
        if self.discover:
            await self._discover(panes)
        bind_agents(self._slots.values(), panes)

        wanted = set(visible)
        to_capture = [slot for slot in self._slots.values()
                      if slot.pane is not None and not slot.pane.dead
                      and (slot.spec.name in wanted or slot.spec.name == history
                           or self._activity_changed(slot))]
        captures: dict[str, str] = {}
        try:
            captures = await self._capture(to_capture, history)
        except TmuxUnavailable as error:
            return self._server_down(str(error), now)
        classified = 0
        for slot in self._slots.values():
            if slot.pane is not None and slot.pane.pane_id in captures:
                screen = captures[slot.pane.pane_id]
                slot.captured_activity = slot.pane.activity
                slot.captured_at = now
                if self._observe_screen(slot, screen, now):
                    classified += 1
            self._track(slot, now)
        self._snapshot = FleetSnapshot(
            agents=self._views(), at=now, captured=len(captures), classified=classified)
        return self._snapshot

    def _activity_changed(self, slot: _Slot) -> bool:
        # window_activity has one-second resolution: output later in the same second as our
        # last capture leaves it unchanged, so a pane stays "changed" through that second.
        assert slot.pane is not None
        return (slot.captured_activity is None
                or slot.pane.activity != slot.captured_activity
                or slot.pane.activity >= int(slot.captured_at))

    async def _capture(self, slots: list[_Slot], history: str | None) -> dict[str, str]:
        if not slots:
            return {}
        plain = [s.pane.pane_id for s in slots if s.spec.name != history]
        captures = await self.tmux.capture(plain, ansi=True) if plain else {}
        deep = [s.pane.pane_id for s in slots if s.spec.name == history]
        if deep:
            captures.update(await self.tmux.capture(
                deep, ansi=True, history=self.settings.history_lines))
        return captures

    def _observe_screen(self, slot: _Slot, screen: str, now: float) -> bool:
        """Store a new capture; classify it only if its masked fingerprint changed."""
        if screen != slot.screen:
            self._watch_output(slot, screen, now)
        slot.screen = screen
        plain = strip_ansi(screen)
        if slot.pane is not None and slot.pane.height:
            # A capture with scrollback: the state lives in the visible rows at its end.
            plain = "\n".join(plain.split("\n")[-slot.pane.height:])
        fingerprint = agents.fingerprint(plain)
        if fingerprint == slot.fingerprint and slot.detection is not None:
            return False
        slot.fingerprint = fingerprint
        tool = slot.tool if slot.tool and slot.tool != "auto" else None
        slot.detection = agents.classify(plain, tool)
        if slot.tool in (None, "auto") and slot.detection.tool in AGENT_TOOLS:
            slot.tool = slot.detection.tool
        return True

    def _watch_output(self, slot: _Slot, screen: str, now: float) -> None:
        """Guardrails and loop detection read only what is new on the screen."""
        if slot.output is None:
            slot.output = OutputWatch(slot.spec.name, slot.spec)
        for alert in slot.output.feed(screen, now):
            self._raise(slot, alert)
        slot.loop_reason = slot.loops.observe(slot.output.new_lines)

    def _raise(self, slot: _Slot, alert: Alert) -> None:
        slot.alerts = [*slot.alerts, alert][-ALERTS_KEPT:]
        if self.journal is not None:
            self._background(self._journal("alert", agent=alert.agent, kind=alert.kind,
                                           text=alert.text))

    def _watch_context(self, slot: _Slot, context_left: int | None, now: float) -> None:
        if context_left is None:
            return
        level = (2 if context_left <= self.settings.context_critical
                 else 1 if context_left <= self.settings.context_warn else 0)
        if level > slot.context_level:
            self._raise(slot, Alert(slot.spec.name, "context",
                                    f"context {context_left}% left: restart with a handoff (R)",
                                    at=now))
        slot.context_level = level

    def _background(self, work) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _track(self, slot: _Slot, now: float) -> None:
        name = slot.spec.name
        if slot.pane is None:
            reason = (f"exited: no pane at target {slot.spec.target!r}" if slot.spec.target
                      else "exited: no tmux pane found for this agent")
            self._set_status(slot, self._status(slot, State.EXITED, reason, now))
            return
        detection = slot.detection or Detection(
            tool=slot.tool or "unknown", state=State.UNKNOWN, reason="no capture yet")
        tracked = slot.tracker.observe(
            detection, slot.fingerprint or "", now,
            pane_dead=slot.pane.dead, current_command=slot.pane.current_command,
            in_mode=slot.pane.in_mode)
        state, reason, since = tracked.state, tracked.reason, tracked.since
        if slot.loop_reason and state in (State.WORKING, State.IDLE, State.STUCK):
            # A fix-retry loop looks busy or done, but it will not end without the person.
            previous = slot.status
            state, reason = State.BLOCKED, slot.loop_reason
            since = previous.since if previous and previous.state is State.BLOCKED else now
        slot.memory.observe(state, slot.fingerprint, now, self.settings.idle_debounce)
        self._watch_context(slot, tracked.context_left, now)
        self._set_status(slot, AgentStatus(
            name=name, pane_id=slot.pane.pane_id, tool=slot.tool or detection.tool,
            state=state, reason=reason,
            context_left=tracked.context_left, context_trend=tracked.context_trend,
            queued=tracked.queued, since=since, spec=slot.spec,
            background=tracked.background, dialog=tracked.dialog,
            alerts=tuple(alert.text for alert in slot.alerts)))

    def _set_status(self, slot: _Slot, status: AgentStatus) -> None:
        previous = slot.status
        slot.status = status
        if self.journal is not None and (previous is None or previous.state is not status.state):
            # The session report turns these into time spent working, idle and waiting.
            self._background(self._journal("state", agent=status.name, state=str(status.state),
                                           since=status.since, reason=status.reason))

    def _status(self, slot: _Slot, state: State, reason: str, now: float) -> AgentStatus:
        previous = slot.status
        since = previous.since if previous is not None and previous.state is state else now
        return AgentStatus(
            name=slot.spec.name, pane_id=slot.pane.pane_id if slot.pane else None,
            tool=slot.tool or slot.spec.tool, state=state, reason=reason,
            context_left=previous.context_left if previous else None,
            context_trend=ContextTrend.UNKNOWN, since=since, spec=slot.spec,
            alerts=tuple(alert.text for alert in slot.alerts))

    def _server_down(self, message: str, now: float) -> FleetSnapshot:
        for slot in self._slots.values():
            slot.pane = None
            self._set_status(slot, self._status(slot, State.EXITED, f"exited: {message}", now))
        self._snapshot = FleetSnapshot(agents=self._views(), at=now, tmux_error=message)
        return self._snapshot

    def _views(self) -> tuple[AgentView, ...]:
        views = []
        for slot in self._slots.values():
            assert slot.status is not None
            queue = tuple(self.store.items(slot.spec.name)) if self.store else ()
            paused = self.store.paused(slot.spec.name) if self.store else False
            views.append(AgentView(status=slot.status, queue=queue, paused=paused,
                                   screen=slot.screen, pane=slot.pane))
        views.sort(key=lambda view: (view.attention_rank, view.name))
        return tuple(views)

    async def _discover(self, panes: list[PaneInfo]) -> None:
        """Find agents among panes not seen before, or whose foreground program changed (a
        shell where `claude` was just started). A pane is examined once per program, so a
        server full of idle shells costs no process-tree walk per tick."""
        from orchestra_tui.services.discovery import discover_agent_panes

        known = {slot.pane.pane_id for slot in self._slots.values() if slot.pane}
        fresh = [pane for pane in panes if pane.pane_id not in known
                 and self._examined.get(pane.pane_id) != (pane.pid, pane.current_command)]
        if not fresh:
            return
        for pane in fresh:
            self._examined[pane.pane_id] = (pane.pid, pane.current_command)
        for item in await discover_agent_panes(self.tmux, panes=fresh):
            # A plain shell is not an agent: discovery lists only panes running one.
            if item.tool in (None, "shell"):
                continue
            pane = item.pane
            name = pane.session_name if pane.session_name not in self._slots else pane.target
            if name in self._slots:
                continue
            self._add_slot(AgentSpec(name=name, tool=item.tool, command=item.argv,
                                     cwd=pane.current_path, target=pane.pane_id))

    def _add_slot(self, spec: AgentSpec) -> None:
        self._slots[spec.name] = _Slot(
            spec=spec,
            tracker=AgentTracker(stuck_after=self.settings.stuck_after,
                                 idle_debounce=self.settings.idle_debounce),
            tool=None if spec.tool == "auto" else spec.tool)

    def _slot(self, name_or_pane: str) -> _Slot:
        if name_or_pane in self._slots:
            return self._slots[name_or_pane]
        for slot in self._slots.values():
            if slot.pane is not None and slot.pane.pane_id == name_or_pane:
                return slot
        raise AgentNotFound(f"no agent or pane named {name_or_pane!r} "
                            f"(known: {', '.join(self._slots) or 'none'})")

    # -- directing -------------------------------------------------------------------------

    async def send_now(self, name: str, text: str, *, source: str = "person") -> SendResult:
        """Send a prompt straight away, with the reliable recipe."""
        slot = self._slot(name)
        pane = self._require_pane(slot)
        self._before_send(slot, text)
        result = await self.tmux.send_text(pane.pane_id, text, pending=agents.draft_pending)
        if result.delivered or result.uncertain:
            await self._record_sent(slot, text, source, result)
        return result

    async def enqueue(self, name: str, text: str, *, source: str = "person") -> QueueItem:
        slot = self._slot(name)
        item = await asyncio.to_thread(self.store.add, slot.spec.name, text, source=source)
        await self._journal("queue_added", agent=slot.spec.name, text=text, source=source)
        return item

    async def queue_op(self, op: str, *args) -> None:
        """Edit, delete, move, move_to_agent or requeue a queued item. Store writes fsync, so
        they run in a thread, never on the caller's event loop."""
        if op not in QUEUE_OPS:
            raise ValueError(f"unknown queue operation {op!r}")
        await asyncio.to_thread(getattr(self.store, op), *args)

    async def toggle_pause(self, name: str) -> bool:
        agent = self._slot(name).spec.name
        paused = not self.store.paused(agent)
        await asyncio.to_thread(self.store.set_paused, agent, paused)
        return paused

    def current(self) -> FleetSnapshot:
        """The last tick's snapshot with queues re-read: shows a queue edit at once."""
        if self._snapshot.at == 0:
            return self._snapshot
        self._snapshot = replace(self._snapshot, agents=self._views())
        return self._snapshot

    async def _journal(self, event: str, **fields) -> None:
        if self.journal is not None:
            await asyncio.to_thread(self.journal.append, event, **fields)

    def dispatch_ready(self) -> list[str]:
        """Start sending the next queued prompt to every agent that is ready for one.
        Returns the names dispatched to. Sends run as tasks so a tick never waits on them."""
        if self.store is None:
            return []
        started = []
        for slot in self._slots.values():
            status = slot.status
            if status is None or slot.pane is None:
                continue
            sending = slot.sending is not None and not slot.sending.done()
            item = self.store.next_ready(slot.spec.name) if not sending else None
            if may_dispatch(status.state, paused=self.store.paused(slot.spec.name),
                            has_ready_item=item is not None, memory=slot.memory,
                            sending=sending):
                slot.sending = asyncio.ensure_future(self._deliver(slot, item))
                started.append(slot.spec.name)
        return started

    async def wait_for_sends(self) -> None:
        tasks = [slot.sending for slot in self._slots.values() if slot.sending]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _deliver(self, slot: _Slot, item: QueueItem) -> None:
        # The item is on disk as `sending` before a byte reaches the pane: a crash from here
        # on leaves it `uncertain` for the person, never sent twice.
        await asyncio.to_thread(self.store.mark_sending, item.id)
        self._before_send(slot, item.text)
        pane = slot.pane
        try:
            result = await self.tmux.send_text(pane.pane_id, item.text,
                                               pending=agents.draft_pending)
        except OrchestraError as error:
            await asyncio.to_thread(self.store.mark_uncertain, item.id, f"send failed: {error}")
            return
        if result.delivered:
            await asyncio.to_thread(self.store.mark_sent, item.id, self.clock())
        else:
            await asyncio.to_thread(self.store.mark_uncertain, item.id,
                                    result.detail or "submission not confirmed")
        await self._record_sent(slot, item.text, item.source or "queue", result)

    def _before_send(self, slot: _Slot, text: str) -> None:
        # Registered before the text reaches the pane: its echo is never an alert or a loop.
        if slot.output is None:
            slot.output = OutputWatch(slot.spec.name, slot.spec)
        slot.output.note_prompt(text)
        slot.loops.note_prompt(text)
        slot.memory.note_sent(slot.fingerprint)

    async def _record_sent(self, slot: _Slot, text: str, source: str,
                           result: SendResult) -> None:
        if self.store is not None:
            await asyncio.to_thread(self.store.record_sent, slot.spec.name, text)
        await self._journal("prompt_sent", agent=slot.spec.name, text=text, source=source,
                            delivered=result.delivered, uncertain=result.uncertain)

    async def answer(self, name: str, approve: bool) -> State:
        """Approve or deny the open dialog with the keys its tool expects."""
        slot = self._slot(name)
        pane = self._require_pane(slot)
        status = slot.status
        if status is None or status.state is not State.APPROVAL:
            raise OrchestraError(f"{slot.spec.name} is not waiting for approval")
        keys = agents.answer_keys(status.tool, status.dialog, approve)
        await self.tmux.send_keys(pane.pane_id, *keys)
        await self._journal("approval" if approve else "denial", agent=slot.spec.name,
                            keys=keys, reason=status.reason)
        return status.state

    async def interrupt(self, name: str) -> None:
        slot = self._slot(name)
        pane = self._require_pane(slot)
        await self.tmux.send_keys(pane.pane_id, "Escape")
        await self._journal("interrupt", agent=slot.spec.name)

    async def attach(self, name: str) -> str | None:
        """Switch the person's tmux client to the agent's pane when orchestra runs inside
        tmux on the same server; otherwise return the exact command that attaches."""
        slot = self._slot(name)
        pane = self._require_pane(slot)
        if await self.tmux.switch_client(pane.pane_id):
            return None
        return self.tmux.attach_command(pane.target)

    async def compose_handoff(self, name: str, note: str = "", pulls=()) -> str:
        """The one-paragraph handoff a restarted agent gets: lane, issue, PRs, last prompts,
        policy and the person's note."""
        slot = self._slot(name)
        entries = (await asyncio.to_thread(self.journal.read, agent=slot.spec.name)
                   if self.journal is not None else [])
        recent = self.store.history(slot.spec.name, limit=3) if self.store else []
        return compose_handoff(slot.spec, issue=last_issue(entries, slot.spec.name),
                               pulls=pulls, recent_prompts=recent, note=note)

    async def restart(self, name: str, handoff: str) -> RestartOutcome:
        """Kill the agent and start its configured command at the same target, then send the
        handoff once it is ready. Its queue stays and resumes through the normal dispatch."""
        slot = self._slot(name)
        if not slot.spec.command:
            raise OrchestraError(f"{slot.spec.name} has no `command` in the config to restart "
                                 "it with")
        pane_id = slot.pane.pane_id if slot.pane is not None else None
        self._before_send(slot, handoff)
        outcome = await restart_agent(self.tmux, slot.spec, pane_id, handoff=handoff,
                                      journal=self.journal)
        if outcome.pane_id:
            slot.pane_override = outcome.pane_id
        slot.output, slot.loops, slot.loop_reason = None, LoopWatch(), None
        slot.tracker = AgentTracker(stuck_after=self.settings.stuck_after,
                                    idle_debounce=self.settings.idle_debounce)
        slot.fingerprint = slot.detection = None
        slot.context_level = 0
        # A fresh session has its whole context: the old warning no longer holds.
        slot.alerts = [alert for alert in slot.alerts if alert.kind != "context"]
        slot.memory = DispatchMemory()
        if outcome.handoff_sent:
            slot.memory.note_sent(None)  # the queue waits for the handoff's turn to end
        return outcome

    async def kill(self, name: str) -> None:
        slot = self._slot(name)
        pane = self._require_pane(slot)
        await kill_agent(self.tmux, pane.pane_id, agent=slot.spec.name, journal=self.journal)

    async def remind_policy(self, name: str) -> SendResult:
        slot = self._slot(name)
        if not slot.spec.policy:
            raise OrchestraError(f"{slot.spec.name}'s lane has no policy in the config")
        return await self.send_now(name, policy_reminder(slot.spec), source="policy")

    def _require_pane(self, slot: _Slot) -> PaneInfo:
        if slot.pane is None or slot.pane.dead:
            raise OrchestraError(f"{slot.spec.name} has no live pane")
        return slot.pane

