"""tmux as a service: list panes, capture screens, send text and keys, start and stop agents.

Every tmux command goes through one `TmuxRunner` (see `tmux_runner.py`), off the event loop.
Panes are always targeted by `pane_id` (`%12`). Results are models (`PaneInfo`, `SendResult`)
or plain strings, never library objects.

>>> service = TmuxService.from_options(socket_name="demo")      # doctest: +SKIP
>>> panes = await service.list_panes()                          # doctest: +SKIP
>>> screens = await service.capture([p.pane_id for p in panes])  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import tempfile
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from orchestra_tui.errors import OrchestraError, TmuxCommandError, TmuxUnavailable
from orchestra_tui.models import PaneInfo, SendResult
from orchestra_tui.services.tmux import send as tmux_send
from orchestra_tui.services.tmux.activity import NOT_WATCHED, OutputReport, OutputWatch
from orchestra_tui.services.tmux.control import ControlModeRunner
from orchestra_tui.services.tmux.discovery import process_table
from orchestra_tui.services.tmux.objects import TmuxObjects
from orchestra_tui.services.tmux.pane_lock import ChannelLock, FileLock, PaneLock
from orchestra_tui.services.tmux.panes import PANE_FORMAT, parse_pane_line, split_batch
from orchestra_tui.services.tmux.port import ProcessTable
from orchestra_tui.services.tmux.runner import (
    LocalTmuxRunner,
    TmuxResult,
    TmuxRunner,
    escape_arg,
    first_line,
)
from orchestra_tui.services.tmux.send import Guard, PendingCheck, StartedCheck

__all__ = [
    "PANE_FORMAT", "ControlModeRunner", "Guard", "LocalTmuxRunner", "PendingCheck", "TmuxResult",
    "TmuxRunner", "TmuxService", "escape_arg", "parse_pane_line",
]

END_GRACE_SECONDS = 3  # between SIGTERM and SIGKILL to a closed pane's process group
_NO_HOST_ERRORS: Mapping[str, str] = MappingProxyType({})


class TmuxService:
    """All tmux I/O of orchestra, through one runner."""

    def __init__(self, runner: TmuxRunner, *, lock_dir: Path | None = None) -> None:
        self.runner = runner
        # Structural changes through libtmux's objects where the server is on this machine;
        # a runner that reaches tmux elsewhere (over SSH) does them with plain commands.
        base = runner.process_runner
        self.objects = TmuxObjects(base) if isinstance(base, LocalTmuxRunner) else None
        # One writer per pane (`pane_lock.py`): a flock here, tmux's wait-for on a host.
        self.pane_lock: PaneLock
        if self.objects is not None:
            self.pane_lock = FileLock(lock_dir or _temp_lock_dir(), self._server_name)
        else:
            self.pane_lock = ChannelLock(base)
        # Which panes wrote, pushed by tmux: for a server read through a control-mode client
        # (the app's), whose command line its watching clients share.
        self.output = (OutputWatch(runner.fallback) if isinstance(runner, ControlModeRunner)
                       else None)

    @classmethod
    def from_options(cls, socket_name: str | None = None, socket_path: str | None = None, *,
                     config_file: str | None = None, control_mode: bool = False,
                     lock_dir: Path | None = None) -> TmuxService:
        """The server that `tmux -L NAME` / `tmux -S PATH` (or plain `tmux`) would talk to.
        `control_mode` sends the poll loop's reads through one long-lived `tmux -C` client
        (`ControlModeRunner`): for the app, which polls for hours, not for one-shot commands."""
        runner: TmuxRunner = LocalTmuxRunner(socket_name=socket_name, socket_path=socket_path,
                                             config_file=config_file)
        if control_mode:
            runner = ControlModeRunner(runner)
        return cls(runner, lock_dir=lock_dir)

    @property
    def notice(self) -> str | None:
        """What the person should know about how tmux is read (a control client lost)."""
        return self.runner.notice or (self.output.problem if self.output else None)

    async def aclose(self) -> None:
        """Let go of the long-lived control-mode clients, if the runner has them."""
        if self.output is not None:
            await self.output.aclose()
        await self.runner.aclose()

    @property
    def host_errors(self) -> Mapping[str, str]:
        """One server has no `[[host]]`s to be unreachable."""
        return _NO_HOST_ERRORS

    def service(self, host: str) -> TmuxService:
        """Itself for this machine (""); no other host is reached through one server."""
        if host:
            raise OrchestraError(f"host {host}: no [[host]] of that name is set up")
        return self

    async def run(self, *args: str, input: bytes | None = None, check: bool = True,
                  timeout: float = 10.0) -> TmuxResult:
        return await self.runner.run(list(args), input=input, check=check, timeout=timeout)

    # -- reading ---------------------------------------------------------------------------------

    async def is_running(self) -> bool:
        try:
            await self.run("list-sessions", "-F", "#{session_id}")
        except TmuxUnavailable:
            return False
        return True

    async def list_panes(self) -> list[PaneInfo]:
        """Every pane of every session, in one `list-panes -a` call. A server without sessions
        (its last agent retired, `exit-empty off`) has no panes: tmux says "no current target"
        rather than listing none."""
        try:
            result = await self.run("list-panes", "-a", "-F", PANE_FORMAT)
        except TmuxCommandError as error:
            if "no current target" in str(error):
                return []
            raise
        panes = (parse_pane_line(line) for line in result.stdout.splitlines())
        return [pane for pane in panes if pane is not None]

    def listen_for_output(self, on_edge: Callable[[], None]) -> None:
        if self.output is not None:
            self.output.listen(on_edge)

    async def output_activity(self, panes: Sequence[PaneInfo], shown: Collection[str] = (),
                              covered: Collection[str] = ()) -> OutputReport:
        """Which of `panes` wrote output, and how long ago, as tmux pushed it; a pane not in
        the report's `watched` must be polled (no control mode, or not attached yet)."""
        if self.output is None:
            return NOT_WATCHED
        return await self.output.report(panes, shown, covered)

    async def pane_info(self, target: str) -> PaneInfo:
        """The pane `target` names. `show-options` first, because `display-message` silently
        falls back to another pane when its target does not exist."""
        result = await self.run("show-options", "-p", "-t", escape_arg(target), ";",
                                "display-message", "-p", "-t", escape_arg(target), PANE_FORMAT,
                                check=False)
        lines = result.stdout.splitlines()
        pane = parse_pane_line(lines[-1]) if result.returncode == 0 and lines else None
        if pane is None:
            reason = first_line(result.stderr) or "no such pane"
            raise TmuxCommandError(f"no pane matches target '{target}': {reason}")
        return pane

    async def resolve_target(self, target: str) -> str:
        """Pane id for `%12`, `session`, `session:window` or `session:window.pane` (a session or
        window means its active pane). Raises TmuxCommandError when nothing matches."""
        return (await self.pane_info(target)).pane_id

    async def process_tables(self, panes: Sequence[PaneInfo]) -> dict[str, ProcessTable]:
        """{"": the processes under the live panes}, from /proc (or one `ps`) off the loop."""
        roots = [pane.pid for pane in panes if not pane.dead and pane.pid > 0]
        return {"": await asyncio.to_thread(process_table, roots)}

    async def server_socket(self) -> str | None:
        """The server's socket path (what `$TMUX` names inside its panes), or None when no
        server answers."""
        try:
            result = await self.run("display-message", "-p", "#{socket_path}")
        except (TmuxUnavailable, TmuxCommandError):
            return None
        return result.stdout.strip() or None

    async def _server_name(self) -> str:
        return await self.server_socket() or self.runner.label

    def hold_pane(self, pane_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        """The pane's writer lock, across processes: `async with` it from the fresh read
        before a send to its last Enter. Raises `PaneBusy` when it stays taken too long."""
        return self.pane_lock.hold(pane_id)

    async def read_pane(self, pane_id: str) -> tuple[PaneInfo, str]:
        """The pane as it is now: its `PaneInfo` and its screen (with colours), from one tmux
        invocation, so the two describe the same moment. Raises TmuxCommandError when the pane
        is gone (`display-message` prints nothing for a missing `%id`; tmux does not fail)."""
        token = f"__orchestra_{uuid.uuid4().hex}__"
        result = await self.run("display-message", "-p", "-t", pane_id, PANE_FORMAT, ";",
                                "display-message", "-p", "-t", pane_id, token, ";",
                                "capture-pane", "-p", "-e", "-t", pane_id, check=False)
        head, marker, screen = result.stdout.partition(f"{token}\n")
        pane = parse_pane_line(head.split("\n", 1)[0])
        if pane is None or pane.pane_id != pane_id or not marker:
            reason = first_line(result.stderr) or "no such pane"
            raise TmuxCommandError(f"pane {pane_id} is gone: {reason}")
        return pane, screen.removesuffix("\n")

    async def capture(self, pane_ids: Iterable[str], *, history: int = 0,
                      ansi: bool = False) -> dict[str, str]:
        """Screens of many panes from one tmux invocation (`capture-pane ; display-message
        MARKER ; capture-pane ...`). A pane that vanished is left out of the result; the others
        still come back (tmux stops a batch at the first failing command, so the rest is asked
        again). `ansi` keeps colours (`-e`); `history` adds that many scrollback lines."""
        remaining = list(dict.fromkeys(pane_ids))
        screens: dict[str, str] = {}
        while remaining:
            token = f"__orchestra_{uuid.uuid4().hex}__"
            args: list[str] = []
            for index, pane_id in enumerate(remaining):
                args += ["capture-pane", "-p", "-t", pane_id]
                args += ["-e"] if ansi else []
                args += ["-S", f"-{int(history)}"] if history > 0 else []
                args += [";", "display-message", "-p", f"{token}{index}", ";"]
            result = await self.runner.run(args[:-1], check=False)
            done = split_batch(result.stdout, token, remaining, screens)
            if result.returncode == 0 and done == len(remaining):
                break
            if done >= len(remaining) or "can't find" not in result.stderr:
                reason = first_line(result.stderr) or f"exit status {result.returncode}"
                raise TmuxCommandError(f"tmux capture-pane: {reason}")
            remaining = remaining[done + 1:]  # remaining[done] is the pane that is gone
        return screens

    # -- writing ---------------------------------------------------------------------------------

    async def send_keys(self, pane_id: str, *keys: str) -> None:
        """Named keys (`Escape`, `C-c`, `Enter`, `y`, `Up`), as tmux `send-keys` knows them."""
        if keys:
            await self.run("send-keys", "-t", pane_id, *(escape_arg(key) for key in keys))

    async def send_text(self, pane_id: str, text: str, *, submit: bool = True,
                        pending: PendingCheck | None = None, enter_delay: float = 0.15,
                        max_enter_retries: int = 3, verify_timeout: float = 2.0,
                        guard: Guard | None = None,
                        started: StartedCheck | None = None) -> SendResult:
        """The raw send recipe: type `text` once, press Enter, and check it left the composer
        (`pending(screen, text)` says it did not; default: `agents.draft_pending`). Enter is
        retried at most `max_enter_retries` times; the body is never sent twice. Product code
        sends through the core's send gate, which passes `guard`; this unguarded form is for
        tests and the demo's own set-up."""
        return await tmux_send.send_text(
            self, pane_id, text, submit=submit, pending=pending, enter_delay=enter_delay,
            max_enter_retries=max_enter_retries, verify_timeout=verify_timeout, guard=guard,
            started=started)

    async def kill_pane(self, pane_id: str) -> None:
        """Close the pane and end its process group (see `_end_group`)."""
        pid = await self._pane_pid(pane_id)
        # First: the pane may be the server's last, and the server ends with it.
        await self._end_group(pid)
        try:
            if self.objects is not None:
                await self.objects.kill_pane(pane_id)
            else:
                await self.run("kill-pane", "-t", pane_id)
        except (TmuxUnavailable, TmuxCommandError) as error:
            if pid is None or not _gone(error):
                raise  # the group's end took the pane (and the server) with it: that is fine

    async def _pane_pid(self, pane_id: str) -> int | None:
        try:
            return (await self.pane_info(pane_id)).pid or None
        except TmuxCommandError:
            return None  # no such pane: the command that follows says so

    async def _end_group(self, pid: int | None) -> None:
        """Closing a pane only sends SIGHUP, which some agents ignore (Gemini CLI 0.61's
        launcher does): they would go on working, unseen, beside the agent restarted in their
        place. The pane's first process leads its own process group; that group gets SIGTERM,
        then SIGKILL after a grace, from a shell that tmux starts (`run-shell`, so on the
        machine the server runs on, over ssh too) and that outlives the server."""
        if not pid:
            return
        group = f"-{pid}"
        # `kill -s SIG -- -PGID`: the POSIX form, the one dash's builtin takes too.
        script = (f"(trap '' HUP TERM; kill -s TERM -- {group}; sleep {END_GRACE_SECONDS:g}; "
                  f"kill -s KILL -- {group}) >/dev/null 2>&1 &")
        try:
            await self.run("run-shell", "-b", escape_arg(script))
        except (TmuxCommandError, TmuxUnavailable):
            pass  # the server is gone, and with it the pane's terminal

    async def kill_server(self) -> None:
        """Stop the server; a server that is already gone is fine."""
        try:
            if self.objects is not None:
                await self.objects.kill_server()
            else:
                await self.run("kill-server")
        except TmuxUnavailable:
            pass

    async def has_session(self, session: str) -> bool:
        if self.objects is not None:
            try:
                return await self.objects.has_session(session)
            except (TmuxUnavailable, TmuxCommandError):
                return False
        try:
            result = await self.run("has-session", "-t", escape_arg(f"={session}"), check=False)
        except TmuxUnavailable:
            return False
        return result.returncode == 0

    async def start(self, command: str | Sequence[str], *, host: str = "",
                    cwd: str | None = None, session: str | None = None,
                    window_name: str | None = None, env: Mapping[str, str] | None = None,
                    width: int | None = None, height: int | None = None) -> PaneInfo:
        """Run `command` (a shell command line, or an argv that is quoted for the shell) in a new
        detached session `session`, or in a new window of it when it exists; the new pane.
        `host` other than this machine ("") is refused: one server reaches no host."""
        self.service(host)
        if self.objects is not None:
            pane_id = await self.objects.new_pane(command, cwd=cwd, session=session,
                                                  window_name=window_name, env=env,
                                                  width=width, height=height)
            return await self.pane_info(pane_id)
        line = command if isinstance(command, str) else shlex.join(command)
        options = ["-P", "-F", "#{pane_id}"]
        options += ["-c", escape_arg(str(cwd))] if cwd else []
        options += ["-n", escape_arg(window_name)] if window_name else []
        for key, value in (env or {}).items():
            options += ["-e", escape_arg(f"{key}={value}")]
        if session and await self.has_session(session):
            args = ["new-window", "-d", "-t", escape_arg(f"={session}:"), *options]
        else:
            args = ["new-session", "-d", *options]
            args += ["-s", escape_arg(session)] if session else []
            args += ["-x", str(width)] if width else []
            args += ["-y", str(height)] if height else []
        result = await self.run(*args, escape_arg(line))
        return await self.pane_info(result.stdout.strip())

    async def respawn(self, pane_id: str, command: str | Sequence[str], *,
                      cwd: str | None = None) -> PaneInfo:
        """Restart the pane in place (`respawn-pane -k`): same pane id, new process; the old
        process group is ended (see `_end_group`)."""
        old = await self._pane_pid(pane_id)
        if self.objects is not None:
            await self.objects.respawn(pane_id, command, cwd=cwd)
        else:
            line = command if isinstance(command, str) else shlex.join(command)
            args = ["respawn-pane", "-k", "-t", pane_id]
            args += ["-c", escape_arg(str(cwd))] if cwd else []
            await self.run(*args, escape_arg(line))
        await self._end_group(old)
        return await self.pane_info(pane_id)

    async def set_remain_on_exit(self, pane_id: str, on: bool = True) -> None:
        """Keep the pane (dead) when its program exits, so `exited` can be shown and restarted."""
        await self.run("set-option", "-p", "-t", pane_id, "remain-on-exit", "on" if on else "off")

    # -- attaching -------------------------------------------------------------------------------

    async def select_pane(self, pane_id: str) -> None:
        """Make the pane the current one of its window and session."""
        await self.run("select-window", "-t", pane_id, ";", "select-pane", "-t", pane_id)

    async def switch_client(self, pane_id: str, client: str | None = None) -> bool:
        """Show the pane in the person's tmux client (orchestra running inside tmux on this
        server). False when there is no such client: use `attach_command` instead."""
        args = ["select-window", "-t", pane_id, ";", "select-pane", "-t", pane_id, ";",
                "switch-client"] + (["-c", client] if client else []) + ["-t", pane_id]
        try:
            await self.run(*args)
        except TmuxCommandError:
            return False
        return True

    def attach_argv(self, target: str) -> list[str]:
        """The argv that attaches a terminal to the pane `target` (when not inside tmux)."""
        target = escape_arg(target)
        return self.runner.argv(["select-window", "-t", target, ";", "select-pane", "-t",
                                 target, ";", "attach-session", "-t", target])

    def attach_command(self, target: str) -> str:
        """`attach_argv` as one shell command line, for the person to copy."""
        return shlex.join(self.attach_argv(target))


def _gone(error: Exception) -> bool:
    """Whether `error` says the pane (or its server) is no more; libtmux says "no current
    target" for a pane whose server ended meanwhile."""
    text = str(error)
    return isinstance(error, TmuxUnavailable) or any(
        words in text for words in ("can't find", "not found", "no current target"))


def _temp_lock_dir() -> Path:
    """Where the pane locks go when no data dir was given (tests, one-off services)."""
    return Path(tempfile.gettempdir()) / f"orchestra-{os.getuid()}" / "locks"
