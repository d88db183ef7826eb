"""Refresh cost: orchestra's poll tick against one `capture-pane` subprocess per agent per tick.

    python benchmarks/refresh_cost.py [--agents 10,50,100] [--iterations 20] [--repeats 3]
                                      [--interval 0.25] [--quick]

On an isolated tmux server (`-L orch-bench-…`, killed at exit) it starts N simulated agents (the
fake Codex of `orchestra_tui.demo.fake_agent`, a real program in a real pane, for every N), half
of them working (their screen changes every second), half idle. Then, interleaved in the same run
and at the same cadence, it measures per refresh:

- orchestra: `Fleet.refresh()` — one `list-panes -a`, one batched capture of the panes whose
  activity changed, classification only of changed screens;
- orchestra, control mode: the same `Fleet.refresh()` with its reads (list-panes, capture-pane)
  sent through one long-lived `tmux -C` client (`ControlModeRunner`) instead of a tmux process
  each;
- baseline: a `Fleet` over a tmux service that runs one `tmux capture-pane -p -e -t %id`
  subprocess per agent, every agent every tick (what claude-squad does), with the same
  classification and tracking code.

CPU per refresh = this process (`time.process_time`) + the tmux client processes it started
(RUSAGE_CHILDREN, and the live control-mode client's /proc/PID/schedstat) + the tmux server
(/proc/PID/schedstat, ns; utime+stime from /proc/PID/stat when the kernel keeps no schedstat),
minus the server's background rate (the agents' own output)
measured over a quiet window. Then, for the idle half alone, how many captures a refresh triggers
after the first (target: 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass

from _bench import (
    DEFAULT_POLL,
    BenchServer,
    Cost,
    CpuMark,
    PerPaneTmuxService,
    median,
    parse_counts,
    print_machine,
    run_main,
    server_rate,
    set_working,
    start_agents,
    table,
)

from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService


@dataclass
class Contender:
    """One way of polling the fleet, measured tick by tick."""

    label: str
    fleet: Fleet
    every_pane: bool = False  # the baseline captures every agent every tick
    runner: ControlModeRunner | None = None

    async def tick(self, server_pid: int, cost: Cost | None = None) -> int:
        visible = tuple(self.fleet.names) if self.every_pane else ()
        clients = (self.runner.client_pid,) if self.runner else ()
        before = CpuMark.take(server_pid, clients)
        snapshot = await self.fleet.refresh(visible=visible)
        after = CpuMark.take(server_pid, clients)
        if cost is not None:
            cost.add(before, after)
        return snapshot.captured


ORCH, CTL, BASE = "orchestra", "orchestra, control mode", "baseline"


def contenders(server: BenchServer, specs) -> list[Contender]:
    control = ControlModeRunner(server.runner)
    return [Contender(ORCH, Fleet(server.tmux, specs)),
            Contender(CTL, Fleet(TmuxService(control), specs), runner=control),
            Contender(BASE, Fleet(PerPaneTmuxService(server.runner), specs), every_pane=True)]


async def block(players: list[Contender], server_pid: int, iterations: int,
                interval: float) -> dict[str, dict[str, float]]:
    """One measured block: `iterations` ticks of each contender, rotating who goes first."""
    background = await server_rate(server_pid, 1.0)
    costs = {p.label: Cost() for p in players}
    captured: dict[str, list[int]] = {p.label: [] for p in players}
    for index in range(iterations):
        started = time.monotonic()
        shift = index % len(players)
        for player in players[shift:] + players[:shift]:
            captured[player.label].append(await player.tick(server_pid, costs[player.label]))
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
    background = (background + await server_rate(server_pid, 1.0)) / 2
    return {label: {**costs[label].per_call_ms(background),
                    "captured": sum(captured[label]) / max(1, len(captured[label]))}
            for label in costs}


async def measure(players: list[Contender], server_pid: int, args) -> dict:
    """Median over `args.repeats` blocks of each figure, and each contender's CPU ratio to the
    baseline (the median of the blocks' ratios)."""
    blocks = [await block(players, server_pid, args.iterations, args.interval)
              for _ in range(args.repeats)]
    summary = {label: {key: median([b[label][key] for b in blocks]) for key in blocks[0][label]}
               for label in blocks[0]}
    for label in summary:
        summary[label]["ratio"] = median([b[BASE]["cpu"] / b[label]["cpu"] for b in blocks
                                          if b[label]["cpu"] > 0])
    return summary


async def close(players: list[Contender]) -> None:
    for player in players:
        if player.runner is not None:
            await player.runner.aclose()


def x(value: float) -> str:
    return f"{value:.1f}x"


async def main_async(args: argparse.Namespace) -> int:
    counts = parse_counts(args.agents)
    print_machine("refresh cost: orchestra Fleet.refresh() vs one capture-pane subprocess "
                  "per agent per tick")
    print(f"agents: the simulated Codex (orchestra_tui.demo.fake_agent, one Python process "
          f"per pane, {args.width}x{args.height}); half working (counter redraws every 1 s), "
          f"half idle. {args.repeats} block(s) x {args.iterations} ticks per N, every "
          f"{args.interval:g} s, the contenders taking turns; figures are medians of the "
          f"blocks' means.")
    sys.stdout.flush()
    rows, idle_rows, detail_rows = [], [], []
    with BenchServer() as server:
        agents: list = []
        for n in counts:
            names = [f"agent{i:03d}" for i in range(len(agents), n)]
            started = time.monotonic()
            agents += await start_agents(server, names, width=args.width, height=args.height)
            await set_working(server, [a for i, a in enumerate(agents) if i % 2 == 0])
            print(f"N={n}: {len(names)} agents started in {time.monotonic() - started:.1f} s",
                  file=sys.stderr)
            pid = await server.pid()

            players = contenders(server, [a.spec() for a in agents])
            for _ in range(3):  # warm up: first captures and classifications
                for player in players:
                    await player.tick(pid)
            r = await measure(players, pid, args)
            await close(players)
            o, c, b = r[ORCH], r[CTL], r[BASE]
            working = sum(1 for a in agents if a.working)
            rows.append((n, working, o["cpu"], c["cpu"], b["cpu"], x(o["ratio"]),
                         x(c["ratio"]), o["wall"], c["wall"], b["wall"], o["captured"],
                         b["captured"]))
            detail_rows.append((n, o["self"], o["clients"], o["server"], c["self"],
                                c["clients"], c["server"], b["self"], b["clients"],
                                b["server"]))
            states: dict[str, int] = {}
            for view in players[0].fleet.snapshot.agents:
                states[view.status.state.value] = states.get(view.status.state.value, 0) + 1
            print(f"N={n}: orchestra sees {states}", file=sys.stderr)

            idle = contenders(server, [a.spec() for a in agents if not a.working])
            first = [await player.tick(pid) for player in idle][0]
            later = []
            for _ in range(args.iterations):
                later.append(await idle[0].tick(pid))
                await asyncio.sleep(args.interval)
            r = await measure(idle, pid, args)
            await close(idle)
            io, ic, ib = r[ORCH], r[CTL], r[BASE]
            idle_rows.append((n, len(idle[0].fleet.names), first, len(later), sum(later),
                              io["captured"] * args.iterations * args.repeats,
                              io["cpu"], ic["cpu"], ib["cpu"], x(io["ratio"]), x(ic["ratio"])))
            print(f"N={n}: done", file=sys.stderr)
            sys.stdout.flush()

    print()
    print("## per refresh, half the fleet working (CPU = this process + tmux clients + "
          "tmux server)")
    print(table(("N", "working", "orchestra CPU ms", "+control mode CPU ms", "baseline CPU ms",
                 "ratio", "ratio, control mode", "orchestra wall ms", "+control mode wall ms",
                 "baseline wall ms", "orchestra captures", "baseline captures"), rows))
    print()
    print("## where the CPU goes (ms per refresh): self = this process, clients = tmux client "
          "processes, server = tmux server")
    print(table(("N", "orch self", "orch clients", "orch server", "ctl self", "ctl clients",
                 "ctl server", "base self", "base clients", "base server"), detail_rows))
    print()
    print("## idle fleet (the idle half alone): captures a refresh triggers after the first "
          "(target 0)")
    print(table(("N", "idle agents", "1st refresh captures", "later refreshes",
                 "captures in them", "captures in measured ticks", "orchestra CPU ms",
                 "+control mode CPU ms", "baseline CPU ms", "ratio", "ratio, control mode"),
                idle_rows))
    at50 = [row for row in rows if row[0] == 50]
    if at50:
        for label, column in (("orchestra", 5), ("orchestra, control mode", 6)):
            ratio = float(at50[0][column].rstrip("x"))
            print(f"\ntarget: >= 15x less CPU than the baseline at 50 agents ({label}): "
                  f"{ratio:.1f}x {'met' if ratio >= 15 else 'MISSED'}", end="")
        print()
    idle_ok = all(row[4] == 0 and row[5] == 0 for row in idle_rows)
    print(f"target: an idle fleet triggers no captures: {'met' if idle_ok else 'MISSED'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", default="10,50,100", help="fleet sizes, e.g. 10,50,100")
    parser.add_argument("--iterations", type=int, default=20, help="ticks per block")
    parser.add_argument("--repeats", type=int, default=3, help="blocks per N (median)")
    parser.add_argument("--interval", type=float, default=DEFAULT_POLL,
                        help="seconds between ticks (default: the app's poll interval)")
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="short run: 1 block of 5 ticks")
    args = parser.parse_args(argv)
    if args.quick:
        args.iterations, args.repeats = min(args.iterations, 5), 1
    return run_main(main_async, args, seed=0)


if __name__ == "__main__":
    sys.exit(main())
