"""Who works on what, in the app against the real stand-in over loopback HTTP: the issues
screen and the inbox name the agent on each issue and PR, and `N` on an issue an agent already
works on says so before starting anything and offers to select that agent."""

from __future__ import annotations

from orchestra_tui.ui.screens.ask import AskScreen
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.inbox import InboxScreen
from orchestra_tui.ui.screens.issues import IssuesScreen
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.widgets.issue_tree import IssueTree
from orchestra_tui.ui.widgets.thread_tree import ThreadTree
from tests.github_pilot import *  # noqa: F403
from tests.github_pilot import open_screen, settle, tree_labels
from tests.test_ui_github_snapshots import make_app


async def test_N_on_an_issue_an_agent_works_on_offers_that_agent(pilot, fleet):
    app = pilot.app
    await open_screen(pilot, "I", IssuesScreen)
    tree = app.screen.query_one(IssueTree)
    await pilot.press("j")  # #91 -> #90
    await settle(pilot)
    assert tree.selected_issue.number == 90
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(app.screen, PickAgentScreen)
    await pilot.press("enter")  # api is on #90 now
    await settle(pilot)
    assert any(label.startswith("#90") and "← api" in label
               for label in tree_labels(app.screen, IssueTree))
    calls_before = list(fleet.calls)
    await pilot.press("N")
    await settle(pilot)
    assert isinstance(app.screen, AskScreen)  # said before anything starts
    assert app.screen.question == "api already works on #90: select api?"
    await pilot.press("n")  # nothing started, back on the issues
    await settle(pilot)
    assert isinstance(app.screen, IssuesScreen) and fleet.calls == calls_before
    await pilot.press("N")
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)
    assert isinstance(app.screen, FleetScreen)
    assert app.screen.selected == "api" and app.selected_agent == "api"
    # The inbox says which issue the agent on each PR's group works on.
    await open_screen(pilot, "i", InboxScreen)
    labels = tree_labels(app.screen, ThreadTree)
    assert any(label.startswith("api") and "on #90" in label for label in labels)


# -- drawn: fixed PRs and issues (tests/test_ui_github_snapshots.py), api on #90, docs on #3 ---


def test_issues_who_works_on_what_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, issues=True), terminal_size=(80, 24), press=["I"])


def test_issues_who_works_on_what_160x45(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, issues=True), terminal_size=(160, 45), press=["I"])


async def _N_on_the_issue_api_works_on(pilot) -> None:
    # Each key waits for what it starts: pressed blind, `j` could land before the issues
    # loaded and `N` then asked about another issue (seen once in CI).
    await open_screen(pilot, "I", IssuesScreen)
    tree = pilot.app.screen.query_one(IssueTree)
    await pilot.press("j")
    await settle(pilot)
    assert tree.selected_issue.number == 90
    await pilot.press("N")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AskScreen)


def test_N_on_an_issue_taken_asks_first_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, issues=True), terminal_size=(80, 24),
                        run_before=_N_on_the_issue_api_works_on)


def test_inbox_who_works_on_what_160x45(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, issues=True), terminal_size=(160, 45), press=["i"])
