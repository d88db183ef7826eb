"""Severity read from the markup review bots use; never raises, never guesses from prose."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestra_tui.core.desk.severity import severity_of
from orchestra_tui.demo.standin import seed

WORDS = {"critical", "high", "major", "medium", "minor", "low", "trivial", "info", "nitpick"}


@pytest.mark.parametrize("body,author,expected", [
    (seed.BUGBOT_HIGH, "cursor", "high"),
    (seed.BUGBOT_LOW, "cursor[bot]", "low"),
    ("### X\n\n**Medium Severity**\n\n<!-- BUGBOT_BUG_ID: 1 -->", "cursor", "medium"),
    ("**Critical Severity**", "cursor", "critical"),
    (seed.CODERABBIT_MAJOR, "coderabbitai", "major"),
    (seed.CODERABBIT_MINOR, "coderabbitai[bot]", "minor"),
    ("_⚠️ Potential issue_ | _🔴 Critical_\n\n**Bad.**", "coderabbitai", "critical"),
    ("_🛠️ Refactor suggestion_ | _🟠 Major_\n\nX", "coderabbitai", "major"),
    ("_:warning: Potential issue_ | _:orange_circle: Major_", "coderabbitai", "major"),
    ("_🧹 Nitpick (assertive)_\n\nRename.", "coderabbitai", "nitpick"),
    ("_🔵 Trivial_\n\nx", "coderabbitai", "trivial"),
    ("_⚠️ Potential issue_\n\nNo severity tag in older CodeRabbit.", "coderabbitai", None),
    (seed.COPILOT, "copilot-pull-request-reviewer", None),
    (seed.HUMAN, "maria", None),
    ("Severity: High\n\nThis leaks memory.", "maria", "high"),
    ("**Severity**: minor — typo", "maria", "minor"),
    ("**<sub><sub>![P1 Badge](https://img.shields.io/badge/P1-orange)</sub></sub>** Fix",
     "chatgpt-codex-connector", "high"),
    ("This is a _major_ refactor, mind the high severity risk.", "maria", None),
    ("use snake_case_names_here", "maria", None),
    ("", "maria", None),
])
def test_severity_of(body, author, expected) -> None:
    assert severity_of(body, author) == expected


def test_markup_far_down_is_quoted_prose_not_a_verdict() -> None:
    body = "Thanks!\n" + "\n".join(["line"] * 20) + "\n**High Severity**"
    assert severity_of(body, "maria") is None


@settings(max_examples=300)
@given(st.text(), st.text(max_size=40))
def test_never_raises_and_answers_a_lowercase_word(body, author) -> None:
    result = severity_of(body, author)
    assert result is None or result in WORDS


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["_", "**", "|", "🟠", "Major", "High Severity", "\n", " ",
                                 "<!--", "![P0 Badge]", "Severity:", "nit"]), max_size=30))
def test_never_raises_on_markup_soup(parts) -> None:
    result = severity_of("".join(parts), "x")
    assert result is None or result in WORDS


def test_non_string_body_is_none() -> None:
    assert severity_of(None, "x") is None  # type: ignore[arg-type]


def test_rate_pull_reads_every_thread_and_leaves_the_rest() -> None:
    from orchestra_tui.core.desk.severity import rate_pull
    from orchestra_tui.models import PullRequest, ReviewThread

    def thread(n: int, author: str, body: str) -> ReviewThread:
        return ReviewThread(f"T{n}", "o/r", 1, "a.py", n, author, True, body, "u", "t")

    pr = PullRequest("o/r", 1, "t", "u", "h", "sha", "main",
                     threads=(thread(1, "cursor", seed.BUGBOT_HIGH), thread(2, "maria", "ok")))
    rated = rate_pull(pr)
    assert [t.severity for t in rated.threads] == ["high", None]
    assert [t.body for t in rated.threads] == [t.body for t in pr.threads]
    assert rate_pull(rated) is rated  # nothing left to read: the same object
