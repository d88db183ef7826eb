"""Hosts cost: agents on several hosts over SSH against the same number on this machine.

    python benchmarks/hosts_cost.py [--hosts 3] [--per-host 20] [--iterations 20] [--repeats 3]
                                    [--interval 0.25] [--slow-seconds 3] [--samples 6] [--quick]

Each "host" is a real OpenSSH server on a loopback port (`sshd -D -f FILE`, generated keys, in a
temporary folder) in front of its own tmux server with `--per-host` simulated agents (the fake
Codex of `orchestra_tui.demo.fake_agent`), half of them working. Beside them, one tmux server
on this machine runs hosts x per-host agents, half working. Two fleets, polled in turns at the
app's cadence in the same run, as the app polls (reads through control-mode clients):

- local: `Fleet.refresh()` over the local agents, its reads through one `tmux -C` client;
- hosts: `Fleet.refresh()` over a `HostRouter` (this machine's server with no agents, plus one
  `SshTmuxRunner` per host, its reads through one long-lived `ssh HOST tmux -C` client).

Local CPU per refresh = this process + its live clients (the tmux control client, the ssh
clients and the ssh connection masters) + processes it waited for + this machine's tmux server,
minus the server's background rate. The hosts' side (their tmux servers, sshd sessions and
remote control clients) is what the other machines would pay: shown apart, not counted.

Then one slow host: a host whose tmux answers only after `--slow-seconds` (a wrapper that
sleeps, every command) joins; tick wall time and how soon a fast host's agent is seen working
after its screen changes are compared with and without it.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import os
import pathlib
import shutil
import sys
import tempfile
import time

from _bench import (
    DEFAULT_POLL,
    BenchServer,
    Cost,
    CpuMark,
    median,
    percentile,
    print_machine,
    proc_cpu_ns,
    run_main,
    server_rate,
    set_working,
    start_agents,
    table,
    type_prompt,
    wait_for,
)
from _sshd import SSHD, LoopbackSshd, keygen, master_pid

from orchestra_tui.core.fleet.fleet import Fleet
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService
from orchestra_tui.services.tmux.ssh import ssh_control_runner


async def socket_of(server: BenchServer) -> str:
    return (await server.tmux.run("display-message", "-p", "#{socket_path}")).stdout.strip()


def cpu(pids) -> int:
    total = 0
    for pid in pids:
        try:
            total += proc_cpu_ns(pid)
        except (OSError, ValueError):
            pass
    return total


class Player:
    """One fleet, measured tick by tick: `clients()` are its live local helper processes."""

    def __init__(self, label: str, fleet: Fleet, server: BenchServer, clients) -> None:
        self.label, self.fleet, self.server, self.clients = label, fleet, server, clients
        self.pid = 0

    async def tick(self, remote_pids, cost: Cost | None = None,
                   remote: list[int] | None = None) -> float:
        clients = self.clients()
        before, remote_before = CpuMark.take(self.pid, clients), cpu(remote_pids)
        await self.fleet.refresh()
        after, remote_after = CpuMark.take(self.pid, clients), cpu(remote_pids)
        if cost is not None:
            cost.add(before, after)
        if remote is not None:
            remote.append(remote_after - remote_before)
        return after.wall - before.wall


async def measure(players: list[Player], remote_servers: list[int], remote_pids, args) -> dict:
    blocks = []
    for _ in range(args.repeats):
        backgrounds = {p.label: await server_rate(p.pid, 1.0) for p in players}
        remote_rate = sum([await server_rate(pid, 0.5) for pid in remote_servers])
        costs = {p.label: Cost() for p in players}
        remote = {p.label: [] for p in players}
        for index in range(args.iterations):
            started = time.monotonic()
            shift = index % len(players)
            for player in players[shift:] + players[:shift]:
                await player.tick(remote_pids(), costs[player.label], remote[player.label])
            await asyncio.sleep(max(0.0, args.interval - (time.monotonic() - started)))
        block = {}
        for player in players:
            figures = costs[player.label].per_call_ms(backgrounds[player.label])
            wall_s = figures["wall"] / 1e3
            figures["remote"] = max(0.0, median(remote[player.label]) / 1e6
                                    - remote_rate * wall_s / 1e6)
            block[player.label] = figures
        blocks.append(block)
    return {label: {key: median([b[label][key] for b in blocks]) for key in blocks[0][label]}
            for label in blocks[0]}


async def seen_working(fleet: Fleet, server: BenchServer, targets: list[tuple[str, str]],
                       samples: int, poll: float) -> tuple[list[float], list[float]]:
    """Poll like the app; type `[work 1]` into idle agents of a fast host (`targets`: the
    fleet's name and the pane there) and time how long until the fleet holds `working`.
    Returns (latencies, tick walls)."""
    latencies, walls = [], []
    state: dict[str, State] = {}

    async def loop() -> None:
        while True:
            started = time.perf_counter()
            snapshot = await fleet.refresh()
            walls.append(time.perf_counter() - started)
            for view in snapshot.agents:
                state[view.name] = view.status.state
            await asyncio.sleep(poll)

    task = asyncio.create_task(loop())
    try:
        for index in range(samples):
            name, pane_id = targets[index % len(targets)]
            await wait_for(lambda n=name: state.get(n) is State.IDLE, 30, f"{name} idle")
            typed = time.monotonic()
            await type_prompt(server, pane_id, f"[work 1] sample {index}")
            await wait_for(lambda n=name: state.get(n) is State.WORKING, 30, f"{name} working")
            latencies.append(time.monotonic() - typed)
    finally:
        task.cancel()
    return latencies, walls


def specs_on(host: str, agents) -> list[AgentSpec]:
    return [AgentSpec(name=f"{host}-{a.name}", tool="codex", target=a.pane_id, host=host)
            for a in agents]


async def main_async(args: argparse.Namespace) -> int:
    n = args.hosts * args.per_host
    print_machine(f"hosts cost: {args.hosts} hosts x {args.per_host} agents over loopback SSH "
                  f"vs {n} agents on this machine")
    print(f"agents: the simulated Codex, half working; {args.repeats} block(s) x "
          f"{args.iterations} ticks, every {args.interval:g} s, the fleets taking turns; reads "
          "through control-mode clients (tmux -C here, ssh HOST tmux -C for hosts), as the app "
          "polls; figures are medians of the blocks' means.")
    sys.stdout.flush()
    work = pathlib.Path(tempfile.mkdtemp(prefix="orch-bench-hosts-"))
    atexit.register(shutil.rmtree, work, True)
    client_key = work / "client_key"
    keygen(client_key)
    with BenchServer() as local, BenchServer("orch-bench-here") as here:
        hosts = [BenchServer("orch-bench-host") for _ in range(args.hosts)]
        for server in hosts:
            atexit.register(server.kill)
        await here.tmux.start("exec cat", session="person", cwd=str(work))
        local_agents = await start_agents(local, [f"agent{i:03d}" for i in range(n)])
        await set_working(local, local_agents[::2])
        remote_agents = []
        for server in hosts:
            agents = await start_agents(server, [f"agent{i:03d}" for i in range(args.per_host)])
            await set_working(server, agents[::2])
            remote_agents.append(agents)
        print(f"{n} local and {n} remote agents started", file=sys.stderr)
        daemons = [LoopbackSshd(work, index, client_key) for index in range(args.hosts)]
        runners = [daemon.runner(f"host{i}", await socket_of(server))
                   for i, (daemon, server) in enumerate(zip(daemons, hosts))]
        host_services = {r.name: TmuxService(ssh_control_runner(r)) for r in runners}
        here_service = TmuxService(ControlModeRunner(here.runner))
        router = HostRouter(here_service, host_services)
        local_ctl = ControlModeRunner(local.runner)
        masters: dict[str, int | None] = {}

        def host_clients() -> list[int | None]:
            return [here_service.runner.client_pid, *masters.values(),
                    *(s.runner.client_pid for s in host_services.values())]

        host_specs = [spec for r, agents in zip(runners, remote_agents)
                      for spec in specs_on(r.name, agents)]
        players = [
            Player("local", Fleet(TmuxService(local_ctl), [a.spec() for a in local_agents]),
                   local, lambda: [local_ctl.client_pid]),
            Player("hosts", Fleet(router, host_specs), here, host_clients),
        ]
        for player in players:
            player.pid = await player.server.pid()
        for _ in range(4):  # warm up: connections, first captures and classifications
            for player in players:
                await player.tick([])
        masters.update({r.name: master_pid(r) for r in runners})
        for player in players:
            states: dict[str, int] = {}
            for view in player.fleet.snapshot.agents:
                states[str(view.status.state)] = states.get(str(view.status.state), 0) + 1
            print(f"{player.label}: {states}", file=sys.stderr)
        remote_servers = [await server.pid() for server in hosts]

        def remote_pids() -> list[int]:
            return remote_servers + [pid for d in daemons for pid in d.session_pids()]

        result = await measure(players, remote_servers, remote_pids, args)
        loc, rem = result["local"], result["hosts"]
        rows = [(f"{n} agents on this machine", loc["self"], loc["clients"], loc["server"],
                 loc["cpu"], "—", loc["wall"]),
                (f"{args.hosts} hosts x {args.per_host} over ssh", rem["self"], rem["clients"],
                 rem["server"], rem["cpu"], rem["remote"], rem["wall"])]
        print()
        print("## CPU per refresh (ms): local = this process + its clients (tmux -C, ssh, ssh "
              "masters) + this machine's tmux server; the hosts' side is apart")
        print(table(("fleet", "self", "clients", "local tmux server", "local CPU",
                     "hosts' side CPU", "wall ms"), rows))
        ratio = rem["cpu"] / loc["cpu"] if loc["cpu"] else float("nan")
        print(f"\ntarget: {args.hosts} hosts x {args.per_host} agents cost this machine no more "
              f"CPU per refresh than {n} local agents: {rem['cpu']:.2f} ms vs {loc['cpu']:.2f} "
              f"ms ({ratio:.2f}x) {'met' if ratio <= 1.0 else 'MISSED'}")
        sys.stdout.flush()

        # -- one slow host ---------------------------------------------------------------
        slow_server = BenchServer("orch-bench-slow")
        atexit.register(slow_server.kill)
        slow_agents = await start_agents(slow_server, [f"slow{i}" for i in range(2)])
        wrapper = work / "slow-tmux"
        wrapper.write_text(f"#!/bin/sh\nsleep {args.slow_seconds}\nexec tmux \"$@\"\n")
        wrapper.chmod(0o755)
        slow = daemons[0].runner("slow", await socket_of(slow_server), tmux=str(wrapper))
        with_slow = HostRouter(here_service, {**host_services, "slow": TmuxService(slow)})
        fleets = {"without the slow host": Fleet(router, host_specs),
                  "with the slow host": Fleet(with_slow, host_specs + specs_on("slow",
                                                                                slow_agents))}
        targets = [(f"{runners[-1].name}-{a.name}", a.pane_id)
                   for a in remote_agents[-1][1::2][:3]]  # idle ones on a fast host
        slow_rows = []
        for label, fleet in fleets.items():
            await fleet.refresh()  # first answers (the slow host's takes its seconds)
            latencies, walls = await seen_working(fleet, hosts[-1], targets, args.samples,
                                                  args.interval)
            slow_rows.append((label, len(walls), median(walls) * 1e3,
                              percentile(walls, 95) * 1e3, max(walls) * 1e3,
                              median(latencies) * 1e3, max(latencies) * 1e3,
                              json.dumps(sorted(getattr(fleet.tmux, "slow_hosts", ())))))
        print()
        print(f"## one slow host (every tmux command there takes {args.slow_seconds:g} s more): "
              "tick wall and screen change -> fleet says working, for an agent on a fast host")
        print(table(("fleet", "ticks", "tick wall median ms", "p95", "max",
                     "seen working median ms", "max", "slow hosts"), slow_rows))
        base, slowed = slow_rows
        print(f"\ntarget: one slow host never delays the others' updates: seen-working median "
              f"{slowed[5]:.0f} ms vs {base[5]:.0f} ms without it; tick wall p95 "
              f"{slowed[3]:.0f} ms vs {base[3]:.0f} ms "
              f"{'met' if slowed[5] <= base[5] + 250 and slowed[3] <= base[3] + 250 else 'MISSED'}"
              f" (the one tick on which it first misses its {router.deadline:g} s deadline "
              "waits that long)")
        await router.aclose()
        await with_slow.aclose()
        await local_ctl.aclose()
        for daemon in daemons:
            daemon.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--per-host", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=20, help="ticks per block")
    parser.add_argument("--repeats", type=int, default=3, help="blocks (median)")
    parser.add_argument("--interval", type=float, default=DEFAULT_POLL)
    parser.add_argument("--slow-seconds", type=float, default=3.0)
    parser.add_argument("--samples", type=int, default=6, help="latency samples per fleet")
    parser.add_argument("--quick", action="store_true", help="short run: 1 block of 5 ticks")
    args = parser.parse_args(argv)
    if args.quick:
        args.iterations, args.repeats, args.samples = min(args.iterations, 5), 1, 2
    if SSHD is None or not os.path.exists(SSHD):
        print("hosts_cost: OpenSSH server (sshd) is not installed", file=sys.stderr)
        return 2
    return run_main(main_async, args, seed=2)


if __name__ == "__main__":
    sys.exit(main())
