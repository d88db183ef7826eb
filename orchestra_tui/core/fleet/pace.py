"""How soon the poll loop ticks again: at the configured rate while something may be changing
meaning, at `CALM_SECONDS` while nothing is (`DEAF_CALM_SECONDS` while some hook's reports do
not wake this loop: another orchestra listens on the data dir, or a hook-led agent runs on
another host, where its hooks mark its pane; their news are then seen at a tick).

tmux pushes which panes write (`services/tmux/activity.py`), and a pane starting or stopping
writing, or a hook reporting, wakes the loop at once (`TickPace.wait`). So a fleet whose
agents sit idle (silent) or keep working (writing without pause) needs no tick four times a
second: the slow tick still reads the pane list (panes gone or new), the safety reads and the
clocks in the table. The loop stays brisk:

- for `BRISK_SECONDS` after news (an idle reading is confirmed after its debounce, a send's
  receipt moves on, a dialog is seen);
- while a pane's writes are not pushed (it is polled as before), unless it is hook-led
  (`core/fleet/reading.py`): its events wake the loop, and the calm tick sees its stop;
- while a pane on screen writes (the live view follows it at the loop's rate);
- while a send to an agent is under way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Iterable

from orchestra_tui.core.fleet.reading import hook_led
from orchestra_tui.core.fleet.state import FleetContext, Slot
from orchestra_tui.services.tmux.activity import NOT_WATCHED, OutputReport

__all__ = ["BRISK_SECONDS", "CALM_SECONDS", "DEAF_CALM_SECONDS", "TickPace", "brisk"]

# The calm tick reads the pane list, the hook-led panes' activity (a stop no hook reports,
# `reading.HUSH_SECONDS`), the safety reads and the table's clocks (in minutes, after a
# first minute that reads "<1m"): each tick goes over every agent (a few milliseconds for
# fifty), and at one a second that was half of what the app cost over a calm fleet.
CALM_SECONDS = 2.0
DEAF_CALM_SECONDS = 1.0
BRISK_SECONDS = 2.0  # after news; at least the idle debounce (`brisk` takes the larger)
LIVE_SECONDS = 1.0  # a pane on screen that wrote this recently is followed at the loop's rate


def brisk(slots: Iterable[Slot], output: OutputReport, visible: Collection[str],
          since_news: float, debounce: float) -> bool:
    """Whether the next tick should come at the loop's rate, not `CALM_SECONDS`."""
    if since_news < max(BRISK_SECONDS, debounce + 0.5):
        return True
    for slot in slots:
        pane = slot.pane
        if pane is None or pane.dead:
            continue
        if pane.pane_id not in output.watched and (slot.spec.name in visible
                                                   or not hook_led(slot, output)):
            return True  # polled (a hook-led pane's news are its events and the slow tick)
        if slot.sending is not None and not slot.sending.done():
            return True
        if slot.spec.name in visible:
            seen = output.panes.get(pane.pane_id)
            if seen is not None and seen.quiet_for < LIVE_SECONDS:
                return True
    return False


class TickPace:
    """The poll loop's pace for one fleet: news wakes it, the last tick's output report and
    visible agents say whether it ticks brisk or calm."""

    def __init__(self, context: FleetContext) -> None:
        self.context = context
        self._news: asyncio.Event | None = None
        self._last_news = float("-inf")
        self.output: OutputReport = NOT_WATCHED
        self.visible: Collection[str] = ()
        self.seen_at = float("-inf")
        self.calm_seconds = DEAF_CALM_SECONDS

    def listen(self, hooks_heard: bool) -> None:
        """From now on, news (`told`) wakes `wait`; watched panes' edges are news, and the
        hooks' reports when `hooks_heard` (the calm tick can then be slower)."""
        self._news = asyncio.Event()
        self.calm_seconds = CALM_SECONDS if hooks_heard else DEAF_CALM_SECONDS
        self.context.tmux.listen_for_output(self.told)

    def told(self) -> None:
        self._last_news = time.monotonic()
        if self._news is not None:
            self._news.set()

    def wake(self) -> None:
        """Tick now, without news: the loop's pace after it stays as the fleet says."""
        if self._news is not None:
            self._news.set()

    def saw(self, output: OutputReport, visible: Collection[str]) -> None:
        """What a tick saw; its time is when the next calm tick is due from."""
        self.output, self.visible = output, visible
        self.seen_at = time.monotonic()

    def calm(self) -> bool:
        return not brisk(self.context.slots.values(), self.output, self.visible,
                         time.monotonic() - self._last_news, self.context.settings.idle_debounce)

    def calm_interval(self) -> float:
        """The calm tick: slow only while every hook-led agent's reports wake the loop."""
        if any(slot.pane is not None and slot.pane.host and hook_led(slot, self.output)
               for slot in self.context.slots.values()):
            return DEAF_CALM_SECONDS  # its reports are pane marks, read with the pane list
        return self.calm_seconds

    async def wait(self, timeout: float) -> None:
        """Sleep up to `timeout` seconds (the loop's rate), longer while calm (until
        `calm_seconds` after the last tick), less when news comes."""
        if self._news is not None and self.calm():  # only a loop news can wake slows down
            timeout = max(timeout, self.seen_at + self.calm_interval() - time.monotonic())
        if self._news is None:
            await asyncio.sleep(timeout)
            return
        try:
            await asyncio.wait_for(self._news.wait(), timeout)
        except TimeoutError:
            pass
        self._news.clear()
