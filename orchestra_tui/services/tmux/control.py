"""The control-mode runner: the poll loop's read-only commands through one long-lived
`tmux -C` client per server, everything else through a `LocalTmuxRunner` (see `tmux_runner.py`)
or, for a host reached over ssh, an `SshTmuxRunner` (`tmux_ssh.py`): the client's command line
comes from that runner's `argv`, so the same client reads a local or a remote server.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import time
from collections.abc import Sequence

from orchestra_tui.errors import TmuxCommandError, TmuxUnavailable
from orchestra_tui.services.tmux.args import control_line, is_poll_only
from orchestra_tui.services.tmux.runner import TmuxResult, TmuxRunner, raise_for_result


class _ControlLost(Exception):
    """The control client went away before answering (session or server gone)."""


class _Request:
    def __init__(self, sentinel: str, future: asyncio.Future[TmuxResult]) -> None:
        self.sentinel = sentinel
        self.future = future
        self.out: list[bytes] = []
        self.err: list[bytes] = []


class _ControlClient:
    """One `tmux -C attach-session -f no-output,ignore-size` process and its reader task.

    Each request is the command line and then a `display-message -p SENTINEL` line: tmux answers
    every command with a `%begin … %end` (or `%error`) block, stops a line at its first failing
    command, and always runs the next line, so the sentinel's block closes the request however
    many of its commands ran. Blocks are matched to requests in order (a client's lines run one
    at a time); blocks with flags 0 (not from this client) and notifications are skipped."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.loop = asyncio.get_running_loop()
        self.pending: collections.deque[_Request] = collections.deque()
        self.alive = True
        self.answered = False  # True once a request got its answer: the flags work here
        self._serial = 0
        self.reader = self.loop.create_task(self._read())

    async def request(self, args: Sequence[str], timeout: float) -> TmuxResult:
        if not self.alive or self.process.stdin is None:
            raise _ControlLost()
        self._serial += 1
        sentinel = f"__orchestra_ctl_{os.getpid()}_{self._serial}__"
        line = f"{control_line(args)}\ndisplay-message -p '{sentinel}'\n"
        request = _Request(sentinel, self.loop.create_future())
        self.pending.append(request)  # no await between append and write: order is kept
        try:
            self.process.stdin.write(line.encode("utf-8", "surrogateescape"))
        except (ConnectionError, RuntimeError):
            self.close()
            raise _ControlLost() from None
        try:
            return await asyncio.wait_for(asyncio.shield(request.future), timeout)
        except TimeoutError:
            self.close(hard=True)
            raise

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        block: tuple[bytes, bytes, bool] | None = None  # (time, number, ours)
        body: list[bytes] = []
        try:
            while True:
                line = await stdout.readline()
                if not line:
                    break
                if block is None:
                    if line.startswith(b"%begin "):
                        parts = line.split() + [b"", b"", b""]
                        ours = parts[3].isdigit() and int(parts[3]) & 1 == 1
                        block, body = (parts[1], parts[2], ours), []
                    elif line.startswith(b"%exit"):
                        break
                    continue
                if line.startswith((b"%end ", b"%error ")):
                    parts = line.split()
                    if tuple(parts[1:3]) == block[:2]:  # this block's own end line
                        if block[2]:
                            self._deliver(body, error=line.startswith(b"%error"))
                        block = None
                        continue
                body.append(line)
        except asyncio.CancelledError:
            pass  # the loop is shutting down (asyncio.run's end): stop the client below
        finally:
            self.close()

    def _deliver(self, body: list[bytes], error: bool) -> None:
        if not self.pending:
            return
        request = self.pending[0]
        if not error and body == [request.sentinel.encode() + b"\n"]:
            self.pending.popleft()
            self.answered = True
            if not request.future.done():
                out = b"".join(request.out).decode("utf-8", "replace")
                err = b"".join(request.err).decode("utf-8", "replace")
                request.future.set_result(TmuxResult(1 if err else 0, out, err))
            return
        (request.err if error else request.out).extend(body)

    def close(self, *, hard: bool = False) -> None:
        """Stop: close its stdin (a control client exits on end of input); `hard` also sends
        SIGTERM, for a client that stopped answering."""
        if not self.alive:
            return
        self.alive = False
        for request in self.pending:
            if not request.future.done():
                request.future.set_exception(_ControlLost())
        self.pending.clear()
        _stop(self.process, hard=hard)
        current = asyncio.current_task() if self.loop.is_running() else None
        if current is not self.reader and not self.reader.done():
            self.reader.cancel()


def _stop(process: asyncio.subprocess.Process, *, hard: bool) -> None:
    # Never `process.kill()`: Popen polls (reaps) the child first, racing asyncio's child
    # watcher, which then logs "Unknown child process". os.kill leaves reaping to the watcher.
    try:
        if process.stdin is not None:
            process.stdin.close()
    except RuntimeError:  # its event loop is closed
        pass
    if hard and process.returncode is None:
        try:
            os.kill(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


LOST_NOTICE = ("tmux control client lost: reading through a tmux process per command until "
               "a new one connects")


class ControlModeRunner:
    """A runner that sends read-only polling commands (`list-panes`, `capture-pane`,
    `display-message -p`) through one long-lived control-mode client (`tmux -C`), and everything
    else through `fallback`, the process runner of the same server (local, or over ssh).

    A tmux process costs about 4 ms of CPU (the fork and exec here, the client, the server's
    accept); a control-mode command about 0.1 ms. The poll loop runs two to three of them per
    tick, so this is most of a tick's cost once captures are gated and batched.

    The client attaches to an existing session with `-f no-output,ignore-size`: it receives no
    pane output and never resizes a window. Commands that act on "the current client"
    (`switch-client`, `send-keys`, ...) always go through `fallback`, never through it. When
    there is no session, the client cannot start, or it goes away (its session killed, the
    server gone), the command runs through `fallback` and a new client is tried after
    `retry_after` seconds; after three clients in a row that never answered (a tmux before 3.2
    has no `attach -f`) it stops trying.
    """

    def __init__(self, fallback: TmuxRunner, *, retry_after: float = 5.0) -> None:
        self.fallback = fallback
        self.retry_after = retry_after
        self._client_: _ControlClient | None = None
        self._next_try = 0.0
        self._unsupported = False
        self._silent_clients = 0  # clients in a row that died before answering anything
        self.control_commands = 0  # how many commands went through the control client
        # Said once to the person when the client went away and the reads fell back to a tmux
        # process each; cleared when a new client answers.
        self.notice: str | None = None

    @property
    def label(self) -> str:
        return self.fallback.label

    @property
    def process_runner(self) -> TmuxRunner:
        return self.fallback.process_runner

    @property
    def own_session(self) -> bool:
        return self.fallback.own_session

    @property
    def client_pid(self) -> int | None:
        """The control client's process id while it runs (benchmarks count its CPU)."""
        client = self._client_
        return client.process.pid if client is not None and client.alive else None

    def argv(self, args: Sequence[str]) -> list[str]:
        return self.fallback.argv(args)

    async def run(self, args: Sequence[str], *, input: bytes | None = None,
                  timeout: float = 10.0, check: bool = True) -> TmuxResult:
        if input is None and is_poll_only(args) and not any("\n" in a for a in args):
            client = await self._client()
            if client is not None:
                try:
                    result = await client.request(args, timeout)
                except _ControlLost:
                    if client.answered:
                        self.notice = LOST_NOTICE
                    self._silent_clients = 0 if client.answered else self._silent_clients + 1
                    self._unsupported = self._silent_clients >= 3  # e.g. no `attach -f`
                    self._next_try = time.monotonic() + self.retry_after
                except TimeoutError:
                    raise TmuxUnavailable(f"tmux server on {self.label} did not answer within "
                                          f"{timeout:g}s") from None
                else:
                    self.control_commands += 1
                    self.notice = None
                    return raise_for_result(args, result, self.label, check)
        return await self.fallback.run(args, input=input, timeout=timeout, check=check)

    async def _client(self) -> _ControlClient | None:
        client = self._client_
        loop = asyncio.get_running_loop()
        if client is not None and client.alive and client.loop is loop:
            return client
        if client is not None:
            if client.loop is not loop:  # a previous event loop's client: let it go
                client.alive = False
                _stop(client.process, hard=True)
            elif client.answered:  # it died between two requests
                self.notice = LOST_NOTICE
            self._client_ = None
        if self._unsupported or time.monotonic() < self._next_try:
            return None
        self._next_try = time.monotonic() + self.retry_after
        try:
            sessions = await self.fallback.run(["list-sessions", "-F", "#{session_id}"])
        except (TmuxUnavailable, TmuxCommandError):
            return None
        session = next(iter(sessions.stdout.split()), None)
        if session is None:
            return None
        try:
            process = await asyncio.create_subprocess_exec(
                *self.fallback.argv(["-C", "attach-session", "-f", "no-output,ignore-size",
                                     "-t", session]),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, limit=1 << 24,
                start_new_session=self.fallback.own_session)
        except OSError:
            self._unsupported = True
            return None
        self._client_ = _ControlClient(process)
        return self._client_

    async def aclose(self) -> None:
        """Detach the control client (it also goes when this process or its loop ends)."""
        client, self._client_ = self._client_, None
        if client is None or not client.alive:
            return
        if client.process.stdin is not None:
            client.process.stdin.close()
        try:
            await asyncio.wait_for(client.process.wait(), 2.0)
        except TimeoutError:
            pass
        client.close()
