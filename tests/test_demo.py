"""`orchestra demo` as a new user runs it: in a terminal (a tmux pane), it opens on four agents,
and quitting leaves no tmux server, process, listening port or file of the demo behind."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest

from tests.helpers import async_wait_until
from tests.tmux_fixtures import REPO, wait_for_screen

pytestmark = pytest.mark.slow


def demo_processes(directory: str) -> list[str]:
    """Processes whose command line names the demo's folder: its agents log there."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if directory in cmdline:
            found.append(cmdline)
    return found


def port_open(url: str) -> bool:
    host, port = re.match(r"http://([\d.]+):(\d+)", url).groups()
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, int(port))) == 0


async def test_demo_starts_shows_every_agent_and_quits_clean(tmux, tmp_path):
    env = {"PYTHONPATH": str(REPO), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color"}
    pane = await tmux.start([sys.executable, "-m", "orchestra_tui", "demo"], cwd=str(REPO),
                            session="user", env=env, width=160, height=45)
    await tmux.set_remain_on_exit(pane.pane_id)
    screen = await wait_for_screen(
        tmux, pane.pane_id, lambda s: "4 agents" in s and "APPROVAL" in s,
        timeout=40, message="the demo fleet with an approval")
    for name in ("api", "web", "docs", "ingest"):
        assert re.search(rf"│\s+\w+\s+{name}\s", screen), name
    await tmux.send_keys(pane.pane_id, "q")
    screen = await wait_for_screen(tmux, pane.pane_id, lambda s: "Demo stopped" in s,
                                   timeout=30, message="the demo to stop")
    demo_socket = re.search(r"tmux server\s+-L (\S+)", screen).group(1)
    api_url = re.search(r"GitHub\s+(http://\S+)", screen).group(1)
    directory = re.search(r"files\s+(\S+)", screen).group(1)

    async def nothing_left() -> bool:
        server = subprocess.run(["tmux", "-L", demo_socket, "has-session"],
                                capture_output=True).returncode
        return server != 0 and not port_open(api_url) and not os.path.exists(directory) \
            and not demo_processes(directory)

    await async_wait_until(nothing_left, timeout=10, message="nothing of the demo left")
