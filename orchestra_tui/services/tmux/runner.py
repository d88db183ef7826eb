"""How tmux commands are run: one runner object per tmux server.

`TmuxService` never starts a process itself; it hands argument lists to a `TmuxRunner`. The local
runner (here) execs `tmux -L NAME ...` (or `-S PATH`) per command; the control-mode runner
(`tmux_control.py`) sends the poll loop's reads through one long-lived `tmux -C` client; a runner
for agents on another machine (tmux over SSH) is another class with the same `run` method.
Arguments are protected by `tmux_args.py`.

A dead server is an error the person can act on (`TmuxUnavailable`, one line naming the socket),
never a traceback; any other refusal is a `TmuxCommandError`. Every runner maps tmux's answer
to those errors with `raise_for_result`.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from orchestra_tui.errors import TmuxCommandError, TmuxUnavailable
from orchestra_tui.services.tmux.args import (
    POLL_COMMANDS,
    control_line,
    escape_arg,
    is_poll_only,
)

__all__ = [
    "POLL_COMMANDS", "LocalTmuxRunner", "TmuxResult", "TmuxRunner",
    "control_line", "escape_arg", "first_line", "is_poll_only", "is_unavailable_message",
    "raise_for_result",
]


@dataclass(frozen=True)
class TmuxResult:
    returncode: int
    stdout: str
    stderr: str


@runtime_checkable
class TmuxRunner(Protocol):
    """Runs one tmux invocation. Raises `TmuxUnavailable` when no server answers; with
    `check=True` (the default) raises `TmuxCommandError` for any other non-zero exit."""

    @property
    def label(self) -> str:
        """Names the server in messages: "socket 'demo'", "/tmp/x.sock", "host gpu"."""
        ...

    @property
    def process_runner(self) -> TmuxRunner:
        """The runner under this one that runs a process per command (itself, or the
        fallback of a control-mode runner): what locks, attaching and ssh are built on."""
        ...

    @property
    def notice(self) -> str | None:
        """Something the person should know about how tmux is reached now (a control
        client lost), else None."""
        ...

    @property
    def own_session(self) -> bool:
        """Whether a long-lived client started over this runner needs a session of its own
        (no controlling terminal: ssh must never prompt in the person's terminal)."""
        ...

    async def run(self, args: Sequence[str], *, input: bytes | None = None,
                  timeout: float = 10.0, check: bool = True) -> TmuxResult: ...

    def argv(self, args: Sequence[str]) -> list[str]:
        """The full command line that runs `args` on this server (for exec'ing `attach`)."""
        ...

    async def aclose(self) -> None:
        """Let go of what the runner holds (a long-lived client), if anything."""
        ...


# What tmux prints when there is no server behind the socket (never started, killed, socket
# file removed) or when the server dies while answering.
_UNAVAILABLE = re.compile(
    r"no server running on|error connecting to|server exited unexpectedly|lost server"
    r"|failed to connect to server",
    re.IGNORECASE,
)


def is_unavailable_message(stderr: str) -> bool:
    return bool(_UNAVAILABLE.search(stderr))


def utf8_flag(environ: Mapping[str, str] | None = None) -> list[str]:
    """`["-u"]` when the locale does not say UTF-8, as tmux reads it (the first of `LC_ALL`,
    `LC_CTYPE`, `LANG` that is set): without it tmux (3.x) prints `_` for the field separator
    and every non-ASCII character (`LC_ALL=C` made every agent "no pane at target"). Our output
    is always decoded as UTF-8 (undecodable bytes replaced), so it asks for UTF-8 always.

    >>> utf8_flag({"LC_ALL": "C", "LANG": "en_US.UTF-8"}), utf8_flag({"LANG": "C.utf8"})
    (['-u'], [])
    """
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = environ.get(name)
        if value:
            return [] if "utf-8" in value.lower() or "utf8" in value.lower() else ["-u"]
    return ["-u"]


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def raise_for_result(args: Sequence[str], result: TmuxResult, label: str,
                     check: bool = True) -> TmuxResult:
    """`result`, or the error it means: no server behind `label` is `TmuxUnavailable` (always);
    any other failure is `TmuxCommandError` naming the command and tmux's first line (with
    `check`). Every runner ends here, so the app says the same thing however tmux was asked.

    >>> raise_for_result(["kill-pane"], TmuxResult(1, "", "can't find pane: %9"), "x")
    Traceback (most recent call last):
    orchestra_tui.errors.TmuxCommandError: tmux kill-pane: can't find pane: %9
    """
    if result.returncode != 0:
        if is_unavailable_message(result.stderr):
            raise TmuxUnavailable(f"no tmux server running on {label}")
        if check:
            reason = first_line(result.stderr) or f"exit status {result.returncode}"
            raise TmuxCommandError(f"tmux {args[0] if args else ''}: {reason}")
    return result


class LocalTmuxRunner:
    """Runs `tmux [-L name | -S path] [-f config] ARGS` on this machine, off the event loop."""

    def __init__(self, socket_name: str | None = None, socket_path: str | None = None, *,
                 config_file: str | None = None, tmux: str = "tmux") -> None:
        if socket_name and socket_path:
            raise ValueError("give a socket name (-L) or a socket path (-S), not both")
        self.socket_name = socket_name
        self.socket_path = socket_path
        self.config_file = config_file
        self.tmux = tmux

    @property
    def process_runner(self) -> LocalTmuxRunner:
        return self

    @property
    def notice(self) -> str | None:
        return None

    @property
    def own_session(self) -> bool:
        return False

    @property
    def label(self) -> str:
        if self.socket_name:
            return f"socket '{self.socket_name}'"
        if self.socket_path:
            return str(self.socket_path)
        return "the default socket"

    def argv(self, args: Sequence[str]) -> list[str]:
        command = [self.tmux, *utf8_flag()]
        if self.socket_name:
            command += ["-L", self.socket_name]
        elif self.socket_path:
            command += ["-S", os.fspath(self.socket_path)]
        if self.config_file:
            command += ["-f", self.config_file]
        return command + list(args)

    async def run(self, args: Sequence[str], *, input: bytes | None = None,
                  timeout: float = 10.0, check: bool = True) -> TmuxResult:
        try:
            process = await asyncio.create_subprocess_exec(
                *self.argv(args),
                stdin=asyncio.subprocess.PIPE if input is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except FileNotFoundError:
            raise TmuxUnavailable(f"tmux is not installed: no `{self.tmux}` on PATH") from None
        try:
            out, err = await asyncio.wait_for(process.communicate(input), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise TmuxUnavailable(
                f"tmux server on {self.label} did not answer within {timeout:g}s") from None
        result = TmuxResult(process.returncode or 0, out.decode("utf-8", "replace"),
                            err.decode("utf-8", "replace"))
        return raise_for_result(args, result, self.label, check)

    async def aclose(self) -> None:
        """Nothing to let go: one process per command."""
