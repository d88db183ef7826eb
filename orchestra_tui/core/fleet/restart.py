"""Restarting and killing an agent of the fleet: the one path the app's `R` and `orchestra
restart` both take. The handoff is composed here (`core.handoff` words it), the restart itself
is `core.restart.restart_agent`, and the agent's slot starts over afterwards: a fresh session
has its whole context, a new screen and no old warnings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from orchestra_tui.core.fleet.directing import Directing
from orchestra_tui.core.fleet.hook_watch import HookWatch
from orchestra_tui.core.fleet.state import FleetContext, require_pane
from orchestra_tui.core.guard.retry_loops import LoopWatch
from orchestra_tui.core.lifecycle.handoff import (
    HANDOFF_HISTORY,
    compose_handoff,
    last_issue,
    refused_prompts,
)
from orchestra_tui.core.lifecycle.restart import (
    READY_TIMEOUT,
    RestartOutcome,
    kill_agent,
    restart_agent,
)
from orchestra_tui.core.sending.dispatch import DispatchMemory
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import AgentSpec, Gate, PullRequest

__all__ = ["Launch", "Restarting"]

# The command line that starts an agent as orchestra launches it (its hooks injected where its
# tool takes them); without one, the configured command as it stands.
Launch = Callable[[AgentSpec], Awaitable[str]]


class Restarting:
    def __init__(self, context: FleetContext, directing: Directing,
                 hook_watch: HookWatch | None, launch: Launch | None = None) -> None:
        self.context = context
        self.directing = directing
        self.hook_watch = hook_watch
        self.launch = launch

    async def compose_handoff(self, name: str, note: str = "",
                              pulls: Sequence[tuple[PullRequest, Gate]] = (), *,
                              issue: str | None = None) -> str:
        """The one-paragraph handoff a restarted agent gets: lane, issue (`issue`, else the
        last one it was sent), PRs, last prompts, policy and the person's note."""
        spec = self.context.slot(name).spec
        if not spec.command:
            raise OrchestraError(f"{spec.name} has no `command` in the config to restart "
                                 "it with; set one in its [[agent]] table")
        journal = self.context.record.journal
        entries = (await asyncio.to_thread(journal.read, agent=spec.name)
                   if journal is not None else [])
        store = self.context.store
        recent = store.history(spec.name, limit=HANDOFF_HISTORY) if store else []
        return compose_handoff(spec, issue=issue or last_issue(entries, spec.name),
                               pulls=pulls, recent_prompts=recent, note=note,
                               refused=refused_prompts(entries, spec.name))

    async def restart(self, name: str, handoff: str, *,
                      ready_timeout: float = READY_TIMEOUT) -> RestartOutcome:
        """Kill the agent and start its configured command at the same target, then send the
        handoff through the gate once it is ready. Its queue stays and resumes through the
        normal dispatch."""
        context = self.context
        slot = context.slot(name)
        if not slot.spec.command:
            raise OrchestraError(f"{slot.spec.name} has no `command` in the config to restart "
                                 "it with")
        pane_id = slot.pane.pane_id if slot.pane is not None else None
        self.directing.before_send(slot, handoff)
        # Its queue waits while it restarts: the handoff is the new session's first prompt.
        slot.restarting = True
        try:
            command = await self.launch(slot.spec) if self.launch is not None else None
            outcome = await restart_agent(
                context.tmux, slot.spec, pane_id, handoff=handoff, gate=context.gate,
                journal=context.record.journal if context.record.writes else None,
                ready_timeout=ready_timeout, command=command)
        finally:
            slot.restarting = False
        if outcome.pane_id:
            slot.pane_override = outcome.pane_id
        slot.output, slot.loops, slot.loop_reason = None, LoopWatch(), None
        slot.tracker = context.settings.tracker()
        slot.fingerprint = slot.detection = None
        slot.context_level = 0
        slot.stopped_by_person = None
        slot.hook = None
        if self.hook_watch is not None and outcome.pane_id:
            self.hook_watch.forget(outcome.pane_id)
        # A fresh session has its whole context: the old warning no longer holds.
        slot.alerts = [alert for alert in slot.alerts if alert.kind != "context"]
        slot.memory = DispatchMemory()
        if outcome.handoff_sent:
            slot.memory.note_sent(None)  # the queue waits for the handoff's turn to end
        return outcome

    async def kill(self, name: str) -> None:
        slot = self.context.slot(name)
        pane = require_pane(slot)
        record = self.context.record
        await kill_agent(self.context.tmux, pane.pane_id, agent=slot.spec.name,
                         journal=record.journal if record.writes else None)
