"""Structural tmux operations through libtmux's object model: create sessions, windows and
panes, respawn a pane, kill a pane or the server.

These are rare (a restart, a new agent, the demo's set-up), so libtmux's typed objects are
worth their cost here, while the hot path (list panes, batched captures, typing) stays on the
batched runner. libtmux is synchronous: every call runs in a thread, never on the event loop.
Its failures become the same `TmuxUnavailable` / `TmuxCommandError` as the runner's.
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import libtmux
from libtmux import exc
from libtmux.common import tmux_cmd

from orchestra_tui.errors import TmuxCommandError, TmuxUnavailable
from orchestra_tui.services.tmux.args import escape_arg
from orchestra_tui.services.tmux.runner import LocalTmuxRunner, is_unavailable_message

T = TypeVar("T")


class TmuxObjects:
    """The server a `LocalTmuxRunner` talks to, as libtmux objects."""

    def __init__(self, runner: LocalTmuxRunner) -> None:
        self.label = runner.label
        self.server = libtmux.Server(
            socket_name=runner.socket_name, socket_path=runner.socket_path,
            config_file=runner.config_file, tmux_bin=shutil.which(runner.tmux) or runner.tmux)

    async def new_pane(self, command: str | Sequence[str], *, cwd: str | None = None,
                       session: str | None = None, window_name: str | None = None,
                       env: Mapping[str, str] | None = None, width: int | None = None,
                       height: int | None = None) -> str:
        """Run `command` in a new detached session `session`, or in a new window of it when
        it exists; the new pane's id."""
        # libtmux passes arguments to tmux as they are: one ending in ";" would end the command
        # there, so each is escaped as the runner escapes its own.
        line = escape_arg(command if isinstance(command, str) else shlex.join(command))
        directory = escape_arg(str(cwd)) if cwd else None
        name = escape_arg(window_name) if window_name else None
        environment = {key: escape_arg(value) for key, value in (env or {}).items()}

        def create() -> str:
            existing = (self.server.sessions.get(session_name=session, default=None)
                        if session and self.server.is_alive()
                        and self.server.has_session(session, exact=True) else None)
            if existing is not None:
                window = existing.new_window(window_name=name, start_directory=directory,
                                             window_shell=line, environment=environment,
                                             attach=False)
                return _pane_id(window.active_pane)
            created = self.server.new_session(
                session_name=session, attach=False, start_directory=directory,
                window_name=name, window_command=line, x=width, y=height,
                environment=environment)
            return _pane_id(created.active_pane)

        def create_or_gone() -> str:
            try:
                return create()
            except exc.LibTmuxException as error:
                # libtmux looks the new window up after creating it; a command that quit at
                # once took its window (and session) with it before that ("no current
                # target": the session was gone when libtmux listed its panes).
                if "can't find" in str(error) or "no current target" in str(error):
                    raise _Gone() from None
                raise

        try:
            return await self._call(f"new pane in session {session or '(new)'}", create_or_gone)
        except _Gone:
            raise TmuxCommandError("no pane matches the new window: its command quit at once"
                                   ) from None

    async def respawn(self, pane_id: str, command: str | Sequence[str], *,
                      cwd: str | None = None) -> None:
        """Replace the pane's process (`respawn-pane -k`): same pane id, new process."""
        line = escape_arg(command if isinstance(command, str) else shlex.join(command))

        def respawn() -> None:
            pane = libtmux.Pane.from_pane_id(server=self.server, pane_id=pane_id)
            args = ["-k", *(["-c", escape_arg(str(cwd))] if cwd else []), line]
            _checked("respawn-pane", pane.cmd("respawn-pane", *args))

        await self._call("respawn-pane", respawn)

    async def kill_pane(self, pane_id: str) -> None:
        def kill() -> None:
            libtmux.Pane.from_pane_id(server=self.server, pane_id=pane_id).kill()

        await self._call("kill-pane", kill)

    async def kill_server(self) -> None:
        """Stop the server; one that is already gone is fine."""
        def kill() -> None:
            if self.server.is_alive():
                self.server.kill()

        await self._call("kill-server", kill)

    async def has_session(self, name: str) -> bool:
        return await self._call("has-session", lambda: self.server.is_alive()
                                and self.server.has_session(name, exact=True))

    async def _call(self, what: str, work: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(work)
        except (exc.TmuxObjectDoesNotExist, exc.PaneNotFound) as error:
            raise TmuxCommandError(f"tmux {what}: can't find it ({error})") from None
        except (exc.LibTmuxException, OSError) as error:
            message = str(error) or type(error).__name__
            if is_unavailable_message(message):
                raise TmuxUnavailable(f"no tmux server running on {self.label}") from None
            raise TmuxCommandError(f"tmux {what}: {message}") from None


class _Gone(Exception):
    pass


def _pane_id(pane: libtmux.Pane | None) -> str:
    if pane is None or not pane.pane_id:
        raise TmuxCommandError("no pane matches the new window: its command quit at once")
    return str(pane.pane_id)


def _checked(command: str, result: tmux_cmd) -> None:
    if result.returncode != 0:
        stderr = "\n".join(result.stderr)
        if is_unavailable_message(stderr):
            raise exc.LibTmuxException(stderr)
        raise exc.LibTmuxException(stderr.splitlines()[0] if stderr else f"{command} failed")
