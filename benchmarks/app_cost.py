"""The app's cost: CPU while 50 agents idle and while 50 work, memory with 100, keypress-to-screen.

    python benchmarks/app_cost.py [--seconds 10] [--keys 20] [--poll SECONDS] [--quick]
                                  [--agents 50,100]

On an isolated tmux server it starts the simulated agents, writes a temporary config (one
`[[agent]]` per pane: name, tool = "codex", target = "%id"; `[ui] poll_seconds = --poll`, default
`AppOptions().poll_seconds`) and runs the real `orchestra --config FILE -L SOCKET` in a 200x50
tmux pane, with its user dirs in a temporary directory. Phases, each with a fresh app:

1. first N agents all idle; 2. the same N all working (counters redraw every second);
3. the largest N, half working.

For each: the app's CPU % (its own /proc/PID/schedstat plus its waited-for tmux clients, from
/proc/PID/stat cutime+cstime) and the tmux server's extra CPU % (minus its background rate
without the app), over `--seconds`; VmRSS/VmHWM; and keypress-to-screen: `j`/`k` (alternating)
sent with `tmux send-keys` to the app's pane, then `capture-pane` every 10 ms (through a
control-mode client, so the measuring costs little) until the pane title names the next agent
(median, p95). For scale it also runs the per-pane baseline poller (one `capture-pane`
subprocess per agent every poll interval, same classification) over the same fleet for the same
time, without the app, and prints the ratio.

`--launcher benchmarks/proposed_ui_patch.py` runs the app with the UI changes the README
recommends; `--profile PREFIX` runs it under cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import random
import re
import shlex
import sys
import tempfile
import time

from _bench import (
    REPO,
    BenchServer,
    CpuMark,
    PerPaneTmuxService,
    median,
    parse_counts,
    percentile,
    print_machine,
    proc_cpu_ns,
    proc_memory_kb,
    set_working,
    start_agents,
    table,
)

from orchestra_tui.core.fleet import Fleet
from orchestra_tui.services.tmux import ControlModeRunner, TmuxService
from orchestra_tui.ui.app import AppOptions

TITLE = re.compile(r"(agent\d{3}) · codex · %\d+")


def write_config(path: pathlib.Path, agents, poll: float) -> None:
    lines = ["[ui]", f"poll_seconds = {poll}", ""]
    for agent in agents:
        lines += ["[[agent]]", f'name = "{agent.name}"', 'tool = "codex"',
                  f'target = "{agent.pane_id}"', ""]
    path.write_text("\n".join(lines), "utf-8")


class App:
    """`orchestra` running in a pane of the bench server."""

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

    async def start(self) -> None:
        argv = [sys.executable] + (["-m", "cProfile", "-o", self.profile] if self.profile
                                   else [])
        argv += ([str(pathlib.Path(self.launcher).resolve())] if self.launcher
                 else ["-m", "orchestra_tui"])
        argv += ["--config", str(self.config), "-L", self.server.socket]
        env = {"XDG_CONFIG_HOME": str(self.home / "config"),
               "XDG_DATA_HOME": str(self.home / "data"),
               "XDG_STATE_HOME": str(self.home / "state"), "PYTHONPATH": str(REPO),
               "COLORTERM": "truecolor"}
        if os.environ.get("ORCHESTRA_BENCH_CONTROL_MODE"):  # read by proposed_ui_patch.py
            env["ORCHESTRA_BENCH_CONTROL_MODE"] = os.environ["ORCHESTRA_BENCH_CONTROL_MODE"]
        pane = await self.server.tmux.start("exec " + shlex.join(argv), cwd=str(REPO),
                                            session=f"orchestra-{random.randrange(10**6)}",
                                            env=env, width=200, height=50)
        self.pane_id, self.pid = pane.pane_id, pane.pid
        cmdline = pathlib.Path(f"/proc/{self.pid}/cmdline").read_bytes()
        assert b"--config" in cmdline, cmdline  # the pane runs python itself (exec)
        await self.wait(lambda s: TITLE.search(s) is not None, 30, "the app showing agents")

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
        """(own, own + its tmux clients): the waited-for ones from cutime+cstime, and live ones
        (a control-mode client) from their own schedstat."""
        own = proc_cpu_ns(self.pid)
        live = 0
        for task in pathlib.Path(f"/proc/{self.pid}/task").glob("*/children"):
            for child in task.read_text().split():
                try:
                    live += proc_cpu_ns(int(child))
                except (OSError, ValueError):
                    pass
        return own, proc_cpu_ns(self.pid, children=True) + live

    async def stop(self) -> None:
        if self.profile:  # quit cleanly so cProfile writes its file
            await self.server.tmux.run("send-keys", "-t", self.pane_id, "q", check=False)
            deadline = time.monotonic() + 15
            while pathlib.Path(f"/proc/{self.pid}").exists() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        await self.server.tmux.run("kill-pane", "-t", self.pane_id, check=False)
        await self.reader.aclose()


async def server_rate(server_pid: int, seconds: float) -> float:
    before = CpuMark.take(server_pid)
    await asyncio.sleep(seconds)
    after = CpuMark.take(server_pid)
    return (after.server_ns - before.server_ns) / (after.wall - before.wall)


async def app_cpu(app: App, server_pid: int, seconds: float, background: float) -> dict:
    own0, all0 = app.cpu_ns()
    mark0 = CpuMark.take(server_pid)
    await asyncio.sleep(seconds)
    own1, all1 = app.cpu_ns()
    mark1 = CpuMark.take(server_pid)
    wall = mark1.wall - mark0.wall
    server = max(0.0, (mark1.server_ns - mark0.server_ns) - background * wall)
    return {"own": (own1 - own0) / wall / 1e7, "clients": ((all1 - own1) - (all0 - own0))
            / wall / 1e7, "server": server / wall / 1e7}


async def baseline_cpu(server: BenchServer, agents, poll: float, seconds: float,
                       background: float) -> dict:
    """The per-pane poller at the same interval, in this process, without the app."""
    fleet = Fleet(PerPaneTmuxService(server.runner), [a.spec() for a in agents])
    names = tuple(a.name for a in agents)
    await fleet.refresh(visible=names)
    pid = await server.pid()
    mark0 = CpuMark.take(pid)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await fleet.refresh(visible=names)
        await asyncio.sleep(poll)
    mark1 = CpuMark.take(pid)
    wall = mark1.wall - mark0.wall
    server_ns = max(0.0, (mark1.server_ns - mark0.server_ns) - background * wall)
    return {"own": (mark1.self_ns - mark0.self_ns) / wall / 1e7,
            "clients": (mark1.children_ns - mark0.children_ns) / wall / 1e7,
            "server": server_ns / wall / 1e7}


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


async def main_async(args: argparse.Namespace) -> int:
    counts = parse_counts(args.agents)
    small, large = counts[0], counts[-1]
    print_machine("the app: CPU, memory and keypress-to-screen with many agents")
    print(f"app: `orchestra` in a 200x50 tmux pane, [ui] poll_seconds = {args.poll:g} "
          f"(AppOptions default {AppOptions().poll_seconds:g}); agents: the simulated Codex; "
          f"CPU over {args.seconds:g} s per phase; {args.keys} keypresses per phase. "
          f"CPU % is of one core.")
    sys.stdout.flush()
    rows, key_rows = [], []
    with BenchServer() as server, tempfile.TemporaryDirectory() as temp:
        home = pathlib.Path(temp)
        agents = await start_agents(server, [f"agent{i:03d}" for i in range(small)])
        pid = await server.pid()
        phases = [(f"{small} idle", small, "none"), (f"{small} working", small, "all"),
                  (f"{large}, half working", large, "half")]
        phases = [p for p, key in zip(phases, ("idle", "working", "mixed"))
                  if key in args.phases.split(",")]
        for label, n, working in phases:
            if n > len(agents):
                agents += await start_agents(server, [f"agent{i:03d}"
                                                      for i in range(len(agents), n)])
            fleet = agents[:n]
            if working == "all":
                await set_working(server, fleet)
            elif working == "half":
                await set_working(server, fleet[: n // 2])
            busy = sum(1 for a in fleet if a.working)
            await asyncio.sleep(1.0)
            background = await server_rate(pid, min(3.0, args.seconds))
            base = await baseline_cpu(server, fleet, args.poll, args.seconds, background)
            config = home / f"config-{n}.toml"
            write_config(config, fleet, args.poll)
            profile = (f"{args.profile}.{label.split(',')[0].replace(' ', '-')}.prof"
                       if args.profile else None)
            app = App(server, config, home, profile, args.launcher)
            await app.start()
            try:
                await asyncio.sleep(args.settle)  # first captures and classifications
                cpu = await app_cpu(app, pid, args.seconds, background)
                keys = await keypresses(app, args.keys)
                memory = proc_memory_kb(app.pid)
            finally:
                await app.stop()
            app_total = cpu["own"] + cpu["clients"] + cpu["server"]
            base_total = base["own"] + base["clients"] + base["server"]
            rows.append((label, busy, cpu["own"], cpu["clients"], cpu["server"], app_total,
                         base_total, f"{base_total / max(1e-9, app_total):.1f}x",
                         memory["VmRSS"] / 1024, memory["VmHWM"] / 1024))
            key_rows.append((label, len(keys), median(keys), percentile(keys, 95), max(keys)))
            print(f"{label}: done", file=sys.stderr)
            sys.stdout.flush()
    print()
    print("## CPU % of one core (app = orchestra process + its tmux clients + the tmux "
          "server's extra work); memory in MB")
    print(table(("phase", "working", "app own %", "app clients %", "server %", "app total %",
                 "per-pane poller %", "ratio", "VmRSS MB", "VmHWM MB"), rows))
    print()
    print("## keypress to screen (ms): `j`/`k` via tmux send-keys until the pane title changes")
    print(table(("phase", "keys", "median", "p95", "max"), key_rows))
    rss = rows[-1][8]
    print(f"\ntarget: resident memory <= 150 MB ({rows[-1][0]}): {rss:.0f} MB "
          f"{'met' if rss <= 150 else 'MISSED'}")
    worst = max(row[3] for row in key_rows)
    print(f"typing: keypress-to-screen p95 {worst:.0f} ms "
          f"({'smooth (<= 100 ms)' if worst <= 100 else 'NOT smooth (> 100 ms)'})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", default="50,100",
                        help="the idle/working fleet size, then the memory fleet size")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--poll", type=float, default=AppOptions().poll_seconds)
    parser.add_argument("--profile", metavar="PREFIX",
                        help="run the app under cProfile, writing PREFIX.<phase>.prof")
    parser.add_argument("--phases", default="idle,working,mixed",
                        help="which phases to run (the last one's app gives the memory target)")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds between the app showing agents and measuring; past 60 s "
                             "the 'for' column stops counting seconds")
    parser.add_argument("--launcher", metavar="SCRIPT",
                        help="run `python SCRIPT --config … -L …` instead of `python -m "
                             "orchestra_tui` (to try a patch without editing the tree)")
    parser.add_argument("--quick", action="store_true", help="short run: 3 s, 6 keys")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.keys = min(args.seconds, 3.0), min(args.keys, 6)
    random.seed(2)
    try:
        return asyncio.run(main_async(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
