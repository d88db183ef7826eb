"""The real app in a pane of a bench server, measured from outside: its config, its start-up
to a full first screen, its CPU (its process tree, the ssh connection masters it shares) and
memory, and keypress-to-screen. Shared by `app_cost.py` and `peer_cost.py`.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import random
import re
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from _bench import REPO, BenchServer, CpuMark, proc_cpu_ns
from _sshd import descendants

from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService

TITLE = re.compile(r"(agent\d{3}) · (?:codex|claude) · \S+")
# A table row whose state is read: the app draws `unknown` until a pane's first reading.
STATE_WORDS = ("working", "idle", "approval", "blocked", "stuck", "exited")


@dataclass(frozen=True)
class HostEntry:
    """A `[[host]]` of the app's config: an ssh alias in `ssh_config`, the tmux server there."""

    name: str
    alias: str
    ssh_config: pathlib.Path
    socket_path: str


def write_config(path: pathlib.Path, agents, poll: float | None,
                 hosts: Sequence[HostEntry] = ()) -> None:
    """One `[[agent]]` per pane (name, tool, target, host) and nothing else, so every other
    setting is the default."""
    lines = ["[ui]", f"poll_seconds = {poll}", ""] if poll is not None else []
    for host in hosts:
        lines += ["[[host]]", f"name = {json.dumps(host.name)}", f"ssh = {json.dumps(host.alias)}",
                  f"ssh_options = {json.dumps(['-F', str(host.ssh_config)])}",
                  f"socket_path = {json.dumps(host.socket_path)}", ""]
    for agent in agents:
        lines += ["[[agent]]", f'name = "{agent.name}"', f'tool = "{agent.tool}"',
                  f'target = "{agent.pane_id}"']
        lines += [f'host = "{agent.host}"'] if agent.host else []
        lines.append("")
    path.write_text("\n".join(lines), "utf-8")


def full_screen(rows: int) -> Callable[[str], bool]:
    """The first full screen: the live pane names an agent and `rows` table rows (as many as
    fit) show a state read from their pane."""
    def check(text: str) -> bool:
        if TITLE.search(text) is None:
            return False
        read = sum(1 for line in text.splitlines() if re.search(r"agent\d{3}", line)
                   and any(f" {word} " in line.lower() for word in STATE_WORDS))
        return read >= rows
    return check


class App:
    """`orchestra` running in a 200x50 pane of the bench server."""

    def __init__(self, server: BenchServer, config: pathlib.Path, home: pathlib.Path,
                 profile: str | None = None, launcher: str | None = None) -> None:
        self.server, self.config, self.home = server, config, home
        self.profile, self.launcher = profile, launcher
        # The benchmark's own screen reads (every 10 ms while timing a key) go through a
        # control-mode client: ~0.1 ms each instead of a 4 ms tmux process that would compete
        # with the app for the two cores.
        self.reader = TmuxService(ControlModeRunner(server.runner))
        self.pane_id = ""
        self.pid = 0
        self.startup = float("nan")  # seconds from the pane's start to a full first screen
        self.masters: list[int] = []  # ssh connection masters: daemons, not the app's children

    async def start(self, visible_rows: int = 1) -> None:
        argv = [sys.executable] + (["-m", "cProfile", "-o", self.profile] if self.profile
                                   else [])
        argv += ([str(pathlib.Path(self.launcher).resolve())] if self.launcher
                 else ["-m", "orchestra_tui"])
        argv += ["--config", str(self.config), "-L", self.server.socket]
        env = {"XDG_CONFIG_HOME": str(self.home / "config"),
               "XDG_DATA_HOME": str(self.home / "data"),
               "XDG_STATE_HOME": str(self.home / "state"), "PYTHONPATH": str(REPO),
               "COLORTERM": "truecolor"}
        started = time.perf_counter()
        pane = await self.server.tmux.start("exec " + shlex.join(argv), cwd=str(REPO),
                                            session=f"orchestra-{random.randrange(10**6)}",
                                            env=env, width=200, height=50)
        self.pane_id, self.pid = pane.pane_id, pane.pid
        cmdline = pathlib.Path(f"/proc/{self.pid}/cmdline").read_bytes()
        assert b"--config" in cmdline, cmdline  # the pane runs python itself (exec)
        await self.wait(full_screen(visible_rows), 60, "the app's first full screen")
        self.startup = time.perf_counter() - started

    async def screen(self) -> str:
        return (await self.reader.capture([self.pane_id])).get(self.pane_id, "")

    async def wait(self, predicate, timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = await self.screen()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}; screen:\n{text}")
            await asyncio.sleep(0.01)

    def cpu_ns(self) -> tuple[int, int]:
        """(own, own + helpers): its live descendants (tmux and ssh control clients) from their
        schedstat, the waited-for ones from cutime+cstime, and the ssh masters."""
        own = proc_cpu_ns(self.pid)
        helpers = sum(_cpu(pid) for pid in descendants(self.pid) + self.masters)
        return own, proc_cpu_ns(self.pid, children=True) + helpers

    async def stop(self) -> None:
        if self.profile:  # quit cleanly so cProfile writes its file
            await self.server.tmux.run("send-keys", "-t", self.pane_id, "q", check=False)
            deadline = time.monotonic() + 15
            while pathlib.Path(f"/proc/{self.pid}").exists() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        await self.server.tmux.run("kill-pane", "-t", self.pane_id, check=False)
        await self.reader.aclose()


def _cpu(pid: int) -> int:
    try:
        return proc_cpu_ns(pid)
    except (OSError, ValueError):
        return 0


# Each of the server's background windows, taken before and after the app: the agents' own
# output moves a short window's rate by a point or two between runs.
BACKGROUND_SECONDS = 10.0


async def app_cpu(app: App, server_pid: int, seconds: float, background: float,
                  others: Callable[[], int] | None = None) -> dict:
    """CPU % of one core over `seconds`: the app itself, its helpers, the server's work beyond
    `background` (ns/s), and `others()` (ns, e.g. the hosts' side) when given."""
    own0, all0 = app.cpu_ns()
    mark0 = CpuMark.take(server_pid)
    other0 = others() if others else 0
    await asyncio.sleep(seconds)
    own1, all1 = app.cpu_ns()
    mark1 = CpuMark.take(server_pid)
    other1 = others() if others else 0
    wall = mark1.wall - mark0.wall
    server = max(0.0, (mark1.server_ns - mark0.server_ns) - background * wall)
    return {"own": (own1 - own0) / wall / 1e7, "clients": ((all1 - own1) - (all0 - own0))
            / wall / 1e7, "server": server / wall / 1e7,
            "server_all": (mark1.server_ns - mark0.server_ns) / wall / 1e7,
            "others": (other1 - other0) / wall / 1e7}


async def keypresses(app: App, count: int) -> list[float]:
    """ms from `send-keys` to the pane title naming the next agent (j, k, j, k, ...: the
    selection starts on the first row)."""
    times = []
    for index in range(count):
        key = "j" if index % 2 == 0 else "k"
        found = TITLE.search(await app.screen())
        assert found, "no selected agent on screen"
        before = found.group(1)
        started = time.perf_counter()
        await app.server.tmux.run("send-keys", "-t", app.pane_id, key)
        await app.wait(lambda s, before=before: (m := TITLE.search(s)) is not None
                       and m.group(1) != before, 10, f"key {key} shown")
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(random.uniform(0.1, 0.3))
    return times
