"""How tmux commands are run: one runner object per tmux server.

`TmuxService` never starts a process itself; it hands argument lists to a `TmuxRunner`. The local
runner execs `tmux -L NAME ...` (or `-S PATH`); a runner for agents on another machine (tmux over
SSH) is a different class with the same `run` method.

A dead server is an error the person can act on (`TmuxUnavailable`, one line naming the socket),
never a traceback; any other refusal is a `TmuxCommandError`.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from orchestra_tui.errors import TmuxCommandError, TmuxUnavailable


@dataclass(frozen=True)
class TmuxResult:
    returncode: int
    stdout: str
    stderr: str


@runtime_checkable
class TmuxRunner(Protocol):
    """Runs one tmux invocation. Raises `TmuxUnavailable` when no server answers; with
    `check=True` (the default) raises `TmuxCommandError` for any other non-zero exit."""

    label: str  # names the server in messages: "socket 'demo'", "/tmp/x.sock", "default socket"

    async def run(self, args: Sequence[str], *, input: bytes | None = None,
                  timeout: float = 10.0, check: bool = True) -> TmuxResult: ...

    def argv(self, args: Sequence[str]) -> list[str]:
        """The full command line that runs `args` on this server (for exec'ing `attach`)."""
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


def escape_arg(arg: str) -> str:
    """Protect one argument from tmux's command-line parser.

    tmux splits commands on an argument that ends in `;` (and turns a trailing `\\;` into a
    literal `;`), so an argument ending in `;` gets a backslash before that last `;`. Nothing
    else is interpreted: arguments go to tmux through exec, never through a shell.
    """
    if arg.endswith(";"):
        return arg[:-1] + "\\;"
    return arg


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


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
    def label(self) -> str:
        if self.socket_name:
            return f"socket '{self.socket_name}'"
        if self.socket_path:
            return str(self.socket_path)
        return "the default socket"

    def argv(self, args: Sequence[str]) -> list[str]:
        command = [self.tmux]
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
        except (asyncio.TimeoutError, TimeoutError):
            process.kill()
            await process.wait()
            raise TmuxUnavailable(
                f"tmux server on {self.label} did not answer within {timeout:g}s") from None
        result = TmuxResult(process.returncode or 0, out.decode("utf-8", "replace"),
                            err.decode("utf-8", "replace"))
        if result.returncode != 0:
            if is_unavailable_message(result.stderr):
                raise TmuxUnavailable(f"no tmux server running on {self.label}")
            if check:
                reason = first_line(result.stderr) or f"exit status {result.returncode}"
                raise TmuxCommandError(f"tmux {args[0] if args else ''}: {reason}")
        return result
