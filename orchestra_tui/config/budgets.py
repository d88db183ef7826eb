"""A lane's daily budget: `budget_per_day` in US dollars on a `[[lane]]`, what its agents may
spend in a calendar day (from their CLIs' session records) before its queues hold; a warning
comes at 80 %. Checked like every key (file, line, key).

>>> from orchestra_tui.config.checker import Checker
>>> checker = Checker()
>>> check_budget(checker, {"budget_per_day": 20}, ("lane", 0))
20.0
>>> check_budget(checker, {"budget_per_day": -1}, ("lane", 0)), checker.problems[0][1]
(None, '-1 is out of range: a budget is more than 0 dollars a day')
"""

from __future__ import annotations

import math
from typing import Any

from orchestra_tui.config.values import TableChecker, type_name
from orchestra_tui.config_locate import Path as KeyPath

__all__ = ["BUDGET_KEY", "check_budget"]

BUDGET_KEY = "budget_per_day"


def check_budget(checker: TableChecker, table: dict[str, Any], where: KeyPath) -> float | None:
    """The lane's `budget_per_day` in dollars (None: no budget)."""
    if BUDGET_KEY not in table:
        return None
    value = table[BUDGET_KEY]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        checker.problem(where + (BUDGET_KEY,),
                        f"expected a number of dollars, got {type_name(value)}")
        return None
    if not math.isfinite(value) or value <= 0:
        checker.problem(where + (BUDGET_KEY,),
                        f"{value} is out of range: a budget is more than 0 dollars a day")
        return None
    return float(value)
