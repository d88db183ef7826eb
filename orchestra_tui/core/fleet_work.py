"""Two things the fleet learns beside the panes, as a mixin of `Fleet`:

- the agents orchestra started (`orchestra new`, recorded in the data dir): a new record is an
  agent from the next tick on, a retired one leaves, whichever process wrote the record;
- each agent's work at a glance (`BranchFigures`: branch, commits ahead/behind its base, files
  changed), read from its worktree by git when its pane shows activity, in the background and
  at most every `WORK_EVERY` seconds per agent, never on the tick itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence

from orchestra_tui.core.binding import bind_agents
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import BranchFigures, PaneInfo
from orchestra_tui.services import worktrees

__all__ = ["WORK_EVERY", "FleetWork"]

WORK_EVERY = 10.0  # seconds between two reads of one agent's figures
log = logging.getLogger(__name__)


class FleetWork:
    """Expects `_slots`, `_add_slot` and `_background` from `Fleet`. Set `registry` (an
    `AgentsRegistry`) to follow the recorded agents."""

    registry = None

    @property
    def work(self) -> dict[str, BranchFigures]:
        """Agent name -> its figures, as last read."""
        self._init_work()
        return self._work

    def _init_work(self) -> None:
        if "_work" not in self.__dict__:  # Fleet.__init__ stays as it is: state made on use
            self._work: dict[str, BranchFigures] = {}
            self._work_at: dict[str, float] = {}
            self._work_busy: set[str] = set()
            self._recorded: dict[str, str] = {}  # recorded agent -> its base
            self._synced = False

    # -- recorded agents -------------------------------------------------------------------------

    def sync_recorded(self, panes: Sequence[PaneInfo] | None = None) -> None:
        """Add agents recorded since the last look and drop retired ones (one `stat` when the
        record did not change); a configured agent of the same name wins. With the tick's
        `panes`, every agent is bound to its pane, so discovery passes over theirs."""
        self._init_work()
        if self.registry is not None and (not self._synced or self.registry.changed()):
            self._sync(self.registry)
        if panes is not None:
            bind_agents(self._slots.values(), panes)

    def _sync(self, registry) -> None:
        self._synced = True
        try:
            records = registry.records()
        except OrchestraError:
            log.warning("recorded agents unreadable", exc_info=True)
            return
        current = {record.name: record for record in records}
        for name in [name for name in self._recorded if name not in current]:
            self._slots.pop(name, None)
            self._recorded.pop(name, None)
            self._work.pop(name, None)
        for name, record in current.items():
            slot = self._slots.get(name)
            if slot is None:
                self._add_slot(record.spec)
            elif name in self._recorded:
                slot.spec = record.spec
            else:
                continue  # a configured agent has this name
            self._recorded[name] = record.base

    # -- branch figures --------------------------------------------------------------------------

    def note_activity(self, slots: Iterable) -> None:
        """Schedule a read of the figures of agents whose panes showed activity this tick."""
        self._init_work()
        now = time.monotonic()
        for slot in slots:
            name = slot.spec.name
            if name in self._work_busy or now - self._work_at.get(name, -WORK_EVERY) \
                    < WORK_EVERY:
                continue
            where = self._worktree_of(slot)
            if where:
                self._work_busy.add(name)
                self._work_at[name] = now
                self._background(self._read_work(name, where))

    async def refresh_work(self, names: Iterable[str] | None = None) -> dict[str, BranchFigures]:
        """Read the figures of every agent (or `names`) now; for `status`, which cannot wait
        for activity."""
        self._init_work()
        wanted = set(names) if names is not None else None
        jobs = [(slot.spec.name, self._worktree_of(slot)) for slot in self._slots.values()
                if wanted is None or slot.spec.name in wanted]
        await asyncio.gather(*(self._read_work(name, where) for name, where in jobs if where))
        return dict(self._work)

    def _worktree_of(self, slot) -> str:
        if slot.spec.cwd:
            return slot.spec.cwd
        return slot.pane.current_path if slot.pane is not None else ""

    async def _read_work(self, name: str, where: str) -> None:
        try:
            found = await worktrees.figures(where, self._recorded.get(name) or None)
        except OrchestraError as error:
            log.info("figures of %s: %s", name, error)
            found = None
        finally:
            self._work_busy.discard(name)
        if found is None:
            self._work.pop(name, None)
        else:
            self._work[name] = found
