"""Find and group: the matching `/`, the grid and `orchestra status --filter` share, and `G`'s
groups, on sixty agents over three hosts; then the same in the app, key by key (Pilot)."""

from __future__ import annotations

import pytest
from rich.text import Text

from orchestra_tui.core.fleet.find import (
    Grouping,
    filter_views,
    group_views,
    matches,
)
from orchestra_tui.core.fleet.fleet import FleetSnapshot
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.fleet import FleetScreen
from orchestra_tui.ui.screens.grid import GridScreen, PaneTile
from orchestra_tui.ui.widgets.agent_table import GROUP_ROW, AgentTable
from orchestra_tui.ui.widgets.filter_bar import FilterBar
from tests.fleet_sixty import sixty_views
from tests.ui_data import FixedFleet, settle


def test_a_filter_word_narrows_to_the_agents_it_names():
    views = sixty_views()
    api = filter_views(views, "api")
    assert len(api) == 15
    assert all(view.status.spec.lane == "api" for view in api)
    # Words add up: the api agents on gpu only; a field names where to look.
    assert {view.status.spec.host for view in filter_views(views, "api gpu")} == {"gpu"}
    assert len(filter_views(views, "host:gpu")) == 20
    assert len(filter_views(views, "host:local")) == 20
    assert len(filter_views(views, "state:approval")) == 10
    assert filter_views(views, "") == tuple(views)
    assert filter_views(views, "nothing-like-this") == ()


def test_the_filter_keeps_the_order_it_was_given():
    views = sixty_views()
    names = [view.name for view in views]
    kept = [view.name for view in filter_views(views, "web")]
    assert kept == [name for name in names if name in kept]


def test_the_reason_and_the_issue_match_too():
    views = sixty_views()
    assert len(filter_views(views, "ratelimit")) == 10
    first = views[0]
    assert matches(first, "#41", issue="#41")
    assert not matches(first, "#41")
    assert len(filter_views(views, "issue:41", {first.name: "#41"})) == 1


def test_groups_by_host_count_who_needs_the_person():
    groups = group_views(sixty_views(), Grouping.HOST)
    assert sorted(group.key for group in groups) == ["build", "gpu", "local"]
    assert all(len(group.views) == 20 for group in groups)
    assert sum(group.needing for group in groups) == 20
    by_state = group_views(sixty_views(), Grouping.STATE)
    # In attention order: approval first, working last.
    assert [group.key for group in by_state] == ["approval", "blocked", "idle", "working"]
    # Lanes where someone waits on the person first (api, ingest), then the others.
    by_lane = group_views(sixty_views(), Grouping.LANE)
    assert [(group.key, group.needing) for group in by_lane] \
        == [("api", 10), ("ingest", 10), ("infra", 0), ("web", 0)]
    assert Grouping.STATE.next() is Grouping.NONE


@pytest.fixture
async def sixty(tmp_path):
    app = OrchestraApp(FixedFleet(tmp_path, sixty_views()), AppOptions(poll=False))
    async with app.run_test(size=(160, 45)) as running:
        await settle(running)
        yield running


def _listed(pilot) -> list[str]:
    table = pilot.app.screen.query_one(AgentTable)
    return [key for key in table._order if not key.startswith(GROUP_ROW)]


async def test_slash_narrows_the_list_as_it_is_typed_and_esc_clears_it(sixty):
    pilot = sixty
    assert len(_listed(pilot)) == 60
    await pilot.press("slash")
    assert pilot.app.screen.query_one(FilterBar).has_focus
    await pilot.press("a")
    await settle(pilot)
    after_a = len(_listed(pilot))
    await pilot.press("p", "i")
    await settle(pilot)
    listed = _listed(pilot)
    assert after_a > len(listed) == 15
    assert all(name.startswith("api-") for name in listed)
    # Keys are text while the bar has them: `y` approved nothing, `q` did not quit.
    assert pilot.app.fleet.calls == []
    assert pilot.app.screen.selected in listed
    await pilot.press("enter")  # keeps the filter, the list has the keys again
    await settle(pilot)
    assert pilot.app.screen.query_one(AgentTable).has_focus
    assert len(_listed(pilot)) == 15
    await pilot.press("j")
    await settle(pilot)
    assert pilot.app.screen.selected == listed[1]
    await pilot.press("slash", "escape")
    await settle(pilot)
    assert len(_listed(pilot)) == 60
    assert not pilot.app.screen.query_one(FilterBar).is_open


async def test_G_groups_by_host_then_lane_then_state_then_none(sixty):
    pilot = sixty
    table = pilot.app.screen.query_one(AgentTable)
    await pilot.press("G")
    await settle(pilot)
    headers = [key.removeprefix(GROUP_ROW) for key in table._order if key.startswith(GROUP_ROW)]
    assert sorted(headers) == ["build", "gpu", "local"]
    assert len(table._order) == 63
    # The cursor never rests on a header: down from the last agent of a group goes past it.
    for _ in range(25):
        await pilot.press("j")
        await settle(pilot)
        assert not table._order[table.cursor_row].startswith(GROUP_ROW)
        assert pilot.app.screen.selected == table._order[table.cursor_row]
    await pilot.press("G")
    await settle(pilot)
    assert table.grouping is Grouping.LANE
    await pilot.press("G", "G")
    await settle(pilot)
    assert table.grouping is Grouping.NONE
    assert len(table._order) == 60


async def test_the_filter_and_the_grouping_go_together_and_into_the_grid(sixty):
    pilot = sixty
    await pilot.press("slash", *"api", "enter", "G")
    await settle(pilot)
    table = pilot.app.screen.query_one(AgentTable)
    assert len(table._order) == 15 + 3
    await pilot.press("g")
    await settle(pilot)
    assert isinstance(pilot.app.screen, GridScreen)
    tiles = list(pilot.app.screen.query(PaneTile))
    assert len(tiles) == 15 and all(tile.agent.startswith("api-") for tile in tiles)
    # A tile names its agent as the list does: an agent on a host has its host first.
    listed = {view.name: view.status.spec.host for view in pilot.app.snapshot.agents}
    for tile in tiles:
        host = listed[tile.agent]
        title = Text.from_markup(str(tile.border_title)).plain
        assert title.startswith(f"{host}:{tile.agent} " if host else f"{tile.agent} "), title
    assert any(listed[tile.agent] for tile in tiles)


async def test_F_freezes_the_order_until_pressed_again(tmp_path):
    views = sixty_views()
    fleet = FixedFleet(tmp_path, views)
    app = OrchestraApp(fleet, AppOptions(poll=False))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, FleetScreen)
        before = _listed(pilot)
        await pilot.press("F")
        await settle(pilot)
        # The fleet re-sorts (the last agent now needs the person most): the rows stay.
        reordered = (views[-1], *views[:-1])
        screen.snapshot = FleetSnapshot(agents=tuple(reordered), at=fleet.current().at)
        await settle(pilot)
        assert _listed(pilot) == before
        assert "frozen" in str(screen.query_one("#fleet-status").render())
        await pilot.press("F")
        await settle(pilot)
        assert _listed(pilot) == [view.name for view in reordered]
