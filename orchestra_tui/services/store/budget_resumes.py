"""Which lanes the person let go on past their daily budget, and for which day: one JSON file
(`budget-resumed.json`) in the data dir, written atomically, read again only when it changed
(a `stat` per look), so `orchestra queue --resume-budget` reaches a running app at its next
tick. What a budget is and when it holds is the core's (core/fleet/budgets.py).

>>> import tempfile; from pathlib import Path
>>> store = BudgetResumes(Path(tempfile.mkdtemp()))
>>> store.resumed()
{}
>>> store.resume("api", "2026-12-07")
>>> BudgetResumes(store.path.parent).resumed()
{'api': '2026-12-07'}
"""

from __future__ import annotations

import json
from pathlib import Path

from orchestra_tui.paths import atomic_write

__all__ = ["RESUMES_FILE", "BudgetResumes"]

RESUMES_FILE = "budget-resumed.json"


class BudgetResumes:
    """Blocking file I/O: the fleet calls `resumed` off the event loop or in a command."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / RESUMES_FILE
        self._seen: tuple[int, int] | None = None
        self._lanes: dict[str, str] = {}

    def resumed(self) -> dict[str, str]:
        """Lane -> the day (YYYY-MM-DD) the person resumed its queues past its budget."""
        try:
            stat = self.path.stat()
        except OSError:
            self._seen, self._lanes = None, {}
            return {}
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = {}
            self._lanes = {str(lane): day for lane, day in raw.items()
                           if isinstance(day, str)} if isinstance(raw, dict) else {}
            self._seen = seen
        return dict(self._lanes)

    def resume(self, lane: str, day: str) -> None:
        lanes = self.resumed()
        lanes[lane] = day
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(lanes, indent=1, sort_keys=True).encode())
        self._seen = None
