"""Tokens and dollars in words: the fleet's `$` column, the `w` panel and `orchestra why`,
and the report.

>>> from decimal import Decimal
>>> [tokens(n) for n in (812, 12_400, 3_250_000)]
['812', '12.4k', '3.25M']
>>> [dollars(Decimal(n)) for n in ("1.5", "0.004", "0.00066", "0.00001", "0")]
['$1.50', '$0.0040', '$0.0007', '<$0.0001', '$0.00']
>>> dollars(None)
'$?'

"""

from __future__ import annotations

from decimal import Decimal

from orchestra_tui.core.costs import CostSummary
from orchestra_tui.core.fleet.state import FleetSnapshot

__all__ = ["budget_news", "cost_cell", "cost_lines", "dollars", "tokens"]


def tokens(count: int) -> str:
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.3g}k"
    return f"{count / 1_000_000:.3g}M"


def dollars(value: Decimal | None) -> str:
    """Cents once there are any; a fraction of a cent keeps four places ($? : unpriced)."""
    if value is None:
        return "$?"
    if 0 < value < Decimal("0.0001"):
        return "<$0.0001"
    return f"${value:.2f}" if value >= Decimal("0.01") or value == 0 else f"${value:.4f}"


def cost_cell(cost: CostSummary | None, unknown: str = "") -> str:
    """The fleet's `$` column: today's tokens and dollars (`?` when not known, `…` not read
    yet)."""
    if cost is None:
        return "?" if unknown else "…"
    unpriced = "+?" if cost.unpriced else ""
    return f"{tokens(cost.today_tokens.total)} {dollars(cost.today_cost)}{unpriced}"


def cost_lines(cost: CostSummary | None, unknown: str = "") -> list[str]:
    """Its cost in a line or two: today, in all, its last turn."""
    if cost is None:
        return [f"not known: {unknown}" if unknown else "not read yet"]
    if not cost.turns:
        return ["nothing recorded: its CLI's session records hold no call for its folder"]
    unpriced = (f"; {cost.unpriced} call(s) of a model the price table does not know, "
                "counted in tokens only" if cost.unpriced else "")
    last = f", last turn {dollars(cost.last_turn_cost)}" if cost.last_turn_cost else ""
    return [f"today {tokens(cost.today_tokens.total)} tokens, {dollars(cost.today_cost)}; "
            f"in all {tokens(cost.tokens.total)} tokens, {dollars(cost.cost)} over "
            f"{cost.turns} call(s){last}{unpriced}"]


def budget_news(before: FleetSnapshot, after: FleetSnapshot) -> list[tuple[str, str]]:
    """(title, text) toasts for each lane whose budget standing rose since the last tick: past
    80 % (a warning), spent (its queues hold)."""
    earlier = {standing.lane: standing.level for standing in before.budgets}
    news = []
    for standing in after.budgets:
        if standing.level <= earlier.get(standing.lane, 0) or standing.resumed:
            continue
        if standing.holds:
            news.append((f"Budget spent: {standing.lane}", standing.hold_reason()))
        else:
            news.append((f"Budget at {int(standing.share * 100)}%: {standing.lane}",
                         standing.words()))
    return news
