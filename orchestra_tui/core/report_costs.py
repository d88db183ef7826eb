"""What the report's period cost: per agent (from its CLI's session records in its folder),
per merged PR and per issue (the agent's cost over what it merged or addressed), and the
fleet's whole (what the period cost per merged PR). Pure over the records a reader gives.

An agent whose records cannot be read here (on a host, no folder known, a tool that keeps none)
is said so with the reason, never counted as free.

>>> from orchestra_tui.services.usage.records import TokenCount, UsageRecord
>>> call = UsageRecord("claude", "m1", 100.0, "claude-sonnet-4-5", TokenCount(1000, 1000))
>>> spent = period_cost((call, call), since=None)
>>> str(spent.cost), str(spent.per(2))
('0.036', '0.018')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orchestra_tui.core.costs import price
from orchestra_tui.models import AgentSpec
from orchestra_tui.services.ports import UsageReaderPort
from orchestra_tui.services.usage.records import TokenCount, UsageRecord

__all__ = ["PeriodCost", "costs_of", "period_cost", "totals"]

READ_TOOLS = ("claude", "codex", "gemini")  # the CLIs whose session records are read


@dataclass(frozen=True)
class PeriodCost:
    """Tokens and dollars of an agent's calls in the report's period; `unknown` says why
    there is no figure."""

    tokens: TokenCount = TokenCount()
    cost: Decimal = Decimal(0)
    calls: int = 0
    unpriced: int = 0
    unknown: str = ""

    def per(self, count: int) -> Decimal | None:
        """The cost shared over `count` things (merged PRs, issues); None over none."""
        return self.cost / count if count and not self.unknown else None

    def row(self, merged: int, issues: int) -> dict[str, Any]:
        if self.unknown:
            return {"unknown": self.unknown}
        return {"cost_usd": _dollars(self.cost), "tokens": self.tokens.row(),
                "calls": self.calls, "unpriced_calls": self.unpriced,
                "per_merged_pr_usd": _dollars(self.per(merged)),
                "per_issue_usd": _dollars(self.per(issues))}


def _dollars(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 6)


def period_cost(records: Iterable[UsageRecord], *, since: float | None) -> PeriodCost:
    tokens, cost, calls, unpriced = TokenCount(), Decimal(0), 0, 0
    for record in records:
        if since is not None and record.at < since:
            continue
        calls += 1
        tokens = tokens + record.tokens
        spent = price(record)
        if spent is None:
            unpriced += 1
        else:
            cost += spent
    return PeriodCost(tokens, cost, calls, unpriced)


def costs_of(specs: Iterable[AgentSpec], reader: UsageReaderPort, *,
             since: float | None) -> dict[str, PeriodCost]:
    """Each agent's cost in the period, by name. Blocking file reads: a command's, or off the
    event loop."""
    found: dict[str, PeriodCost] = {}
    for spec in specs:
        if spec.host:
            found[spec.name] = PeriodCost(unknown=f"on host {spec.host}: its session records "
                                                  "are there, not read here")
        elif spec.tool not in READ_TOOLS:
            found[spec.name] = PeriodCost(unknown=f"{spec.tool} keeps no session records "
                                                  "orchestra reads")
        elif not spec.cwd:
            found[spec.name] = PeriodCost(unknown="no folder configured (cwd) to find its "
                                                  "session records by")
        else:
            try:
                found[spec.name] = period_cost(reader.records(spec.tool, spec.cwd), since=since)
            except (OSError, ValueError) as error:
                found[spec.name] = PeriodCost(unknown=f"its session records unreadable: {error}")
    return found


def totals(costs: Mapping[str, PeriodCost], merged: int, issues: int) -> dict[str, Any]:
    """The fleet's cost in the period, and per merged PR and per issue (of every agent, the
    unassigned merges too); agents not known are named, not counted."""
    known = [cost for cost in costs.values() if not cost.unknown]
    whole = sum((cost.cost for cost in known), Decimal(0))
    return {"cost_usd": _dollars(whole), "merged": merged, "issues": issues,
            "per_merged_pr_usd": _dollars(whole / merged) if merged else None,
            "per_issue_usd": _dollars(whole / issues) if issues else None,
            "not_counted": sorted(name for name, cost in costs.items() if cost.unknown)}
