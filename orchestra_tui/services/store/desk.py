"""The person's own GitHub desk state on disk: which issue each agent was assigned, which review
threads are snoozed, and which were already sent to an agent's queue.

One JSON file (`github-desk.json`) in the data dir, or beside the journal, written atomically.
What the entries mean (a snooze's fingerprint and expiry, an assignment to a closed issue) is the
core's business (`core/desk/desk.py`); this module only keeps them. A missing or unreadable file is
an empty desk, never an error: the state is a convenience, GitHub is the record.

>>> import tempfile; from pathlib import Path
>>> store = DeskStore(Path(tempfile.mkdtemp()) / "desk.json")
>>> store.section("queued")["PRRT_1"] = "api"
>>> store.save()
>>> DeskStore(store.path).section("queued")
{'PRRT_1': 'api'}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STATE_FILE = "github-desk.json"
SECTIONS = ("assignments", "snoozed", "queued", "routed")
VERSION = 1


class DeskStore:
    """The desk's JSON file, read once on first use and written whole on `save` (blocking:
    call `save` in a thread from the event loop)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._data: dict[str, dict[str, Any]] | None = None

    @property
    def path(self) -> Path:
        """The file; the data dir's `github-desk.json` unless given (resolved on first use,
        never at import)."""
        if self._path is None:
            from orchestra_tui.paths import data_dir

            self._path = data_dir() / STATE_FILE
        return self._path

    def section(self, name: str) -> dict[str, Any]:
        """One of `assignments`, `snoozed`, `queued`, `routed`: a mutable dict; `save` writes it."""
        if name not in SECTIONS:
            raise KeyError(name)
        return self._load()[name]

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._data is None:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = {}
            if not isinstance(raw, dict):
                raw = {}
            self._data = {key: raw[key] if isinstance(raw.get(key), dict) else {}
                          for key in SECTIONS}
        return self._data

    def save(self) -> None:
        from orchestra_tui.paths import atomic_write

        data = json.dumps({"version": VERSION, **self._load()}, indent=2,
                          sort_keys=True).encode() + b"\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, data)
