"""The conflict radar (issue 23, item 5): agents' worktrees of one clone that touched the same
files are merged by a real `git merge-tree`; a predicted conflict shows on both agents (their
view, `why`), a clean pair shows nothing, and a pair is merged again only when a commit moved
and its rate limit allows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.core.why import explain
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.pr_facts import PredictedConflict
from orchestra_tui.ui.screens.merge import MergeScreen
from orchestra_tui.ui.widgets.pull_table import PullTable
from tests.github_pilot import *  # noqa: F403
from tests.github_pilot import AGENTS, cursor_to_pull, open_screen, settle, status_text
from tests.test_cli_states import status_json
from tests.test_pr_loop import git, new_repo
from tests.test_ui_github_merge import gate_text
from tests.tmux_fixtures import *  # noqa: F403
from tests.ui_data import FixedFleet, _view

CATALOG = "".join(f"ITEM_{n} = {n}\n" for n in range(1, 10))


def four_worktrees(tmp_path) -> dict[str, object]:
    """a and b both change pricing.py's first line (a committed, b not): they conflict; c and
    d change catalog.py far apart (c committed, d not): they merge cleanly."""
    clone = tmp_path / "shop"
    new_repo(clone)
    (clone / "catalog.py").write_text(CATALOG)
    git(clone, "add", "catalog.py")
    git(clone, "commit", "-qm", "catalog")
    trees = {}
    for name in ("a", "b", "c", "d"):
        trees[name] = tmp_path / f"wt-{name}"
        git(clone, "worktree", "add", "-q", "-b", f"agent/{name}", str(trees[name]), "main")
    (trees["a"] / "pricing.py").write_text("RATE = 2\nROUND = 2\n")
    git(trees["a"], "commit", "-qam", "a")
    (trees["b"] / "pricing.py").write_text("RATE = 9\nROUND = 2\n")
    (trees["c"] / "catalog.py").write_text(CATALOG.replace("ITEM_1 = 1", "ITEM_1 = 10"))
    git(trees["c"], "commit", "-qam", "c")
    (trees["d"] / "catalog.py").write_text(CATALOG.replace("ITEM_9 = 9", "ITEM_9 = 90"))
    return trees


def fleet_over(tmux, trees, **options) -> Fleet:
    specs = [AgentSpec(name, tool="codex", cwd=str(path)) for name, path in trees.items()]
    return Fleet(tmux, specs, follow_work=False, discover=False, **options)


async def test_the_radar_predicts_the_conflicting_pair_on_both_agents_and_not_the_clean_one(
        tmux, tmp_path) -> None:
    trees = four_worktrees(tmp_path)
    fleet = fleet_over(tmux, trees)
    await fleet.refresh_work()
    radar = fleet.fleet_work.radar
    found = await radar.scan()
    assert found == {"a": (PredictedConflict("b", ("pricing.py",), 2, 2, "agent/a", "agent/b"),),
                     "b": (PredictedConflict("a", ("pricing.py",), 2, 2, "agent/b", "agent/a"),)}
    assert radar.merges == 2  # a+b and c+d touched a file in common; no other pair did
    snapshot = await fleet.refresh()
    assert snapshot.get("a").conflicts == found["a"]
    assert snapshot.get("c").conflicts == ()
    told = explain(snapshot.get("b"), snapshot.at)
    assert any(clue.kind == "radar" and "with a" in clue.text and "pricing.py" in clue.text
               for clue in told.clues)
    assert git(trees["b"], "status", "--porcelain") == "M pricing.py"  # left as it was
    assert git(tmp_path / "shop", "stash", "list") == ""


async def test_two_agents_in_one_folder_are_not_a_pair(tmux, tmp_path) -> None:
    trees = four_worktrees(tmp_path)
    fleet = fleet_over(tmux, {"a": trees["a"], "a-too": trees["a"]})
    await fleet.refresh_work()
    assert await fleet.fleet_work.radar.scan() == {}
    assert fleet.fleet_work.radar.merges == 0


async def test_status_json_names_each_agents_predicted_conflicts(tmux, tmp_path, capsys) -> None:
    trees = four_worktrees(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text("".join(f'[[agent]]\nname = "{name}"\ntool = "codex"\ncwd = "{path}"\n\n'
                              for name, path in trees.items()), encoding="utf-8")
    await tmux.start("bash --norc --noprofile", session="shell")  # a server to ask
    rows = await status_json(tmux.runner.socket_name, capsys, "--config", str(config),
                             "--data-dir", str(tmp_path / "data"))
    assert rows["a"]["conflicts"] == [{"with": "b", "files": ["pricing.py"]}]
    assert rows["b"]["conflicts"] == [{"with": "a", "files": ["pricing.py"]}]
    assert rows["c"]["conflicts"] == rows["d"]["conflicts"] == []


async def test_a_pair_is_merged_again_only_when_a_commit_moved_and_its_time_came(
        tmux, tmp_path) -> None:
    trees = four_worktrees(tmp_path)
    fleet = fleet_over(tmux, trees)  # 30 s between two merges of one pair
    await fleet.refresh_work()
    radar = fleet.fleet_work.radar
    await radar.scan()
    await radar.scan()
    assert radar.merges == 2  # nothing moved: nothing merged again
    (trees["b"] / "pricing.py").write_text("RATE = 7\nROUND = 2\n")
    git(trees["b"], "commit", "-qam", "b")  # b's head moved, still conflicting with a
    await fleet.refresh_work()
    assert [conflict.other for conflict in (await radar.scan())["a"]] == ["b"]
    assert radar.merges == 2  # held: the pair was merged less than 30 s ago

    eager = fleet_over(tmux, trees, work_every=0.0)
    await eager.refresh_work()
    await eager.fleet_work.radar.scan()
    assert eager.fleet_work.radar.merges == 2
    (trees["a"] / "pricing.py").write_text("RATE = 7\nROUND = 2\n")
    git(trees["a"], "commit", "-qam", "a agrees")  # now both set the same line the same way
    await eager.refresh_work()
    assert "a" not in await eager.fleet_work.radar.scan()
    assert eager.fleet_work.radar.merges == 3


# -- the merge panel: the prediction on both owners' PRs and a safe order ----------------------

@pytest.fixture
def fleet(tmp_path) -> FixedFleet:
    """api and web (the owners of acme/shop's PRs) whose worktrees conflict on pricing.py."""
    views = [_view(spec.name, "claude", State.IDLE, "idle: composer", since=0.0,
                   repo=spec.repo, branch=spec.branch, pane=f"%{n}")
             for n, spec in enumerate(AGENTS, 1)]
    other = {"api": "web", "web": "api"}
    views = [replace(view, conflicts=(PredictedConflict(other[view.name], ("pricing.py",)),))
             if view.name in other else view for view in views]
    return FixedFleet(tmp_path / "store", views)


async def test_the_merge_panel_marks_the_predicted_conflict_and_orders_clean_ones_first(
        pilot, standin) -> None:
    app = pilot.app
    docs = standin.pull("acme/docs", 7)
    docs.review_decision = "APPROVED"  # a second ready PR, its owner's work clean
    await open_screen(pilot, "m", MergeScreen)
    await pilot.press("R")
    await settle(pilot)
    table = app.screen.query_one(PullTable)
    order = [str(table.get_row_at(row)[1]) for row in range(table.row_count)]
    assert order[:2] == ["acme/docs#7", "acme/shop#103"]  # ready: clean, then conflicting
    assert order.index("acme/shop#104") < order.index("acme/shop#101")  # not ready: clean first
    assert "merge in order: #7 → #103" in status_text(app.screen)
    table.move_cursor(row=0)
    await settle(pilot)
    assert table.selected.pr.number == 7
    assert "predicted conflict" not in gate_text(app.screen)
    await cursor_to_pull(pilot, 102)
    assert "≠api" in str(table.get_row_at(table.cursor_row)[2])
    assert "predicted conflict with api's work on pricing.py" in gate_text(app.screen)


async def test_agents_in_one_folder_share_its_snapshot(tmux, tmp_path) -> None:
    """Several agents in one folder (a repository run by a few agents, panes found on the
    server): one snapshot of it per sweep, not one per agent."""
    trees = four_worktrees(tmp_path)
    fleet = fleet_over(tmux, {"a": trees["a"], "a2": trees["a"], "a3": trees["a"],
                              "b": trees["b"]})
    await fleet.refresh_work()
    radar = fleet.fleet_work.radar
    found = await radar.scan()
    assert radar.snapshots == 2
    assert {name for name in found} == {"a", "a2", "a3", "b"}  # each still told of b
