"""The fleet's writes to the journal, and the work it starts without waiting for it.

A fleet built `read_only` writes nothing. A write that fails in the background (a read-only or
full data dir) is a state the snapshot carries (`storage_problem`), said once, never a traceback
from a task nobody awaited.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from orchestra_tui.services.ports import JournalPort

__all__ = ["FleetRecord"]

log = logging.getLogger(__name__)


class FleetRecord:
    def __init__(self, journal: JournalPort | None, *, read_only: bool) -> None:
        self.journal = journal
        self.read_only = read_only
        self.storage_problem: str | None = None  # the last background write that failed
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def writes(self) -> bool:
        return self.journal is not None and not self.read_only

    async def write(self, event: str, agent: str | None = None, **fields: Any) -> None:
        if self.journal is not None and not self.read_only:
            await asyncio.to_thread(self.journal.append, event, agent, **fields)

    def write_later(self, event: str, agent: str | None = None, **fields: Any) -> None:
        if self.writes:
            self.later(self.write(event, agent, **fields))

    def later(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    async def settle(self) -> None:
        """Wait for every background write started so far (tests, and a command's end)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None and str(error) != self.storage_problem:
            self.storage_problem = str(error)
            log.info("orchestra could not record: %s", error)  # shown through the snapshot
