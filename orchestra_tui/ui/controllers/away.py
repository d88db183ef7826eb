"""Whether the person is looking, and what the app does for them while they are not: after each
tick the away watch (notifications, limit resumes, rules) runs in a worker of its own, told
whether the person looks; coming back after `AWAY_AFTER` seconds shows the away summary.

Looking is the terminal's focus (Textual's AppFocus / AppBlur, from focus reporting); where the
terminal never reports focus, a key pressed in the last `LOOKING_AFTER_KEY` seconds counts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message

from orchestra_tui.core.away.summary import AWAY_SINCE, away_summary, away_text
from orchestra_tui.core.away.watch import AwayWatch
from orchestra_tui.core.fleet.fleet import Fleet, FleetSnapshot

LOOKING_AFTER_KEY = 120.0
AWAY_AFTER = 600.0  # seconds unfocused before coming back shows the summary


class AwaySummaryReady(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class AwayActions:
    def __init__(self, app: App[Any], fleet: Fleet, watch: AwayWatch | None, *,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.app = app
        self.fleet = fleet
        self.watch = watch
        self._clock, self._wall = clock, wall
        self.focus_reported = False  # the terminal has told a focus change at least once
        self.focused = True
        self.last_key = clock()
        self.left_at: float | None = None  # wall clock when the person stopped looking
        self._running = False

    @property
    def looking(self) -> bool:
        if self.focus_reported:
            return self.focused
        return self._clock() - self.last_key < LOOKING_AFTER_KEY

    # -- what the terminal and the keyboard say ----------------------------------------------

    def app_blurred(self) -> None:
        self.focus_reported, self.focused = True, False
        self.left_at = self._wall()
        self.app.run_worker(self._journal_left(self.left_at), group="away-left")

    async def _journal_left(self, at: float) -> None:
        """`away_since`: where `orchestra away` (and the summary on coming back) starts."""
        journal = self.fleet.journal
        if journal is not None and not self.fleet.read_only:
            try:
                await asyncio.to_thread(journal.append, AWAY_SINCE, None, at=at)
            except OSError:
                pass  # the summary still starts from the moment kept here

    def app_focused(self) -> None:
        self.focus_reported, self.focused = True, True
        self._came_back()

    def key_pressed(self) -> None:
        if not self.focus_reported and self._clock() - self.last_key >= AWAY_AFTER:
            self.left_at = self._wall() - (self._clock() - self.last_key)
            self.app.run_worker(self._journal_left(self.left_at), group="away-left")
            self._came_back()
        self.last_key = self._clock()

    def _came_back(self) -> None:
        left, self.left_at = self.left_at, None
        if left is not None and self._wall() - left >= AWAY_AFTER:
            self.show_since(left)

    def show_since(self, since: float) -> None:
        """Build the summary since `since` (wall clock) off the loop, then show it."""
        self.app.run_worker(self._summary(since), group="away-summary")

    async def _summary(self, since: float) -> None:
        journal = self.fleet.journal
        entries = await asyncio.to_thread(journal.read, None, since) if journal else []
        summary = away_summary(entries, self.fleet.snapshot.agents, since=since,
                               now=self._wall())
        self.app.post_message(AwaySummaryReady(away_text(summary)))

    # -- after each tick ----------------------------------------------------------------------

    def after_tick(self, snapshot: FleetSnapshot) -> None:
        """Run the watch off the poll loop; a run still going (a slow push service) is not
        doubled: the next tick's snapshot carries what changed meanwhile."""
        if self.watch is None or self._running:
            return
        self._running = True
        self.app.run_worker(self._after_tick(snapshot, self.looking), group="away")

    async def _after_tick(self, snapshot: FleetSnapshot, looking: bool) -> None:
        assert self.watch is not None
        try:
            await self.watch.after_tick(snapshot, focused=looking)
        finally:
            self._running = False
