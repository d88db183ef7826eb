"""What an agent's tokens cost: priced with genai-prices' maintained table (pydantic's, updated
with each release; never a table written here), summed per agent, per turn and per day, and held
against the budgets.

A model the table does not know is counted in tokens and left unpriced (`cost` None), never
guessed. Pure: the records come from services/usage.

>>> from orchestra_tui.services.usage.records import TokenCount, UsageRecord
>>> call = UsageRecord("claude", "m1", 1_790_000_000.0, "claude-sonnet-4-5",
...                    TokenCount(input=1000, output=500, cache_read=2000, cache_write=300))
>>> f"{price(call):.6f}"
'0.012225'
>>> summary = summarize((call, call), day="2026-09-21")
>>> summary.turns, summary.tokens.output, f"{summary.cost:.5f}"
(2, 1000, '0.02445')
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from orchestra_tui.services.usage.records import TokenCount, UsageRecord

__all__ = ["CostSummary", "day_of", "price", "summarize"]

# The provider that serves each CLI's models: a model name alone can be ambiguous.
PROVIDERS = {"claude": "anthropic", "codex": "openai", "gemini": "google"}


def day_of(at: float) -> str:
    """The local calendar day of `at`: budgets and the report count per day."""
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d")


@lru_cache(maxsize=4096)
def _price(tool: str, model: str, tokens: TokenCount) -> Decimal | None:
    # Per call, not per token: the table's tiers (e.g. past 200k input tokens) depend on it.
    # The table loads on first use (a tenth of a second, in the thread that reads records):
    # not on every start of the app, which prices nothing before its first turn's end.
    from genai_prices import Usage, calc_price

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = calc_price(
                Usage(input_tokens=tokens.input + tokens.cache_read + tokens.cache_write,
                      output_tokens=tokens.output, cache_read_tokens=tokens.cache_read,
                      cache_write_tokens=tokens.cache_write),
                model_ref=model, provider_id=PROVIDERS.get(tool))
    except (LookupError, ValueError):
        return None
    return Decimal(found.total_price)


def price(record: UsageRecord) -> Decimal | None:
    """What `record` cost in US dollars; None when the price table does not know its model."""
    return _price(record.tool, record.model, record.tokens) if record.model else None


@dataclass(frozen=True)
class CostSummary:
    """Tokens and cost of an agent's calls: in all, on one day, and of its last turn."""

    tokens: TokenCount = TokenCount()
    cost: Decimal | None = None  # None: nothing priced (no calls, or no model known)
    turns: int = 0
    unpriced: int = 0  # calls whose model the price table does not know
    day: str = ""
    today_tokens: TokenCount = TokenCount()
    today_cost: Decimal = Decimal(0)
    last_turn_cost: Decimal | None = None
    models: tuple[str, ...] = field(default=())

    def row(self) -> dict[str, object]:
        """For `status --json` and `why`: dollars as numbers, to the millionth."""
        return {"tokens": self.tokens.row(), "cost_usd": _dollars(self.cost),
                "turns": self.turns, "unpriced_turns": self.unpriced, "day": self.day,
                "today_tokens": self.today_tokens.row(),
                "today_cost_usd": _dollars(self.today_cost),
                "last_turn_cost_usd": _dollars(self.last_turn_cost),
                "models": list(self.models)}


def _dollars(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 6)


def summarize(records: Iterable[UsageRecord], *, day: str) -> CostSummary:
    tokens, today = TokenCount(), TokenCount()
    cost: Decimal | None = None
    today_cost = Decimal(0)
    turns = unpriced = 0
    last: Decimal | None = None
    models: dict[str, None] = {}
    for record in records:
        turns += 1
        tokens = tokens + record.tokens
        models[record.model] = None
        spent = price(record)
        last = spent
        if spent is None:
            unpriced += 1
        else:
            cost = (cost or Decimal(0)) + spent
        if day_of(record.at) == day:
            today = today + record.tokens
            today_cost += spent or Decimal(0)
    return CostSummary(tokens, cost, turns, unpriced, day, today, today_cost, last,
                       tuple(model for model in models if model))
