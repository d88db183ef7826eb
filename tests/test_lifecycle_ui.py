"""`N` and `X` in the app, and `N` on the issues screen, over a real fleet and lifecycle (real
tmux, real git, the simulated agent as the lane's command, GitHub over loopback)."""

from __future__ import annotations

import pytest

from orchestra_tui.core.desk.desk import Desk
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec
from orchestra_tui.services.store.desk import DeskStore
from orchestra_tui.ui.app import OrchestraApp
from orchestra_tui.ui.options import AppOptions
from orchestra_tui.ui.screens.ask import AskScreen
from orchestra_tui.ui.screens.issues import IssuesScreen
from orchestra_tui.ui.screens.new_agent import NewAgentScreen
from tests.github_fixtures import *  # noqa: F403 (the GitHub stand-in)
from tests.lifecycle_fixtures import *  # noqa: F403 (the repositories)
from tests.lifecycle_fixtures import git, make_world
from tests.tmux_fixtures import logged_prompts, wait_for_prompts
from tests.ui_data import settle

pytestmark = pytest.mark.slow


def app_over(world, tmux, desk=None) -> OrchestraApp:
    fleet = Fleet(tmux, [], store=world.store, settings=FleetSettings(idle_debounce=0.3),
                  discover=False, registry=world.registry)
    return OrchestraApp(fleet, AppOptions(poll=False), desk=desk, lifecycle=world.lifecycle)


def notes(app) -> list[str]:
    return [note.message for note in app._notifications]


async def show_fleet(pilot) -> None:
    await pilot.app.fleet.refresh()
    pilot.app.snapshot = pilot.app.fleet.current()
    await settle(pilot)


async def test_new_agent_then_retire_it_from_the_fleet(tmux, tmp_path, repos):
    world = make_world(tmux, tmp_path, repos.clone)
    app = app_over(world, tmux)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("N")
        await settle(pilot)
        assert isinstance(app.screen, NewAgentScreen)
        await pilot.press("escape")  # cancelled: nothing happens
        await settle(pilot)
        assert world.registry.records() == ()

        await pilot.press("N")
        await settle(pilot)
        await pilot.press(*"w.2", "enter", *"7", "enter")  # a bad name is refused there
        await settle(pilot)
        assert isinstance(app.screen, NewAgentScreen)
        assert any("'w.2' is not an agent name" in note for note in notes(app))
        await pilot.press("shift+tab", "ctrl+u", *"w2", "enter", "enter")
        await settle(pilot)  # the worker waits until the agent is ready and has its prompt
        assert [record.name for record in world.registry.records()] == ["w2"]
        assert any(note.startswith("w2 started in tmux session w2") for note in notes(app))
        assert len(await wait_for_prompts(world.log, 1, timeout=30)) == 1

        await show_fleet(pilot)
        app.select_agent("w2")
        worktree = world.registry.records()[0].worktree
        (tmp_path / "data" / "worktrees" / "shop" / "w2" / "draft.txt").write_text("wip\n")
        await pilot.press("X")
        await settle(pilot)
        # Refused before asking, for the uncommitted file: asked only to throw it away.
        assert isinstance(app.screen, AskScreen)
        assert "has uncommitted changes (1 path)" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert world.registry.records() == ()
        assert not (tmp_path / "data" / "worktrees" / "shop" / "w2").exists(), worktree
        assert any(note.startswith("w2 retired: stopped") for note in notes(app))
        await show_fleet(pilot)
        assert app.snapshot.get("w2") is None
        assert len(logged_prompts(world.log)) == 1


async def test_start_an_agent_on_the_selected_issue(tmux, tmp_path, repos, github):
    world = make_world(tmux, tmp_path, repos.clone, issue_lookup=github.issue_with_comments)
    desk = Desk(github, (AgentSpec("api", repo="acme/shop"),), store=DeskStore(tmp_path / "d.json"))
    await desk.refresh()
    app = app_over(world, tmux, desk)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("I")
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)
        tree = app.screen.listing
        for _ in range(10):
            if tree.selected_issue is not None and tree.selected_issue.number == 91:
                break
            await pilot.press("j")
            await settle(pilot)
        assert tree.selected_issue.number == 91
        await pilot.press("N")
        await settle(pilot)
        assert isinstance(app.screen, NewAgentScreen)
        await pilot.press("enter")  # everything is filled in: lane, name, issue
        await settle(pilot)
        [record] = world.registry.records()
        assert (record.name, record.branch, record.issue) == (
            "shop-91", "codex/91-export-orders-as-csv", 91)
        assert git(record.worktree, "branch", "--show-current") == record.branch
        [prompt] = await wait_for_prompts(world.log, 1, timeout=30)
        assert prompt.startswith("Read issue #91 (")
