"""`orchestra demo` as a new user runs it: in a terminal (a tmux pane), it opens on four agents,
and quitting leaves no tmux server, process, listening port or file of the demo behind;
`--keep` leaves it running and prints commands that reach it and remove it, as printed."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

from tests.demo_fixtures import (  # noqa: F401 (an autouse fixture)
    World,
    _no_world_outlives_the_test,
    demo_env,
    world_left,
)
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, wait_for_screen

pytestmark = pytest.mark.slow


def printed_world(screen: str) -> World:
    """The world as the demo describes it when it starts."""
    return World(directory=pathlib.Path(re.search(r"files\s+(\S+)", screen).group(1)),
                 socket_name=re.search(r"tmux server\s+-L (\S+)", screen).group(1),
                 api_url=re.search(r"GitHub\s+(http://\S+)", screen).group(1))


async def nothing_left(world: World) -> None:
    async def clean() -> bool:
        return not world_left(world)

    try:
        await async_wait_until(clean, timeout=20, message="nothing of the demo left")
    except AssertionError:
        raise AssertionError(f"left behind: {world_left(world)}") from None


async def test_demo_starts_shows_every_agent_and_quits_clean(tmux, tmp_path):
    pane = await tmux.start([sys.executable, "-m", "orchestra_tui", "demo"], cwd=str(REPO),
                            session="user", env=demo_env(tmp_path), width=160, height=45)
    await tmux.set_remain_on_exit(pane.pane_id)
    screen = await wait_for_screen(
        tmux, pane.pane_id, lambda s: "4 agents" in s and "APPROVAL" in s,
        timeout=40, message="the demo fleet with an approval")
    for name in ("api", "web", "docs", "ingest"):
        assert re.search(rf"│\s+\w+\s+{name}[\s≠]", screen), name
    # The conflict radar: api's and web's worktrees of the shop's clone both change
    # pricing.py's rounding; ingest's changes a file of its own.
    screen = await wait_for_screen(
        tmux, pane.pane_id, lambda s: "api ≠web" in s and "web ≠api" in s, timeout=40,
        message="the radar's pair marked on both rows")
    assert "ingest ≠" not in screen
    # The PR loop in the inbox: #106's conflict with the file git found in the lane's clone,
    # #102 behind main past web's lane limit, #101's failed check with its step, sent to api
    # unasked (its lane autoroutes "ci").
    await tmux.send_keys(pane.pane_id, "i")
    await wait_for_screen(
        tmux, pane.pane_id, lambda s: "conflicts with main: pricing.py" in s
        and "behind main by 3 commits" in s and "failure at step 'Run" in s
        and "sent to api's queue" in s,
        timeout=40, message="the PR loop's items in the inbox")
    await tmux.send_keys(pane.pane_id, "Escape")
    # Back on the fleet before `q`: an Escape followed at once by q would read as alt+q.
    await wait_for_screen(tmux, pane.pane_id, lambda s: "4 agents" in s, timeout=20,
                          message="back on the fleet")
    await tmux.send_keys(pane.pane_id, "q")
    screen = await wait_for_screen(tmux, pane.pane_id, lambda s: "Demo stopped" in s,
                                   timeout=30, message="the demo to stop")
    await nothing_left(printed_world(screen))


async def joined_screen(tmux, pane_id: str) -> str:
    """The pane's text with wrapped lines joined, as they were printed."""
    return (await tmux.run("capture-pane", "-p", "-J", "-t", pane_id)).stdout


async def test_demo_keep_prints_commands_that_work_as_printed(tmux, tmp_path):
    """`--keep` leaves the world running and prints how to reach it: the app's command line,
    run as printed from another directory and without this checkout on PYTHONPATH, opens the
    kept demo on its own data; the stop line removes it."""
    installed = pathlib.Path(sys.executable).parent / "orchestra"
    program = str(installed) if installed.exists() else f"{sys.executable} -m orchestra_tui"
    pane = await tmux.start(f"{program} demo --keep", cwd=str(REPO), session="user",
                            env=demo_env(tmp_path), width=160, height=45)
    await tmux.set_remain_on_exit(pane.pane_id)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "4 agents" in s and "APPROVAL" in s,
                          timeout=60, message="the demo fleet")
    await tmux.send_keys(pane.pane_id, "q")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "stop it:" in s, timeout=30,
                          message="the demo's instructions")
    printed = await joined_screen(tmux, pane.pane_id)
    world = printed_world(printed)
    app_line = re.search(r"^\s*app:\s+(.+?)\s*$", printed, re.M).group(1)
    stop_line = re.search(r"^\s*stop it:\s+(.+?)\s*$", printed, re.M).group(1)
    assert app_line.split()[1].startswith("/")  # after GH_TOKEN=…: an absolute path
    assert f"--data-dir {world.directory}/data" in app_line
    assert world_left(world)  # kept

    reopened = await tmux.start(f"cd / && env -u PYTHONPATH {app_line}", session="again",
                                env={"TERM": "xterm-256color"}, width=160, height=45)
    await tmux.set_remain_on_exit(reopened.pane_id)
    # docs' held queue (2 prompts, paused) lives in the demo's own data dir: shown, it was read.
    await wait_for_screen(tmux, reopened.pane_id,
                          lambda s: "4 agents" in s and "APPROVAL" in s
                          and re.search(r"docs .* 2 ⏸", s) is not None,
                          timeout=60, message="the kept demo, opened as printed, its queues")
    await tmux.send_keys(reopened.pane_id, "q")
    await wait_for_screen(tmux, reopened.pane_id, lambda s: "4 agents" not in s, timeout=30,
                          message="the reopened app to quit")

    subprocess.run(["bash", "-c", stop_line], check=True, capture_output=True)
    await nothing_left(world)
