"""The terminal driver's input thread (`orchestra_tui/ui/terminal.py`) in a real terminal (a
tmux pane): keys and a lone Escape arrive as Textual's own thread delivers them, it sleeps while
no key comes (Textual's wakes ten times a second), the app still quits at once (the exit event
wakes it through its pipe), and all of it holds after the app stepped aside for another
program and came back (Textual closes the driver then and starts a new input thread)."""

from __future__ import annotations

import asyncio
import pathlib
import re
import sys
import time

import pytest

from orchestra_tui.services.tmux.service import TmuxService
from tests.tmux_fixtures import REPO, wait_for_screen

pytestmark = pytest.mark.slow

PROGRAM = REPO / "tests" / "programs" / "key_echo.py"


def wake_ups(pid: int, thread: int) -> int:
    """How many times a thread has gone to sleep and woken (voluntary context switches: one
    per wait that ended, by input or by timeout)."""
    status = pathlib.Path(f"/proc/{pid}/task/{thread}/status").read_text()
    return int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M).group(1))


async def test_keys_arrive_the_input_thread_rests_and_quit_is_prompt(tmux: TmuxService):
    pane = await tmux.start([sys.executable, str(PROGRAM)], cwd=str(REPO), session="term",
                            env={"PYTHONPATH": str(REPO), "TERM": "xterm-256color",
                                 # A size from the environment wins over the terminal's.
                                 "COLUMNS": "80", "LINES": "10"},
                            width=80, height=10)
    await tmux.set_remain_on_exit(pane.pane_id)
    screen = await wait_for_screen(tmux, pane.pane_id, lambda s: "ready" in s,
                                   message="the app up")
    pid, thread = map(int, re.search(r"pid (\d+) input (\d+)", screen).groups())

    await tmux.send_keys(pane.pane_id, "a")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "key 1: a" in s, message="a")
    # A lone escape byte: the parser holds it for its deadline, then it is the Escape key.
    await tmux.send_keys(pane.pane_id, "Escape")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "key 2: escape" in s, timeout=5,
                          message="escape")
    await tmux.send_keys(pane.pane_id, "Up")  # a whole sequence: one key, not escape and [A
    await wait_for_screen(tmux, pane.pane_id, lambda s: "key 3: up" in s, message="up")

    # At rest: Textual's own thread wakes every 100 ms (about 20 times in 2 s).
    before = wake_ups(pid, thread)
    await asyncio.sleep(2.0)  # a window to count wake-ups over, not a wait for a state
    assert wake_ups(pid, thread) - before <= 3

    # Aside and back, as `a` outside tmux: a new input thread, resting too, keys arriving.
    await tmux.send_keys(pane.pane_id, "s")
    screen = await wait_for_screen(tmux, pane.pane_id, lambda s: "key 4: s" in s,
                                   message="back from aside")
    thread = int(re.search(r"input (\d+)", screen).group(1))
    await tmux.send_keys(pane.pane_id, "b")
    await wait_for_screen(tmux, pane.pane_id, lambda s: "key 5: b" in s, message="b")
    before = wake_ups(pid, thread)
    await asyncio.sleep(2.0)
    assert wake_ups(pid, thread) - before <= 3

    await tmux.send_keys(pane.pane_id, "q")
    quit_at = time.monotonic()
    await wait_for_screen(tmux, pane.pane_id, lambda s: "bye" in s, timeout=10,
                          message="the app gone")
    assert time.monotonic() - quit_at < 3.0  # not stuck in a wait no key ends
