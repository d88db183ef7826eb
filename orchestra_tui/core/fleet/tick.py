"""What one tick makes of the panes: which screens to capture, classification of the ones whose
masked fingerprint changed, the tracker's states over time fused with the hooks', the
person's own stops, and the views the UI renders.

The journal records changes, not looks: a state the journal last left an agent in is shown but
not journaled again (`carried`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

from orchestra_tui import agents
from orchestra_tui.agents.names import is_agent_tool
from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.core.fleet.alerts import FleetAlerts
from orchestra_tui.core.fleet.budgets import FleetBudgets
from orchestra_tui.core.fleet.evidence import Disagreement
from orchestra_tui.core.fleet.evidence_gather import gather
from orchestra_tui.core.fleet.fusion import fuse, shown_dialog
from orchestra_tui.core.fleet.reading import (
    UNSEEN_WRITES,
    hooks_report,
    learn_hush,
    unseen_rows,
    why_read,
)
from orchestra_tui.core.fleet.state import AgentView, FleetContext, Slot
from orchestra_tui.core.fleet.usage import FleetUsage
from orchestra_tui.core.fleet.work import FleetWork
from orchestra_tui.core.pane_binding import host_down
from orchestra_tui.models import AgentStatus, ContextTrend, Detection, PaneInfo, State
from orchestra_tui.services.tmux.activity import OutputReport
from orchestra_tui.usage_limit import UsageLimit

__all__ = ["STOP_GRACE_SECONDS", "FleetTick"]

# A working row this long after the person's interrupt or deny is a turn they started: stop over.
STOP_GRACE_SECONDS = 3.0


class FleetTick:
    def __init__(self, context: FleetContext, alerts: FleetAlerts, work: FleetWork,
                 usage: FleetUsage | None = None, budgets: FleetBudgets | None = None) -> None:
        self.context = context
        self.alerts = alerts
        self.work = work
        self.usage = usage
        self.budgets = budgets
        # agent -> (its last journaled state, since when): what a new process continues
        self.journaled_states: dict[str, tuple[str, float]] = {}

    # -- capturing and classifying ---------------------------------------------------------

    def panes(self, wanted: set[str], history: str | None
              ) -> tuple[list[PaneInfo], set[str], set[str]]:
        """Every bound pane; the ids of those on screen (followed frame by frame) and of those
        whose agents' hooks report (their stops come as events: sampled the least)."""
        panes = [slot.pane for slot in self.context.slots.values() if slot.pane is not None]
        shown = {slot.pane.pane_id for slot in self.context.slots.values()
                 if slot.pane is not None
                 and (slot.spec.name in wanted or slot.spec.name == history)}
        covered = {slot.pane.pane_id for slot in self.context.slots.values()
                   if slot.pane is not None and hooks_report(slot)}
        return panes, shown, covered

    def to_capture(self, wanted: set[str], history: str | None, output: OutputReport,
                   now: float) -> dict[str, str]:
        """The agents this tick reads, each with why (`core/fleet/reading.py` says when)."""
        reasons: dict[str, str] = {}
        for name, slot in self.context.slots.items():
            learn_hush(slot)
            if (why := why_read(slot, output, wanted, history, now)) is not None:
                reasons[name] = why
        return reasons

    @staticmethod
    def captured(slot: Slot, output: OutputReport, history: str | None, now: float,
                 why: str | None = None) -> None:
        """Note what a read saw of the pane's writes and hooks, to read it next on news."""
        assert slot.pane is not None
        if why == "quiet" and slot.pane.pane_id not in output.watched:  # hook-led
            slot.quiet_read = slot.pane.activity
        slot.captured_activity = slot.pane.activity
        slot.captured_at = now
        slot.history_read = slot.pane.history_size
        seen = output.panes.get(slot.pane.pane_id)
        slot.output_seen = ((seen.writes if seen else 0)
                            if slot.pane.pane_id in output.watched else None)
        slot.hook_seen = slot.recent_hooks[-1] if slot.recent_hooks else None
        slot.deep = slot.spec.name == history

    async def capture(self, reasons: Mapping[str, str], history: str | None
                      ) -> dict[str, str]:
        """Read the panes of `reasons`' agents: the one whose history is shown with its
        scrollback, those read after writes no read saw with what scrolled off since."""
        depth: dict[int, list[str]] = {}
        for name, why in reasons.items():
            slot = self.context.slots[name]
            if slot.pane is None:
                continue
            rows = (self.context.settings.history_lines if name == history
                    else unseen_rows(slot) if why in UNSEEN_WRITES else 0)
            depth.setdefault(rows, []).append(slot.pane.pane_id)
        captures: dict[str, str] = {}
        for rows, pane_ids in depth.items():
            captures.update(await self.context.tmux.capture(pane_ids, ansi=True, history=rows))
        return captures

    def observe_screen(self, slot: Slot, screen: str, now: float) -> bool:
        """Store a new capture; classify it only if its masked fingerprint changed."""
        plain = strip_ansi(screen)
        if slot.pane is not None and slot.pane.height:
            # A capture with scrollback: the state lives in the visible rows at its end.
            plain = "\n".join(plain.split("\n")[-slot.pane.height:])
        if screen != slot.screen:
            self.alerts.watch_output(slot, screen, plain, now)
        if (slot.pane is not None and slot.pane.height and not slot.deep
                and screen.count("\n") >= slot.pane.height):
            # Scrollback taken for the guardrails only: the pane shows its visible rows.
            screen = "\n".join(screen.split("\n")[-slot.pane.height:])
        slot.screen = screen
        fingerprint = agents.fingerprint(plain)
        if fingerprint == slot.fingerprint and slot.detection is not None:
            return False
        slot.fingerprint = fingerprint
        tool = slot.tool if slot.tool and slot.tool != "auto" else None
        slot.detection = agents.classify(plain, tool)
        if slot.tool in (None, "auto") and is_agent_tool(slot.detection.tool):
            slot.tool = slot.detection.tool
        return True

    # -- states over time ------------------------------------------------------------------

    def track(self, slot: Slot, now: float, steady_since: float | None = None) -> None:
        """`steady_since`: since when the pane has written nothing, when tmux says so."""
        name = slot.spec.name
        slot.fused = None  # until hook and screen are weighed below
        if (down := host_down(self.context.tmux, slot)) is not None:  # its queue waits
            unreachable = self.status(slot, State.UNREACHABLE, f"unreachable: {down}", now)
            self._set_status(slot, replace(unreachable, unreachable=down))
            return
        if slot.pane is None:
            reason = (f"exited: no pane at target {slot.spec.target!r}" if slot.spec.target
                      else "exited: no tmux pane found for this agent")
            self._set_status(slot, self.status(slot, State.EXITED, reason, now))
            return
        detection = slot.detection or Detection(
            tool=slot.tool or "unknown", state=State.UNKNOWN, reason="no capture yet")
        tracked = slot.tracker.observe(
            detection, slot.fingerprint or "", now,
            pane_dead=slot.pane.dead, current_command=slot.pane.current_command,
            in_mode=slot.pane.in_mode, steady_since=steady_since)
        state, reason, since = tracked.state, tracked.reason, tracked.since
        if slot.loop_reason and state in (State.WORKING, State.IDLE, State.STUCK):
            # A fix-retry loop looks busy or done, but it will not end without the person.
            previous = slot.status
            state, reason = State.BLOCKED, slot.loop_reason
            since = previous.since if previous and previous.state is State.BLOCKED else now
        fused = fuse(state, reason, slot.hook, now, screen_only=bool(slot.loop_reason))
        slot.fused = fused
        state, reason = fused.state, fused.reason
        if fused.disagreement and slot.hook is not None and slot.hook.at != slot.disagreement:
            slot.disagreement = slot.hook.at
            slot.last_disagreement = Disagreement(now, slot.hook.state, tracked.state,
                                                  fused.disagreement)
            self.context.record.write_later("disagreement", name, hook=str(slot.hook.state),
                                            screen=str(tracked.state), reason=reason)
        if fused.source == "hook" and state is not tracked.state:
            previous = slot.status
            since = previous.since if previous and previous.state is state else now
        self._notice_interrupt_in_pane(
            slot, state, fused.source == "screen" and detection.interrupted, now)
        state, reason = self._after_person_stop(slot, state, reason, now)
        slot.memory.observe(state, slot.fingerprint, now, self.context.settings.idle_debounce)
        self.alerts.watch_context(slot, tracked.context_left, now)
        self._set_status(slot, AgentStatus(
            name=name, pane_id=slot.pane.pane_id, tool=slot.tool or detection.tool,
            state=state, reason=reason,
            context_left=tracked.context_left, context_trend=tracked.context_trend,
            queued=tracked.queued, since=since, spec=slot.spec,
            background=tracked.background, dialog=tracked.dialog,
            alerts=tuple(alert.text for alert in slot.alerts), source=fused.source,
            dialog_key=shown_dialog(state, detection, slot.hook, slot.tool or detection.tool),
            limit=self._limit(slot, state, tracked.limit, tracked.resumes_at, since)))

    def _limit(self, slot: Slot, state: State, kind: str | None, words: str | None,
               since: float) -> UsageLimit | None:
        """The usage limit it waits on, its reset read once per occurrence: "in 4 hours" counts
        from when the notice appeared, not from each tick."""
        if state is not State.BLOCKED or kind is None:
            return None
        previous = slot.status.limit if slot.status is not None else None
        if previous is not None and previous.kind == kind and previous.words == (words or ""):
            return previous
        resets = self.context.limit_reset(words, since) if words else None
        return UsageLimit(kind, words or "", resets)

    def _notice_interrupt_in_pane(self, slot: Slot, state: State, interrupted: bool,
                                  now: float) -> None:
        """The person pressed Esc in the agent's own pane (attached to it): its turn ended
        with the tool's interrupt notice. Their act, as through orchestra: the queue is held
        so that no follow-up lands in the agent they just stopped. Only an interrupt seen
        happening (working, then this): one already on screen at start is old news."""
        previous = slot.status
        if (self.context.read_only or slot.stopped_by_person is not None
                or state is not State.IDLE or not interrupted or previous is None
                or previous.state is not State.WORKING):
            return
        slot.stopped_by_person, slot.stopped_at = "interrupted", now
        slot.hook = None
        # This tick's read of the queues: no file is touched on the poll loop.
        store, record = self.context.store, self.context.record
        if store is not None and slot.spec.name not in self.context.queues.paused:
            record.later(asyncio.to_thread(store.set_paused, slot.spec.name, True))
        record.write_later("interrupt", slot.spec.name, where="pane")

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
        journaled = self.journaled_states.get(status.name) if previous is None else None
        if journaled is not None:
            slot.carried = journaled
        if slot.carried is not None and slot.carried[0] == status.state:
            # The state the journal last left it in goes on: its time counts from its start.
            status = replace(status, since=min(status.since, slot.carried[1]))
        else:
            slot.carried = None
        slot.status = status
        if ((journaled is None or journaled[0] != status.state)
                and (previous is None or previous.state is not status.state)):
            # The session report turns these into time spent working, idle and waiting.
            self.context.record.write_later("state", status.name, state=str(status.state),
                                            since=status.since, reason=status.reason)

    def status(self, slot: Slot, state: State, reason: str, now: float) -> AgentStatus:
        previous = slot.status
        since = previous.since if previous is not None and previous.state is state else now
        return AgentStatus(
            name=slot.spec.name, pane_id=slot.pane.pane_id if slot.pane else None,
            tool=slot.tool or slot.spec.tool, state=state, reason=reason,
            context_left=previous.context_left if previous else None,
            context_trend=ContextTrend.UNKNOWN, since=since, spec=slot.spec,
            alerts=tuple(alert.text for alert in slot.alerts))

    def server_down(self, message: str, now: float) -> None:
        for slot in self.context.slots.values():
            slot.pane = None
            self._set_status(slot, self.status(slot, State.EXITED, f"exited: {message}", now))

    # -- what the UI sees ------------------------------------------------------------------

    def views(self) -> tuple[AgentView, ...]:
        queues = self.context.queues
        views = []
        for slot in self.context.slots.values():
            # Never read (the first tick failed, its error shown beside): unknown, not a guess.
            status = slot.status or self.status(slot, State.UNKNOWN, "not read yet",
                                                self.context.clock())
            name = slot.spec.name
            cost = self.usage.costs.get(name) if self.usage is not None else None
            held = ("you stopped it; p resumes" if slot.stopped_by_person
                    and name in queues.paused else "")
            views.append(AgentView(status=status, queue=queues.of(name),
                                   paused=name in queues.paused,
                                   screen=slot.screen, pane=slot.pane, held=held,
                                   work=self.work.work.get(name),
                                   conflicts=self.work.radar.found.get(name, ()),
                                   unseen_alerts=slot.alerts_unseen,
                                   evidence=gather(slot, self.context.clock()),
                                   cost=cost.summary if cost else None,
                                   cost_unknown=cost.unknown if cost else "",
                                   budget=self.budgets.of(slot.spec.lane) if self.budgets
                                   else None))
        views.sort(key=lambda view: (view.attention_rank, view.name))
        return tuple(views)
