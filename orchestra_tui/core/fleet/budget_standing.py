"""Where a lane stands against its daily budget: what its agents spent today, the limit, and
whether the person let its queues go on past it today. Pure; `FleetBudgets` (budgets.py)
computes it each tick, and each agent's view carries its lane's.

>>> standing = BudgetStanding("api", "2026-12-07", Decimal(5), Decimal("4.2"))
>>> standing.level, standing.words()
(1, 'lane api spent $4.20 of its $5.00 budget today (84%)')
>>> BudgetStanding("api", "2026-12-07", Decimal(5), Decimal(6)).holds
True
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["RESUME_HINT", "WARN_SHARE", "BudgetStanding"]

WARN_SHARE = Decimal("0.8")
RESUME_HINT = "B in Q or `orchestra queue --resume-budget` lets it go on today"


@dataclass(frozen=True)
class BudgetStanding:
    lane: str
    day: str
    limit: Decimal
    spent: Decimal
    resumed: bool = False  # the person let its queues go on past the budget today

    @property
    def share(self) -> Decimal:
        return self.spent / self.limit

    @property
    def level(self) -> int:
        """0 within budget, 1 past 80 %, 2 spent."""
        return 2 if self.share >= 1 else 1 if self.share >= WARN_SHARE else 0

    @property
    def holds(self) -> bool:
        return self.level == 2 and not self.resumed

    def words(self) -> str:
        return (f"lane {self.lane} spent {_usd(self.spent)} of its {_usd(self.limit)} budget "
                f"today ({int(self.share * 100)}%)")

    def hold_reason(self) -> str:
        return f"{self.words()}: its queues hold; {RESUME_HINT}"


def _usd(value: Decimal) -> str:
    """Cents, or four places below a cent (a test's budget, a cheap model's day)."""
    return f"${value:.2f}" if value >= Decimal("0.01") or value == 0 else f"${value:.4f}"
