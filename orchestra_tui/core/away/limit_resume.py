"""Resuming after a usage limit (`resume_after_limit = true`, per agent or lane): at the reset
moment plus a small random delay, the tool's own "continue" goes through the send gate, at most
`per_day` times a day per agent, and never when the person has touched the agent since the limit
appeared (they are handling it). Pure decisions; the fleet acts and journals (`limit_resume`).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_JITTER = 90.0  # seconds after the reset: many agents on one account do not resume at once
DEFAULT_PER_DAY = 3
DAY = 86400.0


@dataclass(frozen=True)
class LimitWait:
    agent: str
    began: float  # when the limit was first seen (epoch seconds)
    resets_at: float  # the reset moment the notice gave (epoch seconds)
    jitter: float  # the random delay drawn once for this wait

    @property
    def resume_at(self) -> float:
        return self.resets_at + self.jitter


def new_wait(agent: str, began: float, resets_at: float,
             rng: random.Random | None = None) -> LimitWait:
    return LimitWait(agent, began, resets_at, (rng or random).uniform(5.0, MAX_JITTER))


@dataclass(frozen=True)
class ResumeDecision:
    due: bool
    why: str  # in words, for `why` and the journal


def resumes_today(entries: Iterable[Mapping[str, Any]], agent: str, now: float) -> int:
    return sum(1 for entry in entries if entry.get("event") == "limit_resume"
               and entry.get("agent") == agent and now - float(entry.get("at", 0.0)) < DAY)


def decide_resume(wait: LimitWait, *, now: float, resumed_today: int,
                  per_day: int = DEFAULT_PER_DAY,
                  touched_at: float | None = None) -> ResumeDecision:
    if touched_at is not None and touched_at >= wait.began:
        return ResumeDecision(False, "you touched it after the limit appeared: it is yours")
    if resumed_today >= per_day:
        return ResumeDecision(False, f"resumed {resumed_today} times today already "
                                     f"(at most {per_day})")
    if now < wait.resume_at:
        return ResumeDecision(False, f"resumes in {int(wait.resume_at - now)} s")
    return ResumeDecision(True, "the limit has reset")
