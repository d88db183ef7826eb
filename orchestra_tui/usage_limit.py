"""A usage or quota limit as a typed part of an agent's state: `blocked`, with the words the
tool printed for its reset and, when those words say a time, the moment (epoch seconds).

>>> UsageLimit("usage limit", "3:51 PM", 1000.0).left(400.0)
600.0
>>> UsageLimit("quota").left(400.0) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UsageLimit:
    kind: str  # "usage limit" or "quota", as the account wall named it
    words: str = ""  # the reset as the tool printed it ("3:51 PM", "in 4 hours")
    resets_at: float | None = None  # epoch seconds; None: the words gave no time

    def left(self, now: float) -> float | None:
        """Seconds until the reset (0 once passed), None when no reset time is known."""
        return None if self.resets_at is None else max(0.0, self.resets_at - now)


def countdown(limit: UsageLimit, now: float) -> str:
    """The wait in words: "resets in 1h 05m", "reset passed", or the tool's own words.

    >>> countdown(UsageLimit("usage limit", "3pm", 3900.0), 0.0)
    'resets in 1h 05m'
    """
    left = limit.left(now)
    if left is None:
        return f"resets {limit.words}" if limit.words else "no reset time shown"
    if left <= 0:
        return "reset passed"
    hours, rest = divmod(int(left), 3600)
    return f"resets in {hours}h {rest // 60:02d}m" if hours else f"resets in {rest // 60}m"
