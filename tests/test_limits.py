"""Reset times of usage limits, from the words the real CLIs print to a moment."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestra_tui.agents.walls import reset_time
from orchestra_tui.core.away.limits import reset_moment

SEEN = dt.datetime(2026, 12, 7, 13, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize("banner,expected", [
    # Codex (issues #4095, #47047; the curly apostrophe is the real one)
    ("■ You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) or "
     "try again in 4 days 6 hours 37 minutes.", "2026-12-11T19:42:00+00:00"),
    ("■ You’ve hit your usage limit. Visit https://chatgpt.com/codex/settings/usage to "
     "purchase more credits or try again at 2:51 PM.", "2026-12-07T14:51:00+00:00"),
    # Claude Code
    ("You've hit your limit · resets 3pm (Europe/Berlin)", "2026-12-07T15:00:00+01:00"),
    ("5-hour limit reached ∙ resets 2:51pm", "2026-12-07T14:51:00+00:00"),
    ("Claude AI usage limit reached|1796656800", "2026-12-07T15:20:00+00:00"),
    ("You've hit your limit · resets May 5 at 9pm (America/New_York)",
     "2027-05-05T21:00:00-04:00"),
    ("Access resets at 2:00 PM PST.", "2026-12-07T14:00:00-08:00"),
])
def test_real_banners_give_their_reset_moment(banner: str, expected: str) -> None:
    words = reset_time(banner)
    assert words is not None
    moment = reset_moment(words, SEEN)
    assert moment is not None and moment.isoformat() == expected


@pytest.mark.parametrize("words", ["later", "soon", "in a while", "25:00", "13pm", "Feb 30 at 9am"])
def test_words_without_a_time_give_none(words: str) -> None:
    assert reset_moment(words, SEEN) is None


@given(st.integers(0, 23), st.integers(0, 59),
       st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1),
                    timezones=st.just(dt.UTC)))
def test_a_time_of_day_is_the_next_one_within_a_day(hour, minute, seen) -> None:
    moment = reset_moment(f"{hour:02d}:{minute:02d}", seen)
    assert moment is not None
    assert seen < moment <= seen + dt.timedelta(days=1)
    assert (moment.hour, moment.minute) == (hour, minute)


@given(st.integers(0, 30), st.integers(0, 23), st.integers(0, 59))
def test_a_span_adds_up(days, hours, minutes) -> None:
    moment = reset_moment(f"in {days} days {hours} hours {minutes} minutes", SEEN)
    assert moment == SEEN + dt.timedelta(days=days, hours=hours, minutes=minutes)
