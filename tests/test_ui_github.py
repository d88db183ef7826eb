"""Pilot tests for every binding of the GitHub screens (inbox, merge panel, issues, the confirm
and reason dialogs) against the real stand-in over loopback HTTP: no mocks between the app and
GitHub's HTTP answers. The fleet is `FixedFleet` with a real QueueStore."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input, Static

from orchestra_tui.core.desk import Desk
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.journal import Journal
from orchestra_tui.ui.app import AppOptions, OrchestraApp
from orchestra_tui.ui.screens.confirm import ConfirmScreen, ReasonScreen
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.help import HelpScreen
from orchestra_tui.ui.screens.inbox import InboxScreen
from orchestra_tui.ui.screens.issues import IssuesScreen
from orchestra_tui.ui.screens.merge import MergeScreen
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.widgets.desk_status import DeskStatus
from orchestra_tui.ui.widgets.gate_detail import GateDetail
from orchestra_tui.ui.widgets.issue_tree import IssueTree
from orchestra_tui.ui.widgets.markdown_detail import MarkdownDetail
from orchestra_tui.ui.widgets.pull_table import PullTable
from orchestra_tui.ui.widgets.thread_tree import ThreadTree
from tests.github_fixtures import *  # noqa: F403
from tests.github_fixtures import TOKEN
from tests.ui_data import FixedFleet, _view

OPTIONS = AppOptions(poll=False)
SIZE = (150, 40)
AGENTS = (AgentSpec("api", repo="acme/shop", branch="api/*"),
          AgentSpec("web", repo="acme/shop", branch="web/*"),
          AgentSpec("docs", repo="acme/docs"))


@pytest.fixture
def fleet(tmp_path) -> FixedFleet:
    views = [_view(spec.name, "claude", State.IDLE, "idle: composer", since=0.0,
                   repo=spec.repo, branch=spec.branch, pane=f"%{n}")
             for n, spec in enumerate(AGENTS, 1)]
    return FixedFleet(tmp_path / "store", views)


@pytest.fixture
def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "journal.jsonl")


@pytest.fixture
def desk(github, journal, tmp_path) -> Desk:
    return Desk(github, AGENTS, journal=journal, state_path=tmp_path / "desk.json")


async def settle(pilot) -> None:
    """Until no worker runs (an action's worker may start a refresh worker)."""
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        running = [w for w in app.workers if w.is_running]
        if not running:
            await pilot.pause()
            return
        await app.workers.wait_for_complete(running)
    raise AssertionError("workers never settled")


def status_text(screen) -> str:
    return str(screen.query_one(DeskStatus).content)


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


async def open_screen(pilot, key: str, kind) -> None:
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, kind)


async def cursor_to_thread(pilot, author: str) -> None:
    tree = pilot.app.screen.query_one(ThreadTree)
    for _ in range(20):
        entry = tree.selected_entry
        if entry is not None and entry.thread.author == author:
            return
        await pilot.press("j")
    raise AssertionError(f"no thread by {author}")


async def cursor_to_pull(pilot, number: int) -> None:
    table = pilot.app.screen.query_one(PullTable)
    for _ in range(20):
        if table.selected is not None and table.selected.pr.number == number:
            return
        await pilot.press("j")
    raise AssertionError(f"no PR #{number}")


def tree_threads(app) -> list[str]:
    groups = app.desk.inbox()
    return [e.thread.author for _, pulls in groups for _, es in pulls for e in es]


# -- inbox ----------------------------------------------------------------------------------


async def test_inbox_lists_the_bugbot_finding_with_severity_and_s_queues_it(fleet, desk):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "i", InboxScreen)
        tree = app.screen.query_one(ThreadTree)
        labels = {str(node.label) for node in tree._tree_nodes.values()}
        bugbot = next(label for label in labels if "cursor" in label)
        assert "HIGH" in bugbot and "app/webhooks.py:57" in bugbot and "bot" in bugbot
        assert any("MAJOR" in label and "coderabbitai" in label for label in labels)
        assert any("maria" in label and "human" in label for label in labels)
        assert any(label.startswith("unassigned") for label in labels)
        assert "5 open review threads on 2 PRs" in status_text(app.screen)
        await cursor_to_thread(pilot, "cursor")
        detail = app.screen.query_one(MarkdownDetail)
        assert "retry_webhook" in detail._markdown  # the comment, as Markdown
        assert "BUGBOT_BUG_ID" not in detail._markdown
        await pilot.press("s")
        await settle(pilot)
        [item] = fleet.store.items("api")
        assert "app/webhooks.py:57" in item.text and "high severity" in item.text
        assert item.source.startswith("inbox:PRRT_")
        entry = tree.selected_entry
        assert entry.queued_for == "api"  # marked in the list


async def test_enter_sends_and_unassigned_asks_which_agent(fleet, desk):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "i", InboxScreen)
        await cursor_to_thread(pilot, "maria")
        await pilot.press("enter")
        await settle(pilot)
        assert ["app/webhooks.py:60" in i.text for i in fleet.store.items("api")] == [True]
        # the renovate PR belongs to no lane: s asks for an agent
        tree = app.screen.query_one(ThreadTree)
        for _ in range(10):
            if tree.selected_entry and tree.selected_entry.pull.pr.agent is None:
                break
            await pilot.press("j")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PickAgentScreen)
        await pilot.press("down", "enter")  # api, web, docs: web
        await settle(pilot)
        [item] = fleet.store.items("web")
        assert "requirements.txt:4" in item.text


async def test_r_resolves_on_github_and_the_thread_leaves(fleet, desk, standin):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "i", InboxScreen)
        await cursor_to_thread(pilot, "cursor")
        thread_id = app.screen.query_one(ThreadTree).selected_entry.thread.id
        await pilot.press("r")
        await settle(pilot)
        resolved = [t for t in standin.pull("acme/shop", 101).threads if t.id == thread_id]
        assert resolved[0].is_resolved
        assert "cursor" not in tree_threads(app)
        labels = [str(n.label) for n in app.screen.query_one(ThreadTree)._tree_nodes.values()]
        assert not any("cursor" in label for label in labels)


async def test_z_snoozes_persistently_and_Z_shows_snoozed(fleet, desk, tmp_path):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "i", InboxScreen)
        await cursor_to_thread(pilot, "coderabbitai")
        thread_id = app.screen.query_one(ThreadTree).selected_entry.thread.id
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, PickAgentScreen)
        await pilot.press("down", "enter")  # for 1 hour
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        stored = json.loads((tmp_path / "desk.json").read_text())["snoozed"]
        assert stored[thread_id]["until"] is not None
        assert thread_id in app.desk.snoozed
        assert "1 snoozed (Z shows)" in status_text(app.screen)
        ids = [e.thread.id for _, ps in app.desk.inbox() for _, es in ps for e in es]
        assert thread_id not in ids
        await pilot.press("Z")
        await settle(pilot)
        labels = [str(n.label) for n in app.screen.query_one(ThreadTree)._tree_nodes.values()]
        assert any("snoozed" in label and "coderabbitai" in label for label in labels)
        # z on a snoozed thread wakes it
        tree = app.screen.query_one(ThreadTree)
        for _ in range(10):
            if tree.selected_entry and tree.selected_entry.snoozed:
                break
            await pilot.press("j")
        await pilot.press("z")
        await settle(pilot)
        assert thread_id not in app.desk.snoozed


async def test_o_opens_the_thread_in_a_browser_off_the_loop(fleet, desk, monkeypatch):
    import threading
    import webbrowser

    opened: list[tuple[str, bool]] = []

    def record(url: str, *args, **kwargs) -> bool:
        opened.append((url, threading.current_thread() is threading.main_thread()))
        return True

    monkeypatch.setattr(webbrowser, "open", record)
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "i", InboxScreen)
        await cursor_to_thread(pilot, "cursor")
        url = app.screen.query_one(ThreadTree).selected_entry.thread.url
        await pilot.press("o")
        await settle(pilot)
    assert opened == [(url, False)]


async def test_R_refreshes_and_escape_goes_back(fleet, desk, standin):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "i", InboxScreen)
        assert "maria" in tree_threads(app)
        for thread in standin.pull("acme/shop", 101).threads:  # resolved on github.com
            if thread.comments[0].author == "maria":
                thread.is_resolved = True
        await pilot.press("R")
        await settle(pilot)
        assert "maria" not in tree_threads(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FleetScreen)


@pytest.mark.parametrize("status,shown", [
    (401, "GitHub refused the token"),
    (429, "GitHub rate limit reached"),
])
async def test_401_and_rate_limit_are_states(fleet, desk, standin, status, shown):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "m", MergeScreen)
        standin.inject(status, times=None, reset_in=600)
        await pilot.press("R")
        await settle(pilot)
        text = status_text(app.screen)
        assert shown in text
        if status == 429:
            assert "resets in 10m" in text
        else:
            assert "GH_TOKEN" in text
        assert TOKEN not in text
        # the last PRs stay listed; nothing crashed
        assert app.screen.query_one(PullTable).row_count == 7
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen) and shown in status_text(app.screen)


async def test_unreachable_github_is_a_state(fleet, refused_url, tmp_path):
    from orchestra_tui.services.github import GitHubService

    service = GitHubService(TOKEN, api_url=refused_url, timeout=2.0)
    desk = Desk(service, AGENTS, state_path=tmp_path / "desk.json")
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "m", MergeScreen)
        assert "Reading GitHub" in status_text(app.screen)
        await pilot.press("R")
        await settle(pilot)
        assert "GitHub unreachable" in status_text(app.screen)
        assert "connection refused" in status_text(app.screen)
    await service.aclose()


async def test_not_configured(fleet):
    app = OrchestraApp(fleet, OPTIONS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, kind in (("i", InboxScreen), ("m", MergeScreen), ("I", IssuesScreen)):
            await open_screen(pilot, key, kind)
            assert "GitHub not configured" in status_text(app.screen)
            await pilot.press("R")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        assert any("GitHub not configured" in n for n in notes(app))


# -- merge panel --------------------------------------------------------------------------------


async def test_merge_panel_gates_and_M_merges_the_ready_pull_pinned(fleet, desk, standin,
                                                                     journal):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "m", MergeScreen)
        assert "7 open PRs  1 ready to merge" in status_text(app.screen)
        await cursor_to_pull(pilot, 101)
        gate = str(app.screen.query_one(GateDetail).query_one(Static).content)
        assert "NOT READY" in gate and "check 'ci/test' failing" in gate
        assert "ci/test" in gate and "required" in gate
        await pilot.press("M")  # not ready: refused before any dialog
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen)
        assert any("is not ready" in n for n in notes(app))
        await cursor_to_pull(pilot, 103)
        ready = app.screen.query_one(PullTable).selected
        sha = ready.gate.head_sha
        assert "READY" in str(app.screen.query_one(GateDetail).query_one(Static).content)
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


async def test_a_head_that_moved_after_the_gate_was_shown_is_refused(fleet, desk, standin):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
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


async def test_405_shows_githubs_reason(fleet, desk, standin):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "m", MergeScreen)
        await cursor_to_pull(pilot, 103)
        standin.inject(405, path="/merge$", message="Base branch was modified.")
        await pilot.press("M", "y")
        await settle(pilot)
        assert standin.merges == []
        assert any("Base branch was modified" in n for n in notes(app))


async def test_u_updates_the_branch_with_the_expected_head(fleet, desk, standin, journal):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
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


async def test_A_admin_merge_only_after_a_typed_reason(fleet, desk, standin, journal):
    standin.repo("acme/shop").strict = False  # the stand-in lets a behind branch merge
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
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


async def test_merge_panel_o_opens_the_pull(fleet, desk, monkeypatch):
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "m", MergeScreen)
        await cursor_to_pull(pilot, 103)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("i")  # switch, not stack
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        await pilot.press("I")
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FleetScreen)
    assert opened and opened[0].endswith("/pull/103")


# -- issues ---------------------------------------------------------------------------------------


async def test_issues_guidance_and_assign(fleet, desk, standin, journal):
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "I", IssuesScreen)
        tree = app.screen.query_one(IssueTree)
        labels = [str(n.label) for n in tree._tree_nodes.values()]
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
        labels = [str(n.label) for n in tree._tree_nodes.values()]
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


async def test_issues_R_reloads_and_o_opens(fleet, desk, standin, monkeypatch):
    import webbrowser

    from orchestra_tui.demo.standin_state import SIssue

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "I", IssuesScreen)
        standin.repo("acme/shop").issues[92] = SIssue(92, "Add a health endpoint")
        await pilot.press("R")
        await settle(pilot)
        labels = [str(n.label) for n in app.screen.query_one(IssueTree)._tree_nodes.values()]
        assert any(label.startswith("#92") for label in labels)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FleetScreen)
    assert opened == ["https://github.com/acme/shop/issues/91"]  # the cursor stayed put


async def test_issue_errors_are_a_state(fleet, desk, standin):
    standin.inject(401, times=None)
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_screen(pilot, "I", IssuesScreen)
        assert "GitHub refused the token" in status_text(app.screen)


# -- help and palette ------------------------------------------------------------------------------


async def test_help_and_palette_come_from_the_bindings(fleet, desk):
    await desk.refresh()
    app = OrchestraApp(fleet, OPTIONS, desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Inbox", "Merge", "Issues", "Refresh GitHub"} <= titles
        await open_screen(pilot, "m", MergeScreen)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for binding in MergeScreen.BINDINGS:
            assert binding.description in titles
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert [title for title, _ in app.screen.sections][-3:] == [
            "Review inbox", "Merge panel", "Issues"]


async def test_the_refresh_loop_runs_when_the_app_polls(fleet, desk, standin):
    app = OrchestraApp(fleet, AppOptions(poll=True, poll_seconds=0.05), desk=desk)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.desk.loaded:
                break
        assert app.desk.pull("acme/shop", 103) is not None
        await pilot.press("i")
        await pilot.pause()
        first = app.desk.at
        for thread in standin.pull("acme/shop", 101).threads:
            thread.is_resolved = True
        await pilot.press("R")  # wakes the loop
        for _ in range(100):
            await pilot.pause(0.05)
            if app.desk.at != first and "cursor" not in tree_threads(app):
                break
        assert "cursor" not in tree_threads(app)
