"""`up`: every configured or recorded agent that is not running, started again where it works
(its worktree, or its `cwd`), picking up its previous conversation where its tool can
(`lifecycle.RESUME_ARGS`), then waited for until it is ready. Agents already running are left
alone. An agent's queue stays in the store: the running app's dispatch sends it once the agent
is ready, one prompt per turn (a second sender here could race the app for the same item).
An agent on a `[[host]]` is started on that host's tmux, its worktree looked for there.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from orchestra_tui import agents
from orchestra_tui.core.fleet.state import count_queued
from orchestra_tui.core.lifecycle.hosts import LifecycleError, shown, tmux_on
from orchestra_tui.core.lifecycle.names import can_resume
from orchestra_tui.core.lifecycle.restart import wait_until_ready
from orchestra_tui.errors import TmuxCommandError, TmuxUnavailable
from orchestra_tui.models import AgentRecord, AgentSpec, PaneInfo, State
from orchestra_tui.services.git.worktrees import GitError
from orchestra_tui.services.tmux.hosts import split_pane
from orchestra_tui.services.tmux.port import TmuxPort

if TYPE_CHECKING:
    from orchestra_tui.core.fleet.state import FleetSnapshot
    from orchestra_tui.core.lifecycle.lifecycle import Lifecycle

__all__ = ["UpOutcome", "bring_up"]


@dataclass(frozen=True)
class UpOutcome:
    """What `up` did with one agent: `action` is running (left alone), started, skipped or
    failed; `state` is what a started agent showed when orchestra stopped waiting."""

    name: str
    action: str
    pane_id: str | None = None
    state: State | None = None
    reason: str = ""
    resumed: bool = False
    queued: int = 0

    @property
    def ok(self) -> bool:
        return self.action in ("running", "skipped") or (
            self.action == "started" and self.state is State.IDLE)

    def line(self) -> str:
        if self.action == "running":
            text = f"{self.name}: already running in {self.pane_id}"
            return text + (f" ({self.reason})" if self.reason else "")
        if self.action in ("skipped", "failed"):
            return f"{self.name}: {self.action}: {self.reason}"
        how = "resumed its conversation" if self.resumed else "started"
        text = f"{self.name}: {how} in {self.pane_id}"
        if self.state is State.IDLE:
            text += ", ready"
        else:
            text += f", not ready ({self.reason or self.state})"
        if self.queued:
            many = self.queued > 1
            text += (f"; {self.queued} queued prompt{'s wait' if many else ' waits'} for a "
                     "running orchestra to send")
        return text


def _session_of(spec: AgentSpec, recorded: bool) -> str:
    """A recorded agent's session is its name; a configured one goes back to its target's."""
    target = spec.target.strip()
    if recorded or not target or target.startswith("%"):
        return spec.name
    return target.partition(":")[0]


def _tool_of(spec: AgentSpec) -> str:
    if spec.tool != "auto":
        return spec.tool
    return agents.tool_from_command(spec.command) or "auto"


async def _to_target_window(tmux: TmuxPort, pane: PaneInfo, spec: AgentSpec, recorded: bool
                            ) -> PaneInfo:
    """A configured `session:N` target finds its agent by window index: move the new window
    there when tmux gave it another (a window already at N stays where it is)."""
    session, _, rest = spec.target.partition(":")
    window = rest.partition(".")[0]
    if recorded or not window.isdigit() or pane.window_index == int(window):
        return pane
    on_host = tmux_on(tmux, spec.host)  # its ids unqualified, as tmux there names them
    try:
        await on_host.run("move-window", "-s", split_pane(pane.pane_id)[1], "-t",
                          f"={session}:{window}")
    except TmuxCommandError:
        return pane
    return await tmux.pane_info(pane.pane_id)


async def _talked_to(lifecycle: Lifecycle) -> set[str]:
    """Agents that were sent a prompt: they have a conversation to go back to."""
    if lifecycle.journal is None:
        return set()
    entries = await asyncio.to_thread(lifecycle.journal.read, events=["prompt_sent"])
    return {str(entry["agent"]) for entry in entries
            if entry.get("agent") and entry.get("delivered", True)}


async def _skip_reason(lifecycle: Lifecycle, spec: AgentSpec,
                       record: AgentRecord | None) -> str:
    if not spec.command.strip():
        return "no command to start it with (set `command` in its [[agent]] table)"
    if not spec.cwd:
        return ""
    if spec.host:  # the folder is on the host: asked there, through its ssh
        try:
            there = await asyncio.to_thread(lifecycle.git_runner(spec.host).is_dir, spec.cwd)
        except (LifecycleError, GitError) as error:
            return str(error)
    else:
        there = Path(spec.cwd).is_dir()
    if not there:
        where = shown(spec.cwd, spec.host)
        if record is not None:
            return (f"its worktree {where} is gone "
                    f"(`orchestra retire {spec.name}` forgets it)")
        return f"its cwd {where} does not exist"
    return ""


async def bring_up(lifecycle: Lifecycle, snapshot: FleetSnapshot, *,
                   names: tuple[str, ...] = ()) -> list[UpOutcome]:
    """Start every agent (or those in `names`) without a live pane in `snapshot`, wait until
    each is ready (all at once), and journal `agent_up` for each started."""
    talked = await _talked_to(lifecycle)
    known = await asyncio.to_thread(lifecycle.specs)
    outcomes: list[UpOutcome] = []
    started: list[tuple[AgentSpec, PaneInfo, bool]] = []
    for spec, record in known:
        if names and spec.name not in names:
            continue
        view = snapshot.get(spec.name)
        pane = view.pane if view is not None else None
        if view is not None and pane is not None and not pane.dead:
            state = view.status.state
            note = (f"its pane shows {pane.current_command}: `orchestra restart {spec.name}` "
                    "starts it there") if state is State.EXITED else ""
            outcomes.append(UpOutcome(spec.name, "running", pane.pane_id, state, note))
            continue
        reason = await _skip_reason(lifecycle, spec, record)
        if reason:
            outcomes.append(UpOutcome(spec.name, "skipped", reason=reason))
            continue
        spec = replace(spec, tool=_tool_of(spec))
        resume = can_resume(spec) and spec.name in talked
        try:
            if pane is not None:  # a dead pane kept by remain-on-exit: start it in place
                command = await lifecycle.launch(spec, resume=resume)
                new = await lifecycle.tmux.respawn(pane.pane_id, command, cwd=spec.cwd or None)
            else:
                new = await lifecycle.start(spec, resume=resume,
                                            session=_session_of(spec, record is not None))
            new = await _to_target_window(lifecycle.tmux, new, spec, record is not None)
        except (TmuxUnavailable, TmuxCommandError) as error:
            outcomes.append(UpOutcome(spec.name, "failed", reason=f"tmux: {error}"))
            continue
        started.append((spec, new, resume))
    waited = await asyncio.gather(*(
        wait_until_ready(lifecycle.tmux, pane.pane_id,
                         spec.tool if spec.tool in agents.PROFILES else None,
                         timeout=lifecycle.ready_timeout, settle=lifecycle.settle)
        for spec, pane, _ in started))
    for (spec, pane, resume), detection in zip(started, waited):
        queued = 0
        if lifecycle.store is not None:
            items = await asyncio.to_thread(lifecycle.store.items, spec.name)
            queued = count_queued(items)
        note = ""
        if spec.target.startswith("%"):
            note = (f"; its target {spec.target} is a pane id, which does not survive tmux: "
                    "set `target` to a session name")
        outcomes.append(UpOutcome(spec.name, "started", pane.pane_id, detection.state,
                                  (detection.reason or "") + note, resume, queued))
        await lifecycle._journal("agent_up", spec.name, pane=pane.pane_id, resumed=resume,
                                 state=str(detection.state), reason=detection.reason)
    order = {spec.name: index for index, (spec, _) in enumerate(known)}
    outcomes.sort(key=lambda outcome: order.get(outcome.name, len(order)))
    return outcomes
