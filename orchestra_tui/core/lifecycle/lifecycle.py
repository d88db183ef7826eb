"""An agent's life: `new` (its own worktree and tmux session, the issue as its first prompt),
`up` (every agent back after a reboot: `lifecycle_up.bring_up(lifecycle, ...)`) and `retire`
(stop it, remove its worktree, and its branch when merged: `lifecycle_retire.retire(lifecycle,
...)`); those modules use this one, never the other way round.

Every step that touches the world goes through a service: git through `services.worktrees`,
tmux through the TmuxService, the record through `services.agents_registry`, the first prompt
through the send gate. A `new` that fails part-way undoes what it made, newest first, so a
bad input leaves nothing half made.

An agent orchestra starts lives in a tmux session named after it (its `target`), so it is found
again by name after the server restarts, where a pane id would name some other pane.

A lane on a `[[host]]` makes its agents on that machine: its `path` is the clone there, git runs
there through ssh (the host's own ssh command line: `worktrees.SshGitRunner`), the worktrees go
beside the clone (`PATH-worktrees/NAME`), the tmux session starts on the host's server, and the
agent is recorded with its host.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestra_tui import agents
from orchestra_tui.config.schema import NAME_PATTERN, TOOL_CHOICES, Config
from orchestra_tui.core.desk.snapshot import assign_prompt
from orchestra_tui.core.lifecycle.hosts import LifecycleError, git_runner, shown, tmux_on
from orchestra_tui.core.lifecycle.names import (
    HOOKED_TOOLS,
    RESUME_ARGS,
    branch_name,
    can_resume,
    launch_command,
    program_of,
    slug,
)
from orchestra_tui.core.lifecycle.restart import READY_TIMEOUT, SETTLE_SECONDS, wait_until_ready
from orchestra_tui.core.sending.send_gate import SendGate, SendRefused
from orchestra_tui.errors import GitHubError, TmuxCommandError, TmuxUnavailable
from orchestra_tui.models import AgentRecord, AgentSpec, Issue, LaneSpec, PaneInfo, State
from orchestra_tui.paths import display_path
from orchestra_tui.services.git import worktrees
from orchestra_tui.services.hooks.install import LaunchInjection, launch_injection
from orchestra_tui.services.hooks.marks import mark_args
from orchestra_tui.services.ports import AgentsRegistryPort, JournalPort, QueueStorePort
from orchestra_tui.services.tmux.port import TmuxPort

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from orchestra_tui.services.hooks.install import HookProgram

__all__ = ["RESUME_ARGS", "LifecycleError", "NewOutcome", "NewRequest", "branch_name",
           "can_resume", "launch_command", "slug"]


@dataclass(frozen=True)
class NewRequest:
    name: str
    lane: str
    issue: int | None = None
    prompt: str = ""
    tool: str | None = None


@dataclass(frozen=True)
class NewOutcome:
    """A new agent: where it runs and what became of its first prompt."""

    record: AgentRecord
    pane_id: str
    prompt: str = ""
    delivered: bool = False
    queued: bool = False
    state: State = State.UNKNOWN
    reason: str = ""
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        record = self.record
        where = shown(record.worktree, record.spec.host)
        head = (f"{record.name} started in tmux session {record.spec.target} ({self.pane_id}), "
                f"worktree {where} on branch {record.branch} (from {record.base})")
        if not self.prompt:
            return head
        if self.delivered:
            return f"{head}; its first prompt was sent"
        if self.queued:
            return (f"{head}; {record.name} is not ready ({self.reason or self.state}): its "
                    "first prompt is queued, and a running orchestra sends it when it is ready")
        return f"{head}; its first prompt was not confirmed ({self.reason}): look at the pane"


def _quit_at_start(spec: AgentSpec) -> str:
    return (f"{spec.name}'s command quit at start-up (`{spec.command}` in "
            f"{shown(Path(spec.cwd), spec.host)}); nothing was kept")


class Lifecycle:
    """New, up and retire over the services. `issue_lookup(repo, number)` reads an issue from
    GitHub (None: no GitHub); `hooks` is the hook program injected at launch (None: none)."""

    def __init__(self, config: Config, *, tmux: TmuxPort, registry: AgentsRegistryPort,
                 worktrees_dir: Path, store: QueueStorePort | None = None,
                 journal: JournalPort | None = None, hooks: HookProgram | None = None,
                 issue_lookup: Callable[[str, int], Awaitable[Issue]] | None = None,
                 gate: SendGate | None = None, ready_timeout: float = READY_TIMEOUT,
                 settle: float = SETTLE_SECONDS) -> None:
        self.config = config
        self.tmux = tmux
        self.registry = registry
        self.worktrees_dir = Path(worktrees_dir)
        self.store = store
        self.journal = journal
        self.hooks = hooks
        self.issue_lookup = issue_lookup
        self.gate = gate or SendGate(tmux)
        self.ready_timeout = ready_timeout
        self.settle = settle

    # -- new -----------------------------------------------------------------------------------

    async def new(self, request: NewRequest) -> NewOutcome:
        """Make the agent: every check first, then worktree, tmux session and record, each
        undone if a later one fails; then the first prompt once it is ready, or queued."""
        name = request.name.strip()
        lane = self._lane(request.lane)
        tool = request.tool or lane.tool
        git = self.git_runner(lane.host)
        await self._check_new(name, lane, tool)
        if tool == "auto":  # the gate and the resume table want the tool: the command names it
            tool = agents.tool_from_command(lane.command) or "auto"
        try:
            return await self._new(request, name, lane, tool, git)
        except worktrees.GitError as error:  # a host gone mid-way, git refusing
            raise LifecycleError(f"{name} not made: {error}") from None

    async def _new(self, request: NewRequest, name: str, lane: LaneSpec, tool: str,
                   git: worktrees.GitRunner) -> NewOutcome:
        clone = await self._clone(lane, git)
        if lane.host:
            worktree = clone.parent / f"{clone.name}-worktrees" / name
            taken = await asyncio.to_thread(git.is_dir, worktree)
        else:
            worktree = self.worktrees_dir / lane.name / name
            taken = worktree.exists()
        if taken:
            raise LifecycleError(f"{shown(worktree, lane.host)} already exists: remove it, or "
                                 "pick another name")
        issue, notes = await self._issue(lane, request.issue)
        branch = branch_name(lane.branch, issue=request.issue,
                             title=issue.title if issue else "", agent=name)
        if not await worktrees.valid_branch_name(clone, branch, runner=git):
            raise LifecycleError(f"lane {lane.name}: its branch pattern {lane.branch!r} makes "
                                 f"{branch!r}, which git refuses as a branch name")
        if await worktrees.branch_exists(clone, branch, runner=git):
            raise LifecycleError(f"branch {branch} already exists in {shown(clone, lane.host)}"
                                 ": retire the agent on it, or delete the branch")
        base, note = await worktrees.default_base(clone, runner=git)
        notes += (note,) if note else ()
        spec = AgentSpec(name=name, tool=tool, command=lane.command, cwd=str(worktree),
                         repo=lane.repo, branch=branch, target=name, policy=lane.policy,
                         forbid=lane.forbid, enforce=lane.enforce, lane=lane.name,
                         host=lane.host)
        record = AgentRecord(spec=spec, clone=str(clone), worktree=str(worktree),
                             branch=branch, base=base,
                             start=await worktrees.head_commit(clone, base, runner=git),
                             issue=request.issue, created_at=time.time())
        pane = await self._make(record)
        await self._journal("agent_new", name, lane=lane.name, branch=branch, base=base,
                            worktree=str(worktree), issue=request.issue, pane=pane.pane_id)
        prompt = self._first_prompt(record, issue, request)
        outcome = NewOutcome(record=record, pane_id=pane.pane_id, prompt=prompt, notes=notes)
        return await self._deliver_first(outcome) if prompt else outcome

    def _lane(self, name: str) -> LaneSpec:
        lane = self.config.lane(name)
        if lane is None:
            known = ", ".join(lane.name for lane in self.config.lanes)
            raise LifecycleError(f"no lane named {name!r} in {display_path(self.config.path)} "
                                 + (f"(lanes: {known})" if known else "(it has no [[lane]])"))
        return lane

    async def _check_new(self, name: str, lane: LaneSpec, tool: str) -> None:
        if not NAME_PATTERN.match(name):
            raise LifecycleError(f"{name!r} is not an agent name: use letters, digits, - and _ "
                                 "(it names a tmux session and a folder)")
        choices = (*TOOL_CHOICES, *(spec.name for spec in self.config.tools))
        if tool not in choices:
            raise LifecycleError(f"unknown tool {tool!r} (one of {', '.join(choices)})")
        if not lane.command.strip():
            raise LifecycleError(f"lane {lane.name} has no command to start an agent with: "
                                 "set `command` in its [[lane]] table")
        if self.config.agent(name) is not None:
            raise LifecycleError(f"the name {name} is in use by an [[agent]] of your config")
        if await asyncio.to_thread(self.registry.get, name) is not None:
            raise LifecycleError(f"the name {name} is in use by an agent orchestra started "
                                 f"(`orchestra retire {name}` ends it)")
        if await self.tmux_on(lane.host).has_session(name):
            raise LifecycleError(f"the name {name} is in use by a tmux session of that name"
                                 + (f" on host {lane.host}" if lane.host else ""))

    async def _clone(self, lane: LaneSpec, git: worktrees.GitRunner) -> Path:
        if not lane.path:
            raise LifecycleError(f"lane {lane.name} has no path: set `path` in its [[lane]] "
                                 "table to the " + ("clone's path on its host" if lane.host
                                                    else "local clone"))
        where = shown(Path(lane.path), lane.host)
        if lane.host:
            if not await asyncio.to_thread(git.is_dir, lane.path):
                raise LifecycleError(f"lane {lane.name}: {where} is no folder there")
        elif not Path(lane.path).exists():
            raise LifecycleError(f"lane {lane.name}: {where} does not exist")
        clone = await worktrees.repository_root(lane.path, runner=git)
        if clone is None:
            raise LifecycleError(f"lane {lane.name}: {where} is not a git repository")
        return clone

    def tmux_on(self, host: str) -> TmuxPort:
        """The tmux of `host` ("": this machine's), its pane ids unqualified."""
        return tmux_on(self.tmux, host)

    def git_runner(self, host: str) -> worktrees.GitRunner:
        return git_runner(self.tmux, host)

    async def _issue(self, lane: LaneSpec, number: int | None
                     ) -> tuple[Issue | None, tuple[str, ...]]:
        """The issue as GitHub tells it (for its title), or None without GitHub: an issue
        GitHub says does not exist is an error, GitHub out of reach only a note."""
        if number is None:
            return None, ()
        if number <= 0:
            raise LifecycleError(f"issue numbers start at 1, not {number}")
        if not lane.repo or self.issue_lookup is None:
            return None, ()
        try:
            return await self.issue_lookup(lane.repo, number), ()
        except GitHubError as error:
            if error.kind == "not_found":
                raise LifecycleError(f"{lane.repo} has no issue #{number} ({error})"
                                     ) from None
            return None, (f"GitHub did not answer ({error}); the branch names only #{number}",)

    async def _make(self, record: AgentRecord) -> PaneInfo:
        """Worktree, tmux session, record: each undone when a later one fails."""
        spec = record.spec
        server_was_up = await self.tmux_on(spec.host).is_running()
        await worktrees.add_worktree(record.clone, record.worktree, record.branch, record.base,
                                     runner=self.git_runner(spec.host))
        try:
            try:
                pane = await self.start(spec, resume=False)
            except (TmuxUnavailable, TmuxCommandError) as error:
                # The pane gone before tmux could describe it, or the server it started gone
                # with it: the command quit at once. Else tmux itself is the trouble.
                if "no pane matches" in str(error) or (
                        isinstance(error, TmuxUnavailable) and not server_was_up):
                    raise LifecycleError(_quit_at_start(spec)) from None
                raise LifecycleError(f"tmux could not start {spec.name} ({error}); nothing "
                                     "was kept") from None
            try:
                await asyncio.to_thread(self.registry.add, record)
            except BaseException:
                await self._kill_quietly(pane.pane_id)
                raise
        except BaseException:
            await self._undo_worktree(record)
            raise
        return pane

    async def _undo_worktree(self, record: AgentRecord) -> None:
        git = self.git_runner(record.spec.host)
        try:
            await worktrees.remove_worktree(record.clone, record.worktree, force=True,
                                            runner=git)
            if await worktrees.branch_exists(record.clone, record.branch, runner=git):
                await worktrees.delete_branch(record.clone, record.branch, runner=git)
        except worktrees.GitError:
            pass  # the error that brought us here is the one to tell

    async def _kill_quietly(self, pane_id: str) -> None:
        try:
            await self.tmux.kill_pane(pane_id)
        except (TmuxUnavailable, TmuxCommandError):
            pass

    async def launch(self, spec: AgentSpec, *, resume: bool) -> str:
        """The agent's command with the resume words and orchestra's hooks where they apply."""
        tool = spec.tool
        injection = None
        if self.hooks is not None and tool in HOOKED_TOOLS and program_of(spec.command) == tool:
            if spec.host:
                # The hook program and its data dir are on this machine: an agent on a host
                # reports through its pane's tmux option, read with every poll.
                host = self.config.host(spec.host)
                injection = LaunchInjection(tool, args=mark_args(
                    tool, host.tmux if host is not None else "tmux"))
            else:
                injection = await asyncio.to_thread(launch_injection, tool, self.hooks,
                                                    agent=spec.name, enforcing=spec.enforce)
        return launch_command(spec.command, tool, resume=resume, hooks=injection)

    async def start(self, spec: AgentSpec, *, resume: bool, session: str | None = None
                    ) -> PaneInfo:
        """Start the agent in its cwd, in a new tmux session named after it (or a new window
        of `session`)."""
        command = await self.launch(spec, resume=resume)
        # A host's agent starts over ssh there (the router's; "" is this machine).
        return await self.tmux.start(command, host=spec.host, cwd=spec.cwd or None,
                                     session=session or spec.name, window_name=spec.name)

    def specs(self) -> list[tuple[AgentSpec, AgentRecord | None]]:
        """Every agent orchestra knows: the config's, then the recorded ones (a recorded name
        the config also uses is the config's)."""
        out: list[tuple[AgentSpec, AgentRecord | None]] = [
            (spec, None) for spec in self.config.agents]
        names = {spec.name for spec in self.config.agents}
        out += [(record.spec, record) for record in self.registry.records()
                if record.name not in names]
        return out

    def _first_prompt(self, record: AgentRecord, issue: Issue | None,
                      request: NewRequest) -> str:
        parts = []
        if request.issue is not None:
            repo = record.spec.repo
            host = self.config.github.host or "github.com"
            known = issue or Issue(repo=repo, number=request.issue, title="", body="",
                                   url=(f"https://{host}/{repo}/issues/{request.issue}" if repo
                                        else f"#{request.issue}"))
            parts.append(assign_prompt(known, record.spec, self.config.github.assign_template))
        if request.prompt.strip():
            parts.append(request.prompt.strip())
        return "\n\n".join(parts)

    async def _deliver_first(self, outcome: NewOutcome) -> NewOutcome:
        """Once the agent is ready, its first prompt through the send gate; not ready in time,
        a dialog, or a refusal: the prompt waits in its queue. An agent that quit at once is
        undone (nothing half made)."""
        spec = outcome.record.spec
        tool = spec.tool if spec.tool in agents.PROFILES else None
        detection = await wait_until_ready(self.tmux, outcome.pane_id, tool,
                                           timeout=self.ready_timeout, settle=self.settle)
        source = (f"issue:#{outcome.record.issue}" if outcome.record.issue is not None
                  else "new")
        if detection.state is State.EXITED:
            await self._undo_new(outcome)
            raise LifecycleError(_quit_at_start(spec))
        if detection.state is State.IDLE:
            try:
                result = await self.gate.send(spec.name, outcome.pane_id, outcome.prompt, tool)
            except SendRefused as refused:
                if refused.typed:
                    return replace(outcome, state=refused.state, reason=str(refused))
                detection = replace(detection, state=refused.state, reason=refused.reason)
            else:
                if self.store is not None:
                    await asyncio.to_thread(self.store.record_sent, spec.name, outcome.prompt)
                await self._journal("prompt_sent", spec.name, text=outcome.prompt,
                                    source=source, delivered=result.delivered,
                                    uncertain=result.uncertain)
                return replace(outcome, delivered=result.delivered, state=State.IDLE,
                               reason=result.detail)
        if self.store is not None:
            await asyncio.to_thread(self.store.add, spec.name, outcome.prompt, source)
            await self._journal("queue_added", spec.name, text=outcome.prompt, source=source)
        return replace(outcome, queued=self.store is not None, state=detection.state,
                       reason=detection.reason)

    async def _undo_new(self, outcome: NewOutcome) -> None:
        await self._kill_quietly(outcome.pane_id)
        await asyncio.to_thread(self.registry.remove, outcome.record.name)
        await self._undo_worktree(outcome.record)
        await self._journal("agent_new_undone", outcome.record.name,
                            reason="the command quit at start-up")

    async def _journal(self, event: str, agent: str | None, **fields: Any) -> None:
        if self.journal is not None:
            await asyncio.to_thread(self.journal.append, event, agent, **fields)
