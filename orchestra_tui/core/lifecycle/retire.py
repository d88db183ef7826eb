"""`retire`: an agent orchestra started is stopped, its worktree removed and, when its work is
in its base (merged, rebased or squash-merged), its local branch deleted; then it is forgotten.

It refuses, with one line and nothing removed, while the worktree holds uncommitted changes or
commits that are on no remote branch (and not in its base): that work would be lost. `force`
throws them away. The remote is fetched first, so a push or a merge made elsewhere counts.
An agent on a `[[host]]` is retired there: git through that host's ssh, its pane on its tmux.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchestra_tui.core.lifecycle.hosts import LifecycleError
from orchestra_tui.core.lifecycle.hosts import shown as shown_path
from orchestra_tui.core.lifecycle.restart import kill_agent
from orchestra_tui.core.pane_binding import find_pane
from orchestra_tui.errors import TmuxCommandError, TmuxUnavailable
from orchestra_tui.models import AgentRecord
from orchestra_tui.services.git import worktrees

if TYPE_CHECKING:
    from orchestra_tui.core.lifecycle.lifecycle import Lifecycle

__all__ = ["RetireOutcome", "RetireRefused", "check_retire", "retire"]


class RetireRefused(LifecycleError):
    """Retiring would lose work; nothing was removed."""


@dataclass(frozen=True)
class RetireOutcome:
    name: str
    worktree: str
    branch: str
    stopped: bool = False
    branch_deleted: bool = False
    discarded: tuple[str, ...] = ()  # what --force threw away, said once
    notes: tuple[str, ...] = ()
    host: str = ""  # the `[[host]]` its worktree was on ("" is this machine)

    @property
    def summary(self) -> str:
        text = f"{self.name} retired: "
        text += "stopped, " if self.stopped else "no pane to stop, "
        text += f"worktree {shown_path(self.worktree, self.host)} removed, "
        text += (f"branch {self.branch} deleted (merged)" if self.branch_deleted
                 else f"branch {self.branch} kept (not merged)")
        return text + "".join(f"; {part}" for part in (*self.discarded, *self.notes))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _check(record: AgentRecord, state: worktrees.WorktreeState) -> None:
    where = shown_path(record.worktree, record.spec.host)
    if state.uncommitted:
        raise RetireRefused(
            f"{record.name} not retired: its worktree {where} has uncommitted changes "
            f"({_plural(len(state.uncommitted), 'path')}); commit and push them, or "
            f"`orchestra retire {record.name} --force` throws them away. Nothing removed")
    if state.unpushed:
        shown = ", ".join(state.unpushed[:3]) + (", ..." if len(state.unpushed) > 3 else "")
        raise RetireRefused(
            f"{record.name} not retired: {_plural(len(state.unpushed), 'commit')} on "
            f"{record.branch} ({shown}) {'is' if len(state.unpushed) == 1 else 'are'} on no "
            f"remote branch; push them, or `orchestra retire {record.name} --force` throws "
            "them away. Nothing removed")


async def _pane_of(lifecycle: Lifecycle, record: AgentRecord) -> str | None:
    """The agent's pane, found the way the fleet binds it (its target, its name)."""
    try:
        panes = await lifecycle.tmux.list_panes()
    except (TmuxUnavailable, TmuxCommandError):
        return None
    pane = find_pane(record.spec.target or record.name, panes, record.spec.host)
    return pane.pane_id if pane is not None else None


async def retire(lifecycle: Lifecycle, name: str, *, force: bool = False,
                 pane_id: str | None = None) -> RetireOutcome:
    """Retire the recorded agent `name` (its pane: `pane_id`, else found by its target).
    Raises `RetireRefused` when work would be lost without `force`, `LifecycleError` for an
    agent orchestra did not start."""
    record = await asyncio.to_thread(lifecycle.registry.get, name)
    if record is None:
        await check_retire(lifecycle, name)  # says why there is nothing to retire
        raise LifecycleError(f"no agent named {name} was started by orchestra")
    try:
        return await _retire(lifecycle, record, force=force, pane_id=pane_id)
    except worktrees.GitError as error:  # a host gone mid-way
        raise LifecycleError(f"{name} not retired: {error}") from None


async def check_retire(lifecycle: Lifecycle, name: str) -> None:
    """What `retire` would refuse, found before the person is asked (nothing is changed):
    `LifecycleError` for an agent orchestra did not start, `RetireRefused` for work that
    would be lost."""
    record = await asyncio.to_thread(lifecycle.registry.get, name)
    if record is None:
        if lifecycle.config.agent(name) is not None:
            raise LifecycleError(f"{name} is an [[agent]] of your config, not an agent "
                                 "orchestra started: stop it and remove its table yourself")
        raise LifecycleError(f"no agent named {name} was started by orchestra "
                             "(`orchestra new` starts one)")
    git = lifecycle.git_runner(record.spec.host)
    worktree = Path(record.worktree)
    try:
        if await worktrees.repository_root(worktree, runner=git) is not None:
            _check(record, await worktrees.worktree_state(worktree, record.base, runner=git))
    except worktrees.GitError as error:
        raise LifecycleError(f"{name}: its worktree cannot be read ({error})") from None


async def _retire(lifecycle: Lifecycle, record: AgentRecord, *, force: bool,
                  pane_id: str | None) -> RetireOutcome:
    name = record.name
    git = lifecycle.git_runner(record.spec.host)
    worktree, clone = Path(record.worktree), record.clone
    present = (await worktrees.repository_root(worktree, runner=git) is not None)
    notes: list[str] = []
    state = worktrees.WorktreeState()
    if present:
        note = await worktrees.fetch_remote(clone, runner=git)
        notes += [note] if note else []
        state = await worktrees.worktree_state(worktree, record.base, runner=git)
        if not force:
            _check(record, state)
    pane = pane_id or await _pane_of(lifecycle, record)
    if pane is not None:
        await kill_agent(lifecycle.tmux, pane, agent=name, journal=lifecycle.journal)
    try:
        await worktrees.remove_worktree(clone, worktree, force=True, runner=git)
    except worktrees.GitError as error:
        raise LifecycleError(f"{name}: stopped, but its worktree was not removed ({error})"
                             ) from None
    deleted = False
    if await worktrees.branch_exists(clone, record.branch, runner=git) and (
            await worktrees.is_merged(clone, record.branch, record.base, runner=git)):
        await worktrees.delete_branch(clone, record.branch, runner=git)
        deleted = True
    await asyncio.to_thread(lifecycle.registry.remove, name)
    discarded = []
    if state.uncommitted:
        discarded.append(f"{_plural(len(state.uncommitted), 'uncommitted path')} discarded")
    if state.unpushed and not deleted:
        stay = "stays" if len(state.unpushed) == 1 else "stay"
        discarded.append(f"{_plural(len(state.unpushed), 'unpushed commit')} {stay} on the "
                         "kept branch")
    await lifecycle._journal("retire", name, worktree=str(worktree), branch=record.branch,
                             branch_deleted=deleted, forced=force, pane=pane,
                             uncommitted=len(state.uncommitted), unpushed=len(state.unpushed))
    return RetireOutcome(name=name, worktree=str(worktree), branch=record.branch,
                         stopped=pane is not None, branch_deleted=deleted,
                         discarded=tuple(discarded), notes=tuple(notes),
                         host=record.spec.host)
