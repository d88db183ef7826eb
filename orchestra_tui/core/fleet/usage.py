"""What each agent has cost, kept by the fleet for the views: its CLI's session records read
off the event loop (one thread for every agent due), at most every `USAGE_EVERY` seconds per
agent and at once when its turn ends (working, then not), so a tick never waits on the disk.

An agent on a host keeps its records on that host: it is shown unknown, with the reason, rather
than counted from this machine's files (which would be nobody's)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from orchestra_tui.core.costs import CostSummary, day_of, summarize
from orchestra_tui.core.fleet.state import FleetContext, Slot
from orchestra_tui.models import State
from orchestra_tui.services.ports import UsageReaderPort

__all__ = ["USAGE_EVERY", "AgentCost", "FleetUsage"]

USAGE_EVERY = 30.0  # seconds between two reads of an agent's records: a glance needs no more
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgentCost:
    """An agent's cost as last read, or why it is not known (`summary` None)."""

    summary: CostSummary | None = None
    unknown: str = ""  # why there is no figure ("on host gpu: …")


class FleetUsage:
    def __init__(self, context: FleetContext, reader: UsageReaderPort,
                 every: float = USAGE_EVERY) -> None:
        self.context = context
        self.reader = reader
        self.every = every
        self.costs: dict[str, AgentCost] = {}
        self._read_at: dict[str, float] = {}
        self._was_working: dict[str, bool] = {}
        self._owed: set[str] = set()  # turns ended while a read was under way: read next
        self._busy = False

    def note(self, now: float) -> None:
        """After a tick's states: schedule one background read of every agent due."""
        due: list[tuple[str, str, str]] = []
        for name, slot in self.context.slots.items():
            working = slot.status is not None and slot.status.state is State.WORKING
            if self._was_working.get(name, False) and not working:
                self._owed.add(name)
            self._was_working[name] = working
            host = slot.spec.host or (slot.pane.host if slot.pane is not None else "")
            if host:
                self.costs[name] = AgentCost(unknown=f"on host {host}: its CLI's session "
                                                     "records are there, not read here")
                continue
            last = self._read_at.get(name)
            if self._busy or (name not in self._owed and last is not None
                              and now - last < self.every):
                continue
            where = _folder_of(slot)
            tool = slot.tool or slot.spec.tool
            if not where:
                self.costs[name] = AgentCost(unknown="no folder known to read its records by")
                continue
            self._read_at[name] = now
            self._owed.discard(name)
            due.append((name, tool, where))
        if due:
            self._busy = True
            self.context.record.later(self._read(due, day_of(now)))

    async def read_now(self) -> dict[str, AgentCost]:
        """Every agent read at once: for a command with no next tick (`why`, `report`)."""
        self._read_at.clear()
        self._busy = False
        self.note(self.context.clock())
        await self.context.record.settle()
        return dict(self.costs)

    async def _read(self, due: list[tuple[str, str, str]], day: str) -> None:
        try:
            found = await asyncio.to_thread(self._summaries, due, day)
        finally:
            self._busy = False
        self.costs.update(found)

    def _summaries(self, due: list[tuple[str, str, str]], day: str) -> dict[str, AgentCost]:
        found = {}
        for name, tool, where in due:
            try:
                found[name] = AgentCost(summarize(self.reader.records(tool, where), day=day))
            except (OSError, ValueError) as error:
                log.info("session records of %s: %s", name, error)
                found[name] = AgentCost(unknown=f"its session records unreadable: {error}")
        return found


def _folder_of(slot: Slot) -> str:
    """The folder its CLI names its records by: the pane's, else the configured one."""
    if slot.pane is not None and slot.pane.current_path:
        return slot.pane.current_path
    return slot.spec.cwd
