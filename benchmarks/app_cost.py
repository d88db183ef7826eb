"""The app's cost as shipped: CPU with 50 idle agents, 50 with half working and 100 with half
working; memory; keypress-to-screen.

    python benchmarks/app_cost.py [--settle 65] [--seconds 10] [--keys 20] [--poll SECONDS]
                                  [--agents 50,100] [--phases idle,working,mixed] [--quick]

On an isolated tmux server it starts the simulated agents, writes a temporary config with one
`[[agent]]` per pane (name, tool = "codex", target = "%id") and nothing else, so every setting
is the default (`--poll` adds `[ui] poll_seconds`), and runs the real `orchestra --config FILE
-L SOCKET` in a 200x50 tmux pane, with its user dirs in a temporary directory. Phases, each with
a fresh app:

1. `idle`: the first N agents, all idle; 2. `working`: the same N, half of them working (their
counters redraw every second); 3. `mixed`: the largest N, half working.

For each: the app's CPU % (its own /proc/PID/schedstat plus its tmux clients: the waited-for ones
from /proc/PID/stat cutime+cstime, a live control-mode client from its own schedstat) and the tmux
server's extra CPU % (minus its background rate without the app), over `--seconds`; VmRSS/VmHWM;
and keypress-to-screen: `j`/`k` (alternating) sent with `tmux send-keys` to the app's pane, then
`capture-pane` every 10 ms (through a control-mode client, so the measuring costs little) until
the pane title names the next agent (median, p95). For scale it also runs the per-pane baseline
poller (one `capture-pane` subprocess per agent every poll interval, same classification) over
the same fleet for the same time, without the app, and prints the ratio. It ends with issue 11's
targets, met or missed.

`--launcher SCRIPT` runs `python SCRIPT --config … -L …` instead of `python -m orchestra_tui`
(to try a change without editing the tree); `--profile PREFIX` runs the app under cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import random
import re
import shlex
import sys
import tempfile
import time

from _bench import (
    DEFAULT_POLL,
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
    run_main,
    server_rate,
    set_working,
    start_agents,
    table,
)

from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService

TITLE = re.compile(r"(agent\d{3}) · codex · %\d+")


# Issue 11's targets: CPU % of one core per phase (app + its tmux clients + the server's extra
# work), keypress-to-screen p95 and VmHWM with the largest fleet.
CPU_TARGETS = {("idle", 50): 5.0, ("working", 50): 10.0, ("mixed", 100): 15.0}
KEY_P95_TARGET_MS = 60.0
VMHWM_TARGET_MB = 80.0


def write_config(path: pathlib.Path, agents, poll: float | None) -> None:
    lines = ["[ui]", f"poll_seconds = {poll}", ""] if poll is not None else []
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
    poll = args.poll if args.poll is not None else DEFAULT_POLL
    print_machine("the app as shipped: CPU, memory and keypress-to-screen with many agents")
    setting = (f"[ui] poll_seconds = {args.poll:g}" if args.poll is not None
               else f"the default config (poll every {DEFAULT_POLL:g} s)")
    print(f"app: `orchestra` in a 200x50 tmux pane, {setting}; agents: the simulated Codex; "
          f"{args.settle:g} s settle, then CPU over {args.seconds:g} s per phase; {args.keys} "
          f"keypresses per phase. CPU % is of one core.")
    sys.stdout.flush()
    rows, key_rows, targets = [], [], []
    with BenchServer() as server, tempfile.TemporaryDirectory() as temp:
        home = pathlib.Path(temp)
        agents = await start_agents(server, [f"agent{i:03d}" for i in range(small)])
        pid = await server.pid()
        phases = [("idle", small, f"{small} idle"),
                  ("working", small, f"{small}, {small // 2} working"),
                  ("mixed", large, f"{large}, {large // 2} working")]
        phases = [phase for phase in phases if phase[0] in args.phases.split(",")]
        for key, n, label in phases:
            if n > len(agents):
                agents += await start_agents(server, [f"agent{i:03d}"
                                                      for i in range(len(agents), n)])
            fleet = agents[:n]
            if key != "idle":
                await set_working(server, fleet[: n // 2])
            busy = sum(1 for a in fleet if a.working)
            await asyncio.sleep(1.0)
            background = await server_rate(pid, min(3.0, args.seconds))
            base = await baseline_cpu(server, fleet, poll, args.seconds, background)
            config = home / f"config-{n}.toml"
            write_config(config, fleet, args.poll)
            profile = f"{args.profile}.{key}.prof" if args.profile else None
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
            if (limit := CPU_TARGETS.get((key, n))) is not None:
                targets.append(f"target: {label} <= {limit:g} % of a core: {app_total:.1f} % "
                               f"{'met' if app_total <= limit else 'MISSED'}")
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
    print()
    for line in targets:
        print(line)
    last, last_keys = rows[-1], key_rows[-1]
    print(f"target: keypress-to-screen p95 <= {KEY_P95_TARGET_MS:g} ms ({last_keys[0]}): "
          f"{last_keys[3]:.0f} ms {'met' if last_keys[3] <= KEY_P95_TARGET_MS else 'MISSED'}")
    print(f"target: resident memory (VmHWM) <= {VMHWM_TARGET_MB:g} MB ({last[0]}): "
          f"{last[9]:.0f} MB {'met' if last[9] <= VMHWM_TARGET_MB else 'MISSED'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", default="50,100",
                        help="the idle/working fleet size, then the mixed (memory) fleet size")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--poll", type=float, default=None,
                        help="write [ui] poll_seconds (default: leave the config's default, "
                             f"{DEFAULT_POLL:g} s)")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="run the app under cProfile, writing PREFIX.<phase>.prof")
    parser.add_argument("--phases", default="idle,working,mixed",
                        help="which phases to run (the last one's app gives the memory and "
                             "keypress targets)")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds between the app showing agents and measuring; past 60 s "
                             "no 'for' cell counts seconds any more")
    parser.add_argument("--launcher", metavar="SCRIPT",
                        help="run `python SCRIPT --config … -L …` instead of `python -m "
                             "orchestra_tui` (to try a change without editing the tree)")
    parser.add_argument("--quick", action="store_true", help="short run: 3 s, 6 keys")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.keys = min(args.seconds, 3.0), min(args.keys, 6)
    return run_main(main_async, args, seed=2)


if __name__ == "__main__":
    sys.exit(main())
