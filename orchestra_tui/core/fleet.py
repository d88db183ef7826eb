"""The orchestrator without a screen: which pane is which agent, what state it is in, and
sending its queued prompts when it is ready.

One `refresh()` is one tick: a single `list-panes -a` for the whole server, one batched capture
of only the panes that changed (or that the person is looking at), classification only of
screens whose masked fingerprint changed, then the tracker turns detections into states over
time. The UI calls `refresh()` from a worker and renders the `FleetSnapshot` it returns.

A fleet built `read_only` (`status`, `detect`, `inbox`, `log`, `report`) writes nothing. The
journal records changes, not looks: an alert already journaled since the agent's last restart,
or a state the journal last left it in, is shown but not journaled again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from orchestra_tui import agents
from orchestra_tui.agents.names import AGENT_TOOLS
from orchestra_tui.agents.tracker import AgentTracker
from orchestra_tui.core.alert_record import journal_memory
from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.core.binding import bind_agents, host_down
from orchestra_tui.core.directing import QUEUE_OPS, Directing
from orchestra_tui.core.fleet_alerts import FleetAlerts
from orchestra_tui.core.fleet_state import (
    AgentView,
    FleetSettings,
    FleetSnapshot,
    Slot,
)
from orchestra_tui.core.fleet_work import FleetWork
from orchestra_tui.core.fusion import fuse, shown_dialog
from orchestra_tui.core.hook_watch import HookWatch
from orchestra_tui.core.receipts import ReceiptWatch
from orchestra_tui.core.receipts import looks as receipt_looks
from orchestra_tui.core.receipts import record as record_receipt
from orchestra_tui.core.send_gate import SendGate
from orchestra_tui.errors import AgentNotFound, OrchestraError, TmuxUnavailable
from orchestra_tui.models import (
    AgentSpec,
    AgentStatus,
    ContextTrend,
    Detection,
    State,
)
from orchestra_tui.services.store_format import EMPTY as NO_QUEUES

__all__ = ["QUEUE_OPS", "AgentView", "Fleet", "FleetSettings", "FleetSnapshot"]

# A working row this long after the person's interrupt or deny is a turn they started: stop over.
STOP_GRACE_SECONDS = 3.0

log = logging.getLogger(__name__)


def _said(problem: object) -> str | None:
    return str(problem) if problem is not None else None


class Fleet(Directing, FleetWork, FleetAlerts):
    def __init__(self, tmux, specs: Sequence[AgentSpec], *, store=None, journal=None,
                 settings: FleetSettings | None = None, discover: bool | None = None,
                 clock: Callable[[], float] = time.time, read_only: bool = False,
                 hooks=None, enforcement: Mapping[str, str] | None = None) -> None:
        self.tmux = tmux
        # agent -> why the enforcement it asks for is off (`core.enforcement`): an alert each.
        self.enforcement = dict(enforcement or {})
        self.gate = SendGate(tmux)
        self.receipts = ReceiptWatch()  # delivery receipts from each tick's evidence
        self.store = store
        self.journal = journal
        self.settings = settings or FleetSettings()
        self.clock = clock
        self.read_only = read_only
        # The agents' own hook events (a services.hook_log.HookLog), when hooks are on.
        self.hook_watch = HookWatch(hooks) if hooks is not None else None
        # With no configured agents, every agent pane found on the server is one.
        self.discover = (not specs) if discover is None else discover
        self._slots: dict[str, Slot] = {}
        for spec in specs:
            self._add_slot(spec)
        self._snapshot = FleetSnapshot(agents=(), at=0.0)
        self.storage_problem: str | None = None  # the last journal write that failed
        self._tasks: set[asyncio.Task] = set()
        self._examined: dict[str, tuple[int, str]] = {}  # pane id -> (pid, command) looked at
        self._queues = NO_QUEUES
        self._journaled_alerts: dict[str, set[str]] | None = None  # agent -> occurrence keys
        # agent -> (its last journaled state, since when): what a new process continues
        self._journaled_states: dict[str, tuple[str, float]] = {}

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
        `history` names one agent whose capture includes scrollback. An unexpected failure
        is reported in the snapshot's `tick_error`, never raised: the loop goes on."""
        now = self.clock()
        try:
            return await self._tick(set(visible), history, now)
        except TmuxUnavailable as error:
            return self._server_down(str(error), now)
        except (OrchestraError, OSError, ValueError, RuntimeError) as error:
            log.exception("fleet tick failed")
            self._snapshot = replace(self._snapshot, at=now,
                                     tick_error=f"{type(error).__name__}: {error}")
            return self._snapshot

    async def _tick(self, wanted: set[str], history: str | None, now: float) -> FleetSnapshot:
        self.sync_recorded()  # recorded agents join and leave, even with the server gone
        panes = await self.tmux.list_panes()
        self.note_panes(panes)  # bound before discovery looks; activity -> branch figures
        if self.discover:
            await self._discover(panes)
        bind_agents(self._slots.values(), panes)
        if self.hook_watch is not None:
            await self.hook_watch.read(self._slots.values(), self.tmux, now)
        if self._journaled_alerts is None:
            self._journaled_alerts, self._journaled_states = await asyncio.to_thread(
                journal_memory, self.journal)
        self._tell_enforcement(now)
        to_capture = [slot for slot in self._slots.values()
                      if slot.pane is not None and not slot.pane.dead
                      and (slot.spec.name in wanted or slot.spec.name == history
                           or self._activity_changed(slot))]
        captures = await self._capture(to_capture, history)
        classified = 0
        for slot in self._slots.values():
            if slot.pane is not None and slot.pane.pane_id in captures:
                screen = captures[slot.pane.pane_id]
                slot.captured_activity = slot.pane.activity
                slot.captured_at = now
                if self._observe_screen(slot, screen, now):
                    classified += 1
            self._track(slot, now)
        self._read_queues()
        if self.store is not None and not self.read_only:  # receipts move on the evidence read
            for change in self.receipts.observe(receipt_looks(self._slots.values()),
                                                self._queues, now):
                self._background(record_receipt(self.store, self._journal, change))
        self._snapshot = FleetSnapshot(
            agents=self._views(), at=now, captured=len(captures), classified=classified,
            tmux_notice=getattr(self.tmux.runner, "notice", None),
            storage_problem=self.storage_problem or _said(self._queues.problem))
        return self._snapshot

    def listen_for_hooks(self) -> bool:
        """Let a hook report wake the poll loop at once (see `HookWatch.listen`)."""
        return self.hook_watch is not None and self.hook_watch.listen()

    async def wait_for_news(self, timeout: float) -> None:
        """Sleep up to `timeout` seconds, less when a hook reports."""
        if self.hook_watch is None:
            await asyncio.sleep(timeout)
        else:
            await self.hook_watch.wait(timeout)

    def close(self) -> None:
        if self.hook_watch is not None:
            self.hook_watch.close()

    def _activity_changed(self, slot: Slot) -> bool:
        # window_activity has one-second resolution: output later in the same second as our
        # last capture leaves it unchanged, so a pane stays "changed" through that second.
        assert slot.pane is not None
        return (slot.captured_activity is None
                or slot.pane.activity != slot.captured_activity
                or slot.pane.activity >= int(slot.captured_at))

    async def _capture(self, slots: list[Slot], history: str | None) -> dict[str, str]:
        if not slots:
            return {}
        plain = [s.pane.pane_id for s in slots if s.spec.name != history]
        captures = await self.tmux.capture(plain, ansi=True) if plain else {}
        deep = [s.pane.pane_id for s in slots if s.spec.name == history]
        if deep:
            captures.update(await self.tmux.capture(
                deep, ansi=True, history=self.settings.history_lines))
        return captures

    def _observe_screen(self, slot: Slot, screen: str, now: float) -> bool:
        """Store a new capture; classify it only if its masked fingerprint changed."""
        plain = strip_ansi(screen)
        if slot.pane is not None and slot.pane.height:
            # A capture with scrollback: the state lives in the visible rows at its end.
            plain = "\n".join(plain.split("\n")[-slot.pane.height:])
        if screen != slot.screen:
            self._watch_output(slot, screen, plain, now)
        slot.screen = screen
        fingerprint = agents.fingerprint(plain)
        if fingerprint == slot.fingerprint and slot.detection is not None:
            return False
        slot.fingerprint = fingerprint
        tool = slot.tool if slot.tool and slot.tool != "auto" else None
        slot.detection = agents.classify(plain, tool)
        if slot.tool in (None, "auto") and slot.detection.tool in AGENT_TOOLS:
            slot.tool = slot.detection.tool
        return True

    def _background(self, work) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task) -> None:
        """A journal write that failed (read-only or full data dir) is a state the snapshot
        carries, said once, never a traceback from a task nobody awaited."""
        self._tasks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None and str(error) != self.storage_problem:
            self.storage_problem = str(error)
            log.info("orchestra could not record: %s", error)  # shown through the snapshot

    def _track(self, slot: Slot, now: float) -> None:
        name = slot.spec.name
        if (down := host_down(self.tmux, slot)) is not None:  # its queue waits, see binding
            self._set_status(slot, self._status(slot, State.UNREACHABLE, down, now))
            return
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
        fused = fuse(state, reason, slot.hook, now, screen_only=bool(slot.loop_reason))
        state, reason = fused.state, fused.reason
        if fused.disagreement and slot.hook.at != slot.disagreement:
            slot.disagreement = slot.hook.at
            self._background(self._journal("disagreement", agent=name, hook=str(slot.hook.state),
                                           screen=str(tracked.state), reason=reason))
        if fused.source == "hook" and state is not tracked.state:
            previous = slot.status
            since = previous.since if previous and previous.state is state else now
        self._notice_interrupt_in_pane(
            slot, state, fused.source == "screen" and detection.interrupted, now)
        state, reason = self._after_person_stop(slot, state, reason, now)
        slot.memory.observe(state, slot.fingerprint, now, self.settings.idle_debounce)
        self._watch_context(slot, tracked.context_left, now)
        self._set_status(slot, AgentStatus(
            name=name, pane_id=slot.pane.pane_id, tool=slot.tool or detection.tool,
            state=state, reason=reason,
            context_left=tracked.context_left, context_trend=tracked.context_trend,
            queued=tracked.queued, since=since, spec=slot.spec,
            background=tracked.background, dialog=tracked.dialog,
            alerts=tuple(alert.text for alert in slot.alerts), source=fused.source,
            dialog_key=shown_dialog(state, detection, slot.hook, slot.tool or detection.tool)))

    def _after_person_stop(self, slot: Slot, state: State, reason: str,
                           now: float) -> tuple[State, str]:
        """After the person's own interrupt or deny the agent's error or abort notice is their
        act, not a failure: it reads idle, saying so, until a new turn starts."""
        how = slot.stopped_by_person
        if how is None:
            return state, reason
        if state is State.WORKING and now - slot.stopped_at > STOP_GRACE_SECONDS:
            slot.stopped_by_person = None
            return state, reason
        if state in (State.BLOCKED, State.IDLE) and slot.loop_reason is None:
            return State.IDLE, f"idle: {how} by you; its queue is held (p resumes)"
        return state, reason

    def _set_status(self, slot: Slot, status: AgentStatus) -> None:
        previous = slot.status
        journaled = self._journaled_states.get(status.name) if previous is None else None
        if journaled is not None:
            slot.carried = journaled
        if slot.carried is not None and slot.carried[0] == status.state:
            # The state the journal last left it in goes on: its time counts from its start.
            status = replace(status, since=min(status.since, slot.carried[1]))
        else:
            slot.carried = None
        slot.status = status
        if (self.journal is not None and not self.read_only
                and (journaled is None or journaled[0] != status.state)
                and (previous is None or previous.state is not status.state)):
            # The session report turns these into time spent working, idle and waiting.
            self._background(self._journal("state", agent=status.name, state=str(status.state),
                                           since=status.since, reason=status.reason))

    def _status(self, slot: Slot, state: State, reason: str, now: float) -> AgentStatus:
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
        self._read_queues()
        self._snapshot = FleetSnapshot(agents=self._views(), at=now, tmux_error=message)
        return self._snapshot

    def _read_queues(self) -> None:
        """One read of every queue per tick (a `stat` when nothing changed)."""
        if self.store is not None:
            self._queues = self.store.snapshot()

    def _views(self) -> tuple[AgentView, ...]:
        views = []
        for slot in self._slots.values():
            assert slot.status is not None
            name = slot.spec.name
            held = ("you stopped it; p resumes" if slot.stopped_by_person
                    and name in self._queues.paused else "")
            views.append(AgentView(status=slot.status, queue=self._queues.of(name),
                                   paused=name in self._queues.paused,
                                   screen=slot.screen, pane=slot.pane, held=held,
                                   work=self.work.get(name),
                                   unseen_alerts=slot.alerts_unseen))
        views.sort(key=lambda view: (view.attention_rank, view.name))
        return tuple(views)

    def _add_slot(self, spec: AgentSpec) -> None:
        self._slots[spec.name] = Slot(
            spec=spec,
            tracker=AgentTracker(stuck_after=self.settings.stuck_after,
                                 idle_debounce=self.settings.idle_debounce),
            tool=None if spec.tool == "auto" else spec.tool)

    def _slot(self, name_or_pane: str) -> Slot:
        if name_or_pane in self._slots:
            return self._slots[name_or_pane]
        for slot in self._slots.values():
            if slot.pane is not None and slot.pane.pane_id == name_or_pane:
                return slot
        raise AgentNotFound(f"no agent or pane named {name_or_pane!r} "
                            f"(known: {', '.join(self._slots) or 'none'})")

    def current(self) -> FleetSnapshot:
        """The last tick's snapshot with queues re-read: shows a queue edit at once."""
        if self._snapshot.at == 0:
            return self._snapshot
        self._read_queues()
        self._snapshot = replace(self._snapshot, agents=self._views())
        return self._snapshot

    async def _journal(self, event: str, **fields) -> None:
        if self.journal is not None and not self.read_only:
            await asyncio.to_thread(self.journal.append, event, **fields)
