"""Kill an agent, or restart it with its configured command and a handoff.

Restart is the seed's answer to an agent that is struggling, looping or out of context: kill it
without sentiment, start the same CLI in the same place, and give it a one-paragraph handoff
(`core/lifecycle/handoff.py`). The order matters:

1. the pane's process is replaced (`respawn-pane -k`, same pane id) when the pane still
   exists, else the command starts in a new window of the target's session;
2. orchestra waits until the new agent is *ready*: its detector says idle and the screen has
   settled. A trust or login screen shows as approval or blocked: the wait stops there and the
   outcome carries the handoff as *pending*, for the person to act first and send it after
   (`deliver_handoff`);
3. the handoff is typed once through the send gate (which reads the pane again right before
   the first byte), never re-sent (an unconfirmed submission is reported, not retried).

The agent's queue is not touched: its items stay in the store and resume through the normal
dispatch once the agent goes idle after the handoff (dispatch sends on the working→idle edge).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from orchestra_tui import agents
from orchestra_tui.core.ansi import strip_ansi
from orchestra_tui.core.sending.send_gate import SendGate, SendRefused
from orchestra_tui.errors import OrchestraError, TmuxCommandError, TmuxUnavailable
from orchestra_tui.models import AgentSpec, Detection, SendResult, State
from orchestra_tui.services.ports import JournalPort
from orchestra_tui.services.tmux.port import TmuxPort

__all__ = ["RestartOutcome", "deliver_handoff", "kill_agent", "restart_agent", "wait_until_ready"]

READY_TIMEOUT = 60.0
POLL_SECONDS = 0.25
# A CLI draws its composer before it has finished starting (Claude loads MCP servers after):
# idle counts once the screen has stayed the same this long.
SETTLE_SECONDS = 1.0


@dataclass(frozen=True)
class RestartOutcome:
    """How a restart ended. `state` is what the new agent showed when orchestra stopped waiting:
    idle (the handoff went in), approval or blocked (a trust/login screen: the person acts,
    then the UI sends `pending_handoff`), exited (the command quit) or unknown (not ready in
    time; the handoff is pending too)."""

    agent: str
    pane_id: str | None
    state: State
    reason: str
    respawned: bool = False  # the same pane was reused (else a new window was opened)
    handoff_sent: bool = False
    pending_handoff: str | None = None
    send: SendResult | None = None

    @property
    def summary(self) -> str:
        where = f"in pane {self.pane_id}" if self.pane_id else "with no pane"
        if self.handoff_sent:
            return f"{self.agent} restarted {where}; handoff sent"
        if self.send is not None:
            return (f"{self.agent} restarted {where}; handoff typed but its submission could not "
                    f"be confirmed ({self.send.detail or 'check the pane'}); not sent again")
        if self.pending_handoff is not None:
            return (f"{self.agent} restarted {where} but is {self.state}: {self.reason}; "
                    "the handoff waits until you have dealt with it")
        return f"{self.agent} restart failed: {self.reason}"


def _session_of(spec: AgentSpec) -> str:
    """The session to open a new window in when the agent's pane is gone: the target's session,
    or the agent's name (a `%id` target died with its pane)."""
    target = spec.target.strip()
    if target and not target.startswith("%"):
        return target.partition(":")[0]
    return spec.name


async def _live_pane(tmux: TmuxPort, pane_id: str | None) -> str | None:
    if not pane_id:
        return None
    try:
        await tmux.pane_info(pane_id)
    except TmuxCommandError:
        return None
    return pane_id


async def wait_until_ready(tmux: TmuxPort, pane_id: str, tool: str | None, *,
                           timeout: float = READY_TIMEOUT, settle: float = SETTLE_SECONDS,
                           poll: float = POLL_SECONDS,
                           classify: Callable[[str, str | None], Detection] = agents.classify,
                           clock: Callable[[], float] = time.monotonic) -> Detection:
    """Poll the pane until the agent is idle and settled (returned as is), shows approval or
    blocked (returned at once: the person must act), or its pane is gone or dead (exited).
    At the deadline, an `unknown` detection saying so."""
    deadline = clock() + timeout
    stable_since: float | None = None
    last_print: str | None = None
    while True:
        try:
            # One read for the pane and its screen (over ssh too, never skipped as slow).
            info, screen = await tmux.read_pane(pane_id)
            screens = {pane_id: strip_ansi(screen)} if not info.dead else {}
        except (TmuxCommandError, TmuxUnavailable):
            # Gone: the command quit and took its pane (and, were it the last session, the
            # server) with it.
            screens = {}
        if pane_id not in screens:
            return Detection(tool=tool or "unknown", state=State.EXITED,
                             reason="exited: the command quit at start-up")
        screen = screens[pane_id]
        detection = classify(screen, tool)
        now = clock()
        if detection.state in (State.APPROVAL, State.BLOCKED):
            return detection
        if detection.state is State.IDLE:
            print_ = agents.fingerprint(screen)
            if print_ != last_print:
                last_print, stable_since = print_, now
            if stable_since is not None and now - stable_since >= settle:
                return detection
        else:
            last_print, stable_since = None, None
            if detection.state is State.EXITED:
                return detection
        if now >= deadline:
            return Detection(tool=detection.tool, state=State.UNKNOWN,
                             reason=f"not ready after {timeout:g}s (last seen: "
                                    f"{detection.reason or detection.state})")
        await asyncio.sleep(poll)


async def deliver_handoff(gate: SendGate, agent: str, pane_id: str, handoff: str, *,
                          tool: str | None, journal: JournalPort | None = None) -> SendResult:
    """Type the handoff once through the send gate and journal it as a prompt sent. Raises
    `SendRefused` when the pane is not a composer ready for it (nothing typed)."""
    result = await gate.send(agent, pane_id, handoff, tool)
    if journal is not None and (result.delivered or result.uncertain):
        await asyncio.to_thread(journal.append, "prompt_sent", agent, text=handoff,
                                source="handoff", delivered=result.delivered,
                                uncertain=result.uncertain)
    return result


async def restart_agent(tmux: TmuxPort, spec: AgentSpec, pane_id: str | None, *, handoff: str,
                        gate: SendGate | None = None, ready_timeout: float = READY_TIMEOUT,
                        journal: JournalPort | None = None,
                        classify: Callable[[str, str | None], Detection] = agents.classify,
                        settle: float = SETTLE_SECONDS, command: str | None = None
                        ) -> RestartOutcome:
    """Kill the agent's process and start `command` (as launched: orchestra's hooks in it;
    default `spec.command`) in `spec.cwd` at the same place, wait until it is ready, then send
    `handoff` exactly once. See the module docstring for the order
    and for what happens on a trust or login screen. The agent's queue is untouched: it stays in
    the store and resumes through the normal dispatch after the handoff.

    Raises `OrchestraError` when the agent has no configured command or tmux refuses."""
    if not spec.command.strip():
        raise OrchestraError(f"{spec.name} has no `command` to restart it with; set one in its "
                             "[[agent]] table")
    cwd = spec.cwd or None
    command = command or spec.command
    live = await _live_pane(tmux, pane_id)
    try:
        if live is not None:
            pane = await tmux.respawn(live, command, cwd=cwd)
        else:
            # A host's agent starts over ssh there (the router's; "" is this machine).
            pane = await tmux.start(command, host=spec.host, cwd=cwd,
                                    session=_session_of(spec), window_name=spec.name)
    except TmuxCommandError as error:
        # tmux ran the command, but its pane was gone before it could be described: the
        # command quit at once. Any other refusal (a bad cwd, a bad target) is the caller's.
        if "no pane matches" not in str(error):
            raise
        outcome = RestartOutcome(agent=spec.name, pane_id=None, state=State.EXITED,
                                 reason=f"exited: `{spec.command}` quit at start-up",
                                 respawned=live is not None)
        await _journal_restart(journal, spec, pane_id, outcome)
        return outcome
    tool = spec.tool if spec.tool in agents.PROFILES else None
    detection = await wait_until_ready(tmux, pane.pane_id, tool, timeout=ready_timeout,
                                       settle=settle, classify=classify)
    outcome = RestartOutcome(agent=spec.name, pane_id=pane.pane_id, state=detection.state,
                             reason=detection.reason, respawned=live is not None)
    if detection.state is State.IDLE:
        try:
            result = await deliver_handoff(gate or SendGate(tmux), spec.name, pane.pane_id,
                                           handoff, tool=tool, journal=journal)
        except SendRefused as refused:
            # The screen changed between "ready" and the first byte (a trust dialog drawn
            # late): the handoff waits for the person, as for any dialog at start-up.
            outcome = replace(outcome, state=refused.state, reason=refused.reason,
                              pending_handoff=None if refused.typed else handoff)
        else:
            outcome = replace(outcome, handoff_sent=result.delivered, send=result)
    elif detection.state is not State.EXITED:
        outcome = replace(outcome, pending_handoff=handoff)
    await _journal_restart(journal, spec, pane_id, outcome)
    return outcome


async def _journal_restart(journal: JournalPort | None, spec: AgentSpec, previous: str | None,
                           outcome: RestartOutcome) -> None:
    if journal is None:
        return
    handoff = ("sent" if outcome.handoff_sent else "pending" if outcome.pending_handoff
               else "unconfirmed" if outcome.send is not None else "none")
    await asyncio.to_thread(
        journal.append, "restart", spec.name, pane=outcome.pane_id, previous_pane=previous,
        outcome=str(outcome.state), reason=outcome.reason, respawned=outcome.respawned,
        handoff=handoff)


async def kill_agent(tmux: TmuxPort, pane_id: str, *, agent: str,
                     journal: JournalPort | None = None) -> None:
    """Kill the agent's pane (its process tree goes with it) and journal `kill`. A pane that is
    already gone is not an error: the agent is just as dead."""
    try:
        await tmux.kill_pane(pane_id)
    except TmuxCommandError as error:
        if "can't find" not in str(error) and "not found" not in str(error):
            raise
    if journal is not None:
        await asyncio.to_thread(journal.append, "kill", agent, pane=pane_id)
