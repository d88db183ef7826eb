"""Which panes wrote output, as tmux pushes it: the activity signal of the poll loop.

tmux tells a control-mode client about every write to a pane (`%output %3 …`, or
`%extended-output` once flow control is on), but only for the panes of the session that client
is attached to. So one watching client runs per session that holds a watched pane (one on
screen, or one whose agent's hooks do not report: the others are "hook-led", see
`core/fleet/reading.py`), each
`tmux -C attach -f ignore-size,pause-after=1 -t =SESSION` through the same command line as the
server's other commands (locally, or `ssh HOST tmux -C` for a host, which shares the host's
ssh connection). The client reads nothing but the first bytes of each line: a write costs a
counter and a clock reading here, never a capture.

Sampling: what matters about a working agent's spinner is only when it stops, yet tmux formats
every byte a watched pane writes as a notification line (ten frames a second per working agent,
a 24-bit colour per character for Codex's shimmer). So a pane that has kept writing for
`SAMPLE_AFTER` is paused (`refresh-client -A %3:pause`: tmux keeps reading the pane, it only
stops telling this client) and let go again `PAUSE_SECONDS` later (`COVERED_PAUSE_SECONDS`
when its agent's hooks report: its turn end and dialogs come as events of their own): its first
write after that pauses it again at once, and `QUIET_SECONDS` of silence after it is let go is
its stop. A
flood (more than `OUTPUT_BUDGET` bytes between two reports: a build log, `cat` of a big file)
is paused at once; tmux's own `pause-after=1` pauses a pane whose output this client has not
read for a second. A paused pane counts as writing. So a working pane costs about one frame per
pause, a flood at most the budget per pause, and neither backs up the app. The pauses
and let-gos of one read go to tmux as one command line through one client, each naming the
client it is for (`refresh-client -t client-7 -A %3:pause ; …`): a line wakes the client that
carries it, so a fleet's dozens of asks a second cost one wake-up per read, not one each. The
bookkeeping is `services/tmux/output_board.py`'s.

A pane this watch does not see (its session's client not attached yet, or gone, or control
mode not available) is not in `OutputReport.watched`: the poll loop reads its activity the old
way (`window_activity`), and `problem` says why.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import time
from collections.abc import Callable, Collection, Sequence

from orchestra_tui.models import PaneInfo
from orchestra_tui.services.tmux.args import control_line
from orchestra_tui.services.tmux.output_board import (
    NOT_WATCHED,
    OUTPUT_BUDGET,
    PAUSE_SECONDS,
    QUIET_SECONDS,
    SAMPLE_AFTER,
    OutputBoard,
    OutputReport,
    PaneOutput,
)
from orchestra_tui.services.tmux.runner import TmuxRunner

__all__ = ["NOT_WATCHED", "OUTPUT_BUDGET", "PAUSE_SECONDS", "QUIET_SECONDS", "SAMPLE_AFTER",
           "OutputBoard", "OutputReport", "OutputWatch", "PaneOutput"]

READ_EVERY = 0.05  # seconds between two reads of the watching clients' notifications
RETRY_SECONDS = 5.0  # before a session whose watching client failed is tried again
# A session watched for its pane on screen stays watched this long after: `j`/`k` back and
# forth over the table attaches no client each time.
LINGER_SECONDS = 10.0
_HEAD = 48  # bytes of a line kept to read its kind and pane (the rest is counted)
_OUTPUT = (b"%output ", b"%extended-output ")
_NAME = b"orchestra-watch "  # the answer that names a watching client


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
        self.name: str | None = None  # tmux's name for this client, once it answered
        self.asks: list[str] = []  # `%3:pause`, `%3:continue`…: not sent yet
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
        self.asks.append(f"{pane_id}:{state}")

    def take_asks(self) -> str:
        """Its asks as one `refresh-client` (naming this client when it is known), cleared."""
        argv = ["refresh-client"] + (["-t", self.name] if self.name else [])
        for ask in self.asks:
            argv += ["-A", ask]
        self.asks = []
        return control_line(argv)

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
            self.board.resume(head.split()[1].decode("ascii", "replace"), time.monotonic())
        elif head.startswith(b"%session-changed ") and self.name is None:
            # Attached: only now does a command of its own name this client (sent earlier,
            # it may run before the attach and name another one, or none).
            self.command(control_line(["display-message", "-p",
                                       _NAME.decode() + "#{client_name}"]))
        elif head.startswith(_NAME):
            self.name = head[len(_NAME):].strip().decode("ascii", "replace") or None
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
        self.loop.remove_reader(self.output)  # a resting pump may watch it: never a stale fd
        os.close(self.output)


def _terminate(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        try:  # never process.kill(): see control.py's `_stop`
            os.kill(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


class OutputWatch:
    """The watching clients of one tmux server (`runner` gives their command line)."""

    def __init__(self, runner: TmuxRunner, pause_seconds: float = PAUSE_SECONDS,
                 sample_after: float | None = SAMPLE_AFTER) -> None:
        self.runner = runner
        self.board = OutputBoard(pause_seconds, sample_after)
        self._sessions: dict[str, _SessionWatch] = {}
        self._failed: dict[str, float] = {}  # session -> when its client was last tried
        self._shown_until: dict[str, float] = {}  # session -> watched until, for its shown pane
        self._pump: asyncio.Task[None] | None = None
        self._stir: asyncio.Event | None = None  # wakes a pump at rest
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

    async def report(self, panes: Sequence[PaneInfo], shown: Collection[str] = (),
                     covered: Collection[str] = ()) -> OutputReport:
        """Watch the sessions of `panes` (live ones) and say which of them wrote and how long
        ago; `shown` (pane ids on screen) are never sampled: the person sees every frame;
        `covered` (their agents' hooks report) are not watched while off screen (their
        sessions get no client: `_wanted`), and sampled the least often when their session is
        watched all the same."""
        now = time.monotonic()
        self.board.shown, self.board.covered = frozenset(shown), frozenset(covered)
        wanted = self._wanted(panes, shown, covered, now)
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
        elif self._stir is not None:
            self._stir.set()  # its clients may have changed: watch them anew
        for watch in self._readable():
            watch.drain()
        watched: set[str] = set()
        for session, watch in self._sessions.items():
            watch.watch(wanted[session], now)
            if watch.ready:
                watched |= wanted[session]
        self._send_asks()
        every = {pane.pane_id for pane in panes}
        if len(self.board.writes) > 2 * len(every) + 16:
            self.board.keep(every)
        missing = len(wanted) - sum(1 for s in wanted if s in self._sessions)
        self.problem = (None if not missing else
                        f"tmux output not pushed for {missing} session(s): their panes' "
                        f"activity is polled")
        return self.board.report(watched, now, self.problem)

    def _wanted(self, panes: Sequence[PaneInfo], shown: Collection[str],
                covered: Collection[str], now: float) -> dict[str, set[str]]:
        """The sessions to watch, each with its live panes: those holding a pane on screen
        (or shown in the last `LINGER_SECONDS`) or one whose agent's hooks do not report. A
        session of hook-reporting agents off screen is not watched: a client attached to a
        busy session costs tmux work on each of its frames, even with the output paused."""
        sessions: dict[str, set[str]] = {}
        needed: set[str] = set()
        for pane in panes:
            if pane.dead or not pane.session_name:
                continue
            sessions.setdefault(pane.session_name, set()).add(pane.pane_id)
            if pane.pane_id in shown:
                self._shown_until[pane.session_name] = now + LINGER_SECONDS
            if pane.pane_id not in covered or pane.pane_id in shown:
                needed.add(pane.session_name)
        for session, until in list(self._shown_until.items()):
            if until < now or session not in sessions:
                del self._shown_until[session]
        needed |= self._shown_until.keys()
        return {session: sessions[session] for session in needed}

    async def _drain_every(self) -> None:
        # The clients' output is read on this clock, not as it arrives: a pipe the event
        # loop watched would wake it for every write of every pane (ten a second each while
        # agents work); this wakes it twenty times a second while any pane writes or is
        # paused, and not at all while every watched pane is silent (`_until_output`).
        while self._sessions:
            if self._at_rest() and not await self._until_output():
                continue  # stirred by a report, no client has anything to say
            await asyncio.sleep(READ_EVERY)
            edges = self.board.edges
            for watch in self._readable():
                watch.drain()
            now = time.monotonic()
            self._let_go(now)
            self._send_asks()
            self.board.hush(now)
            if self.board.edges != edges and self._on_edge is not None:
                self._on_edge()

    def _at_rest(self) -> bool:
        """No pane writing (its stop is yet to be seen) or paused, no ask unsent."""
        return (not self.board.loud and not self.board.paused
                and not any(watch.asks for watch in self._sessions.values()))

    async def _until_output(self) -> bool:
        """Wait until a client has something to say (or is gone: True), or a report stirs
        it (the sessions may have changed): the loop watches the clients' pipes only while
        all is silent."""
        loop = asyncio.get_running_loop()
        self._stir = stirred = asyncio.Event()
        watches = [watch for watch in self._sessions.values() if watch.alive]
        for watch in watches:
            loop.add_reader(watch.output, stirred.set)
        try:
            await stirred.wait()
        finally:
            self._stir = None
            for watch in watches:
                if watch.alive:  # a closed one took its reader away before its fd went
                    loop.remove_reader(watch.output)
        return bool(self._readable())

    def _readable(self) -> list[_SessionWatch]:
        """The clients with something to read (or gone): one `poll` for all of them, not a
        read per client that nearly always finds nothing (twenty times a second each)."""
        poller = select.poll()
        by_fd: dict[int, _SessionWatch] = {}
        for watch in self._sessions.values():
            if watch.alive:
                poller.register(watch.output, select.POLLIN)
                by_fd[watch.output] = watch
        return [by_fd[fd] for fd, _ in poller.poll(0)] if by_fd else []

    def _let_go(self, now: float) -> None:
        """Continue the paused panes whose pause is over (asked once: until tmux answers
        `%continue`, the pane counts as paused)."""
        for pane_id in self.board.due(now):
            for watch in self._sessions.values():
                if pane_id in watch.panes:
                    watch.set_output(pane_id, "continue")

    def _send_asks(self) -> None:
        """Every pause and let-go asked since the last read, in one command line through one
        client: a line costs the client that carries it a wake-up however many panes it
        names (a working fleet asks dozens a second). A client not named yet asks its own."""
        live = [watch for watch in self._sessions.values() if watch.alive]
        carrier = next((watch for watch in live if watch.ready and watch.name), None)
        named = []
        for watch in live:
            if watch.asks and carrier is not None and watch.name:
                named.append(watch.take_asks())
            elif watch.asks:
                watch.command(watch.take_asks())
        if carrier is not None and named:
            carrier.command(" ; ".join(named))

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
        for pane_id in panes & self.board.paused.keys():  # a new client starts unpaused
            self.board.resume(pane_id, now)
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
