"""From a series of detections to the state the person sees: stuck, exited, debounced idle,
the context trend. One tracker per agent; the poll loop calls `observe` once per tick with
the detection, the screen's fingerprint and the pane's metadata.

Time is always passed in (`now`, seconds, any monotonic origin), so the rules are tested
without sleeping.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from orchestra_tui.agents.names import is_agent_tool, shell_name
from orchestra_tui.models import ContextTrend, Detection, DialogKey, State

# Line UIs with no indicator while output streams (Aider) or a shell running a command: a
# screen that keeps changing is the only sign of work.
_CHANGE_MEANS_WORK = frozenset({"aider", "shell"})
# States after which an idle screen must hold for the debounce before it counts: a turn's end,
# and an answered dialog or a cleared error, whose spinner a real model takes a moment to show
# (a queued prompt went in 0.25 s after `y` without this).
_SETTLES_INTO_IDLE = frozenset({State.WORKING, State.STUCK, State.APPROVAL, State.BLOCKED})
_QUOTED = re.compile(r'"(.*)"')


@dataclass(frozen=True)
class Tracked:
    state: State
    reason: str
    since: float  # when the reported state began
    context_left: int | None = None  # the last value read, kept after the indicator goes
    context_at: float | None = None  # when that value was read
    context_trend: ContextTrend = ContextTrend.UNKNOWN
    queued: int | None = None
    elapsed_seconds: int | None = None
    background: bool = False
    dialog: str | None = None
    dialog_key: DialogKey | None = None
    resumes_at: str | None = None  # when blocked on a usage limit whose reset time is shown
    limit: str | None = None  # blocked on an account limit (`Detection.limit`)
    changed: bool = False  # the reported state differs from the previous observation's
    tool: str = ""
    # The state reported before this one (None on the first observation): `previous` WORKING
    # with `state` IDLE and `changed` is the edge on which a queued prompt may be sent.
    previous: State | None = None


@dataclass(frozen=True)
class Timers:
    """The tracker's clocks at one moment: how long an idle reading has held against the
    debounce (None: not settling now), how long the working screen has been frozen against
    the stuck threshold (None: not working or not frozen), when the screen last changed."""

    idle_debounce: float
    stuck_after: float
    settling_for: float | None = None
    frozen_for: float | None = None
    changed_at: float | None = None


class AgentTracker:
    """`stuck_after`: seconds a working screen may stay frozen (fingerprint and counter)
    before it is stuck. `idle_debounce`: seconds an idle reading must hold before a working
    agent is reported idle, so a pause in streaming does not flap (and does not fire the
    queue). `context_history`: how many context changes are kept for the trend;
    `trend_window`: a change older than this no longer makes a trend (it is flat again)."""

    def __init__(self, stuck_after: float = 60.0, idle_debounce: float = 1.5,
                 context_history: int = 32, trend_window: float = 900.0,
                 quiet_after: float = 3.0) -> None:
        self.stuck_after = stuck_after
        self.idle_debounce = idle_debounce
        self.trend_window = trend_window
        self.quiet_after = quiet_after
        self._context: deque[tuple[float, int]] = deque(maxlen=max(2, context_history))
        self._context_reads = 0
        self._context_at: float | None = None
        self._last: Tracked | None = None
        self._fingerprint: str | None = None
        self._changed_at: float | None = None  # when the fingerprint last changed
        self._frozen: tuple[str, int | None] | None = None
        self._frozen_since = 0.0
        self._idle_since: float | None = None
        self._agent_tool: str | None = None

    @property
    def last(self) -> Tracked | None:
        return self._last

    def timers(self, now: float) -> Timers:
        """The debounce and stuck clocks as of `now` (what `orchestra why` shows)."""
        settling = now - self._idle_since if self._idle_since is not None else None
        frozen = now - self._frozen_since if self._frozen is not None else None
        return Timers(idle_debounce=self.idle_debounce, stuck_after=self.stuck_after,
                      settling_for=settling, frozen_for=frozen, changed_at=self._changed_at)

    def observe(self, detection: Detection, fingerprint: str, now: float, *,
                pane_dead: bool = False, current_command: str | None = None,
                in_mode: bool = False, steady_since: float | None = None) -> Tracked:
        """`steady_since`: since when the pane has not changed, when known (tmux pushes its
        writes): an idle reading has held since then, not only since this observation."""
        if is_agent_tool(detection.tool):
            self._agent_tool = detection.tool
        if fingerprint != self._fingerprint:
            self._fingerprint, self._changed_at = fingerprint, now
        self._read_context(detection, now)
        state, reason = self._decide(detection, fingerprint, now, pane_dead, current_command,
                                     in_mode, now if steady_since is None else steady_since)
        previous = self._last
        changed = previous is None or previous.state != state
        since = now if changed or previous is None else previous.since
        self._last = Tracked(
            state=state, reason=reason, since=since,
            context_left=self._context[-1][1] if self._context else None,
            context_at=self._context_at, context_trend=self._trend(now),
            queued=detection.queued, elapsed_seconds=detection.elapsed_seconds,
            background=detection.background,
            dialog=detection.dialog if state == State.APPROVAL else None,
            dialog_key=detection.dialog_key if state == State.APPROVAL else None,
            resumes_at=detection.resumes_at if state == State.BLOCKED else None,
            limit=detection.limit if state == State.BLOCKED else None,
            changed=changed, tool=detection.tool,
            previous=previous.state if previous else None)
        return self._last

    def _decide(self, d: Detection, fingerprint: str, now: float, pane_dead: bool,
                current_command: str | None, in_mode: bool,
                steady_since: float) -> tuple[State, str]:
        if pane_dead:
            return self._reset(State.EXITED, "exited: the pane is dead")
        command = shell_name(current_command or "")
        agent = d.tool if is_agent_tool(d.tool) else self._agent_tool
        if command and agent:
            return self._reset(State.EXITED, f"exited: {command} is in the foreground, "
                                             f"{agent} is gone")
        if in_mode:
            # A capture in copy mode shows scrolled history, not the live screen.
            return self._reset(State.UNKNOWN, "unknown: pane is in copy mode")
        state, reason = d.state, d.reason
        if state == State.UNKNOWN and d.tool in _CHANGE_MEANS_WORK and self._recently_changed(now):
            state, reason = State.WORKING, "working: no prompt and the screen keeps changing"
        if state == State.WORKING:
            self._idle_since = None
            return self._stuck_or_working(d, fingerprint, now, reason)
        self._frozen = None
        if state == State.IDLE and self._last and self._last.state in _SETTLES_INTO_IDLE:
            if self._idle_since is None:
                self._idle_since = min(now, steady_since)
            held = now - self._idle_since
            if held < self.idle_debounce:
                return State.WORKING, f"working: settling, idle for {held:.1f}s ({reason})"
        if state != State.IDLE:
            self._idle_since = None
        return state, reason

    def _stuck_or_working(self, d: Detection, fingerprint: str, now: float,
                          reason: str) -> tuple[State, str]:
        key = (fingerprint, d.elapsed_seconds)
        if key != self._frozen:
            self._frozen, self._frozen_since = key, now
            return State.WORKING, reason
        frozen_for = now - self._frozen_since
        if frozen_for >= self.stuck_after:
            quoted = _QUOTED.search(reason)
            evidence = quoted.group(1) if quoted else reason
            return State.STUCK, f'stuck: "{evidence}" frozen for {frozen_for:.0f}s'
        return State.WORKING, reason

    def _reset(self, state: State, reason: str) -> tuple[State, str]:
        self._frozen, self._idle_since = None, None
        return state, reason

    def _recently_changed(self, now: float) -> bool:
        # The first observation has nothing to compare with, so it proves no change.
        return (self._last is not None and self._changed_at is not None
                and now - self._changed_at <= self.quiet_after)

    def _read_context(self, d: Detection, now: float) -> None:
        if d.context_left is None:
            return
        self._context_reads += 1
        self._context_at = now
        if not self._context or self._context[-1][1] != d.context_left:
            self._context.append((now, d.context_left))

    def _trend(self, now: float) -> ContextTrend:
        if self._context_reads < 2:
            return ContextTrend.UNKNOWN
        if len(self._context) < 2:
            return ContextTrend.FLAT
        (at, value), (_, before) = self._context[-1], self._context[-2]
        if now - at > self.trend_window:
            return ContextTrend.FLAT
        return ContextTrend.RISING if value > before else ContextTrend.FALLING
