"""Pilot tests of what a person does all day, in the combinations that broke: backing out of
screens with esc, moving through a fleet that re-sorts, answering after the screen moved on."""

from __future__ import annotations

from dataclasses import replace

from orchestra_tui.models import State
from orchestra_tui.ui.screens.edit_prompt import EditPromptScreen
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.queue import QueueScreen
from orchestra_tui.ui.widgets.agent_table import AgentTable
from tests.ui_data import *  # noqa: F403  (the `fleet` and `pilot` fixtures)
from tests.ui_data import settle


async def test_four_esc_after_queue_and_add_interrupt_nothing(pilot, fleet):
    await pilot.press("Q")
    await settle(pilot)
    assert isinstance(pilot.app.screen, QueueScreen)
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, EditPromptScreen)
    for _ in range(4):
        await pilot.press("escape")
        await settle(pilot)
    assert isinstance(pilot.app.screen, FleetScreen)
    assert ("interrupt", "api") not in [call[:2] for call in fleet.calls]
    assert pilot.app.screen.query_one(AgentTable).armed is None


async def test_palette_then_esc_esc_arms_nothing(pilot, fleet):
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press("escape", "escape", "escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FleetScreen)
    assert pilot.app.screen.query_one(AgentTable).armed is None
    assert not [call for call in fleet.calls if call[0] == "interrupt"]


async def test_esc_closing_the_prompt_bar_is_not_half_an_interrupt(pilot, fleet):
    await pilot.press("enter", *"draft", "escape", "escape")
    await settle(pilot)
    assert not [call for call in fleet.calls if call[0] == "interrupt"]


async def test_the_armed_interrupt_shows_on_the_selected_row_and_fires_on_the_second_press(
        pilot, fleet):
    table = pilot.app.screen.query_one(AgentTable)
    await pilot.press("escape")
    await settle(pilot)
    assert table.armed == ("api", "esc")
    assert "esc again: interrupt" in str(table.get_row("api")[1])
    await pilot.press("escape")
    await settle(pilot)
    assert fleet.calls == [("interrupt", "api")]
    assert table.armed is None
    assert "again" not in str(table.get_row("api")[1])


async def test_a_resort_between_two_presses_keeps_the_selection_on_its_row(pilot, fleet):
    table = pilot.app.screen.query_one(AgentTable)
    await pilot.press("j")  # the person moves: from here on the selection is theirs
    await settle(pilot)
    chosen = table.selected
    row = table.cursor_row
    # The agent on top (in approval) is answered elsewhere and now works: it sorts last.
    snapshot = pilot.app.snapshot
    top = snapshot.agents[0]
    calmer = replace(top, status=replace(top.status, state=State.WORKING, reason="working"))
    pilot.app.snapshot = replace(snapshot, agents=(*snapshot.agents[1:], calmer))
    await settle(pilot)
    assert (table.selected, table.cursor_row) == (chosen, row)
    await pilot.press("k")
    await settle(pilot)
    assert table.cursor_row == row - 1  # one row up on screen, as the person meant


def _with_state(snapshot, name: str, state: State, reason: str):
    views = tuple(replace(view, status=replace(view.status, state=state, reason=reason))
                  if view.name == name else view for view in snapshot.agents)
    return replace(snapshot, agents=views, at=snapshot.at + 1)


async def _refreshed(pilot, snapshot) -> None:
    from orchestra_tui.ui.app import FleetRefreshed

    pilot.app.post_message(FleetRefreshed(snapshot))
    await settle(pilot)


def _toasts(app) -> list[str]:
    return [f"{toast.title}: {toast.message}" for toast in app._notifications]


async def test_toasts_only_for_what_needs_the_person_in_plain_words(pilot, fleet):
    app = pilot.app
    app._notifications.clear()
    await _refreshed(pilot, _with_state(app.snapshot, "web", State.IDLE,
                                        'idle: composer "❯" with no working marker'))
    assert _toasts(app) == []  # an agent going idle is in the list, not a pop-up
    await _refreshed(pilot, _with_state(app.snapshot, "web", State.APPROVAL,
                                        'approval: "Do you want to proceed?" dialog'))
    assert _toasts(app) == ["web needs approval: y approves, n denies, a shows its pane"]


async def test_no_toast_over_the_prompt_bar_while_typing(pilot, fleet):
    app = pilot.app
    await pilot.press("enter", *"half a thought")
    await settle(pilot)
    app._notifications.clear()
    await _refreshed(pilot, _with_state(app.snapshot, "web", State.BLOCKED,
                                        "blocked: API Error 529"))
    assert _toasts(app) == []


async def test_the_queue_column_says_why_queued_work_does_not_go(pilot, fleet):
    fleet.store.add("web", "next step")
    snapshot = fleet.current()
    offline = _with_state(snapshot, "web", State.UNREACHABLE, "unreachable: devbox: timed out")
    await _refreshed(pilot, offline)
    table = pilot.app.screen.query_one(AgentTable)
    assert str(table.get_row("web")[-1]) == "1 unreachable"
    from orchestra_tui.core.fleet.queue_reasons import queue_reasons

    [wait] = queue_reasons(offline.get("web"))
    assert (str(wait.kind), wait.item.text) == ("unreachable", "next step")
