"""Daily budgets per lane: what a lane's agents spent today (their CLIs' session records, as
`FleetUsage` last read them) against the lane's `budget_per_day`. At 80 % the person is warned
(a toast, `why`); at 100 % the lane's queues hold (`WaitKind.BUDGET`) until the person resumes
them for the day (`B` in Q, `orchestra queue --resume-budget`). A send the person types
themselves is never held: a budget stops what orchestra sends by itself.

The standing of one lane is `BudgetStanding` (budget_standing.py), kept in each agent's view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

from orchestra_tui.core.costs import day_of
from orchestra_tui.core.fleet.budget_standing import BudgetStanding
from orchestra_tui.core.fleet.state import FleetContext
from orchestra_tui.core.fleet.usage import FleetUsage
from orchestra_tui.errors import OrchestraError

__all__ = ["BudgetResumesPort", "FleetBudgets"]


class BudgetResumesPort(Protocol):
    """`services.store.budget_resumes.BudgetResumes`: lanes resumed past their budget."""

    def resumed(self) -> dict[str, str]: ...

    def resume(self, lane: str, day: str) -> None: ...


class FleetBudgets:
    """`budgets`: lane -> dollars a day; `resumes` the person's resumes on disk."""

    def __init__(self, context: FleetContext, usage: FleetUsage, budgets: Mapping[str, float],
                 resumes: BudgetResumesPort | None = None) -> None:
        self.context = context
        self.usage = usage
        self.budgets = {lane: Decimal(str(limit)) for lane, limit in budgets.items()}
        self.resumes = resumes
        self.standings: dict[str, BudgetStanding] = {}

    async def refresh(self, now: float) -> None:
        """Each lane's standing now, the person's resumes read off the event loop."""
        resumes = self.resumes
        resumed = await asyncio.to_thread(resumes.resumed) if resumes is not None else {}
        self.update(now, resumed)

    async def resume(self, lane: str, now: float) -> BudgetStanding:
        """The person lets `lane`'s queues go on past its budget for the rest of the day."""
        if lane not in self.budgets:
            raise OrchestraError(f"lane {lane!r} has no budget_per_day "
                                 f"(lanes with one: {', '.join(self.budgets) or 'none'})")
        if self.resumes is None:
            raise OrchestraError("this fleet keeps no budget resumes")
        await asyncio.to_thread(self.resumes.resume, lane, day_of(now))
        await self.refresh(now)
        return self.standings[lane]

    def update(self, now: float, resumed: Mapping[str, str]) -> None:
        """Each lane's standing from the costs as last read; `resumed`: lane -> the day the
        person resumed it."""
        day = day_of(now)
        spent = dict.fromkeys(self.budgets, Decimal(0))
        for name, slot in self.context.slots.items():
            cost = self.usage.costs.get(name)
            summary = cost.summary if cost is not None else None
            if slot.spec.lane in spent and summary is not None and summary.day == day:
                spent[slot.spec.lane] += summary.today_cost
        self.standings = {lane: BudgetStanding(lane, day, limit, spent[lane],
                                               resumed.get(lane) == day)
                          for lane, limit in self.budgets.items()}

    def of(self, lane: str) -> BudgetStanding | None:
        return self.standings.get(lane) if lane else None

    def holds(self, lane: str) -> bool:
        standing = self.of(lane)
        return standing is not None and standing.holds
