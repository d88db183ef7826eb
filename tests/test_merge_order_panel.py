"""The merge panel with the radar's pair on the worktrees' branches (the demo's world): the
conflict shows on #101 (api/webhook-retry) and #102 (web/cart-debounce) only, not on api's
other PR #103; the pair's order is in the status line, and each side's detail says which goes
first and why. Real stand-in over loopback HTTP, Pilot."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orchestra_tui.models import State
from orchestra_tui.pr_facts import PredictedConflict
from orchestra_tui.ui.screens.merge import MergeScreen
from orchestra_tui.ui.widgets.pull_table import PullTable
from tests.github_pilot import *  # noqa: F403
from tests.github_pilot import AGENTS, cursor_to_pull, open_screen, settle, status_text
from tests.test_ui_github_merge import gate_text
from tests.ui_data import FixedFleet, _view

BRANCHES = {"api": "api/webhook-retry", "web": "web/cart-debounce"}


@pytest.fixture
def fleet(tmp_path) -> FixedFleet:
    """api's worktree changed 6 lines of pricing.py, web's 2: web's merge leaves the smaller
    rebase, so #102 goes before #101 although it is the newer PR."""
    views = [_view(spec.name, "claude", State.IDLE, "idle: composer", since=0.0,
                   repo=spec.repo, branch=spec.branch, pane=f"%{n}")
             for n, spec in enumerate(AGENTS, 1)]
    lines, other = {"api": 6, "web": 2}, {"api": "web", "web": "api"}
    views = [replace(view, conflicts=(PredictedConflict(
        other[view.name], ("pricing.py",), lines[view.name], lines[other[view.name]],
        BRANCHES[view.name], BRANCHES[other[view.name]]),)) if view.name in other else view
        for view in views]
    return FixedFleet(tmp_path / "store", views)


async def test_the_pair_is_ordered_by_the_smaller_rebase_with_its_reason(pilot, standin):
    app = pilot.app
    await open_screen(pilot, "m", MergeScreen)
    table = app.screen.query_one(PullTable)
    rows = {str(table.get_row_at(row)[1]): str(table.get_row_at(row)[2])
            for row in range(table.row_count)}
    assert rows["acme/shop#101"] == "api ≠web" and rows["acme/shop#102"] == "web ≠api"
    assert rows["acme/shop#103"] == "api"  # api's other branch: not part of the pair
    order = [str(table.get_row_at(row)[1]) for row in range(table.row_count)]
    assert order.index("acme/shop#102") < order.index("acme/shop#101")
    assert "merge in order: #103" in status_text(app.screen)
    assert "≠ #102 before #101" in status_text(app.screen)
    await cursor_to_pull(pilot, 102)
    shown = gate_text(app.screen)
    assert "predicted conflict with api's work on pricing.py" in shown
    assert ("merge before #101 (api's): #102 first leaves api 2 changed line(s) to rebase "
            "over, #101 first leaves web 6: #102, the smaller rebase, first") in " ".join(
                shown.split())
    await cursor_to_pull(pilot, 101)
    assert "merge after #102 (web's)" in gate_text(app.screen)
    await cursor_to_pull(pilot, 103)
    assert "predicted conflict" not in gate_text(app.screen)
    await settle(pilot)
