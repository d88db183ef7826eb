"""Branch figures follow state changes (issue 21): a working agent's figures are read a
quarter as often as an idle one's (each read is ~25 ms of git; fifty agents each in its own
worktree cost git about 2 % of a core), and at once when its turn ends, then holding what the
turn did. Real simulated agents in real git worktrees on a real tmux server."""

from __future__ import annotations

import asyncio
import collections
import sys

import pytest

from orchestra_tui.core.fleet import work as work_module
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.git import figures as git_figures
from tests.test_activity_reads import type_prompt
from tests.test_pr_loop import git, new_repo
from tests.tmux_fixtures import REPO, wait_for_screen

pytestmark = pytest.mark.slow
EVERY = 1.0  # seconds between two reads of an idle agent's figures, here


async def test_a_working_agents_figures_are_read_less_and_once_its_turn_ends(
        tmux, tmp_path, monkeypatch) -> None:
    clone = tmp_path / "shop"
    new_repo(clone)
    trees = {}
    for name in ("busy",):
        trees[name] = tmp_path / f"wt-{name}"
        git(clone, "worktree", "add", "-q", "-b", f"agent/{name}", str(trees[name]), "main")
    reads: collections.Counter[str] = collections.Counter()
    figures = git_figures.figures

    async def counted(worktree, *args, **kwargs):
        reads[str(worktree)] += 1
        return await figures(worktree, *args, **kwargs)

    monkeypatch.setattr(git_figures, "figures", counted)
    panes = {}
    for name, tree in trees.items():
        pane = await tmux.start([sys.executable, "-m", "orchestra_tui.demo.fake_agent",
                                 "--flavor", "codex", "--name", name], cwd=str(tree),
                                session=name, width=100, height=30,
                                env={"PYTHONPATH": str(REPO)})
        panes[name] = pane.pane_id
        await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s,
                              message="agent ready")
    fleet = Fleet(tmux, [AgentSpec(name, tool="codex", cwd=str(tree), target=panes[name])
                         for name, tree in trees.items()],
                  settings=FleetSettings(idle_debounce=0.3), discover=False, work_every=EVERY)

    async def tick_for(seconds: float) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            await fleet.refresh()
            await asyncio.sleep(0.2)

    async def until(name: str, state: State) -> None:
        for _ in range(100):
            await fleet.refresh()
            view = fleet.current().get(name)
            if view is not None and view.status.state is state:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{name} never {state}")

    await type_prompt(tmux, panes["busy"], "[work 60] keep at it")
    await until("busy", State.WORKING)
    await tick_for(1.5)
    before = collections.Counter(reads)
    await tick_for(EVERY * work_module.WORKING_SLOWER - 0.5)
    busy = reads[str(trees["busy"])] - before[str(trees["busy"])]
    assert busy <= 1, reads  # every second before: a quarter as often while it works
    # The turn ends: its figures are read at once, not at the next quarter.
    ended = reads[str(trees["busy"])]
    await tmux.run("send-keys", "-t", panes["busy"], "Escape")
    await until("busy", State.IDLE)
    await tick_for(0.6)
    assert reads[str(trees["busy"])] > ended, reads
