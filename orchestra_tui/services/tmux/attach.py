"""Where the person's terminal is, for `a` (attach): a client of the agents' own tmux server, a
client of another tmux server (their own, on any socket), or no tmux at all (the demo in a plain
terminal, a plain ssh session).

orchestra itself is a client of the agents' server too (its control-mode client, when it polls
that way): a `switch-client` that names no client moves whichever client tmux picks, which was
orchestra's own, so nothing visible happened. Here the person's client is named explicitly, a
window is opened in the person's own tmux, or the attach runs in this very terminal while the
app is suspended.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestra_tui.errors import TmuxCommandError, TmuxUnavailable
from orchestra_tui.services.tmux.runner import LocalTmuxRunner

if TYPE_CHECKING:
    from orchestra_tui.services.tmux.port import TmuxPort

__all__ = ["PersonTmux", "detach_keys", "open_in_person_tmux", "person_client", "person_tmux",
           "run_in_this_terminal"]


@dataclass(frozen=True)
class PersonTmux:
    """The tmux the person's terminal runs orchestra in: its server's socket and the pane."""

    socket: str
    pane: str


def person_tmux(environ: Mapping[str, str] = os.environ) -> PersonTmux | None:
    """From `$TMUX` ("socket,pid,session") and `$TMUX_PANE`; None outside tmux.

    >>> person_tmux({"TMUX": "/tmp/tmux-0/default,123,0", "TMUX_PANE": "%4"})
    PersonTmux(socket='/tmp/tmux-0/default', pane='%4')
    >>> person_tmux({}) is None
    True
    """
    value = environ.get("TMUX", "")
    socket = value.split(",", 1)[0]
    return PersonTmux(socket, environ.get("TMUX_PANE", "")) if socket else None


async def person_client(service: TmuxPort, person: PersonTmux) -> str | None:
    """The name of the tmux client the person looks at orchestra through: not a control-mode
    client (orchestra's own), and the one whose active pane is orchestra's when there are
    several. `service` is the TmuxService of the agents' server."""
    try:
        result = await service.run(
            "list-clients", "-F", "#{client_name}\t#{client_control_mode}\t#{pane_id}")
    except (TmuxUnavailable, TmuxCommandError):
        return None
    people = []
    for row in result.stdout.splitlines():
        name, control, pane = (row.split("\t") + ["", ""])[:3]
        if name and control != "1":
            people.append((name, pane))
    showing = [name for name, pane in people if pane == person.pane]
    if showing:
        return showing[0]
    return people[0][0] if len(people) == 1 else None


async def open_in_person_tmux(argv: Sequence[str], *, title: str, popup: bool = False) -> bool:
    """Run `argv` in a new window (or a popup) of the person's own tmux, the server `$TMUX`
    names (no -L/-S). `$TMUX` is unset for it, since tmux refuses to attach from inside tmux."""
    command = shlex.join(["env", "-u", "TMUX", *argv])
    args = (["display-popup", "-E", "-w", "90%", "-h", "90%", command] if popup
            else ["new-window", "-n", title, command])
    try:
        await LocalTmuxRunner().run(args)
    except (TmuxUnavailable, TmuxCommandError):
        return False
    return True


def run_in_this_terminal(argv: Sequence[str]) -> int:
    """Run the attach in the terminal orchestra runs in, until the person detaches. Blocking:
    the caller runs it in a thread while the app is suspended."""
    try:
        return subprocess.run(list(argv), check=False).returncode
    except OSError as error:
        print(f"orchestra: could not run {shlex.join(argv)}: {error}")
        return 127


async def detach_keys(service: TmuxPort) -> str:
    """How the person comes back: the prefix of the agents' tmux server, then d.

    Read from the server (`show-options -gv prefix`); tmux's default when it cannot be read."""
    try:
        result = await service.run("show-options", "-gv", "prefix")
        prefix = result.stdout.strip() or "C-b"
    except (TmuxUnavailable, TmuxCommandError):
        prefix = "C-b"
    return f"{_key_name(prefix)} d"


def _key_name(tmux_key: str) -> str:
    """tmux's key notation as people say it.

    >>> _key_name("C-b"), _key_name("C-a"), _key_name("M-x"), _key_name("`")
    ('ctrl+b', 'ctrl+a', 'alt+x', '`')
    """
    return tmux_key.replace("C-", "ctrl+").replace("M-", "alt+")
