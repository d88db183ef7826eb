"""Pilot tests for the keys a person lives in: the prompt bar that stays open for follow-ups, the
selection after zoom, grid and other screens, the selection rule across re-sorts, alerts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orchestra_tui.models import State
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.grid import GridScreen
from orchestra_tui.ui.screens.help import HelpScreen
from orchestra_tui.ui.screens.queue import QueueScreen
from orchestra_tui.ui.widgets.agent_table import AgentTable
from orchestra_tui.ui.widgets.pane_view import PaneView
from orchestra_tui.ui.widgets.prompt_bar import PromptBar
from tests.ui_data import *  # noqa: F403  (the `fleet` and `pilot` fixtures)
from tests.ui_data import FixedFleet, settle


def selected(pilot) -> str | None:
    return pilot.app.screen.query_one(AgentTable).selected


def shown_in_pane(pilot) -> str | None:
    return pilot.app.screen.query_one(PaneView).agent


# -- the prompt bar ----------------------------------------------------------------------------

async def test_three_tabs_queue_three_follow_ups_and_no_fleet_key_fires(pilot, fleet):
    bar = pilot.app.screen.query_one(PromptBar)
    follow_ups = ["now run the tests, not kubectl apply", "also a quick yes/no: K?",
                  "then ask ? and quit q"]
    await pilot.press("enter")
    for text in follow_ups:
        await pilot.press(*text, "ctrl+c", "tab")
        await settle(pilot)
        assert bar.is_open and bar.query_one("#prompt-input").text == ""
    assert [item.text for item in fleet.store.items("api")] == follow_ups
    assert fleet.calls == [("enqueue", "api", text) for text in follow_ups]
    assert isinstance(pilot.app.screen, FleetScreen)  # no help, no quit, no kill question
    assert bar.queued == 3
    assert "3 queued" in str(bar.query_one("#prompt-target").render())
    await pilot.press("escape")
    await settle(pilot)
    assert not bar.is_open
    await pilot.press("y")  # the fleet has its keys back
    await settle(pilot)
    assert fleet.calls[-1] == ("answer", "api", True)


async def test_enter_sends_now_and_closes_the_bar(pilot, fleet):
    bar = pilot.app.screen.query_one(PromptBar)
    await pilot.press("enter", *"queued first", "tab", *"and this one now", "enter")
    await settle(pilot)
    assert not bar.is_open
    assert fleet.calls == [("enqueue", "api", "queued first"),
                           ("send_now", "api", "and this one now")]
    await pilot.press("j")
    assert selected(pilot) == "ingest"


async def test_the_bar_counts_what_the_agent_already_has_queued(pilot, fleet):
    fleet.store.add("api", "earlier follow-up")
    pilot.app.snapshot = fleet.current()
    await pilot.press("enter")
    bar = pilot.app.screen.query_one(PromptBar)
    assert bar.queued == 1
    fleet.store.add("api", "added elsewhere")
    pilot.app.snapshot = fleet.current()  # the next snapshot updates the count
    assert bar.queued == 2


# -- focus and selection -----------------------------------------------------------------------

async def test_zoom_twice_then_j_moves_the_selection(pilot):
    await pilot.press("z", "z", "j")
    assert selected(pilot) == "ingest"
    await pilot.press("down")
    assert selected(pilot) == "infra"


async def test_j_moves_the_selection_while_zoomed_and_the_pane_follows(pilot):
    await pilot.press("z", "j")
    assert pilot.app.screen.zoomed
    assert selected(pilot) == "ingest" and shown_in_pane(pilot) == "ingest"
    await pilot.press("k")
    assert shown_in_pane(pilot) == "api"


async def test_escape_leaves_zoom_and_never_counts_toward_the_interrupt(pilot, fleet):
    await pilot.press("z", "escape")
    assert not pilot.app.screen.zoomed
    # More esc presses right after are the person backing out further: they arm nothing.
    await pilot.press("escape", "escape", "escape")
    await settle(pilot)
    assert fleet.calls == []
    await pilot.press("ctrl+c", "ctrl+c")  # a deliberate interrupt still works at once
    await settle(pilot)
    assert fleet.calls == [("interrupt", "api")]
    await pilot.press("ctrl+c", "z", "escape", "ctrl+c")  # zooming disarms a pending key
    await settle(pilot)
    assert fleet.calls == [("interrupt", "api")]


@pytest.mark.parametrize("open_keys, screen", [
    (["g"], GridScreen), (["question_mark"], HelpScreen), (["Q"], QueueScreen)])
async def test_j_moves_the_selection_after_any_screen(pilot, open_keys, screen):
    await pilot.press(*open_keys)
    await settle(pilot)
    assert isinstance(pilot.app.screen, screen)
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FleetScreen)
    await pilot.press("j")
    assert selected(pilot) == "ingest"


async def test_grid_then_back_then_j(pilot):
    await pilot.press("g")
    await settle(pilot)
    await pilot.press("g")  # g goes back too
    await settle(pilot)
    await pilot.press("j", "j")
    assert selected(pilot) == "infra"


def resorted(fleet: FixedFleet, order: list[str], **states: State) -> None:
    views = {view.name: view for view in fleet.views}
    for name, state in states.items():
        views[name] = replace(views[name], status=replace(views[name].status, state=state))
    fleet.views = [views[name] for name in order]


async def test_selection_follows_the_top_row_until_the_person_moves_it(pilot, fleet):
    app = pilot.app
    assert selected(pilot) == "api"
    resorted(fleet, ["web", "api", "ingest", "infra", "parser"], web=State.APPROVAL)
    app.snapshot = fleet.current()
    await pilot.pause()
    assert selected(pilot) == "web"  # untouched: the top row, who needs the person most
    assert shown_in_pane(pilot) == "web"
    await pilot.press("j", "j")
    assert selected(pilot) == "ingest"
    resorted(fleet, ["ingest", "parser", "web", "api", "infra"])
    app.snapshot = fleet.current()
    await pilot.pause()
    assert selected(pilot) == "ingest"
    resorted(fleet, ["web", "parser", "api", "infra", "ingest"])
    app.snapshot = fleet.current()
    await pilot.pause()
    table = app.screen.query_one(AgentTable)
    # The re-sort happens around it: it stays on the row it was on (as in htop, k9s).
    assert selected(pilot) == "ingest" and table.cursor_row == 2
    await pilot.press("home")  # back to following the top row
    assert selected(pilot) == "web"
    resorted(fleet, ["parser", "web", "api", "infra", "ingest"])
    app.snapshot = fleet.current()
    await pilot.pause()
    assert selected(pilot) == "parser"


async def test_a_selected_agent_that_goes_away_gives_the_selection_back_to_the_top(pilot, fleet):
    await pilot.press("j", "j")
    assert selected(pilot) == "infra"
    fleet.views = [view for view in fleet.views if view.name != "infra"]
    pilot.app.snapshot = fleet.current()
    await pilot.pause()
    assert selected(pilot) == "api"


# -- alerts ------------------------------------------------------------------------------------

async def test_the_selected_agents_alerts_are_readable(pilot):
    await pilot.press("j", "j")
    assert selected(pilot) == "infra"
    pane = pilot.app.screen.query_one(PaneView)
    assert "forbid: kubectl apply" in str(pane.border_subtitle)
    await pilot.press("exclamation_mark")
    await pilot.pause()
    messages = [(n.title, n.message) for n in pilot.app._notifications]
    assert ("infra: 1 alert", "⚠ forbid: kubectl apply") in messages


async def test_a_toast_never_covers_the_open_prompt_bar(fleet):
    from orchestra_tui.ui.app import OrchestraApp
    from orchestra_tui.ui.options import AppOptions
    from tests.helpers import pilot_wait_until

    app = OrchestraApp(fleet, AppOptions(poll=False))
    async with app.run_test(size=(150, 40), notifications=True) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(PromptBar)
        await pilot.press("enter")
        await pilot.press(*"first line", "ctrl+j", *"second", "tab")  # "Queued for api"
        app.notify("a second toast, longer than the first one, to wrap on two lines")
        await pilot_wait_until(pilot, lambda: len(app.screen.query("Toast")) == 2,
                               message="two toasts")
        await settle(pilot)
        toasts = list(app.screen.query("Toast"))
        assert bar.is_open
        assert all(not toast.region.overlaps(bar.region) for toast in toasts), (
            [t.region for t in toasts], bar.region)
        await pilot.press("escape")
        await settle(pilot)
        rack = app.screen.query_one("#textual-toastrack")
        assert rack.styles.margin.bottom == 1  # closed: above the footer, as before


async def test_a_draft_left_with_esc_stays_with_its_agent_and_says_so(pilot, fleet):
    bar = pilot.app.screen.query_one(PromptBar)
    prompt = bar.query_one("#prompt-input")
    first = selected(pilot)
    await pilot.press("enter", *"half a thought", "escape")
    await settle(pilot)
    assert not bar.is_open
    await pilot.press("j")
    await settle(pilot)
    other = selected(pilot)
    assert other != first
    await pilot.press("enter")
    await settle(pilot)
    assert bar.agent == other and prompt.text == ""  # never another agent's draft
    target = str(bar.query_one("#prompt-target").render())
    assert "draft" not in target
    await pilot.press("escape", "k", "enter")
    await settle(pilot)
    assert bar.agent == first and prompt.text == "half a thought"
    assert "your draft from before" in str(bar.query_one("#prompt-target").render())
    await pilot.press(*" and the rest", "tab")  # queued: the next one starts afresh
    await settle(pilot)
    assert prompt.text == "" and "draft" not in str(bar.query_one("#prompt-target").render())
    assert ("enqueue", first, "half a thought and the rest") in fleet.calls
