"""A pane that keeps writing is sampled, on a real tmux server (`services/tmux/activity.py`):
paused and let go again, so tmux tells only a fraction of its frames, while its stop is still
seen soon after; the asks for a whole fleet go as one line through one client; a pane on
screen is followed frame by frame; and a watching client that dies mid-run leaves no pane of
the others stuck paused."""

from __future__ import annotations

import asyncio
import collections
import os
import pathlib
import signal
import sys
import time

import pytest

from orchestra_tui.services.tmux.activity import OutputWatch
from orchestra_tui.services.tmux.output_board import PAUSE_SECONDS, QUIET_SECONDS
from orchestra_tui.services.tmux.service import TmuxService
from tests.tmux_fixtures import REPO

pytestmark = pytest.mark.slow
OUTPUT_LINES = (b"%output ", b"%extended-output ")

# Codex's status row ten times a second, as the realistic simulated agent draws it, until a
# file named `stop` appears beside the program; then silence.
PRINTER = """\
import os, sys, time
from orchestra_tui.demo.fake_realism import SYNC_END, SYNC_START, codex_shimmer
here, start, frames = os.path.dirname(os.path.abspath(__file__)), time.monotonic(), 0
name = sys.argv[1]
while not os.path.exists(os.path.join(here, "stop-" + name)):
    now = time.monotonic() - start
    row = codex_shimmer("• Working (%ds • esc to interrupt)" % now, now)
    sys.stdout.write(SYNC_START + "\\r\\x1b[2K" + row + SYNC_END)
    sys.stdout.flush()
    frames += 1
    with open(os.path.join(here, "frames-" + name), "w") as out:
        out.write(str(frames))
    time.sleep(0.1)
time.sleep(3600)
"""


async def start_printers(tmux: TmuxService, folder: pathlib.Path, names: list[str]
                         ) -> dict[str, str]:
    program = folder / "printer.py"
    program.write_text(PRINTER)
    panes = {}
    for name in names:
        pane = await tmux.start([sys.executable, str(program), name], cwd=str(REPO),
                                session=name, width=100, height=30,
                                env={"PYTHONPATH": str(REPO)})
        panes[name] = pane.pane_id
    return panes


def frames(folder: pathlib.Path, name: str) -> int:
    try:
        return int((folder / f"frames-{name}").read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


class Poll:
    """The poll loop's side of the watch: a report every 0.25 s."""

    def __init__(self, tmux: TmuxService, watch: OutputWatch, shown: set[str]) -> None:
        self.tmux, self.watch, self.shown = tmux, watch, shown
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Poll:
        async def run() -> None:
            while True:
                panes = await self.tmux.list_panes()
                await self.watch.report(panes, shown=self.shown)
                await asyncio.sleep(0.25)

        self.task = asyncio.create_task(run())
        return self

    async def __aexit__(self, *exc) -> None:
        assert self.task is not None
        self.task.cancel()
        await self.watch.aclose()


async def until(predicate, timeout: float, message: str) -> float:
    """Wait for `predicate` with a deadline; the seconds it took."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out waiting for {message}")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def test_working_panes_are_sampled_their_stop_seen_and_the_shown_one_followed(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    names = ["a", "b", "c", "shown"]
    panes = await start_printers(tmux, tmp_path, names)
    watch = OutputWatch(tmux.runner)
    board = watch.board
    carried: list[str] = []
    told: collections.Counter[str] = collections.Counter()
    async with Poll(tmux, watch, shown={panes["shown"]}):
        await until(lambda: all(p in board.loud for p in panes.values()), 10, "all writing")
        await until(lambda: all(w.name for w in watch._sessions.values()), 10, "clients named")
        for session in watch._sessions.values():  # note what the clients carry and hear
            command, line = session.command, session._line
            session.command = (lambda text, command=command:  # type: ignore[method-assign]
                               (carried.append(text), command(text))[1])
            session._line = (lambda head, size, line=line:  # type: ignore[method-assign]
                             (told.update([head.split()[1].decode()]
                                          if head.startswith(OUTPUT_LINES) else []),
                              line(head, size))[1])
        drawn = {name: frames(tmp_path, name) for name in names}
        await asyncio.sleep(4.0)  # a stretch of steady writing to count over
        told_now = {name: told[panes[name]] for name in names}
        drawn = {name: frames(tmp_path, name) - drawn[name] for name in names}
        lines = len(carried)
        # a frame is one `%output` line or more: the sampled tell about one frame in three
        assert all(told_now[name] <= drawn[name] / 2 for name in "abc"), (told_now, drawn)
        assert told_now["shown"] >= drawn["shown"] * 0.9, (told_now, drawn)  # every frame
        asks = sum(line.count("-A") for line in carried)
        assert asks > lines, (asks, lines)  # several panes' asks share a line
        assert all(line.startswith("'refresh-client' '-t'") for line in carried), carried[:3]
        # b stops writing: the next let-go finds it silent
        (tmp_path / "stop-b").touch()
        took = await until(lambda: panes["b"] not in board.loud, 5, "b's stop")
        assert took <= PAUSE_SECONDS + QUIET_SECONDS + 0.5, took
        assert panes["a"] in board.loud and panes["c"] in board.loud


async def test_a_watching_client_that_dies_leaves_no_other_pane_stuck_paused(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    names = ["a", "b", "c"]
    panes = await start_printers(tmux, tmp_path, names)
    watch = OutputWatch(tmux.runner)
    board = watch.board
    async with Poll(tmux, watch, shown=set()):
        await until(lambda: all(p in board.paused for p in panes.values())
                    and all(w.name for w in watch._sessions.values()), 10,
                    "every pane sampled")
        carrier = next(w for w in watch._sessions.values() if w.alive and w.ready and w.name)
        os.kill(carrier.process.pid, signal.SIGKILL)  # the client carrying everyone's asks
        others = [panes[n] for n in names if n != carrier.session]
        for name in names:
            (tmp_path / f"stop-{name}").touch()
        # every pane's stop is still seen: none was left paused by a lost line
        await until(lambda: not any(p in board.loud for p in others), 8, "the others' stops")
        # the dead client's session is watched again and its pane's stop seen too
        await until(lambda: panes[carrier.session] not in board.loud, 15,
                    "the dead client's pane")


async def test_a_silent_fleet_wakes_nothing_until_a_pane_writes_or_its_client_dies(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    """All watched panes silent: the clients' reader sleeps (it ran twenty times a second),
    yet a pane's first write is seen at once, and a client killed meanwhile is noticed."""
    pane = await tmux.start(["cat"], cwd=str(tmp_path), session="quiet", width=80, height=20)
    watch = OutputWatch(tmux.runner)
    board = watch.board
    rounds = collections.Counter[str]()
    hush = board.hush
    board.hush = lambda now: (rounds.update(["read"]), hush(now))[1]  # type: ignore[method-assign]
    async with Poll(tmux, watch, shown={pane.pane_id}):
        await until(lambda: any(w.name for w in watch._sessions.values()), 10, "the client")
        await until(lambda: not board.loud and not board.paused, 5, "silence")
        await asyncio.sleep(0.3)
        before = rounds["read"]
        await asyncio.sleep(1.0)
        assert rounds["read"] - before <= 1, rounds  # at rest: no clock (it was 20 a second)
        await tmux.run("send-keys", "-t", pane.pane_id, "-l", "hello")
        took = await until(lambda: pane.pane_id in board.loud, 2, "the write seen")
        assert took <= 0.5, took
        await until(lambda: not board.loud, 5, "silence again")
        client = next(iter(watch._sessions.values()))
        os.kill(client.process.pid, signal.SIGKILL)
        await until(lambda: not client.alive, 2, "the dead client noticed")
