"""Which channels hear of an event, and when: pure decisions over the time, the person's focus
and what was sent before (no I/O; `core.notifier` carries them out).

An occurrence is told once per channel (its key, the journal's alert key, survives restarts), a
channel hears at most `per_minute` events a minute, quiet hours hold every kind not listed as
urgent, and nothing goes out while the person looks at the app unless they asked for it.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from orchestra_tui.services.notify.event import NotifyEvent, NotifyKind


@dataclass(frozen=True)
class QuietHours:
    start: dt.time
    end: dt.time

    def holds(self, moment: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # across midnight: 22:00-07:00

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """`"22:00-07:00"`; ValueError says what is wrong."""
        try:
            start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError:
            raise ValueError(f"quiet_hours {text!r}: expected HH:MM-HH:MM") from None
        return cls(start, end)


DEFAULT_KINDS = frozenset({NotifyKind.APPROVAL, NotifyKind.BLOCKED, NotifyKind.LIMIT,
                           NotifyKind.STUCK, NotifyKind.EXITED, NotifyKind.RULE,
                           NotifyKind.TEST})


@dataclass(frozen=True)
class NotifyRules:
    # kind -> channel names; a kind absent here goes to every channel when in `kinds`
    routes: dict[NotifyKind, tuple[str, ...]] = field(default_factory=dict)
    kinds: frozenset[NotifyKind] = DEFAULT_KINDS
    quiet: QuietHours | None = None
    urgent: frozenset[NotifyKind] = frozenset({NotifyKind.APPROVAL})
    per_minute: int = 6
    when_focused: bool = False


@dataclass(frozen=True)
class Decision:
    channels: tuple[str, ...]
    held: str = ""  # why nothing (or not every channel) was told, in words


class NotifyPolicy:
    """Remembers what was told where (keys, times) and decides for each new event."""

    def __init__(self, rules: NotifyRules, channels: Iterable[str],
                 told: Iterable[tuple[str, str]] = ()) -> None:
        self.rules = rules
        self.channels = tuple(channels)
        self._told: set[tuple[str, str]] = set(told)  # (channel, key)
        self._recent: dict[str, deque[float]] = {name: deque() for name in self.channels}

    def remember(self, told: Iterable[tuple[str, str]]) -> None:
        """(channel, key) pairs told elsewhere (another process, read from the journal)."""
        self._told.update(told)

    def decide(self, event: NotifyEvent, *, now: float, wall: dt.datetime,
               focused: bool) -> Decision:
        rules = self.rules
        if event.kind is not NotifyKind.TEST:
            if event.kind not in rules.kinds:
                return Decision((), f"{event.kind.value} events are not notified")
            if focused and not rules.when_focused:
                return Decision((), "the person is looking at the app")
            if rules.quiet and event.kind not in rules.urgent and rules.quiet.holds(
                    wall.time()):
                return Decision((), "quiet hours")
        wanted = rules.routes.get(event.kind, self.channels)
        chosen, held = [], []
        for name in wanted:
            if name not in self._recent:
                continue
            if (name, event.key) in self._told and event.kind is not NotifyKind.TEST:
                held.append(f"{name}: told already")
                continue
            recent = self._recent[name]
            while recent and now - recent[0] >= 60.0:
                recent.popleft()
            if len(recent) >= rules.per_minute:
                held.append(f"{name}: {rules.per_minute} a minute reached")
                continue
            recent.append(now)
            self._told.add((name, event.key))
            chosen.append(name)
        return Decision(tuple(chosen), "; ".join(held))
