"""The session report: per agent, what it was sent, what it produced and where its time went.

Everything comes from the journal (`services/store/journal.py`), so the report is the same in the
app, in `orchestra report` and after a crash. Events read, with the fields used:

    prompt_sent(agent, text, source)     restart(agent)    kill(agent)
    approval(agent)  denial(agent)  interrupt(agent)       alert(agent, kind, text)
    pr_opened(agent, repo, number)       merge(repo, number, agent?, merged?)
    state(agent, state, since)           written by the fleet on every state change

Time per state: the spans between an agent's consecutive `state` events, the last one running
to `now`, clipped to the report's window. "Waiting on the person" is approval + blocked + stuck:
the agent wants to go on and cannot. Exited and unknown time is kept apart in `seconds`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestra_tui.core.sending.receipts import receipt_counts
from orchestra_tui.models import State

__all__ = [
    "AgentReport", "UNASSIGNED", "WAITING_STATES", "format_duration", "issues_in_prompt",
    "report_to_json", "report_to_markdown", "session_report", "state_spans_from",
]

UNASSIGNED = "(unassigned)"  # merges of PRs no agent's events name
WAITING_STATES = (State.APPROVAL, State.BLOCKED, State.STUCK)

Span = tuple[str, float, float]  # (state, start, end)


@dataclass
class AgentReport:
    agent: str
    prompts_sent: int = 0
    handoffs: int = 0  # prompts with source "handoff" (counted in prompts_sent as well)
    restarts: int = 0
    kills: int = 0
    approvals: int = 0
    denials: int = 0
    interrupts: int = 0
    alerts: list[str] = field(default_factory=list)
    prs_opened: list[str] = field(default_factory=list)  # "owner/name#12"
    prs_merged: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)  # "#12", in first-seen order
    seconds: dict[str, float] = field(default_factory=dict)  # state -> seconds
    host: str = ""  # the `[[host]]` it ran on, as its journal entries name it ("": here)
    # Queued prompts by receipt (`core.receipts.receipt_counts`): sent, submitted, answered...
    receipts: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The agent's name, after its host's when it ran on another machine."""
        return f"{self.host}:{self.agent}" if self.host else self.agent

    @property
    def working(self) -> float:
        return self.seconds.get(State.WORKING.value, 0.0)

    @property
    def idle(self) -> float:
        return self.seconds.get(State.IDLE.value, 0.0)

    @property
    def waiting(self) -> float:
        return sum(self.seconds.get(state.value, 0.0) for state in WAITING_STATES)

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent": self.agent, "host": self.host or None,
            "prompts_sent": self.prompts_sent, "handoffs": self.handoffs,
            "restarts": self.restarts, "kills": self.kills, "approvals": self.approvals,
            "denials": self.denials, "interrupts": self.interrupts,
            "alerts": list(self.alerts), "prs_opened": list(self.prs_opened),
            "prs_merged": list(self.prs_merged), "issues": list(self.issues),
            "seconds": {"working": self.working, "idle": self.idle, "waiting": self.waiting,
                        "by_state": dict(sorted(self.seconds.items()))},
            "receipts": dict(self.receipts),
        }


# -- issues ---------------------------------------------------------------------------------------

_SOURCE_ISSUE = re.compile(r"^issue:(?:[\w.-]+/[\w.-]+)?#(?P<number>\d+)$")
_TEXT_ISSUE = re.compile(
    r"[\w.-]+/[\w.-]+/issues/(?P<url_number>\d+)"  # an issue URL
    r"|(?P<before>\b(?:PR|pr|pull request|pull|merge request)\s*)?(?<![\w/&])#(?P<number>\d+)\b")


def issues_in_prompt(text: str, source: str = "") -> list[str]:
    """Issues a prompt addresses, as `#N`: its `issue:#N` source, issue URLs and `#N` in its
    text (not `PR #N`). An agent's lane is one repository, so `#N` is enough, and the default
    issue prompt, which names both `#N` and the issue's URL, counts once. Prompts from the
    review inbox are about PRs and give none.

    >>> issues_in_prompt("Work on issue #12; see PR #40 and https://github.com/o/r/issues/7")
    ['#12', '#7']
    >>> issues_in_prompt("Read issue #3 (https://github.com/o/r/issues/3)", "issue:#3")
    ['#3']
    """
    if source.startswith("inbox:"):
        return []
    found: list[str] = []
    match = _SOURCE_ISSUE.match(source.strip())
    if match:
        found.append(f"#{match['number']}")
    for hit in _TEXT_ISSUE.finditer(text):
        if hit["before"]:
            continue
        ref = f"#{hit['url_number'] or hit['number']}"
        if ref not in found:
            found.append(ref)
    return found


# -- spans ----------------------------------------------------------------------------------------


RETIRED = "retired"  # not a state an agent is in: the span after its retirement


def state_spans_from(entries: Iterable[Mapping[str, Any]], now: float) -> dict[str, list[Span]]:
    """Per agent, (state, start, end) from its `state` events: each lasts until the next one,
    the last until `now`. `since` (when the state began) wins over `at` (when it was written)."""
    changes: dict[str, list[tuple[float, str]]] = {}
    for entry in entries:
        if entry.get("event") == "retire" and entry.get("agent"):
            # Retired: its last state ends here; the time after counts as nothing.
            start, state = entry.get("at"), RETIRED
        elif entry.get("event") == "state" and entry.get("agent") and entry.get("state"):
            start, state = entry.get("since", entry.get("at")), str(entry["state"])
        else:
            continue
        if not isinstance(start, (int, float)) or start != start:  # NaN
            continue
        changes.setdefault(str(entry["agent"]), []).append((float(start), state))
    spans: dict[str, list[Span]] = {}
    for agent, points in changes.items():
        points.sort(key=lambda point: point[0])
        ends = [start for start, _ in points[1:]] + [now]
        spans[agent] = [(state, start, max(start, end))
                        for (start, state), end in zip(points, ends)]
    return spans


def _seconds(spans: Sequence[Span], since: float | None, now: float) -> dict[str, float]:
    totals: dict[str, float] = {}
    for state, start, end in spans:
        if state == RETIRED:
            continue
        start = max(start, since) if since is not None else start
        end = min(end, now)
        if end > start:
            totals[state] = totals.get(state, 0.0) + (end - start)
    return totals


# -- the report -----------------------------------------------------------------------------------


def _pr_ref(entry: Mapping[str, Any]) -> str | None:
    number = entry.get("number")
    if number is None:
        return None
    repo = entry.get("repo")
    return f"{repo}#{number}" if repo else f"#{number}"


def session_report(journal_entries: Iterable[Mapping[str, Any]], *, now: float,
                   since: float | None = None,
                   state_spans: Mapping[str, Sequence[Span]] | None = None
                   ) -> dict[str, AgentReport]:
    """Per agent, counted from the journal's events at or after `since` (all when None).

    `state_spans` (agent -> (state, start, end)) replaces the spans read from `state` events
    for the agents it names, e.g. the app's own in-memory history. Agents are in order of their
    first event."""
    entries = [entry for entry in journal_entries if isinstance(entry, Mapping)]
    reports: dict[str, AgentReport] = {}

    def of(agent: str) -> AgentReport:
        if agent not in reports:
            reports[agent] = AgentReport(agent)
        return reports[agent]

    openers: dict[str, str] = {}  # "repo#N" (lower case) -> agent that opened it
    for entry in entries:
        if entry.get("event") == "pr_opened" and entry.get("agent"):
            ref = _pr_ref(entry)
            if ref:
                openers[ref.lower()] = str(entry["agent"])

    counters = {"restart": "restarts", "kill": "kills", "approval": "approvals",
                "denial": "denials", "interrupt": "interrupts"}
    for entry in entries:
        at = entry.get("at")
        if since is not None and isinstance(at, (int, float)) and at < since:
            continue
        event = entry.get("event")
        agent = str(entry["agent"]) if entry.get("agent") else None
        if event == "merge":
            ref = _pr_ref(entry)
            if ref and entry.get("merged", True):
                owner = agent or openers.get(ref.lower(), UNASSIGNED)
                of(owner).prs_merged.append(ref)
            continue
        if agent is None:
            continue
        if entry.get("host"):
            of(agent).host = str(entry["host"])
        if event == "prompt_sent":
            report = of(agent)
            report.prompts_sent += 1
            source = str(entry.get("source") or "")
            if source == "handoff":
                report.handoffs += 1
            for ref in issues_in_prompt(str(entry.get("text") or ""), source):
                if ref not in report.issues:
                    report.issues.append(ref)
        elif event in counters:
            report = of(agent)
            setattr(report, counters[event], getattr(report, counters[event]) + 1)
        elif event == "alert":
            of(agent).alerts.append(str(entry.get("text") or entry.get("kind") or "alert"))
        elif event == "pr_opened":
            ref = _pr_ref(entry)
            if ref:
                of(agent).prs_opened.append(ref)

    recent = [entry for entry in entries if since is None
              or not isinstance(entry.get("at"), (int, float)) or entry["at"] >= since]
    for agent, counts in receipt_counts(recent).items():
        of(agent).receipts = counts
    spans = state_spans_from(entries, now)
    if state_spans:
        spans.update({agent: list(value) for agent, value in state_spans.items()})
    for agent, agent_spans in spans.items():
        seconds = _seconds(agent_spans, since, now)
        if seconds or agent in reports:
            of(agent).seconds = seconds
    return reports


def report_to_json(report: Mapping[str, AgentReport], *, now: float | None = None,
                   since: float | None = None) -> dict[str, Any]:
    return {"generated_at": now, "since": since,
            "agents": [agent_report.to_dict() for agent_report in report.values()]}


def format_duration(seconds: float) -> str:
    """`0s`, `45s`, `12m`, `1h 05m`.

    >>> [format_duration(s) for s in (0, 45.4, 720, 3900)]
    ['0s', '45s', '12m', '1h 05m']
    """
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    hours, minutes = divmod(whole // 60, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def report_to_markdown(report: Mapping[str, AgentReport], *, title: str = "Session report",
                       cost: Sequence[str] = ()) -> str:
    """A table with one row per agent, then what the period cost (`cost`, lines of words),
    then each agent's alerts and PRs."""
    lines = [f"# {title}", ""]
    if not report:
        return "\n".join(lines + ["No agent activity in the journal for this period.", ""])
    lines += ["| agent | prompts | restarts | alerts | PRs opened | PRs merged | issues "
              "| working | idle | waiting |",
              "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for r in report.values():
        lines.append(
            f"| {_cell(r.label)} | {r.prompts_sent} | {r.restarts} | {len(r.alerts)} "
            f"| {len(r.prs_opened)} | {len(r.prs_merged)} | {_cell(', '.join(r.issues)) or '-'} "
            f"| {format_duration(r.working)} | {format_duration(r.idle)} "
            f"| {format_duration(r.waiting)} |")
    if cost:
        lines += ["", "## What it cost", "", *(f"- {_cell(line)}" for line in cost)]
    for r in report.values():
        details = []
        details += [f"- alert: {_cell(text)}" for text in r.alerts]
        if r.prs_opened:
            details.append(f"- PRs opened: {', '.join(r.prs_opened)}")
        if r.prs_merged:
            details.append(f"- PRs merged: {', '.join(r.prs_merged)}")
        extra = [f"{n} {word}" for n, word in ((r.handoffs, "handoffs"), (r.kills, "kills"),
                 (r.approvals, "approvals"), (r.denials, "denials"),
                 (r.interrupts, "interrupts")) if n]
        if extra:
            details.append(f"- also: {', '.join(extra)}")
        if details:
            lines += ["", f"## {r.label}", "", *details]
    return "\n".join(lines) + "\n"
