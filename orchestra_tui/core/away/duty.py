"""One process acts for the person while they are away: the app or `orchestra watch`.

Both tick the fleet; only the one that holds the data dir's away lock (`away.lock`, a flock)
runs the `AwayWatch` (notifications, limit resumes, rules, `auto_approve`), so a push, a
resume or an approval never happens twice. The other stands by and tries the lock at each
tick: when the holder exits (or is killed: the kernel drops its lock) it takes over, reads back
from the journal what was already told and done, and journals that it acts (`away_duty`). Every
act it journals carries `by` (`app:PID`, `watch:PID`).

Whether the person looks is told across processes (`Presence`): a push is held while they look
at any app on this data dir, whichever process sends it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from orchestra_tui.core.away.watch import AwayWatch
from orchestra_tui.core.fleet.state import FleetSnapshot
from orchestra_tui.errors import OrchestraError

log = logging.getLogger(__name__)

__all__ = ["AfterTick", "AwayDuty", "DutyLock", "Looking"]


class AfterTick(Protocol):
    """What the app and `orchestra watch` run after each tick."""

    async def after_tick(self, snapshot: FleetSnapshot, *, focused: bool) -> list[str]: ...


class DutyLock(Protocol):
    @property
    def held(self) -> bool: ...

    def acquire(self) -> bool: ...

    def holder_info(self) -> tuple[int | None, str]: ...

    def release(self) -> None: ...


class Looking(Protocol):
    def tell(self, looking: bool) -> None: ...

    def others_looking(self) -> bool: ...

    def withdraw(self) -> None: ...


def holder_words(pid: int | None, role: str) -> str:
    who = f"`orchestra {role}`" if role == "watch" else "the app" if role == "app" else \
        "another orchestra"
    return f"{who} (pid {pid})" if pid else who


@dataclass
class AwayDuty:
    watch: AwayWatch
    lock: DutyLock
    presence: Looking | None = None
    actor: str = ""  # "app:PID" or "watch:PID": what the journal says acted
    headless: bool = False  # `orchestra watch`: nobody looks at this process
    acting: bool = False
    standing_by: str = ""  # who acts instead, in words; "" while this process acts
    problem: str = ""  # the lock cannot be used: nothing is acted on, and this says why

    def take(self) -> bool:
        """Try the lock now (blocking file calls: off the event loop, or before it runs):
        True when this process acts. `LockUnusable` (one line) when it cannot be tried."""
        if self.lock.acquire():
            return True
        self.standing_by = holder_words(*self.lock.holder_info())
        return False

    async def after_tick(self, snapshot: FleetSnapshot, *, focused: bool) -> list[str]:
        """The watch's acts when this process holds the lock; else nothing. What changed
        in the duty (standing by, taking over, a lock that cannot be used) comes first, in
        words."""
        try:
            held, others, news = await asyncio.to_thread(self._turn, focused)
        except OrchestraError as error:
            if str(error) == self.problem:
                return []
            self.problem = str(error)
            return [self._said(f"nothing is done for you while you are away: {error}")]
        self.problem = ""
        said = [self._said(news)] if news else []
        if not held:
            return said
        if not self.acting:
            took_over = bool(self.standing_by)
            self.acting, self.standing_by = True, ""
            await self.watch.resync()
            await self.watch.journal_event("away_duty", took_over=took_over)
            if took_over:
                said.append(self._said("took over: acting for you while you are away"))
        return said + await self.watch.after_tick(snapshot, focused=focused or others)

    def _turn(self, focused: bool) -> tuple[bool, bool, str]:
        """(this process acts, another app says the person looks, news of the duty)."""
        if self.presence is not None and not self.headless:
            self.presence.tell(focused)
        before = self.standing_by
        if not self.take():
            news = (f"standing by: {self.standing_by} acts while you are away"
                    if self.standing_by != before else "")
            return False, False, news
        return True, self.presence is not None and self.presence.others_looking(), ""

    def _said(self, words: str) -> str:
        log.info("%s: %s", self.actor or "orchestra", words)
        return words

    def close(self) -> None:
        """Let go of the lock and of this process's word on looking (the process ends)."""
        self.lock.release()
        if self.presence is not None:
            self.presence.withdraw()
