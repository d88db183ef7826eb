"""The tmux panes of the server the hook program runs under, for telling which configured agent
a pane is (`core.binding.find_pane` over them). Synchronous and bounded: the hook program is a
short-lived process on the agent's critical path, and only asks when it must (a pre-tool event
in a config that enforces)."""

from __future__ import annotations

import os
import shutil
import subprocess

from orchestra_tui.models import PaneInfo

_FORMAT = "#{pane_id}\t#{session_name}\t#{window_index}\t#{pane_index}"
TIMEOUT_SECONDS = 2.0


def tmux_socket_from_env(environ: dict[str, str] | None = None) -> str:
    """The server socket path a process inside tmux belongs to (`$TMUX` is `path,pid,n`)."""
    value = (os.environ if environ is None else environ).get("TMUX", "")
    return value.split(",", 1)[0] if value else ""


def panes_of_this_server() -> list[PaneInfo]:
    """Every pane of the tmux server named by `$TMUX`, or [] when there is none or tmux fails
    (then no agent is recognised by session name; a `%id` target still is)."""
    socket = tmux_socket_from_env()
    program = shutil.which("tmux") or next(
        (p for p in ("/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux")
         if os.path.exists(p)), None)
    if not socket or program is None:
        return []
    try:
        done = subprocess.run([program, "-S", socket, "list-panes", "-a", "-F", _FORMAT],
                              capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    panes = []
    for row in done.stdout.splitlines():
        fields = row.split("\t")
        if len(fields) != 4 or not fields[2].isdigit() or not fields[3].isdigit():
            continue
        panes.append(PaneInfo(pane_id=fields[0], pid=0, session_name=fields[1],
                              window_index=int(fields[2]), pane_index=int(fields[3]),
                              current_command="", current_path="", title="", dead=False,
                              activity=0, width=0, height=0))
    return panes
