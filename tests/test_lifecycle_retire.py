"""`retire` on real git and tmux: a clean agent goes with its worktree and its (merged) branch;
uncommitted work or commits on no remote branch refuse it with one line and nothing removed,
unless forced; a pushed branch is kept until its work is merged; the journal records it."""

from __future__ import annotations

import asyncio

import pytest

from orchestra_tui.cli import main
from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.core.lifecycle.lifecycle import LifecycleError, NewRequest
from orchestra_tui.core.lifecycle.retire import RetireRefused, retire
from tests.lifecycle_fixtures import *  # noqa: F403 (the repositories)
from tests.lifecycle_fixtures import World, commit_file, config_text, git, make_world

pytestmark = pytest.mark.slow


async def sessions(tmux) -> list[str]:
    if not await tmux.is_running():
        return []
    return (await tmux.run("list-sessions", "-F", "#{session_name}")).stdout.split()


async def assert_intact(world: World, tmux, outcome) -> None:
    record = outcome.record
    assert (await tmux.pane_info(outcome.pane_id)).session_name == record.name
    assert git(record.worktree, "branch", "--show-current") == record.branch
    assert [r.name for r in world.registry.records()] == [record.name]
    assert world.events("retire", "kill") == []


async def test_retiring_a_clean_agent_removes_it_its_worktree_and_its_branch(
        tmux, tmp_path, repos):
    world = make_world(tmux, tmp_path, repos.clone)
    made = await world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=7))
    fleet = Fleet(tmux, [], store=world.store, discover=False, registry=world.registry)
    await fleet.refresh()
    assert fleet.names == ["w2"]

    outcome = await retire(world.lifecycle, "w2")

    assert outcome.stopped and outcome.branch_deleted  # no commits of its own: nothing to keep
    assert outcome.summary.startswith("w2 retired: stopped, worktree ")
    assert await sessions(tmux) == []
    assert not (tmp_path / "data" / "worktrees" / "shop" / "w2").exists()
    assert git(repos.clone, "branch", "--list", "codex/*") == ""
    assert world.registry.records() == ()
    [kill] = world.events("kill")
    [retired] = world.events("retire")
    assert kill["pane"] == made.pane_id
    assert (retired["agent"], retired["branch"], retired["branch_deleted"],
            retired["forced"]) == ("w2", "codex/7", True, False)
    await fleet.refresh()
    assert fleet.names == []  # it left the fleet too


async def test_uncommitted_work_refuses_until_forced(tmux, tmp_path, repos):
    world = make_world(tmux, tmp_path, repos.clone)
    made = await world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=7))
    worktree = made.record.worktree
    (tmp_path / "data" / "worktrees" / "shop" / "w2" / "draft.py").write_text("x = 1\n")

    with pytest.raises(RetireRefused) as caught:
        await retire(world.lifecycle, "w2")
    assert str(caught.value) == (
        f"w2 not retired: its worktree {worktree} has uncommitted changes (1 path); commit "
        "and push them, or `orchestra retire w2 --force` throws them away. Nothing removed")
    await assert_intact(world, tmux, made)

    outcome = await retire(world.lifecycle, "w2", force=True)
    assert outcome.discarded == ("1 uncommitted path discarded",)
    assert await sessions(tmux) == [] and world.registry.records() == ()
    assert world.events("retire")[0]["forced"] is True


async def test_unpushed_commits_refuse_and_a_pushed_branch_is_kept_until_merged(
        tmux, tmp_path, repos):
    world = make_world(tmux, tmp_path, repos.clone)
    made = await world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=7))
    worktree = made.record.worktree
    commit_file(worktree, "export.py", "print('csv')\n", "export as CSV")

    with pytest.raises(RetireRefused) as caught:
        await retire(world.lifecycle, "w2")
    sha = git(worktree, "rev-parse", "--short", "HEAD")
    assert str(caught.value).startswith(f"w2 not retired: 1 commit on codex/7 ({sha}) is on "
                                        "no remote branch; push them")
    await assert_intact(world, tmux, made)

    # Pushed: nothing is lost, but the work is not merged, so the branch stays.
    git(worktree, "push", "-q", "origin", "codex/7")
    outcome = await retire(world.lifecycle, "w2")
    assert (outcome.stopped, outcome.branch_deleted) == (True, False)
    assert outcome.summary.endswith("branch codex/7 kept (not merged)")
    assert git(repos.clone, "branch", "--list", "codex/7") == "codex/7"


async def test_a_branch_merged_upstream_is_deleted(tmux, tmp_path, repos):
    world = make_world(tmux, tmp_path, repos.clone)
    made = await world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=7))
    commit_file(made.record.worktree, "export.py", "print('csv')\n", "export as CSV")
    git(made.record.worktree, "push", "-q", "origin", "codex/7")
    # The PR is squash-merged on the remote; the clone has not fetched it yet.
    git(repos.other, "fetch", "-q", "origin")
    git(repos.other, "merge", "-q", "--squash", "origin/codex/7")
    git(repos.other, "commit", "-q", "-m", "Export as CSV (#8)")
    git(repos.other, "push", "-q", "origin", "main")

    outcome = await retire(world.lifecycle, "w2")
    assert outcome.branch_deleted and outcome.summary.endswith("deleted (merged)")
    assert git(repos.clone, "branch", "--list", "codex/7") == ""


async def test_only_agents_orchestra_started_are_retired(tmux, tmp_path, repos):
    text = config_text(repos.clone, tmp_path / "p.jsonl") + '\n[[agent]]\nname = "cfg"\n'
    world = make_world(tmux, tmp_path, repos.clone, text=text)
    with pytest.raises(LifecycleError, match=r"^cfg is an \[\[agent\]\] of your config, not an "
                                             "agent orchestra started"):
        await retire(world.lifecycle, "cfg")
    with pytest.raises(LifecycleError, match="^no agent named ghost was started by orchestra"):
        await retire(world.lifecycle, "ghost")


async def test_the_cli_refuses_in_one_line_then_forces(tmux, tmp_path, local_repo, capsys):
    config = tmp_path / "config.toml"
    config.write_text(config_text(local_repo, tmp_path / "prompts.jsonl"), encoding="utf-8")
    base = ["--config", str(config), "-L", tmux.runner.socket_name, "--data-dir",
            str(tmp_path / "data")]
    assert await asyncio.to_thread(main, [*base, "new", "w2", "--lane", "shop"]) == 0
    worktree = tmp_path / "data" / "worktrees" / "shop" / "w2"
    (worktree / "README.md").write_text("changed\n", encoding="utf-8")
    capsys.readouterr()

    assert await asyncio.to_thread(main, [*base, "retire", "w2"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has uncommitted changes (1 path)" in err
    assert worktree.exists() and await sessions(tmux) == ["w2"]

    assert await asyncio.to_thread(main, [*base, "retire", "w2", "--force"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("w2 retired: stopped, worktree ") and "1 uncommitted path" in out
    assert not worktree.exists() and await sessions(tmux) == []


async def test_an_agent_discovered_before_its_record_is_dropped_when_retired(tmux, tmp_path):
    """`orchestra new` starts the session, then records it: a tick in between discovers the
    pane under the session's name. The record, once seen, is the agent; its retire drops it
    (the discovered slot had passed for a configured agent and stayed, `exited`, for good)."""
    from orchestra_tui.models import AgentRecord, AgentSpec
    from orchestra_tui.services.store.agents_registry import AgentsRegistry
    from tests.tmux_fixtures import start_fake_agent

    registry = AgentsRegistry(tmp_path / "data")
    fleet = Fleet(tmux, [], discover=True, registry=registry, follow_work=False)
    pane = await start_fake_agent(tmux, "claude", tmp_path / "log.jsonl", session="w2")
    await fleet.refresh()
    assert fleet.names == ["w2"] and fleet.spec("w2").target == pane.pane_id  # discovered
    registry.add(AgentRecord(AgentSpec("w2", tool="claude", lane="shop"), branch="claude/7"))
    await fleet.refresh()
    assert fleet.spec("w2").lane == "shop"  # the record is what it is now
    await tmux.kill_pane(pane.pane_id)
    registry.remove("w2")
    await fleet.refresh()
    assert fleet.names == []
