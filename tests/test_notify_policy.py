"""Who hears of what, and when: once per occurrence and channel, at most so many a minute,
nothing in quiet hours but the urgent, nothing while the person looks at the app."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestra_tui.core.away.notify_policy import NotifyPolicy, NotifyRules, QuietHours
from orchestra_tui.services.notify.event import NotifyEvent, NotifyKind

NOON = dt.datetime(2026, 12, 7, 12, 0)
NIGHT = dt.datetime(2026, 12, 7, 23, 30)


def event(kind: NotifyKind = NotifyKind.APPROVAL, key: str = "api:approval:1") -> NotifyEvent:
    return NotifyEvent(kind=kind, agent="api", state=kind.value, reason="r", key=key)


def test_an_occurrence_is_told_once_per_channel_even_after_a_restart() -> None:
    policy = NotifyPolicy(NotifyRules(), ["push #1", "terminal"])
    assert policy.decide(event(), now=0, wall=NOON, focused=False).channels == (
        "push #1", "terminal")
    again = policy.decide(event(), now=1, wall=NOON, focused=False)
    assert again.channels == () and "told already" in again.held
    restarted = NotifyPolicy(NotifyRules(), ["push #1", "terminal"],
                             told=[("push #1", "api:approval:1")])
    assert restarted.decide(event(), now=0, wall=NOON, focused=False).channels == ("terminal",)


def test_a_new_occurrence_of_the_same_state_is_told_again() -> None:
    policy = NotifyPolicy(NotifyRules(), ["push #1"])
    policy.decide(event(key="api:approval:1"), now=0, wall=NOON, focused=False)
    assert policy.decide(event(key="api:approval:2"), now=1, wall=NOON,
                         focused=False).channels == ("push #1",)


def test_nothing_while_the_person_looks_unless_asked() -> None:
    assert NotifyPolicy(NotifyRules(), ["t"]).decide(
        event(), now=0, wall=NOON, focused=True).held == "the person is looking at the app"
    assert NotifyPolicy(NotifyRules(when_focused=True), ["t"]).decide(
        event(), now=0, wall=NOON, focused=True).channels == ("t",)


def test_quiet_hours_hold_all_but_the_urgent() -> None:
    rules = NotifyRules(quiet=QuietHours.parse("22:00-07:00"))
    policy = NotifyPolicy(rules, ["t"])
    assert policy.decide(event(NotifyKind.BLOCKED, "b"), now=0, wall=NIGHT,
                         focused=False).held == "quiet hours"
    assert policy.decide(event(NotifyKind.APPROVAL, "a"), now=0, wall=NIGHT,
                         focused=False).channels == ("t",)
    assert policy.decide(event(NotifyKind.BLOCKED, "c"), now=0, wall=NOON,
                         focused=False).channels == ("t",)


def test_routes_send_a_kind_only_where_it_is_wanted() -> None:
    rules = NotifyRules(routes={NotifyKind.BLOCKED: ("terminal",)})
    policy = NotifyPolicy(rules, ["push #1", "terminal"])
    assert policy.decide(event(NotifyKind.BLOCKED, "b"), now=0, wall=NOON,
                         focused=False).channels == ("terminal",)


def test_a_channel_hears_at_most_per_minute_events_a_minute() -> None:
    policy = NotifyPolicy(NotifyRules(per_minute=3), ["t"])
    told = [policy.decide(event(key=f"k{i}"), now=i, wall=NOON, focused=False).channels
            for i in range(5)]
    assert told == [("t",)] * 3 + [()] * 2
    assert policy.decide(event(key="k9"), now=61, wall=NOON, focused=False).channels == ("t",)


@pytest.mark.parametrize("text", ["22:00", "7-8", "25:00-07:00", ""])
def test_a_bad_quiet_hours_value_says_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        QuietHours.parse(text)


@given(st.times(), st.times(), st.times())
def test_quiet_hours_hold_exactly_inside_the_window(start, end, moment) -> None:
    quiet = QuietHours(start, end)
    if start <= end:
        assert quiet.holds(moment) == (start <= moment < end)
    else:
        assert quiet.holds(moment) == (not (end <= moment < start))
