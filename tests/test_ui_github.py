"""Pilot tests for the review inbox, the GitHub error states, help and the palette, against the
real stand-in over loopback HTTP: no mocks between the app and GitHub's HTTP answers. The app
starts once per test in the `pilot` fixture (tests/github_pilot.py); the merge panel and the
issues screen are in test_ui_github_merge.py."""

from __future__ import annotations

import json

import pytest

from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.help import HelpScreen
from orchestra_tui.ui.screens.inbox import InboxScreen
from orchestra_tui.ui.screens.issues import IssuesScreen
from orchestra_tui.ui.screens.merge import MergeScreen
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.widgets.gate_detail import GateDetail
from orchestra_tui.ui.widgets.markdown_detail import MarkdownDetail
from orchestra_tui.ui.widgets.pull_table import PullTable
from orchestra_tui.ui.widgets.thread_tree import ThreadTree
from tests.github_fixtures import TOKEN
from tests.github_pilot import *  # noqa: F403
from tests.github_pilot import (
    cursor_to_thread,
    notes,
    open_screen,
    settle,
    status_text,
    tree_labels,
    tree_threads,
)

# -- inbox ----------------------------------------------------------------------------------


async def test_inbox_lists_the_bugbot_finding_with_severity_and_s_queues_it(pilot, fleet):
    app = pilot.app
    await open_screen(pilot, "i", InboxScreen)
    labels = set(tree_labels(app.screen, ThreadTree))
    bugbot = next(label for label in labels  # a thread's row, not Bugbot's review item
                  if "cursor" in label and not label.startswith("REVIEW"))
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
    assert app.screen.query_one(ThreadTree).selected_entry.queued_for == "api"  # marked


async def test_enter_sends_and_unassigned_asks_which_agent(pilot, fleet):
    app = pilot.app
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


async def test_r_resolves_on_github_and_the_thread_leaves(pilot, standin):
    app = pilot.app
    await open_screen(pilot, "i", InboxScreen)
    await cursor_to_thread(pilot, "cursor")
    thread_id = app.screen.query_one(ThreadTree).selected_entry.thread.id
    await pilot.press("r")
    await settle(pilot)
    resolved = [t for t in standin.pull("acme/shop", 101).threads if t.id == thread_id]
    assert resolved[0].is_resolved
    assert "cursor" not in tree_threads(app)
    assert not any("cursor" in label for label in tree_labels(app.screen, ThreadTree)
                   if not label.startswith("REVIEW"))  # Bugbot's review item stays


async def test_z_snoozes_persistently_and_Z_shows_snoozed(pilot, tmp_path):
    app = pilot.app
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
    labels = tree_labels(app.screen, ThreadTree)
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


async def test_o_opens_the_thread_in_a_browser_off_the_loop(pilot, monkeypatch):
    import threading
    import webbrowser

    opened: list[tuple[str, bool]] = []

    def record(url: str, *args, **kwargs) -> bool:
        opened.append((url, threading.current_thread() is threading.main_thread()))
        return True

    monkeypatch.setattr(webbrowser, "open", record)
    await open_screen(pilot, "i", InboxScreen)
    await cursor_to_thread(pilot, "cursor")
    url = pilot.app.screen.query_one(ThreadTree).selected_entry.thread.url
    await pilot.press("o")
    await settle(pilot)
    assert opened == [(url, False)]


async def test_R_refreshes_and_escape_goes_back(pilot, standin):
    app = pilot.app
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


# -- GitHub failing: states, never tracebacks ------------------------------------------------


@pytest.mark.parametrize("status,shown", [
    (401, "GitHub refused the token"),
    (429, "GitHub rate limit reached"),
])
async def test_401_and_rate_limit_are_states(pilot, standin, status, shown):
    app = pilot.app
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


@pytest.mark.parametrize("desk", ["unreachable"], indirect=True)
@pytest.mark.parametrize("refreshed", [False])
async def test_unreachable_github_is_a_state(pilot):
    app = pilot.app
    await open_screen(pilot, "m", MergeScreen)
    assert "Reading GitHub" in status_text(app.screen)
    await pilot.press("R")
    await settle(pilot)
    assert "GitHub unreachable" in status_text(app.screen)
    assert "connection refused" in status_text(app.screen)


@pytest.mark.parametrize("desk", [None], indirect=True)
async def test_not_configured(pilot):
    app = pilot.app
    for key, kind in (("i", InboxScreen), ("m", MergeScreen), ("I", IssuesScreen)):
        await open_screen(pilot, key, kind)
        assert "GitHub not configured" in status_text(app.screen)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert any("GitHub not configured" in n for n in notes(app))


@pytest.mark.parametrize("desk", ["missing-repo"], indirect=True)
async def test_a_missing_repository_is_its_own_row_and_the_others_show(pilot):
    """Issue 10 item 8: one repository that fails fails only its own rows."""
    app = pilot.app
    await open_screen(pilot, "m", MergeScreen)
    table = app.screen.query_one(PullTable)
    assert table.row_count == 1 + 7  # the failed repository's row, then every other PR
    assert "1 repo not read: acme/gone" in status_text(app.screen)
    assert "7 open PRs  1 ready to merge" in status_text(app.screen)
    assert table.selected.pr.repo == "acme/shop"  # the cursor starts on a PR, M acts on it
    await pilot.press("k")
    assert table.selected_error[0] == "acme/gone" and table.selected is None
    gate = str(app.screen.query_one(GateDetail).query_one("Static").content)
    assert "acme/gone" in gate and "GitHub: not found" in gate
    await pilot.press("M")  # nothing to merge on an error row
    assert any("No pull request selected" in n for n in notes(app))
    await pilot.press("i")
    await settle(pilot)
    labels = tree_labels(app.screen, ThreadTree)
    assert any("acme/gone" in label and "not found" in label for label in labels)
    assert "5 open review threads on 2 PRs" in status_text(app.screen)
    assert "cursor" in tree_threads(app)


# -- help, palette and the refresh loop ------------------------------------------------------


async def test_help_and_palette_come_from_the_bindings(pilot):
    app = pilot.app
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


@pytest.mark.parametrize("options", [AppOptions(poll=True, poll_seconds=0.05)])
@pytest.mark.parametrize("refreshed", [False])
async def test_the_refresh_loop_runs_when_the_app_polls(pilot, standin):
    app = pilot.app
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
