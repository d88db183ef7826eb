"""Rules for routine stalls, and resuming after a usage limit: once per occurrence, within a
daily budget counted from the journal, never an answer to a permission dialog, never over the
person's own hands."""

from __future__ import annotations

import random
import re

import pytest

from orchestra_tui.core.away.limit_resume import decide_resume, new_wait, resumes_today
from orchestra_tui.core.away.stall_rules import RuleAction, StallRule, due, fired_today
from orchestra_tui.models import State

NUDGE = StallRule("overloaded", State.BLOCKED, after=120, action=RuleAction.CONTINUE,
                  reason=re.compile(r"529|overloaded", re.IGNORECASE), per_day=2)


def firing(now: float, entries=(), reason: str = "blocked: API Error 529 Overloaded",
           since: float = 1000.0):
    counts, occurrences = fired_today(entries, now)
    return due([NUDGE], agent="api", state=State.BLOCKED, reason=reason, since=since, now=now,
               counts=counts, occurrences=occurrences)


def test_a_rule_fires_after_its_time_when_the_reason_matches() -> None:
    assert firing(1000 + 119) == []
    (fired,) = firing(1000 + 120)
    assert (fired.rule.name, fired.agent, fired.occurrence) == ("overloaded", "api",
                                                                 "blocked:1000")
    assert firing(2000, reason="blocked: permission denied") == []


def test_once_per_occurrence_and_within_the_daily_budget() -> None:
    journal = [{"event": "rule", "rule": "overloaded", "agent": "api",
                "occurrence": "blocked:1000", "at": 1200.0}]
    assert firing(1300, journal) == []  # this occurrence had its firing
    assert len(firing(5000, journal, since=4000)) == 1  # a new occurrence: fires
    journal.append({"event": "rule", "rule": "overloaded", "agent": "api",
                    "occurrence": "blocked:4000", "at": 4200.0})
    assert firing(9000, journal, since=8000) == []  # two today: the budget is spent
    assert len(firing(4200 + 86400, journal, since=4200 + 86000)) == 1  # a day later


@pytest.mark.parametrize("action", [RuleAction.CONTINUE, RuleAction.QUEUE, RuleAction.RESTART])
def test_no_rule_answers_a_permission_dialog(action) -> None:
    with pytest.raises(ValueError, match="never answers a permission dialog"):
        StallRule("yes", State.APPROVAL, after=0, action=action, prompt="x")
    StallRule("tell", State.APPROVAL, after=600, action=RuleAction.NOTIFY)


def test_a_queue_rule_needs_its_prompt() -> None:
    with pytest.raises(ValueError, match="needs a prompt"):
        StallRule("q", State.IDLE, after=60, action=RuleAction.QUEUE, prompt="  ")


def test_resume_waits_for_the_reset_and_its_delay() -> None:
    wait = new_wait("api", began=1000, resets_at=5000, rng=random.Random(1))
    assert 5005 <= wait.resume_at <= 5090
    assert not decide_resume(wait, now=5000, resumed_today=0).due
    assert decide_resume(wait, now=wait.resume_at, resumed_today=0).due


def test_resume_never_over_the_persons_hands_nor_past_the_budget() -> None:
    wait = new_wait("api", began=1000, resets_at=5000, rng=random.Random(1))
    touched = decide_resume(wait, now=9000, resumed_today=0, touched_at=1500)
    assert not touched.due and "touched" in touched.why
    assert decide_resume(wait, now=9000, resumed_today=0, touched_at=900).due  # before it
    spent = decide_resume(wait, now=9000, resumed_today=3, per_day=3)
    assert not spent.due and "at most 3" in spent.why


def test_resumes_are_counted_from_the_journal_per_agent_and_day() -> None:
    entries = [{"event": "limit_resume", "agent": "api", "at": 100.0},
               {"event": "limit_resume", "agent": "web", "at": 100.0},
               {"event": "limit_resume", "agent": "api", "at": 90000.0}]
    assert resumes_today(entries, "api", now=90100.0) == 1
