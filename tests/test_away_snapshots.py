"""The away summary drawn, as the person finds it coming back: what waits for them in attention
order, what the agents did, what rules, resumes and auto_approve did for them; at 80x24 and
160x45."""

from __future__ import annotations

from orchestra_tui.core.away.summary import away_summary, away_text
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.controllers.away import AwaySummaryReady
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.away import AwayScreen
from tests.ui_data import AT, FixedFleet, fixed_views

LEFT = AT - 3 * 3600
JOURNAL = [
    {"event": "prompt_sent", "agent": "web", "text": "add the retry", "at": LEFT + 60},
    {"event": "state", "agent": "web", "state": "working", "at": LEFT + 61},
    {"event": "state", "agent": "web", "state": "idle", "at": LEFT + 900},
    {"event": "pr_opened", "agent": "web", "repo": "acme/web", "number": 412, "at": LEFT + 950},
    {"event": "prompt_sent", "agent": "web", "text": "next", "source": "queue", "at": LEFT + 960},
    {"event": "state", "agent": "web", "state": "working", "at": LEFT + 961},
    {"event": "auto_approve", "agent": "parser", "command": "npm test", "at": LEFT + 1200},
    {"event": "rule", "agent": "ingest", "rule": "overloaded", "action": "continue",
     "at": LEFT + 2000},
    {"event": "limit_resume", "agent": "parser", "resets": "3pm", "at": LEFT + 5000},
    {"event": "merge", "agent": "parser", "repo": "acme/parser", "number": 88,
     "at": LEFT + 6000},
]


def summary_text() -> str:
    return away_text(away_summary(JOURNAL, fixed_views(), since=LEFT, now=AT))


async def _coming_back(pilot) -> None:
    pilot.app.post_message(AwaySummaryReady(summary_text()))
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, AwayScreen)


def _app(tmp_path) -> OrchestraApp:
    return OrchestraApp(FixedFleet(tmp_path), AppOptions(poll=False))


def test_the_away_summary_80x24(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=_coming_back)


def test_the_away_summary_160x45(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(160, 45), run_before=_coming_back)


def test_the_summary_says_what_was_done_for_the_person():
    text = summary_text()
    assert "parser: approved npm test (auto_approve)" in text
    assert "ingest: rule overloaded did continue" in text
    assert "web: 2 prompts sent; 1 turns finished; opened acme/web#412" in text
    assert "merged acme/parser#88" in text
