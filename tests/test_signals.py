"""Clean exits: `orchestra` and `orchestra demo` run in a real terminal (a tmux pane under a
shell) and are sent SIGTERM, SIGHUP or SIGINT, or lose their terminal; afterwards the terminal
is sane (alternate screen off, mouse tracking off, cursor shown, as tmux itself reads the pane's
modes) and nothing of the demo is left running. A demo killed outright (SIGKILL) leaves its
world behind, and the next demo removes it."""

from __future__ import annotations

import asyncio
import os
import pathlib
import re
import signal
import sys
import time

import pytest

from orchestra_tui.demo.world import (
    KEPT,
    owner_alive,
    process_identity,
    remove_abandoned_worlds,
)
from orchestra_tui.models import PaneInfo
from orchestra_tui.services.tmux.service import TmuxService
from tests.demo_fixtures import (  # noqa: F401 (an autouse fixture)
    World,
    _no_world_outlives_the_test,
    agent_processes,
    demo_env,
    world_left,
    world_of,
)
from tests.helpers import async_wait_until, process_ended
from tests.tmux_fixtures import REPO, start_fake_agent

pytestmark = pytest.mark.slow

# The terminal modes tmux keeps for a pane, as its format variables name them.
MODES = ("alternate_on", "mouse_any_flag", "mouse_button_flag", "mouse_standard_flag",
         "mouse_sgr_flag", "cursor_flag")
SANE = {"alternate_on": "0", "mouse_any_flag": "0", "mouse_button_flag": "0",
        "mouse_standard_flag": "0", "mouse_sgr_flag": "0", "cursor_flag": "1"}
# Textual's: the alternate screen, mouse tracking on, the cursor hidden.
APP_RUNNING = {"alternate_on": "1", "mouse_any_flag": "1", "cursor_flag": "0"}


async def modes(tmux: TmuxService, pane_id: str) -> dict[str, str]:
    line = " ".join(f"#{{{name}}}" for name in MODES)
    values = (await tmux.run("display-message", "-p", "-t", pane_id, line)).stdout.split()
    return dict(zip(MODES, values))


def child_pids(parent: int) -> list[int]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry))
    return found


async def start_in_shell(tmux: TmuxService, tmp_path: pathlib.Path, command: str) -> PaneInfo:
    """A terminal with a shell in it, where a person types `command`; it echoes the exit
    status when the command ends. Its temp dir (where a demo puts its world) is the test's."""
    pane = await tmux.start("bash --norc --noprofile", cwd=str(REPO), session="user",
                            env=demo_env(tmp_path), width=160, height=45)
    await tmux.send_text(pane.pane_id, f"{command}; echo EXITED=$?",
                         pending=lambda screen, text: False)
    return pane


async def wait_for_app(tmux: TmuxService, pane_id: str, timeout: float = 60) -> int:
    """The orchestra process once its app has taken over the terminal."""
    async def running() -> bool:
        now = await modes(tmux, pane_id)
        return all(now[name] == value for name, value in APP_RUNNING.items())

    try:
        await async_wait_until(running, timeout=timeout, message="the app to take the terminal")
    except AssertionError as error:
        screen = (await tmux.capture([pane_id])).get(pane_id, "")
        raise AssertionError(f"{error}; modes {await modes(tmux, pane_id)!r}; screen:\n"
                             f"{screen}") from None
    shell = (await tmux.pane_info(pane_id)).pid
    [pid] = child_pids(shell)
    return pid


@pytest.fixture
def started():
    """Note the processes a test started: one still running at the end (hung) is killed,
    found by its pid and start time."""
    noted: list[str] = []
    yield lambda pid: noted.append(process_identity(pid))
    for identity in noted:
        pid = int(identity.split(":")[0])
        if process_identity(pid) == identity:
            os.kill(pid, signal.SIGKILL)


async def exit_status(tmux: TmuxService, pane_id: str) -> int:
    async def echoed() -> int | None:
        screen = (await tmux.capture([pane_id])).get(pane_id, "")
        found = re.search(r"^EXITED=(\d+)", screen, re.M)
        return int(found[1]) if found else None

    return await async_wait_until(echoed, timeout=60, message="the command to end")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=["SIGTERM", "SIGHUP", "SIGINT"])
async def test_the_app_leaves_a_sane_terminal_on_a_signal(tmux, tmp_path, started, number):
    socket_name = tmux.runner.socket_name
    await start_fake_agent(tmux, "codex", tmp_path / "agent.jsonl", session="api")
    config = tmp_path / "config.toml"
    config.write_text('[[agent]]\nname = "api"\ntool = "codex"\ntarget = "api"\n')
    pane = await start_in_shell(
        tmux, tmp_path, f"{sys.executable} -m orchestra_tui --config {config} -L {socket_name}")
    pid = await wait_for_app(tmux, pane.pane_id)
    started(pid)

    os.kill(pid, number)

    assert await exit_status(tmux, pane.pane_id) == 128 + number
    assert await modes(tmux, pane.pane_id) == SANE
    assert "Traceback" not in (await tmux.capture([pane.pane_id]))[pane.pane_id]


async def test_the_app_ends_when_its_terminal_closes(tmux, tmp_path, started):
    """Every write to a closed terminal fails: the app must still get through its exit."""
    config = tmp_path / "config.toml"
    config.write_text("")
    pane = await start_in_shell(
        tmux, tmp_path, f"{sys.executable} -m orchestra_tui --config {config} -L "
                        f"{tmux.runner.socket_name}")
    pid = await wait_for_app(tmux, pane.pane_id)
    started(pid)
    # The server outlives the terminal: the app goes on drawing what it polls, into nothing.
    await tmux.start("sleep 600", session="keeps-the-server")

    await tmux.kill_pane(pane.pane_id)

    async def app_gone() -> bool:
        return process_ended(pid)

    await async_wait_until(app_gone, timeout=30, message="the app to end")


# -- the demo ---------------------------------------------------------------------------------

async def wait_for_demo(tmux: TmuxService, pane_id: str, tmp_path: pathlib.Path
                        ) -> tuple[int, World]:
    async def fleet_shown() -> bool:
        screen = (await tmux.capture([pane_id])).get(pane_id, "")
        return "4 agents" in screen

    pid = await wait_for_app(tmux, pane_id, timeout=90)
    await async_wait_until(fleet_shown, timeout=60, message="the demo fleet")
    world = world_of(pid, tmp_path)
    # The world is up, or the checks that it is gone would prove nothing.
    assert {"its tmux server", "the GitHub stand-in's port", "its directory"} <= set(
        world_left(world))
    assert agent_processes(world.directory)
    return pid, world


async def nothing_left(world: World) -> None:
    async def clean() -> bool:
        return not world_left(world)

    try:
        await async_wait_until(clean, timeout=30, message="nothing of the demo left")
    except AssertionError:
        raise AssertionError(f"left behind: {world_left(world)}") from None


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP],
                         ids=["SIGTERM", "SIGHUP"])
async def test_the_demo_removes_its_world_on_a_signal(tmux, tmp_path, started, number):
    pane = await start_in_shell(tmux, tmp_path, f"{sys.executable} -m orchestra_tui demo")
    pid, world = await wait_for_demo(tmux, pane.pane_id, tmp_path)
    started(pid)

    os.kill(pid, number)

    assert await exit_status(tmux, pane.pane_id) == 128 + number
    assert await modes(tmux, pane.pane_id) == SANE
    await nothing_left(world)


async def test_the_demo_removes_its_world_when_its_terminal_closes(tmux, tmp_path, started):
    """Closing the terminal: the shell and the demo get SIGHUP and every write to the terminal
    fails from then on; the cleanup must not depend on one."""
    pane = await start_in_shell(tmux, tmp_path, f"{sys.executable} -m orchestra_tui demo")
    pid, world = await wait_for_demo(tmux, pane.pane_id, tmp_path)
    started(pid)

    await tmux.kill_pane(pane.pane_id)

    await nothing_left(world)

    async def demo_gone() -> bool:
        return process_ended(pid)

    await async_wait_until(demo_gone, timeout=30, message="the demo process to end")


async def test_a_demo_killed_outright_is_removed_by_the_next(tmux, tmp_path, started):
    pane = await start_in_shell(tmux, tmp_path, f"{sys.executable} -m orchestra_tui demo")
    pid, world = await wait_for_demo(tmux, pane.pane_id, tmp_path)
    started(pid)

    os.kill(pid, signal.SIGKILL)
    await exit_status(tmux, pane.pane_id)
    assert "its tmux server" in world_left(world)  # SIGKILL leaves everything running

    removed = await remove_abandoned_worlds(root=tmp_path / "tmp")

    assert world.socket_name in removed
    await nothing_left(world)


async def test_owner_liveness() -> None:
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await process.wait()
    gone = process_identity(process.pid)
    mine = process_identity(os.getpid())
    assert owner_alive(mine) and owner_alive(KEPT)
    assert not owner_alive(gone)
    # The same pid started at another time (reused) is not the owner.
    assert not owner_alive(f"{os.getpid()}:1")
    assert not owner_alive("") and not owner_alive("junk")


def test_a_signalled_app_ends_by_its_deadline_whatever_still_runs():
    """The backstop of a signal: the process ends with 128 + the signal's number by the
    deadline even when something in its teardown never returns (here: a sleep of a minute)."""
    import subprocess
    program = ("import time\n"
               "from orchestra_tui.commands.app import _end_by_deadline\n"
               "_end_by_deadline(129, 0.5)\n"
               "time.sleep(60)\n")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", program], timeout=30)
    assert done.returncode == 129
    assert time.monotonic() - started < 20
