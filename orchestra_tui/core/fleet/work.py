"""What the fleet learns beside its configured agents:

- agents found running in panes nobody configured (`_discover`);
- the agents orchestra started (`orchestra new`, recorded in the data dir): a new record is an
  agent from the next tick on, a retired one leaves, whichever process wrote the record;
- each agent's work at a glance (`BranchFigures`: branch, commits ahead/behind its base, files
  changed), read from its worktree by git when its pane shows activity, in the background and
  at most every `WORK_EVERY` seconds per agent, never on the tick itself;
- from those figures, the conflict radar (`radar.py`): which agents' worktrees would conflict.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from orchestra_tui.core.fleet.radar import ConflictRadar
from orchestra_tui.core.fleet.state import FleetContext, Slot
from orchestra_tui.core.lifecycle.hosts import git_runner
from orchestra_tui.diff_models import Diff
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import AgentSpec, BranchFigures, PaneInfo, State
from orchestra_tui.services.git import diff as git_diff
from orchestra_tui.services.git import figures as git_figures
from orchestra_tui.services.ports import AgentsRegistryPort

__all__ = ["WORK_EVERY", "FleetWork"]

# Seconds between two reads of one folder's figures: a read costs ~25 ms of git's CPU, and a
# glance at a branch needs no fresher numbers.
WORK_EVERY = 30.0
HOST_SLOWER = 4
# A working agent's figures move with every edit: read a quarter as often while it works, and
# at once when its turn ends (then they hold what the turn did): 25 agents each in its own
# worktree cost git ~2 % of a core at one read in 30 s each.
WORKING_SLOWER = 4
log = logging.getLogger(__name__)


class FleetWork:
    """`registry` (an `AgentsRegistry`) to follow the recorded agents (None: only the
    configured and discovered ones); `follow` reads figures on activity (the app's; a one-shot
    command asks `refresh_work` itself); `every` is seconds between two reads of a folder."""

    def __init__(self, context: FleetContext, *, registry: AgentsRegistryPort | None = None,
                 follow: bool = True, every: float = WORK_EVERY) -> None:
        self.context = context
        self.registry = registry
        self.follow = follow
        self.every = every
        self.work: dict[str, BranchFigures] = {}  # agent -> its figures, as last read
        self._work_at: dict[str, float] = {}  # when its figures were last asked for
        # Its pane's activity then, and the wall clock: window_activity counts whole
        # seconds, so output later in the second of a read is still news.
        self._work_seen: dict[str, tuple[int, float]] = {}
        self._work_busy: set[str] = set()
        self._work_state: dict[str, State | None] = {}  # its state at its last read
        # (host, folder, base, start) -> (when asked, the read): see `_figures_of`.
        self._work_reads: dict[tuple[str, str, str, str],
                               tuple[float, asyncio.Future[BranchFigures | None]]] = {}
        self._fresh_since = 0.0  # when `refresh_work` last asked for figures read anew
        self._recorded: dict[str, tuple[str, str]] = {}  # recorded -> (base, start)
        self._discovered: set[str] = set()  # named by discovery, not by config or record
        self._registry_seen: object = ()  # the record's signature when last synced
        self._examined: dict[str, tuple[int, str]] = {}  # pane id -> (pid, command) looked at
        self.radar = ConflictRadar(context, self.work, self._worktree_of, every=every)

    # -- recorded agents -------------------------------------------------------------------------

    def sync_recorded(self) -> None:
        """Add agents recorded since the last look and drop retired ones (one `stat` when the
        record did not change); a configured agent of the same name wins."""
        registry = self.registry
        if registry is None:
            return
        # The signature before the read: a change written between the two is seen next time
        # (taken after, it hid a retire that landed mid-read for good).
        seen = registry.signature()
        if seen == self._registry_seen:
            return
        try:
            records = registry.records()
        except OrchestraError:
            log.warning("recorded agents unreadable", exc_info=True)
            return
        self._registry_seen = seen
        current = {record.name: record for record in records}
        for name in [name for name in self._recorded if name not in current]:
            self.context.slots.pop(name, None)
            self._recorded.pop(name, None)
            self.work.pop(name, None)
        for name, record in current.items():
            slot = self.context.slots.get(name)
            if slot is None:
                self.context.add_slot(record.spec)
            elif name in self._recorded or name in self._discovered:
                # `orchestra new` starts the session, then records it: a tick in between
                # discovers the pane, and the record, once seen, is what the agent is (or its
                # retire would never drop it).
                slot.spec = record.spec
                self._discovered.discard(name)
            else:
                continue  # a configured agent has this name
            self._recorded[name] = (record.base, record.start)

    # -- branch figures --------------------------------------------------------------------------

    def note_activity(self) -> None:
        """Schedule a read of the figures of each agent (bound to its pane this tick) whose
        pane showed activity."""
        if not self.follow:
            return
        now = time.monotonic()
        for slot in self.context.slots.values():
            if slot.pane is None:
                continue
            name = slot.spec.name
            last = self._work_at.get(name)
            activity, read_at = self._work_seen.get(name, (None, 0.0))
            quiet = activity == slot.pane.activity and slot.pane.activity < int(read_at)
            state = slot.status.state if slot.status is not None else None
            ended = self._work_state.get(name) is State.WORKING and state is not State.WORKING
            every = self._every(slot.spec.host) * (WORKING_SLOWER if state is State.WORKING
                                                   else 1)
            if name in self._work_busy or quiet or (
                    last is not None and now - last < every and not ended):
                continue
            where = self._worktree_of(slot)
            if where:
                self._work_busy.add(name)
                self._work_at[name] = now
                self._work_seen[name] = (slot.pane.activity, self.context.clock())
                self._work_state[name] = state
                if ended:
                    self._fresh_since = now  # what the turn did, not a read from before it
                self.context.record.later(self._read_work(name, where, slot.spec.host,
                                                          fresh=ended))
        self.radar.note()

    async def refresh_work(self, names: Iterable[str] | None = None) -> dict[str, BranchFigures]:
        """Read the figures of every agent (or `names`) now; for `status`, which cannot wait
        for activity."""
        wanted = set(names) if names is not None else None
        # An agent whose host does not answer is not asked again: its ssh would only time out.
        jobs = [(slot.spec.name, self._worktree_of(slot), slot.spec.host)
                for slot in self.context.slots.values()
                if (wanted is None or slot.spec.name in wanted) and not self._unreachable(slot)]
        self._fresh_since = time.monotonic()
        await asyncio.gather(*(self._read_work(name, where, host, fresh=True)
                               for name, where, host in jobs if where))
        return dict(self.work)

    def _figures_of(self, key: tuple[str, str, str, str], *, fresh: bool = False
                    ) -> asyncio.Future[BranchFigures | None]:
        """One git read per folder per `work_every`: agents working in the same folder (one
        repository, several agents) share it, and so do reads asked at the same moment;
        `fresh` asks git again whatever was read before. `key` is (host, folder, base,
        start)."""
        now = time.monotonic()
        shared = self._work_reads.get(key)
        if shared is not None and (
                shared[0] >= self._fresh_since if fresh
                else not shared[1].done() or now - shared[0] < self._every(key[0])):
            return shared[1]
        host, where, base, start = key

        async def read() -> BranchFigures | None:
            # An agent on a host: git runs there, through that host's ssh.
            return await git_figures.figures(where, base or None, start,
                                             runner=git_runner(self.context.tmux, host))

        future = asyncio.ensure_future(read())
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._work_reads[key] = (now, future)
        return future

    async def diff_of(self, name: str) -> Diff:
        """The agent's whole change against its base, read now where its worktree is (its
        host's git over ssh). Raises `OrchestraError` (no folder, no git tree, no base)."""
        slot = self.context.slot(name)
        where = self._worktree_of(slot)
        if not where:
            raise OrchestraError(f"{slot.spec.name}: no folder known (no cwd, no pane)")
        base, _ = self._recorded.get(slot.spec.name, ("", ""))
        return await git_diff.worktree_diff(
            where, base or None, title=f"{slot.spec.name}'s change",
            runner=git_runner(self.context.tmux, slot.spec.host))

    def _every(self, host: str) -> float:
        """Seconds between two reads: on a host each git step is an ssh round trip (about
        ten per read), so a host's folders are read a quarter as often."""
        return self.every * (HOST_SLOWER if host else 1)

    @staticmethod
    def _unreachable(slot: Slot) -> bool:
        return slot.status is not None and slot.status.state is State.UNREACHABLE

    def _worktree_of(self, slot: Slot) -> str:
        """The agent's folder, on its own machine (read there: see `_read_work`)."""
        if slot.spec.cwd:
            return slot.spec.cwd
        return slot.pane.current_path if slot.pane is not None else ""

    async def _read_work(self, name: str, where: str, host: str = "", *,
                         fresh: bool = False) -> None:
        base, start = self._recorded.get(name, ("", ""))
        try:
            found = await self._figures_of((host, where, base, start), fresh=fresh)
        except OrchestraError as error:
            log.info("figures of %s: %s", name, error)
            found = None
        finally:
            self._work_busy.discard(name)
        if found is None:
            self.work.pop(name, None)
        else:
            self.work[name] = found

    async def discover(self, panes: list[PaneInfo]) -> None:
        """Find agents among panes not seen before, or whose foreground program changed (a
        shell where `claude` was just started). A pane is examined once per program, so a
        server full of idle shells costs no process-tree walk per tick."""
        from orchestra_tui.services.tmux.discovery import discover_agent_panes

        known = {slot.pane.pane_id for slot in self.context.slots.values() if slot.pane}
        fresh = [pane for pane in panes if pane.pane_id not in known
                 and self._examined.get(pane.pane_id) != (pane.pid, pane.current_command)]
        if not fresh:
            return
        for pane in fresh:
            self._examined[pane.pane_id] = (pane.pid, pane.current_command)
        # discovery still names the local service's class; any TmuxPort serves it (services'
        # own seam, typed there).
        tmux = self.context.tmux
        for item in await discover_agent_panes(tmux, panes=fresh):
            # A plain shell is not an agent: discovery lists only panes running one.
            if item.tool in (None, "shell"):
                continue
            pane = item.pane
            name = pane.session_name if pane.session_name not in self.context.slots else pane.target
            if name in self.context.slots:
                continue
            self._discovered.add(name)
            found = self.context.add_slot(AgentSpec(
                name=name, tool=item.tool, command=item.argv, cwd=pane.current_path,
                target=pane.pane_id, host=pane.host))
            found.pane = pane  # bound here: the tick binds the others once, before discovery
