"""One writer per pane: a lock held by a send from the gate's fresh read to its last Enter.

Two processes typing into one pane at once interleave their text into one submission (two
concurrent `orchestra send` arrived as "second…first…"; once `orchestra send` and the app's
queue dispatch did the same). Every sender takes the pane's lock first, whichever process it
runs in, so sends queue behind each other and each arrives once, as its own prompt.

- `FileLock` (panes of a server on this machine): `flock` on one file per pane in a directory
  (the data dir's `locks/`), named after the server's socket and the pane. The kernel lets go
  when the holder dies, however it dies.
- `ChannelLock` (panes on a host): tmux's own `wait-for -L` / `wait-for -U` on a channel named
  after the pane, so the lock lives in the host's tmux server and works over ssh. A waiter that
  gives up is never killed (tmux would hand the lock to the dead client, held for ever): it
  marks itself gone, and the command that waits releases at once when it gets the lock late.

A wait is bounded (`timeout`, 30 s): past it `PaneBusy` says so, never a hang.

>>> channel_name("%12")
'orchestra-send-12'
>>> lock_file_name("/tmp/tmux-1000/default", "%3")
'7cbd633a2afc-3.lock'
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from orchestra_tui.errors import OrchestraError
from orchestra_tui.paths import private_dir

if TYPE_CHECKING:
    from orchestra_tui.services.tmux.runner import TmuxRunner

LOCK_TIMEOUT = 30.0
POLL_INTERVAL = 0.05


class PaneBusy(OrchestraError):
    """Another send held the pane for longer than the wait allows."""

    def __init__(self, pane_id: str, waited: float, hint: str = "") -> None:
        super().__init__(f"another send to pane {pane_id} held it for {waited:g} s{hint}")
        self.pane_id = pane_id


class PaneLock(Protocol):
    def hold(self, pane_id: str) -> contextlib.AbstractAsyncContextManager[None]: ...


def lock_file_name(server: str, pane_id: str) -> str:
    digest = hashlib.sha256(server.encode("utf-8", "replace")).hexdigest()[:12]
    return f"{digest}-{pane_id.lstrip('%').replace('/', '_')}.lock"


def channel_name(pane_id: str) -> str:
    return "orchestra-send-" + pane_id.lstrip("%")


class FileLock:
    """`flock` per pane in `directory`; `server` names the tmux server (its socket path)."""

    def __init__(self, directory: Path, server: Callable[[], Awaitable[str]], *,
                 timeout: float = LOCK_TIMEOUT) -> None:
        self.directory = directory
        self.server = server
        self.timeout = timeout
        self._server_key: str | None = None

    async def _path(self, pane_id: str) -> Path:
        if self._server_key is None:
            self._server_key = await self.server()
        return self.directory / lock_file_name(self._server_key, pane_id)

    @contextlib.asynccontextmanager
    async def hold(self, pane_id: str) -> AsyncIterator[None]:
        path = await self._path(pane_id)
        private_dir(path.parent)  # 0700, as the data dir it sits in
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise PaneBusy(pane_id, self.timeout) from None
                    await asyncio.sleep(POLL_INTERVAL)
            try:
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)


class ChannelLock:
    """tmux `wait-for -L/-U` on the server `runner` reaches (a runner that spawns a process per
    command: a control-mode client would stall all its reads while it waits)."""

    def __init__(self, runner: TmuxRunner, *, timeout: float = LOCK_TIMEOUT,
                 late_answer: float = 5.0) -> None:
        self.runner = runner
        self.timeout = timeout
        self.late_answer = late_answer

    @contextlib.asynccontextmanager
    async def hold(self, pane_id: str) -> AsyncIterator[None]:
        channel = channel_name(pane_id)
        await self._acquire(pane_id, channel)
        try:
            yield
        finally:
            await self.runner.run(["wait-for", "-U", channel], check=False)

    async def _acquire(self, pane_id: str, channel: str) -> None:
        gone = f"@orchestra-gone-{uuid.uuid4().hex[:12]}"
        # Once it has the lock: let go at once if its sender has given up meanwhile.
        waiter = asyncio.ensure_future(self.runner.run(
            ["wait-for", "-L", channel, ";",
             "if-shell", "-F", f"#{{{gone}}}",
             f"wait-for -U {channel} ; set-option -su {gone} ; display-message -p released",
             "display-message -p held"],
            timeout=24 * 3600.0, check=False))
        done, _ = await asyncio.wait({waiter}, timeout=self.timeout)
        if done:
            result = waiter.result()
            if result.returncode == 0:
                return
            raise OrchestraError(f"tmux could not lock pane {pane_id}: "
                                 f"{result.stderr.strip() or result.returncode}")
        await self.runner.run(["set-option", "-s", gone, "1"], check=False)
        # Got it between the deadline and the mark: it is ours to let go.
        done, _ = await asyncio.wait({waiter}, timeout=self.late_answer)
        if done and "held" in waiter.result().stdout:
            await self.runner.run(["wait-for", "-U", channel], check=False)
        hint = (f"; if no send is running, `tmux wait-for -U {channel}` on its host frees it"
                if not done else "")
        raise PaneBusy(pane_id, self.timeout, hint)
