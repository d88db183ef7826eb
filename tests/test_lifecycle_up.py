"""`up` after the tmux server is killed (a reboot): every recorded and configured agent back in
its worktree or cwd, agents already running left alone, and each queued prompt delivered once by
the dispatch the running app does; the CLI's `new`, `up` and `status --json` from a shell."""

from __future__ import annotations

import asyncio
import collections
import json
import os

import pytest

from orchestra_tui.cli import main
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.lifecycle.lifecycle import NewRequest
from orchestra_tui.core.up import bring_up
from orchestra_tui.models import QueueItemState, State
from tests.helpers import async_wait_until
from tests.lifecycle_fixtures import *  # noqa: F403 (the repositories)
from tests.lifecycle_fixtures import config_text, git, make_world
from tests.tmux_fixtures import logged_prompts, wait_for_prompts

pytestmark = pytest.mark.slow


async def test_up_after_the_server_is_killed_brings_every_agent_back(tmux, tmp_path, repos):
    # Two agents orchestra started and one of the config that names the lane (its cwd: the
    # lane's clone).
    text = config_text(repos.clone, tmp_path / "prompts.jsonl") + (
        '\n[[agent]]\nname = "cfg"\nlane = "shop"\ntarget = "work:2"\n')
    world = make_world(tmux, tmp_path, repos.clone, text=text)
    first = await world.lifecycle.new(NewRequest(name="w1", lane="shop", issue=1))
    second = await world.lifecycle.new(NewRequest(name="w2", lane="shop", issue=2))
    assert first.delivered and second.delivered
    issue_prompts = await wait_for_prompts(world.log, 2, timeout=30)

    # Follow-ups wait in their queues when the server goes away.
    world.store.add("w1", "follow-up for w1", source="person")
    world.store.add("w2", "follow-up for w2", source="person")
    world.store.add("cfg", "follow-up for cfg", source="person")
    await tmux.kill_server()
    assert not await tmux.is_running()

    fleet = Fleet(tmux, world.lifecycle.config.agents, store=world.store,
                  settings=FleetSettings(idle_debounce=0.3), registry=world.registry)
    outcomes = await bring_up(world.lifecycle, await fleet.refresh())

    assert [(o.name, o.action, o.state) for o in outcomes] == [
        ("cfg", "started", State.IDLE), ("w1", "started", State.IDLE),
        ("w2", "started", State.IDLE)]
    # The configured agent is back where its target says (session work, window 2), so the
    # fleet finds it; the recorded ones in their own sessions.
    found = await tmux.pane_info(outcomes[0].pane_id)
    assert (found.session_name, found.window_index) == ("work", 2)
    assert all(o.queued == 1 for o in outcomes)
    assert outcomes[0].line().endswith(", ready; 1 queued prompt waits for a running "
                                       "orchestra to send")
    for outcome, where in zip(outcomes[1:], (first.record.worktree, second.record.worktree)):
        pane = await tmux.pane_info(outcome.pane_id)
        assert (pane.session_name, os.path.realpath(pane.current_path)) == (
            outcome.name, os.path.realpath(where))
    assert os.path.realpath(found.current_path) == os.path.realpath(repos.clone)
    assert [e["agent"] for e in world.events("agent_up")] == ["cfg", "w1", "w2"]

    # What the running app does each tick: the queues go out, each prompt once.
    async def delivered() -> bool:
        await fleet.refresh()
        fleet.dispatch_ready()
        return all(item.state == QueueItemState.SENT
                   for name in ("w1", "w2", "cfg") for item in world.store.items(name))

    await async_wait_until(delivered, timeout=40, interval=0.1, message="queues delivered")
    await fleet.wait_for_sends()
    logged = collections.Counter(logged_prompts(world.log))
    assert logged == collections.Counter(
        [*issue_prompts, "follow-up for w1", "follow-up for w2", "follow-up for cfg"])

    # Everything runs now: a second `up` leaves it all alone.
    again = await bring_up(world.lifecycle, await fleet.refresh())
    assert [(o.name, o.action) for o in again] == [
        ("cfg", "running"), ("w1", "running"), ("w2", "running")]
    assert len(world.events("agent_up")) == 3
    assert git(repos.clone, "worktree", "list").count("codex/") == 2


async def test_up_skips_an_agent_whose_worktree_is_gone(tmux, tmp_path, repos):
    world = make_world(tmux, tmp_path, repos.clone)
    made = await world.lifecycle.new(NewRequest(name="w1", lane="shop"))
    await tmux.kill_server()
    git(repos.clone, "worktree", "remove", "--force", made.record.worktree)
    fleet = Fleet(tmux, [], store=world.store, discover=False, registry=world.registry)
    [outcome] = await bring_up(world.lifecycle, await fleet.refresh())
    assert (outcome.action, outcome.ok) == ("skipped", True)
    assert "its worktree" in outcome.reason and "orchestra retire w1" in outcome.reason
    assert not await tmux.is_running()


async def run_cli(*argv: str) -> int:
    # main() runs its own event loop: from an async test it runs in a thread.
    return await asyncio.to_thread(main, list(argv))


async def test_the_cli_new_status_up_and_its_one_line_errors(tmux, tmp_path, repos, capsys):
    config = tmp_path / "config.toml"
    config.write_text(config_text(repos.clone, tmp_path / "prompts.jsonl"), encoding="utf-8")
    base = ["--config", str(config), "-L", tmux.runner.socket_name, "--data-dir",
            str(tmp_path / "data")]

    assert await run_cli(*base, "new", "w2", "--lane", "shop", "--issue", "#7",
                         "--no-github") == 0
    out = capsys.readouterr().out
    assert "w2 started in tmux session w2" in out and "on branch codex/7" in out
    assert "its first prompt was sent" in out
    await wait_for_prompts(tmp_path / "prompts.jsonl", 1, timeout=30)

    assert await run_cli(*base, "new", "w2", "--lane", "shop", "--issue", "8") == 1
    assert capsys.readouterr().err == ("orchestra: the name w2 is in use by an agent orchestra "
                                       "started (`orchestra retire w2` ends it)\n")
    assert await run_cli(*base, "new", "w3", "--lane", "shop", "--issue", "x") == 2
    assert capsys.readouterr().err.startswith("orchestra new: argument --issue: 'x' is not an "
                                              "issue number")

    git(tmp_path / "data" / "worktrees" / "shop" / "w2", "commit", "-q", "--allow-empty", "-m",
        "work")
    assert await run_cli(*base, "status", "--json") == 0
    [row] = json.loads(capsys.readouterr().out)
    assert {key: row[key] for key in ("name", "branch", "ahead", "behind", "files_changed",
                                      "insertions", "deletions")} == {
        "name": "w2", "branch": "codex/7", "ahead": 1, "behind": 0, "files_changed": 0,
        "insertions": 0, "deletions": 0}

    await tmux.kill_server()
    assert await run_cli(*base, "up") == 0
    assert capsys.readouterr().out.startswith("w2: started in %")
    assert await run_cli(*base, "up", "nobody") == 1
    assert capsys.readouterr().err == "orchestra: no agent named nobody (known: w2)\n"
    assert len(logged_prompts(tmp_path / "prompts.jsonl")) == 1
