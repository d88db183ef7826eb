"""Change-to-state latency: from a pane's screen changing to orchestra's model holding its state.

    python benchmarks/state_latency.py [--agents 10,50] [--samples 30] [--poll SECONDS] [--quick]
        [--control-mode] [--hooks]

On an isolated tmux server it starts N background agents (the simulated Codex, half working) plus
a few target agents, and polls a `Fleet` the way the app's worker does (`refresh(visible=
{selected}, history=selected)` every `--poll` seconds, default `[ui] poll_seconds`).
Each sample submits a `[work 0.6]` prompt (longer at slow polls) to an idle target at a random
phase of the poll cycle.
The fake agent writes the wall-clock instant it took the prompt to its log and redraws its screen
at once ("working"); the latency is from that instant to the end of the first `refresh()` whose
snapshot says `working`. The working -> idle edge is measured too, from the turn's scheduled end;
it includes the tracker's idle debounce (`idle_debounce_seconds`, 1.5 s by default) by design.

`--hooks`: the target agents report their own events as Claude Code's hooks do (the simulated
agent runs the real `orchestra hook` program on UserPromptSubmit, PermissionRequest and Stop);
the fleet reads the hook log and the loop wakes on the hook's nudge, as the app does. The
change-to-state latency is then the hook program's start-up, the nudge and one refresh.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import random
import sys
import tempfile
import time

from _bench import (
    DEFAULT_POLL,
    BenchServer,
    median,
    parse_counts,
    percentile,
    print_machine,
    run_main,
    set_working,
    start_agents,
    table,
    type_prompt,
    wait_for,
)

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import State
from orchestra_tui.services.hooks.log import HookLog
from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService

WORK = 0.6
SOURCES = {False: "the screen", True: "the agents' hooks, the screen as cross-check"}


class Poller:
    """The app's poll loop without the app: refresh, note when each target's state changes."""

    def __init__(self, fleet: Fleet, poll: float, selected: str, targets: list[str]) -> None:
        self.fleet, self.poll, self.selected = fleet, poll, selected
        self.transitions: dict[str, list[tuple[float, State]]] = {t: [] for t in targets}
        self.state: dict[str, State | None] = {t: None for t in targets}
        self.ticks = 0
        self.tick_seconds: list[float] = []

    async def run(self) -> None:
        while True:
            started = time.perf_counter()
            snapshot = await self.fleet.refresh(visible={self.selected}, history=self.selected)
            self.fleet.dispatch_ready()
            seen = time.time()
            self.tick_seconds.append(time.perf_counter() - started)
            self.ticks += 1
            for name in self.transitions:
                view = snapshot.get(name)
                state = view.status.state if view else None
                if state is not None and state is not self.state[name]:
                    self.state[name] = state
                    self.transitions[name].append((seen, state))
            await self.fleet.wait_for_news(self.poll)

    def first(self, name: str, state: State, after: float) -> float | None:
        return next((at for at, s in self.transitions[name] if s is state and at >= after), None)


def log_times(path: pathlib.Path) -> list[float]:
    if not path.exists():
        return []
    return [json.loads(line)["at"] for line in path.read_text("utf-8").splitlines() if line]


async def sample_loop(server: BenchServer, poller: Poller, targets, samples: int,
                      poll: float) -> tuple[list[float], list[float]]:
    """Round-robin over the targets: each needs ~work + debounce + poll before it is idle again.
    A turn lasts at least two poll intervals, so no poll can miss it."""
    work = max(WORK, round(2 * poll + 0.2, 2))
    to_working, to_idle = [], []
    pending: list[asyncio.Task] = []

    async def one(agent, index: int) -> None:
        before = len(log_times(agent.log))
        await asyncio.sleep(random.uniform(0, poll))  # a random phase of the poll cycle
        await type_prompt(server, agent.pane_id, f"[work {work}] sample {index}")
        times = await wait_for(lambda: log_times(agent.log)[before:], 10, "the prompt logged")
        changed = times[0]
        seen = await wait_for(lambda: poller.first(agent.name, State.WORKING, changed), 10,
                              f"{agent.name} working")
        to_working.append(seen - changed)
        ended = changed + work
        idle = await wait_for(lambda: poller.first(agent.name, State.IDLE, ended), 15,
                              f"{agent.name} idle again")
        to_idle.append(idle - ended)

    free = list(targets)
    index = 0
    while index < samples or pending:
        for task in pending:
            if task.done() and task.exception():
                raise task.exception()
        pending = [task for task in pending if not task.done()]
        busy = {task.agent for task in pending}
        ready = [a for a in free if a.name not in busy and poller.state[a.name] is State.IDLE]
        if index < samples and ready:
            agent = ready[0]
            free.remove(agent)
            free.append(agent)
            task = asyncio.create_task(one(agent, index))
            task.agent = agent.name  # type: ignore[attr-defined]
            pending.append(task)
            index += 1
            await asyncio.sleep(random.uniform(0.05, 0.3))
        else:
            await asyncio.sleep(0.02)
    return to_working, to_idle


async def main_async(args: argparse.Namespace) -> int:
    counts = parse_counts(args.agents)
    print_machine("change-to-state latency: screen change -> Fleet model holds the new state")
    print(f"poll every {args.poll:g} s (the app's default: {DEFAULT_POLL:g}); {args.samples} "
          f"samples per N over {args.targets} target agents; background agents: the "
          f"simulated Codex, half working; the app's selected agent is captured every tick "
          f"with history, as the app does; tmux reads "
          f"{'through a control-mode client' if args.control_mode else 'as processes'}; "
          f"state from {SOURCES[args.hooks]}.")
    sys.stdout.flush()
    rows = []
    with BenchServer() as server, tempfile.TemporaryDirectory() as logs:
        logs_dir = pathlib.Path(logs)
        hooks_dir = logs_dir / "data"
        hook = (f"{sys.executable} -m orchestra_tui.commands.hook --tool claude "
                f"--data-dir {hooks_dir}") if args.hooks else ""
        targets = await start_agents(server, [f"target{i}" for i in range(args.targets)],
                                     logs=logs_dir, hook=hook)
        background = []
        for n in counts:
            names = [f"agent{i:03d}" for i in range(len(background), n)]
            background += await start_agents(server, names)
            await set_working(server, [a for i, a in enumerate(background) if i % 2 == 0])
            specs = [a.spec() for a in background + targets]
            tmux = (TmuxService(ControlModeRunner(server.runner)) if args.control_mode
                    else server.tmux)
            fleet = Fleet(tmux, specs, settings=FleetSettings(),
                          hooks=HookLog(hooks_dir) if args.hooks else None)
            if args.hooks:
                fleet.listen_for_hooks()
            poller = Poller(fleet, args.poll, background[0].name, [t.name for t in targets])
            task = asyncio.create_task(poller.run())
            try:
                await wait_for(lambda p=poller: all(s is State.IDLE for s in p.state.values()),
                               20, "targets idle")
                working, idle = await sample_loop(server, poller, targets, args.samples,
                                                  args.poll)
            finally:
                task.cancel()
                fleet.close()
                await tmux.aclose()
            ms = [v * 1000 for v in working]
            idle_ms = [v * 1000 for v in idle]
            tick = [v * 1000 for v in poller.tick_seconds]
            rows.append((n, len(specs), len(ms), median(ms), percentile(ms, 95), max(ms),
                         median(idle_ms), percentile(idle_ms, 95), median(tick)))
            print(f"N={n}: done", file=sys.stderr)
    print()
    print("## latency (ms): idle -> working is the screen change; working -> idle includes "
          "the idle debounce")
    print(table(("background N", "fleet", "samples", "to working median", "to working p95",
                 "max", "to idle median", "to idle p95", "refresh wall median"), rows))
    worst = max(row[4] for row in rows)
    limit = 100 if args.hooks else 300
    print(f"\ntarget: change-to-state p95 <= {limit} ms at poll {args.poll:g} s"
          f"{' with hooks' if args.hooks else ''}: {worst:.0f} ms "
          f"{'met' if worst <= limit else 'MISSED'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", default="10,50", help="background fleet sizes")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--targets", type=int, default=5)
    parser.add_argument("--poll", type=float, default=DEFAULT_POLL)
    parser.add_argument("--control-mode", action="store_true",
                        help="poll through a tmux control-mode client (ControlModeRunner)")
    parser.add_argument("--hooks", action="store_true",
                        help="the targets report through hooks (the real `orchestra hook`)")
    parser.add_argument("--quick", action="store_true", help="short run: 6 samples")
    args = parser.parse_args(argv)
    if args.quick:
        args.samples = min(args.samples, 6)
        args.targets = min(args.targets, 3)
    return run_main(main_async, args, seed=1)


if __name__ == "__main__":
    sys.exit(main())
