"""Routine stalls resolved by rule (`[[rule]]`): when an agent has been in a state, with a reason
matching a pattern, for longer than a time, do one thing (notify, queue a prompt, press the
tool's "continue", restart with a handoff), at most `per_day` times a day per agent.

Rules are pure decisions here; the fleet carries them out and journals each firing (`rule`),
and that journal is where the budget is counted from, so a restart does not refill it. No rule
answers a permission dialog: an approval is the person's (a lane's `auto_approve` commands are
judged elsewhere, by the command's parsed words).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from orchestra_tui.models import State

DAY = 86400.0


class RuleAction(enum.Enum):
    NOTIFY = "notify"
    QUEUE = "queue"
    CONTINUE = "continue"
    RESTART = "restart"


class Searcher(Protocol):
    """A compiled pattern: Python's `re` or RE2's (the config's patterns run on RE2)."""

    def search(self, text: str) -> object: ...


@dataclass(frozen=True)
class StallRule:
    name: str
    state: State
    after: float  # seconds in the state before it fires
    action: RuleAction
    reason: Searcher | None = None  # searched in the state's reason; None: any
    prompt: str = ""  # what `queue` queues
    per_day: int = 3

    def __post_init__(self) -> None:
        if self.state is State.APPROVAL and self.action is not RuleAction.NOTIFY:
            raise ValueError(f"rule {self.name}: a rule never answers a permission dialog; "
                             "only action = \"notify\" is allowed with state = \"approval\"")
        if self.action is RuleAction.QUEUE and not self.prompt.strip():
            raise ValueError(f"rule {self.name}: action \"queue\" needs a prompt")


@dataclass(frozen=True)
class Firing:
    rule: StallRule
    agent: str
    occurrence: str  # the agent's state occurrence it fires for (once per occurrence)


def fired_today(entries: Iterable[Mapping[str, Any]], now: float
                ) -> tuple[dict[tuple[str, str], int], set[tuple[str, str, str]]]:
    """From the journal's `rule` events: firings per (rule, agent) in the last day, and every
    (rule, agent, occurrence) fired."""
    counts: dict[tuple[str, str], int] = {}
    occurrences: set[tuple[str, str, str]] = set()
    for entry in entries:
        if entry.get("event") != "rule":
            continue
        rule, agent = str(entry.get("rule", "")), str(entry.get("agent", ""))
        occurrences.add((rule, agent, str(entry.get("occurrence", ""))))
        if now - float(entry.get("at", 0.0)) < DAY:
            counts[(rule, agent)] = counts.get((rule, agent), 0) + 1
    return counts, occurrences


def due(rules: Iterable[StallRule], *, agent: str, state: State, reason: str, since: float,
        now: float, counts: Mapping[tuple[str, str], int],
        occurrences: set[tuple[str, str, str]]) -> list[Firing]:
    """The rules that fire now for one agent: its state held long enough, the reason matches,
    not fired for this occurrence yet, budget left."""
    occurrence = f"{state.value}:{since:.0f}"
    firing = []
    for rule in rules:
        if rule.state is not state or now - since < rule.after:
            continue
        if rule.reason is not None and not rule.reason.search(reason):
            continue
        if (rule.name, agent, occurrence) in occurrences:
            continue
        if counts.get((rule.name, agent), 0) >= rule.per_day:
            continue
        firing.append(Firing(rule, agent, occurrence))
    return firing
