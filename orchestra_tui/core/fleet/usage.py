"""What each agent has cost, kept by the fleet for the views: its CLI's session records read
off the event loop (one thread for every agent due), at most every `USAGE_EVERY` seconds per
agent and at once when its turn ends (working, then not), so a tick never waits on the disk.

An agent on a host keeps its records on that host: they are read there, through that host's ssh
(services/usage/remote.py: only the bytes written since the last read, bounded per read), a
quarter as often (and at its turn end), one thread per host so a slow host delays only its own
agents, and priced with the same code. A
host that does not answer makes its agents' cost unknown, with the reason."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from orchestra_tui.core.costs import CostSummary, day_of, summarize
from orchestra_tui.core.fleet.state import FleetContext, Slot
from orchestra_tui.core.lifecycle.hosts import usage_reader
from orchestra_tui.errors import OrchestraError
from orchestra_tui.models import State
from orchestra_tui.services.ports import UsageReaderPort

__all__ = ["USAGE_EVERY", "AgentCost", "FleetUsage"]

USAGE_EVERY = 30.0  # seconds between two reads of an agent's records: a glance needs no more
HOST_SLOWER = 4  # an agent on a host: two ssh round trips a read, so a quarter as often
log = logging.getLogger(__name__)
_Due = tuple[str, str, str, str]  # (host, agent, tool, folder)


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
        self._host_readers: dict[str, UsageReaderPort] = {}

    def note(self, now: float) -> None:
        """After a tick's states: schedule one background read of every agent due."""
        due: list[_Due] = []
        for name, slot in self.context.slots.items():
            working = slot.status is not None and slot.status.state is State.WORKING
            if self._was_working.get(name, False) and not working:
                self._owed.add(name)
            self._was_working[name] = working
            host = slot.spec.host or (slot.pane.host if slot.pane is not None else "")
            if host and slot.status is not None and slot.status.state is State.UNREACHABLE:
                # Its ssh would only time out: unknown, with the tick's reason.
                self.costs[name] = AgentCost(unknown=slot.status.reason)
                self._owed.add(name)  # read again once it answers
                continue
            last = self._read_at.get(name)
            every = self.every * (HOST_SLOWER if host else 1)
            if self._busy or (name not in self._owed and last is not None
                              and now - last < every):
                continue
            where = _folder_of(slot)
            tool = slot.tool or slot.spec.tool
            if not where:
                self.costs[name] = AgentCost(unknown="no folder known to read its records by")
                continue
            self._read_at[name] = now
            self._owed.discard(name)
            due.append((host, name, tool, where))
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

    async def _read(self, due: list[_Due], day: str) -> None:
        hosts = sorted({host for host, *_ in due})
        try:
            # One thread per machine: a slow host holds up only its own agents.
            found = await asyncio.gather(*(asyncio.to_thread(
                self._summaries, host, [item for item in due if item[0] == host], day)
                for host in hosts))
        finally:
            self._busy = False
        for part in found:
            self.costs.update(part)

    def _reader(self, host: str) -> UsageReaderPort:
        """This machine's reader, or the one of `host` (its files through its tmux's ssh),
        built once and kept: it holds how far each file was read."""
        if not host:
            return self.reader
        if host not in self._host_readers:
            self._host_readers[host] = usage_reader(self.context.tmux, host)
        return self._host_readers[host]

    def _summaries(self, host: str, due: list[_Due], day: str) -> dict[str, AgentCost]:
        found = {}
        for _, name, tool, where in due:
            try:
                records = self._reader(host).records(tool, where)
                found[name] = AgentCost(summarize(records, day=day))
            except OrchestraError as error:  # a host that does not answer: its reason
                log.info("session records of %s: %s", name, error)
                found[name] = AgentCost(unknown=f"its session records not read: {error}")
            except (OSError, ValueError) as error:
                log.info("session records of %s: %s", name, error)
                found[name] = AgentCost(unknown=f"its session records unreadable: {error}")
        return found


def _folder_of(slot: Slot) -> str:
    """The folder its CLI names its records by: the pane's, else the configured one."""
    if slot.pane is not None and slot.pane.current_path:
        return slot.pane.current_path
    return slot.spec.cwd
