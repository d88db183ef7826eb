"""Pilot tests: every binding of every screen does what its footer says."""

from __future__ import annotations

import pytest

from orchestra_tui.models import QueueItemState
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.grid import GridScreen
from orchestra_tui.ui.screens.help import HelpScreen
from orchestra_tui.ui.screens.pick_agent import PickAgentScreen
from orchestra_tui.ui.screens.queue import QueueScreen
from orchestra_tui.ui.widgets.agent_table import AgentTable
from orchestra_tui.ui.widgets.prompt_bar import PromptBar
from tests.ui_data import *  # noqa: F403  (the `fleet` and `pilot` fixtures)
from tests.ui_data import settle


async def test_first_row_is_the_agent_needing_attention(pilot, fleet):
    table = pilot.app.screen.query_one(AgentTable)
    assert table.selected == "api"  # approval sorts first
    await pilot.press("j")
    assert table.selected == "ingest"
    await pilot.press("down", "down")
    assert table.selected == "parser"
    await pilot.press("k")
    assert table.selected == "infra"


async def test_enter_sends_now_and_tab_queues(pilot, fleet):
    await pilot.press("enter", *"hello", "ctrl+j", *"world", "enter")
    await settle(pilot)
    assert ("send_now", "api", "hello\nworld") in fleet.calls
    bar = pilot.app.screen.query_one(PromptBar)
    assert not bar.has_class("-open")
    await pilot.press("enter", *"later", "tab")
    await settle(pilot)
    assert [item.text for item in fleet.store.items("api")] == ["later"]
    assert bar.has_class("-open")  # open and empty for the next follow-up
    await pilot.press(*"never", "escape")
    await settle(pilot)
    assert not bar.has_class("-open")
    assert all(call[-1] != "never" for call in fleet.calls)


async def test_approve_deny_and_attach(pilot, fleet):
    await pilot.press("y")
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    assert fleet.calls == [("answer", "api", True), ("answer", "api", False),
                           ("attach", "api")]


@pytest.mark.parametrize("key", ["ctrl+c", "escape"])
async def test_interrupt_needs_the_key_twice(pilot, fleet, key):
    await pilot.press(key)
    await settle(pilot)
    assert ("interrupt", "api") not in fleet.calls
    await pilot.press(key)
    await settle(pilot)
    assert fleet.calls == [("interrupt", "api")]


async def test_pause_grid_zoom_help_and_quit(pilot, fleet):
    await pilot.press("p")
    await settle(pilot)
    assert fleet.store.paused("api")
    await pilot.press("z")
    assert pilot.app.screen.has_class("-zoomed")
    await pilot.press("z")
    assert not pilot.app.screen.has_class("-zoomed")
    await pilot.press("g")
    await settle(pilot)
    assert isinstance(pilot.app.screen, GridScreen)
    await pilot.press("right", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FleetScreen)
    assert pilot.app.screen.selected == "ingest"
    await pilot.press("question_mark")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HelpScreen)
    await pilot.press("escape")
    await pilot.press("q")
    await settle(pilot)
    assert pilot.app.return_code == 0


async def test_queue_editor_keys(pilot, fleet):
    fleet.store.add("api", "one")
    fleet.store.add("api", "two")
    uncertain = fleet.store.add("api", "three")
    fleet.store.mark_sending(uncertain.id)
    fleet.store.mark_uncertain(uncertain.id, "crash")
    pilot.app.snapshot = fleet.current()
    await pilot.press("Q")
    await settle(pilot)
    assert isinstance(pilot.app.screen, QueueScreen)

    def texts() -> list[str]:
        return [item.text for item in fleet.store.items("api")]

    await pilot.press("J")  # move "one" down
    await settle(pilot)
    assert texts() == ["two", "one", "three"]
    await pilot.press("K")
    await settle(pilot)
    assert texts() == ["one", "two", "three"]
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, EditPromptScreen)
    await pilot.press(*"four", "ctrl+s")
    await settle(pilot)
    assert texts() == ["one", "two", "three", "four"]
    await pilot.press("e")
    await settle(pilot)
    await pilot.press("end", *"!", "ctrl+s")
    await settle(pilot)
    assert texts()[0] == "one!"
    await pilot.press("d")
    await settle(pilot)
    assert texts() == ["two", "three", "four"]
    await pilot.press("j", "r")  # "three" is uncertain: send it again
    await settle(pilot)
    assert fleet.store.items("api")[1].state == QueueItemState.QUEUED
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PickAgentScreen)
    await pilot.press("enter")  # first other agent: ingest
    await settle(pilot)
    assert [item.text for item in fleet.store.items("ingest")] == ["three"]
    await pilot.press("p")
    await settle(pilot)
    assert fleet.store.paused("api")
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FleetScreen)


async def test_command_palette_lists_every_fleet_action(pilot, fleet):
    titles = {command.title for command in pilot.app.get_system_commands(pilot.app.screen)}
    for binding in FleetScreen.BINDINGS:
        if binding.show:
            assert binding.description in titles
    assert "Help" in titles


async def test_restart_shows_the_handoff_to_edit_then_restarts(pilot, fleet):
    await pilot.press("R")
    await settle(pilot)
    assert isinstance(pilot.app.screen, EditPromptScreen)
    await pilot.press("end", *" Note: rerun CI.", "ctrl+s")
    await settle(pilot)
    assert fleet.calls == [("restart", "api",
                            "You are api, restarted. Policy: git only. Note: rerun CI.")]


async def test_kill_asks_first_and_policy_reminder_sends(pilot, fleet):
    await pilot.press("K")
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    assert fleet.calls == []
    await pilot.press("K")
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)
    await pilot.press("P")
    await settle(pilot)
    assert fleet.calls[0] == ("kill", "api")
    assert fleet.calls[1][:2] == ("send_now", "api")
    assert fleet.calls[1][2].startswith("Reminder of the policy for your lane")
    assert "All changes via git." in fleet.calls[1][2]


async def test_the_fleet_shows_which_issue_each_agent_is_on(pilot):
    from dataclasses import replace

    from orchestra_tui.core.desk.desk import UNCONFIGURED, Assignment

    table = pilot.app.screen.query_one(AgentTable)
    assert "#90" not in str(table.get_row("web"))
    pilot.app.desk = replace(UNCONFIGURED, configured=True, assignments={
        "web": Assignment(agent="web", repo="acme/web", number=90, title="Flaky retry")})
    await settle(pilot)
    assert "#90" in str(table.get_row("web")[3])


async def test_a_toast_shows_markup_like_text_as_it_is(pilot):
    app = pilot.app
    app.notify("reason: closing tag [/] and table [[lane]]", title="api [b]is[/b] blocked")
    await pilot.pause()
    shown = list(app._notifications)
    assert shown[-1].message == "reason: closing tag [/] and table [[lane]]"
    assert shown[-1].markup is False
