"""The away summary: what happened since the person left, on one screen. Per agent what it did
(prompts sent, turns finished, PRs opened and merged), what waits for the person now in
attention order, and what rules and limit resumes did on their behalf. All from the journal
and the current snapshot, so the app and `orchestra away` say the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestra_tui.core.fleet.state import AgentView
from orchestra_tui.core.report import format_duration, session_report
from orchestra_tui.models import State


@dataclass
class AgentAway:
    agent: str
    prompts_sent: int = 0
    turns_finished: int = 0
    prs_opened: list[str] = field(default_factory=list)
    prs_merged: list[str] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        return not (self.prompts_sent or self.turns_finished or self.prs_opened
                    or self.prs_merged)


@dataclass(frozen=True)
class Waiting:
    agent: str
    state: str
    reason: str
    for_seconds: float


@dataclass
class AwaySummary:
    since: float
    now: float
    agents: list[AgentAway]
    waiting: list[Waiting]
    on_your_behalf: list[str]  # "12:03 api: rule overloaded pressed continue"

    @property
    def empty(self) -> bool:
        return not self.waiting and not self.on_your_behalf and all(
            a.quiet for a in self.agents)


def turns_finished(entries: Iterable[Mapping[str, Any]], since: float) -> dict[str, int]:
    """Turns that ended: a `state` event from working to idle, per agent, after `since`."""
    last: dict[str, str] = {}
    finished: dict[str, int] = {}
    for entry in entries:
        if entry.get("event") != "state" or not entry.get("agent"):
            continue
        agent, state = str(entry["agent"]), str(entry.get("state", ""))
        if (float(entry.get("at", 0.0)) >= since and last.get(agent) == State.WORKING.value
                and state == State.IDLE.value):
            finished[agent] = finished.get(agent, 0) + 1
        last[agent] = state
    return finished


# Journal events of what orchestra did for an agent unasked (shown in `why` too).
ON_BEHALF_EVENTS = ("rule", "limit_resume", "auto_approve")


def behalf_words(entry: Mapping[str, Any]) -> str | None:
    """What one journal entry says orchestra did unasked, without the agent's name."""
    event = entry.get("event")
    if event == "rule":
        return f"rule {entry.get('rule', '')} did {entry.get('action', '')}"
    if event == "limit_resume":
        return "resumed after its usage limit reset"
    if event == "auto_approve":
        return f"approved {entry.get('command', '')} (auto_approve)"
    return None


def _behalf(entry: Mapping[str, Any]) -> str | None:
    agent = entry.get("agent", "")
    if entry.get("event") == "prompt_sent" and entry.get("source") == "queue":
        return f"{agent}: sent a queued prompt"
    words = behalf_words(entry)
    return f"{agent}: {words}" if words else None


AWAY_SINCE = "away_since"  # the journal's event: the app lost the person's attention
DEFAULT_AWAY = 8 * 3600.0  # the summary's span when no `away_since` was journaled


def last_left(entries: Iterable[Mapping[str, Any]], now: float) -> float:
    """When the person last left the app (its last `away_since`), else `DEFAULT_AWAY` ago.

    >>> last_left([{"event": "away_since", "at": 50.0}, {"event": "away_since", "at": 70.0}],
    ...           now=100.0)
    70.0
    >>> last_left([], now=30000.0)
    1200.0
    """
    left = [float(entry.get("at", 0.0)) for entry in entries
            if entry.get("event") == AWAY_SINCE]
    return max(left) if left else now - DEFAULT_AWAY


def start_of_day(now: float) -> float:
    """Local midnight before `now` (epoch seconds): where "today" begins."""
    moment = dt.datetime.fromtimestamp(now).astimezone()
    return moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def away_summary(entries: Sequence[Mapping[str, Any]], views: Sequence[AgentView], *,
                 since: float, now: float) -> AwaySummary:
    report = session_report(entries, now=now, since=since)
    finished = turns_finished(entries, since)
    names = list(dict.fromkeys([*(v.name for v in views), *report, *finished]))
    agents = []
    for name in names:
        counted = report.get(name)
        agents.append(AgentAway(
            name, prompts_sent=counted.prompts_sent if counted else 0,
            turns_finished=finished.get(name, 0),
            prs_opened=list(counted.prs_opened) if counted else [],
            prs_merged=list(counted.prs_merged) if counted else []))
    waiting = [Waiting(v.name, v.status.state.value, v.status.reason,
                       max(0.0, now - v.status.since))
               for v in sorted(views, key=lambda v: (v.attention_rank, v.status.since))
               if v.needs_person]
    behalf = [text for entry in entries
              if float(entry.get("at", 0.0)) >= since and (text := _behalf(entry))]
    return AwaySummary(since, now, agents, waiting, behalf)


def away_text(summary: AwaySummary) -> str:
    lines = [f"Since you left ({format_duration(summary.now - summary.since)} ago):"]
    if summary.empty:
        return lines[0] + " nothing happened."
    if summary.waiting:
        lines.append("Waiting for you:")
        lines += [f"  {w.agent}: {w.state} for {format_duration(w.for_seconds)}: {w.reason}"
                  for w in summary.waiting]
    done = [a for a in summary.agents if not a.quiet]
    if done:
        lines.append("What the agents did:")
        for a in done:
            parts = [f"{a.prompts_sent} prompts sent", f"{a.turns_finished} turns finished"]
            if a.prs_opened:
                parts.append("opened " + ", ".join(a.prs_opened))
            if a.prs_merged:
                parts.append("merged " + ", ".join(a.prs_merged))
            lines.append(f"  {a.agent}: " + "; ".join(parts))
    if summary.on_your_behalf:
        lines.append("Done on your behalf:")
        lines += [f"  {text}" for text in summary.on_your_behalf]
    return "\n".join(lines)
