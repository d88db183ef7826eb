"""Pilot tests for every binding of the merge panel (with its confirm and reason dialogs) and the
issues screen, against the real stand-in over loopback HTTP. The app starts once per test in the
`pilot` fixture (tests/github_pilot.py)."""

from __future__ import annotations

from textual.widgets import Input, Static

from orchestra_tui.ui.screens.confirm import ConfirmScreen, ReasonScreen
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.inbox import InboxScreen
from orchestra_tui.ui.screens.issues import IssuesScreen
from orchestra_tui.ui.screens.merge import MergeScreen
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.widgets.gate_detail import GateDetail
from orchestra_tui.ui.widgets.issue_tree import IssueTree
from orchestra_tui.ui.widgets.markdown_detail import MarkdownDetail
from orchestra_tui.ui.widgets.pull_table import PullTable
from tests.github_pilot import *  # noqa: F403
from tests.github_pilot import (
    cursor_to_pull,
    notes,
    open_screen,
    settle,
    status_text,
    tree_labels,
)


def gate_text(screen) -> str:
    return str(screen.query_one(GateDetail).query_one(Static).content)


# -- merge panel --------------------------------------------------------------------------------


async def test_merge_panel_gates_and_M_merges_the_ready_pull_pinned(pilot, standin, journal):
    app = pilot.app
    await open_screen(pilot, "m", MergeScreen)
    assert "7 open PRs  1 ready to merge" in status_text(app.screen)
    await cursor_to_pull(pilot, 101)
    gate = gate_text(app.screen)
    assert "NOT READY" in gate and "check 'ci/test' failing" in gate
    assert "ci/test" in gate and "required" in gate
    await pilot.press("M")  # not ready: refused before any dialog
    await settle(pilot)
    assert isinstance(app.screen, MergeScreen)
    assert any("is not ready" in n for n in notes(app))
    await cursor_to_pull(pilot, 103)
    sha = app.screen.query_one(PullTable).selected.gate.head_sha
    assert "READY" in gate_text(app.screen)
    await pilot.press("M")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    facts = str(app.screen.query_one("#confirm-facts", Static).content)
    assert "Add order export endpoint" in facts and sha in facts
    await pilot.press("n")  # cancel: nothing merged
    await settle(pilot)
    assert standin.merges == []
    await pilot.press("M")
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)
    assert standin.merges == [("acme/shop", 103, sha)]
    assert standin.pull("acme/shop", 103).state == "MERGED"
    assert any(f"Merged acme/shop#103 at {sha[:7]}" in n for n in notes(app))
    assert app.desk.pull("acme/shop", 103) is None  # refreshed: gone from the panel
    assert "squash-merged at" in status_text(app.screen)
    [entry] = journal.read(events=["merge"])
    assert (entry["number"], entry["sha"], entry["method"]) == (103, sha, "squash")


async def test_a_head_that_moved_after_the_gate_was_shown_is_refused(pilot, standin):
    app = pilot.app
    await open_screen(pilot, "m", MergeScreen)
    await cursor_to_pull(pilot, 103)
    shown = app.screen.query_one(PullTable).selected.gate.head_sha
    await pilot.press("M")
    await settle(pilot)
    moved = standin.push("acme/shop", 103)  # the agent pushes while the dialog is open
    await pilot.press("enter")
    await settle(pilot)
    assert standin.merges == []
    assert standin.pull("acme/shop", 103).state == "OPEN"
    assert any("head moved, re-check" in n for n in notes(app))
    assert "head moved" in status_text(app.screen)
    # re-read: the panel now shows the new head
    assert app.desk.pull("acme/shop", 103).pr.head_sha == moved != shown
    puts = [p for m, p, _ in standin.log if m == "PUT" and p.endswith("/merge")]
    assert len(puts) == 1  # never retried


async def test_405_shows_githubs_reason(pilot, standin):
    await open_screen(pilot, "m", MergeScreen)
    await cursor_to_pull(pilot, 103)
    standin.inject(405, path="/merge$", message="Base branch was modified.")
    await pilot.press("M", "y")
    await settle(pilot)
    assert standin.merges == []
    assert any("Base branch was modified" in n for n in notes(pilot.app))


async def test_u_updates_the_branch_with_the_expected_head(pilot, standin, journal):
    app = pilot.app
    await open_screen(pilot, "m", MergeScreen)
    await cursor_to_pull(pilot, 102)
    expected = app.screen.query_one(PullTable).selected.pr.head_sha
    await pilot.press("u")
    await settle(pilot)
    assert [(m, s) for m, p, s in standin.log if "update-branch" in p] == [("PUT", 202)]
    # 202, not 422: the stand-in checked expected_head_sha against the head
    assert journal.read(events=["update_branch"])[0]["sha"] == expected
    assert any("Updating pull request branch" in n for n in notes(app))
    assert journal.read(events=["update_branch"])[0]["number"] == 102


async def test_A_admin_merge_only_after_a_typed_reason(pilot, standin, journal):
    app = pilot.app
    standin.repo("acme/shop").strict = False  # the stand-in lets a behind branch merge
    await open_screen(pilot, "m", MergeScreen)
    await cursor_to_pull(pilot, 102)
    pull = app.screen.query_one(PullTable).selected
    await pilot.press("A")
    await settle(pilot)
    assert isinstance(app.screen, ReasonScreen)
    await pilot.press("enter")  # no reason: stays, nothing merged
    await settle(pilot)
    assert isinstance(app.screen, ReasonScreen) and standin.merges == []
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, MergeScreen) and standin.merges == []
    await pilot.press("A")
    await settle(pilot)
    app.screen.query_one(Input).focus()
    await pilot.press(*"release blocker", "enter")
    await settle(pilot)
    assert standin.merges == [("acme/shop", 102, pull.gate.head_sha)]
    [entry] = journal.read(events=["merge"])
    assert entry["reason"] == "release blocker" and entry["admin"] is True


async def test_merge_panel_o_opens_the_pull_and_screens_switch(pilot, monkeypatch):
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    await open_screen(pilot, "m", MergeScreen)
    await cursor_to_pull(pilot, 103)
    await pilot.press("o")
    await settle(pilot)
    await open_screen(pilot, "i", InboxScreen)  # switch, not stack
    await open_screen(pilot, "I", IssuesScreen)
    await open_screen(pilot, "m", MergeScreen)
    await open_screen(pilot, "escape", FleetScreen)
    assert opened and opened[0].endswith("/pull/103")


# -- issues ---------------------------------------------------------------------------------------


async def test_issues_guidance_and_assign(pilot, fleet, desk, standin, journal):
    app = pilot.app
    await open_screen(pilot, "I", IssuesScreen)
    tree = app.screen.query_one(IssueTree)
    labels = tree_labels(app.screen, IssueTree)
    assert any(label.startswith("#91") for label in labels)
    assert any(label.startswith("#3") for label in labels)
    assert any("lanes: api (api/*), web (web/*)" in label for label in labels)
    await pilot.press("j")  # #91 -> #90
    await settle(pilot)
    assert tree.selected_issue.number == 90
    markdown = app.screen.query_one(MarkdownDetail)._markdown
    assert "Seen again on Friday's deploy." in markdown and "**maria**" in markdown
    await pilot.press("g")
    await settle(pilot)
    assert isinstance(app.screen, EditPromptScreen)
    area = app.screen.query_one("#edit-text")
    area.text = "Only app/webhooks.py; cap retries at 5; verify with pytest -k retry."
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, IssuesScreen)
    posted = standin.repo("acme/shop").issues[90].comments[-1].body
    assert posted.startswith("Only app/webhooks.py")
    assert "cap retries" in app.screen.query_one(MarkdownDetail)._markdown
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(app.screen, PickAgentScreen)  # acme/shop has two lanes
    await pilot.press("enter")  # api
    await settle(pilot)
    [item] = fleet.store.items("api")
    assert "#90" in item.text and "api/*" in item.text
    assert item.source == "issue:acme/shop#90"
    assert desk.current_issue("api") == "#90"
    assert app.desk.current_issue("api") == "#90"
    labels = tree_labels(app.screen, IssueTree)
    assert any(label.startswith("#90") and "← api" in label for label in labels)
    assert "on it: api #90" in status_text(app.screen)
    # the docs lane has one agent: a assigns without asking
    await pilot.press("j", "j")
    await settle(pilot)
    assert tree.selected_issue.number == 3
    await pilot.press("a")
    await settle(pilot)
    assert [i.source for i in fleet.store.items("docs")] == ["issue:acme/docs#3"]
    assert journal.read(events=["issue_assigned"])[-1]["agent"] == "docs"


async def test_issues_R_reloads_and_o_opens(pilot, standin, monkeypatch):
    import webbrowser

    from orchestra_tui.demo.standin.state import SIssue

    app = pilot.app
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    await open_screen(pilot, "I", IssuesScreen)
    standin.repo("acme/shop").issues[92] = SIssue(92, "Add a health endpoint")
    await pilot.press("R")
    await settle(pilot)
    assert any(label.startswith("#92") for label in tree_labels(app.screen, IssueTree))
    await pilot.press("o")
    await settle(pilot)
    await open_screen(pilot, "escape", FleetScreen)
    assert opened == ["https://github.com/acme/shop/issues/91"]  # the cursor stayed put


async def test_issue_errors_are_a_state(pilot, standin):
    standin.inject(401, times=None)
    await open_screen(pilot, "I", IssuesScreen)
    assert "GitHub refused the token" in status_text(pilot.app.screen)


async def test_a_repository_whose_issues_fail_is_its_lanes_row(pilot, standin):
    standin.inject(404, times=None, path="^/repos/acme/docs/issues")
    app = pilot.app
    await open_screen(pilot, "I", IssuesScreen)
    labels = tree_labels(app.screen, IssueTree)
    assert any("acme/docs" in label and "GitHub: not found" in label for label in labels)
    assert any(label.startswith("#91") for label in labels)  # acme/shop still read
    assert "1 repo not read: acme/docs" in status_text(app.screen)
