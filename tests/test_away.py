"""The away summary from a journal and a snapshot: what each agent did, what waits for the
person in attention order, and what was done on their behalf."""

from __future__ import annotations

from orchestra_tui.core.away.summary import away_summary, away_text
from orchestra_tui.core.fleet.state import AgentView
from orchestra_tui.models import AgentStatus, State


def view(name: str, state: State, since: float, reason: str = "") -> AgentView:
    return AgentView(status=AgentStatus(name=name, pane_id="%1", tool="claude", state=state,
                                        reason=reason or state.value, since=since))


JOURNAL = [
    {"event": "state", "agent": "api", "state": "working", "at": 50.0},
    {"event": "prompt_sent", "agent": "web", "text": "old", "at": 90.0},
    {"event": "state", "agent": "api", "state": "idle", "at": 200.0},
    {"event": "prompt_sent", "agent": "api", "text": "next", "source": "queue", "at": 210.0},
    {"event": "state", "agent": "api", "state": "working", "at": 211.0},
    {"event": "pr_opened", "agent": "api", "repo": "o/r", "number": 7, "at": 300.0},
    {"event": "state", "agent": "api", "state": "idle", "at": 400.0},
    {"event": "rule", "agent": "web", "rule": "overloaded", "action": "continue", "at": 500.0},
    {"event": "state", "agent": "web", "state": "approval", "at": 600.0},
]


def test_what_happened_since_the_person_left() -> None:
    views = [view("api", State.IDLE, 400), view("web", State.APPROVAL, 600, "approval: Bash"),
             view("db", State.BLOCKED, 100, "blocked: 529")]
    summary = away_summary(JOURNAL, views, since=100.0, now=1000.0)
    api = next(a for a in summary.agents if a.agent == "api")
    assert (api.prompts_sent, api.turns_finished, api.prs_opened) == (1, 2, ["o/r#7"])
    assert next(a for a in summary.agents if a.agent == "web").prompts_sent == 0  # before
    assert [w.agent for w in summary.waiting] == ["web", "db"]  # approval first
    assert summary.on_your_behalf == ["api: sent a queued prompt",
                                      "web: rule overloaded did continue"]
    text = away_text(summary)
    assert "Waiting for you:\n  web: approval for" in text
    assert "api: 1 prompts sent; 2 turns finished; opened o/r#7" in text


def test_nothing_happened_is_one_line() -> None:
    summary = away_summary([], [view("api", State.IDLE, 0)], since=100.0, now=200.0)
    assert away_text(summary).endswith("nothing happened.")
