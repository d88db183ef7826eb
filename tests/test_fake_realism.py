"""The simulated agent's realistic mode in a real tmux pane: silent while idle, about ten frames a
second while working (counted in the pane's raw output through `pipe-pane`), and still read as
working and then idle by the detector."""

from __future__ import annotations

import pathlib
import shlex
import time

import pytest

from orchestra_tui.agents import classify
from orchestra_tui.demo.fake_realism import SYNC_START
from orchestra_tui.models import State
from orchestra_tui.services.tmux.service import TmuxService
from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, fake_agent_argv, wait_for_screen


def frames(path: pathlib.Path) -> int:
    return path.read_bytes().count(SYNC_START.encode()) if path.exists() else 0


async def output_after(path: pathlib.Path, seconds: float) -> tuple[int, int, float]:
    """(bytes, frames, seconds) the pane wrote over about `seconds` (a wait, not a state)."""
    size, count, started = path.stat().st_size, frames(path), time.monotonic()

    async def elapsed() -> bool:
        return time.monotonic() - started >= seconds

    await async_wait_until(elapsed, timeout=seconds + 5, interval=0.05, message="the window")
    took = time.monotonic() - started
    return path.stat().st_size - size, frames(path) - count, took


@pytest.mark.parametrize("flavor", ["codex", "claude"])
async def test_realistic_agent_is_silent_idle_and_redraws_ten_times_a_second_working(
        tmux: TmuxService, tmp_path: pathlib.Path, flavor: str) -> None:
    argv = fake_agent_argv(flavor, tmp_path / "log.jsonl", name=f"real-{flavor}")
    pane = await tmux.start(argv + ["--realism", "real"], cwd=str(REPO), session=flavor,
                            env={"PYTHONPATH": str(REPO)}, width=100, height=30)
    ready = await wait_for_screen(tmux, pane.pane_id, lambda s: "? for shortcuts" in s,
                                  message="ready")
    assert classify(ready, flavor).state is State.IDLE
    raw = tmp_path / "raw"
    await tmux.run("pipe-pane", "-o", "-t", pane.pane_id, f"cat >> {shlex.quote(str(raw))}")
    await async_wait_until(lambda: _exists(raw), message="pipe-pane's file")

    idle_bytes, idle_frames, _ = await output_after(raw, 1.5)
    assert (idle_bytes, idle_frames) == (0, 0)

    await tmux.run("send-keys", "-t", pane.pane_id, "-l", "[work 4] go", ";",
                   "send-keys", "-t", pane.pane_id, "Enter")
    working = await wait_for_screen(tmux, pane.pane_id, lambda s: "esc to interrupt" in s,
                                    message="working")
    assert classify(working, flavor).state is State.WORKING
    written, count, took = await output_after(raw, 2.0)
    rate = count / took
    assert 6.0 <= rate <= 11.5, (count, took)
    assert written > count * 40  # each frame rewrites at least the status row

    idle = await wait_for_screen(tmux, pane.pane_id, lambda s: "esc to interrupt" not in s,
                                 timeout=15, message="the turn's end")
    assert classify(idle, flavor).state is State.IDLE
    await output_after(raw, 0.3)  # the last frame of the turn lands
    after_bytes, after_frames, _ = await output_after(raw, 1.5)
    assert (after_bytes, after_frames) == (0, 0)


async def _exists(path: pathlib.Path) -> bool:
    return path.exists()
