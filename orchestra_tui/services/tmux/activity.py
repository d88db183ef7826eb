"""Which panes wrote output, as tmux pushes it: the activity signal of the poll loop.

tmux tells a control-mode client about every write to a pane (`%output %3 …`, or
`%extended-output` once flow control is on), but only for the panes of the session that client
is attached to. So one watching client runs per session that holds a watched pane, each
`tmux -C attach -f ignore-size,pause-after=1 -t =SESSION` through the same command line as the
server's other commands (locally, or `ssh HOST tmux -C` for a host, which shares the host's
ssh connection). The client reads nothing but the first bytes of each line: a write costs a
counter and a clock reading here, never a capture.

Flow control: a pane that sends more than `OUTPUT_BUDGET` bytes between two reports (a flood:
a build log, `cat` of a big file) is paused at once (`refresh-client -A %3:pause`) and let go
again `PAUSE_SECONDS` later; tmux's own `pause-after=1` pauses a pane whose output this client
has not read for a second. A paused pane counts as writing. So a flood costs at most the budget
per pause, and never backs up the app.

A pane this watch does not see (its session's client not attached yet, or gone, or control
mode not available) is not in `OutputReport.watched`: the poll loop reads its activity the old
way (`window_activity`), and `problem` says why.

>>> board = OutputBoard(); board.wrote("%3", 40, now=10.0)
False
>>> board.report({"%3", "%4"}, now=10.5).panes
{'%3': PaneOutput(writes=1, quiet_for=0.5)}
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from orchestra_tui.models import PaneInfo
from orchestra_tui.services.tmux.args import control_line
from orchestra_tui.services.tmux.runner import TmuxRunner

__all__ = ["OUTPUT_BUDGET", "PAUSE_SECONDS", "QUIET_SECONDS", "OutputBoard", "OutputReport",
           "OutputWatch", "PaneOutput"]

OUTPUT_BUDGET = 256 * 1024  # bytes of %output lines a pane may send between two reports
PAUSE_SECONDS = 1.0  # how long a flooding pane stays paused before it is let go again
READ_EVERY = 0.05  # seconds between two reads of the watching clients' notifications
RETRY_SECONDS = 5.0  # before a session whose watching client failed is tried again
# A pane silent this long has stopped writing (a working agent's spinner redraws every 100-150
# ms): its starting and stopping are the edges that wake the poll loop (`OutputWatch.listen`).
QUIET_SECONDS = 0.2
_HEAD = 48  # bytes of a line kept to read its kind and pane (the rest is counted)
_OUTPUT = (b"%output ", b"%extended-output ")


@dataclass(frozen=True)
class PaneOutput:
    writes: int  # output notifications seen from this pane (only ever grows)
    quiet_for: float  # seconds since its last write (0 while it is paused: it floods)


@dataclass(frozen=True)
class OutputReport:
    """`watched`: panes whose writes are pushed (a pane not in it is polled); `panes`: those of
    them that wrote since they were first watched; `problem`: why some are not watched."""

    watched: frozenset[str] = frozenset()
    panes: Mapping[str, PaneOutput] = field(default_factory=dict)
    problem: str | None = None


NOT_WATCHED = OutputReport()


class OutputBoard:
    """What the watching clients heard, per pane; fed by their readers, read by `report`."""

    def __init__(self) -> None:
        self.writes: dict[str, int] = {}
        self.last: dict[str, float] = {}
        self.spent: dict[str, int] = {}  # bytes since the last report or pause
        self.paused: dict[str, float] = {}  # pane -> when it was paused
        self.loud: set[str] = set()  # panes writing now (their last write < QUIET_SECONDS ago)
        self.edges = 0  # how often a pane started or stopped writing (only ever grows)

    def wrote(self, pane_id: str, size: int, now: float) -> bool:
        """Note a write; True when the pane just passed its budget: pause it (it counts as
        paused from now, so the lines that come before tmux says `%pause` ask nothing more)."""
        if pane_id not in self.loud:
            self.loud.add(pane_id)
            self.edges += 1
        self.writes[pane_id] = self.writes.get(pane_id, 0) + 1
        self.last[pane_id] = now
        spent = self.spent.get(pane_id, 0) + size
        self.spent[pane_id] = spent
        if spent <= OUTPUT_BUDGET or pane_id in self.paused:
            return False
        self.paused[pane_id] = now
        return True

    def hush(self, now: float) -> None:
        """Panes that stopped writing (a paused pane still floods) are an edge each."""
        for pane_id in [p for p in self.loud if p not in self.paused
                        and now - self.last.get(p, now) >= QUIET_SECONDS]:
            self.loud.discard(pane_id)
            self.edges += 1

    def pause(self, pane_id: str, now: float) -> None:
        self.paused.setdefault(pane_id, now)
        self.writes[pane_id] = self.writes.get(pane_id, 0) + 1
        self.last[pane_id] = now

    def resume(self, pane_id: str) -> None:
        self.paused.pop(pane_id, None)
        self.spent[pane_id] = 0

    def touch(self, pane_ids: Iterable[str], now: float) -> None:
        """These panes may have written while nobody watched (a client (re)attached)."""
        for pane_id in pane_ids:
            self.wrote(pane_id, 0, now)

    def keep(self, pane_ids: set[str]) -> None:
        """Forget panes gone from the fleet (an app runs for days; panes come and go)."""
        for table in (self.writes, self.last, self.spent, self.paused):
            for pane_id in table.keys() - pane_ids:
                del table[pane_id]
        self.loud &= pane_ids

    def due(self, now: float) -> list[str]:
        """Paused panes whose pause is over."""
        return [pane for pane, at in self.paused.items() if now - at >= PAUSE_SECONDS]

    def report(self, watched: set[str], now: float, problem: str | None = None
               ) -> OutputReport:
        for pane_id in watched:
            self.spent[pane_id] = 0 if pane_id not in self.paused else self.spent.get(pane_id, 0)
        panes = {pane: PaneOutput(self.writes[pane],
                                  0.0 if pane in self.paused else max(0.0, now - self.last[pane]))
                 for pane in watched if pane in self.writes}
        return OutputReport(frozenset(watched), panes, problem)


class _SessionWatch:
    """One `tmux -C` client attached to one session, reading its notifications."""

    def __init__(self, session: str, process: asyncio.subprocess.Process, output: int,
                 board: OutputBoard, panes: set[str]) -> None:
        self.session = session
        self.process = process
        self.output = output  # the read end of the client's stdout, non-blocking
        self.board = board
        self.ready = False  # attached: its first answer came
        self.alive = True
        self.panes = set(panes)  # the watched panes of this session, as last reported
        self.silenced: set[str] = set()  # panes of its session nobody watches: output off
        self.loop = asyncio.get_running_loop()
        self._partial: bytes | None = None
        self._partial_size = 0

    def command(self, line: str) -> None:
        if not self.alive or self.process.stdin is None:
            return
        try:
            self.process.stdin.write(line.encode() + b"\n")
        except (ConnectionError, RuntimeError):
            self.close()

    def set_output(self, pane_id: str, state: str) -> None:
        self.command(control_line(["refresh-client", "-A", f"{pane_id}:{state}"]))

    def drain(self) -> None:
        """Read what the client wrote since the last drain (never waits)."""
        while self.alive:
            try:
                data = os.read(self.output, 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data or not self._feed(data):
                self.close()
                return

    def _feed(self, data: bytes) -> bool:
        """Cut `data` into lines, keeping only each line's head; False at `%exit`."""
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            if self._partial is None:
                head, size = data[start:min(end, start + _HEAD)], end - start
            else:
                head = (self._partial + data[start:min(end, start + _HEAD)])[:_HEAD]
                size = self._partial_size + end - start
                self._partial = None
            start = end + 1
            if not self._line(head, size):
                return False
        if start < len(data):
            rest = data[start:start + _HEAD]
            self._partial = rest if self._partial is None else (self._partial + rest)[:_HEAD]
            self._partial_size += len(data) - start
        if self._partial is None:
            self._partial_size = 0
        return True

    def _line(self, head: bytes, size: int) -> bool:
        if head.startswith(_OUTPUT):
            pane_id = head.split(b" ", 2)[1].decode("ascii", "replace")
            if pane_id not in self.panes:
                if pane_id not in self.silenced:  # not ours (orchestra's own pane, an editor)
                    self.silenced.add(pane_id)
                    self.set_output(pane_id, "off")
            elif self.board.wrote(pane_id, size, time.monotonic()):
                self.set_output(pane_id, "pause")
        elif head.startswith(b"%pause "):
            self.board.pause(head.split()[1].decode("ascii", "replace"), time.monotonic())
        elif head.startswith(b"%continue "):
            self.board.resume(head.split()[1].decode("ascii", "replace"))
        elif head.startswith((b"%end ", b"%error ")):
            self.ready = True
        elif head.startswith(b"%exit"):
            return False
        return True

    def watch(self, panes: set[str], now: float) -> None:
        """Watch exactly these panes of its session from now on."""
        for pane_id in panes & self.silenced:
            self.silenced.discard(pane_id)
            self.set_output(pane_id, "on")
        if self.ready:
            self.board.touch(panes - self.panes, now)  # unwatched until now: may have written
        self.panes = set(panes)

    def close(self, *, hard: bool = False) -> None:
        if not self.alive:
            return
        self.alive = False
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except RuntimeError:  # its event loop is closed
            pass
        if hard:
            _terminate(self.process)
        os.close(self.output)


def _terminate(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        try:  # never process.kill(): see control.py's `_stop`
            os.kill(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


class OutputWatch:
    """The watching clients of one tmux server (`runner` gives their command line)."""

    def __init__(self, runner: TmuxRunner) -> None:
        self.runner = runner
        self.board = OutputBoard()
        self._sessions: dict[str, _SessionWatch] = {}
        self._failed: dict[str, float] = {}  # session -> when its client was last tried
        self._pump: asyncio.Task[None] | None = None
        self.problem: str | None = None
        self._on_edge: Callable[[], None] | None = None

    def listen(self, on_edge: Callable[[], None]) -> None:
        """Call `on_edge` (on the event loop) whenever a watched pane starts or stops writing:
        what may mean a new state, so the poll loop need not tick fast while nothing does."""
        self._on_edge = on_edge

    @property
    def client_pids(self) -> list[int]:
        """The watching clients' process ids (benchmarks count their CPU)."""
        return [w.process.pid for w in self._sessions.values() if w.alive]

    async def report(self, panes: Sequence[PaneInfo]) -> OutputReport:
        """Watch the sessions of `panes` (live ones), let paused panes go when due, and say
        which of them wrote and how long ago."""
        now = time.monotonic()
        wanted: dict[str, set[str]] = {}
        for pane in panes:
            if not pane.dead and pane.session_name:
                wanted.setdefault(pane.session_name, set()).add(pane.pane_id)
        loop = asyncio.get_running_loop()
        for session, watch in list(self._sessions.items()):
            if not watch.alive or watch.loop is not loop or session not in wanted:
                watch.close(hard=watch.loop is not loop or not watch.alive)
                del self._sessions[session]
                if not watch.ready or session in wanted:
                    self._failed[session] = now
        for session in wanted.keys() - self._sessions.keys():
            if now - self._failed.get(session, -RETRY_SECONDS) >= RETRY_SECONDS:
                await self._attach(session, wanted[session], now)
        if self._sessions and (self._pump is None or self._pump.done()
                               or self._pump.get_loop() is not loop):
            self._pump = loop.create_task(self._drain_every())
        for watch in self._sessions.values():
            watch.drain()
        watched: set[str] = set()
        for session, watch in self._sessions.items():
            watch.watch(wanted[session], now)
            if watch.ready:
                watched |= wanted[session]
        every = set().union(*wanted.values()) if wanted else set()
        if len(self.board.writes) > 2 * len(every) + 16:
            self.board.keep(every)
        for pane_id in self.board.due(now):
            for watch in self._sessions.values():
                if pane_id in watch.panes:
                    watch.set_output(pane_id, "continue")
        missing = len(wanted) - sum(1 for s in wanted if s in self._sessions)
        self.problem = (None if not missing else
                        f"tmux output not pushed for {missing} session(s): their panes' "
                        f"activity is polled")
        return self.board.report(watched, now, self.problem)

    async def _drain_every(self) -> None:
        # The clients' output is read on this clock, not as it arrives: a pipe the event
        # loop watched would wake it for every write of every pane (ten a second each while
        # agents work); this wakes it twenty times a second whatever they do.
        while self._sessions:
            await asyncio.sleep(READ_EVERY)
            edges = self.board.edges
            for watch in list(self._sessions.values()):
                watch.drain()
            self.board.hush(time.monotonic())
            if self.board.edges != edges and self._on_edge is not None:
                self._on_edge()

    async def _attach(self, session: str, panes: set[str], now: float) -> None:
        self._failed.pop(session, None)
        argv = self.runner.argv(["-C", "attach-session", "-f", "ignore-size,pause-after=1",
                                 "-t", f"={session}"])
        output, client_end = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE, stdout=client_end,
                stderr=asyncio.subprocess.DEVNULL, start_new_session=self.runner.own_session)
        except OSError:
            os.close(output)
            self._failed[session] = now
            return
        finally:
            os.close(client_end)
        os.set_blocking(output, False)
        self._sessions[session] = _SessionWatch(session, process, output, self.board, panes)

    async def aclose(self) -> None:
        watches, self._sessions = list(self._sessions.values()), {}
        if self._pump is not None and not self._pump.done():
            self._pump.cancel()
        for watch in watches:  # all told to leave first (stdin's end), then waited for
            watch.close()          # together: one deadline for all, not one each
        waits = [watch.process.wait() for watch in watches]
        try:
            if waits:
                await asyncio.wait_for(asyncio.gather(*waits, return_exceptions=True), 2.0)
        except (TimeoutError, RuntimeError):
            pass
        for watch in watches:
            _terminate(watch.process)  # only those still there
