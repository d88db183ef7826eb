"""Reading follows meaning (issue 21): with tmux pushing which panes wrote, a tick reads a pane
when what it shows may have changed meaning, not on every frame it draws.

Real simulated agents on a real tmux server, drawn as real agents draw (`programs/busy_agent.py`:
silent while idle, a redraw every 100 ms while working), polled as the app polls (a tick every
0.25 s, start to start, the selected agent on screen with its scrollback). Captures are counted
by a control-mode runner that notes each `capture-pane` it is asked to run.
"""

from __future__ import annotations

import asyncio
import collections
import json
import pathlib
import shlex
import sys
import time
from collections.abc import Sequence

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.hooks.log import HookLog
from orchestra_tui.services.tmux.hosts import HostRouter
from orchestra_tui.services.tmux.runner import TmuxResult
from orchestra_tui.services.tmux.service import ControlModeRunner, TmuxService
from tests.ssh_fixtures import remote_socket
from tests.tmux_fixtures import MARK_HOOK, REPO, wait_for_screen

pytestmark = pytest.mark.slow

PROGRAMS = pathlib.Path(__file__).parent / "programs"
TICK = 0.25
IDLE_DEBOUNCE = FleetSettings().idle_debounce
SCREEN_LATENCY = 0.5  # screen only: a state seen within this after the output stops
AGENT_LATE = 0.1  # the simulated agent acts at its next 100 ms redraw after the moment due


class CountingControl(ControlModeRunner):
    """The real control-mode runner, noting which panes it was asked to capture."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.captures: collections.Counter[str] = collections.Counter()

    async def run(self, args: Sequence[str], **kwargs) -> TmuxResult:
        for index, word in enumerate(args[:-1]):
            if word == "capture-pane":
                self.captures[args[args.index("-t", index) + 1]] += 1
        return await super().run(args, **kwargs)


def hook_command(data: pathlib.Path) -> str:
    """The hook program as orchestra installs it: every agent orchestra starts reports
    through its hooks (a full-screen agent without them is read more often: reading.py)."""
    return shlex.join([sys.executable, "-m", "orchestra_tui.commands.hook", "--tool", "codex",
                       "--data-dir", str(data)])


async def start_busy(tmux: TmuxService, name: str, session: str, log: pathlib.Path,
                     hook: str = "", calm: bool = False) -> str:
    """`calm`: the simulated agent's own mode, one redraw a second while it works."""
    program = (["-m", "orchestra_tui.demo.fake_agent"] if calm
               else [str(PROGRAMS / "busy_agent.py")])
    argv = [sys.executable, *program, "--flavor", "codex",
            "--log", str(log), "--name", name, *(["--hook", hook] if hook else [])]
    pane = await tmux.start(argv, cwd=str(REPO), session=session, width=100, height=30,
                            env={"PYTHONPATH": str(REPO)})
    return pane.pane_id


async def type_prompt(tmux: TmuxService, pane_id: str, text: str) -> None:
    await tmux.run("send-keys", "-t", pane_id, "-l", "--", text, ";",
                   "send-keys", "-t", pane_id, "Enter")


def submitted_at(log: pathlib.Path, name: str) -> float:
    for line in log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["name"] == name:
            return float(entry["at"])
    raise AssertionError(f"{name} logged no prompt")


class Loop:
    """The app's poll loop without the app: a tick every 0.25 s, start to start, noting when
    each agent's state changed (wall clock, as the simulated agent logs)."""

    def __init__(self, fleet: Fleet, selected: str) -> None:
        self.fleet, self.selected = fleet, selected
        self.states: dict[str, State] = {}
        self.changes: list[tuple[float, str, State]] = []
        self.ticks = 0
        self.watched = 0

    async def tick(self) -> None:
        snapshot = await self.fleet.refresh(visible={self.selected}, history=self.selected)
        seen = time.time()
        self.ticks += 1
        self.watched = snapshot.watched
        for view in snapshot.agents:
            if self.states.get(view.name) is not view.status.state:
                self.states[view.name] = view.status.state
                self.changes.append((seen, view.name, view.status.state))

    async def rest(self, started: float) -> None:
        await asyncio.sleep(max(0.0, TICK - (time.monotonic() - started)))

    async def run_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.monotonic()
            await self.tick()
            await self.rest(started)

    async def run_until(self, done, timeout: float, message: str) -> None:
        end = time.monotonic() + timeout
        while not done():
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {message}: {self.states}")
            started = time.monotonic()
            await self.tick()
            await self.rest(started)

    def first(self, name: str, state: State, after: float) -> float | None:
        return next((at for at, who, now in self.changes
                     if who == name and now is state and at >= after), None)


class PacedLoop(Loop):
    """The app's loop as it paces itself: news wakes it, calm ticks while nothing happens."""

    async def rest(self, started: float) -> None:
        await self.fleet.wait_for_news(max(0.0, TICK - (time.monotonic() - started)))


async def fleet_of(tmux: TmuxService, tmp_path: pathlib.Path, count: int
                   ) -> tuple[CountingControl, TmuxService, dict[str, str], pathlib.Path]:
    log = tmp_path / "prompts.jsonl"
    panes: dict[str, str] = {}
    for index in range(count):
        name = f"agent{index:02d}"
        panes[name] = await start_busy(tmux, name, f"fleet{index % 2}", log,
                                       hook_command(tmp_path / "data"))
    for pane_id in panes.values():
        await wait_for_screen(tmux, pane_id, lambda s: "? for shortcuts" in s,
                              message="busy agent ready")
    counting = CountingControl(tmux.runner)
    return counting, TmuxService(counting), panes, log


async def test_a_tick_reads_what_changed_meaning_not_every_frame(tmux: TmuxService,
                                                                tmp_path: pathlib.Path) -> None:
    """20 agents, 10 working, 10 s of ticks: no read of an idle (silent) pane, a few of each
    working pane off screen, the on-screen one at the loop's rate; working -> approval and
    working -> idle still seen within the screen's latency (idle: after its debounce)."""
    counting, service, panes, log = await fleet_of(tmux, tmp_path, 20)
    names = list(panes)
    steady, to_approval, to_idle, idle = names[:6], names[6:8], names[8:10], names[10:]
    fleet = Fleet(service, [AgentSpec(name=n, tool="codex", target=p) for n, p in panes.items()],
                  settings=FleetSettings(), hooks=HookLog(tmp_path / "data"))
    loop = Loop(fleet, selected=steady[0])
    try:
        for name in steady:
            await type_prompt(tmux, panes[name], "[work 60] keep at it")
        await loop.run_until(lambda: all(loop.states.get(n) is State.WORKING for n in steady)
                             and all(loop.states.get(n) is State.IDLE for n in idle)
                             and loop.watched == 20, 30, "the fleet settled")
        for name in to_approval:
            await type_prompt(tmux, panes[name], "[work 8] [approve] then stop")
        for name in to_idle:
            await type_prompt(tmux, panes[name], "[work 5] and done")
        before = collections.Counter(counting.captures)
        ticks = loop.ticks
        await loop.run_for(10.0)
        await loop.run_until(lambda: all(loop.states.get(n) is State.IDLE for n in to_idle)
                             and all(loop.states.get(n) is State.APPROVAL for n in to_approval),
                             5, "the transitions")
        ticks = loop.ticks - ticks
    finally:
        fleet.close()
        await service.aclose()
    read = {name: counting.captures[panes[name]] - before[panes[name]] for name in names}
    assert all(read[name] == 0 for name in idle), read
    assert all(read[name] <= 6 for name in steady[1:]), read
    assert read[steady[0]] >= ticks // 2, (read, ticks)  # on screen: read as it draws
    for name in to_approval:
        due = submitted_at(log, name) + 4.0  # `[approve]` halfway through its 8 s
        seen = loop.first(name, State.APPROVAL, due)
        assert seen is not None and seen - due <= SCREEN_LATENCY + AGENT_LATE, (name, seen, due)
    for name in to_idle:
        due = submitted_at(log, name) + 5.0
        seen = loop.first(name, State.IDLE, due)
        assert seen is not None, name
        assert seen - due <= IDLE_DEBOUNCE + SCREEN_LATENCY + AGENT_LATE, (name, seen - due)


def resident_kb(pid: int | str = "self") -> int:
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines()
                if line.startswith("VmRSS:"))


async def test_a_flood_neither_grows_memory_nor_delays_other_panes(tmux: TmuxService,
                                                                  tmp_path: pathlib.Path) -> None:
    """One pane writing ~5 MB/s for 8 s beside working agents: the app's and tmux's memory
    stay put and the loop's CPU stays low (the flooding pane is paused, not buffered or read
    whole), working panes are still read only a few times, and another agent's working ->
    approval is seen in time."""
    counting, service, panes, log = await fleet_of(tmux, tmp_path, 4)
    flood = await tmux.start([sys.executable, str(PROGRAMS / "flood.py"), str(5 << 20), "8"],
                             session="fleet0", width=100, height=30)
    specs = [AgentSpec(name=n, tool="codex", target=p) for n, p in panes.items()]
    specs.append(AgentSpec(name="flood", target=flood.pane_id))
    fleet = Fleet(service, specs, settings=FleetSettings(), hooks=HookLog(tmp_path / "data"))
    server_pid = int((await tmux.run("display-message", "-p", "#{pid}")).stdout)
    loop = Loop(fleet, selected="agent00")
    try:
        for name in ("agent01", "agent02"):
            await type_prompt(tmux, panes[name], "[work 60] keep at it")
        await loop.run_until(lambda: loop.states.get("agent02") is State.WORKING
                             and loop.watched == 5, 20, "the fleet settled")
        mine, server = resident_kb(), resident_kb(server_pid)
        await type_prompt(tmux, panes["agent03"], "[work 4] [approve] then stop")
        before = collections.Counter(counting.captures)
        cpu = time.process_time()
        await loop.run_for(6.0)
        cpu = (time.process_time() - cpu) / 6.0
        grown, server_grown = resident_kb() - mine, resident_kb(server_pid) - server
        await loop.run_until(lambda: loop.states.get("agent03") is State.APPROVAL, 5,
                             "agent03 asking")
    finally:
        fleet.close()
        await service.aclose()
    assert grown < 16 << 10, f"the app grew by {grown} kB during the flood"
    assert cpu < 0.25, f"the loop took {cpu:.0%} of a core during the flood"
    assert server_grown < 16 << 10, f"the tmux server grew by {server_grown} kB"
    read = counting.captures[panes["agent02"]] - before[panes["agent02"]]
    assert read <= 4, read
    due = submitted_at(log, "agent03") + 2.0
    seen = loop.first("agent03", State.APPROVAL, due)
    assert seen is not None and seen - due <= SCREEN_LATENCY + AGENT_LATE, (seen, due)


async def test_a_hosts_writes_are_pushed_through_its_own_ssh(
        tmux: TmuxService, remote_tmux: TmuxService, ssh_host, tmp_path: pathlib.Path) -> None:
    """An agent on a `[[host]]`: a watching client there (`ssh HOST tmux -C`) pushes its
    writes too, so its idle pane is not read again and its working one only a few times."""
    log = tmp_path / "prompts.jsonl"
    busy = await start_busy(remote_tmux, "busy", "far", log, MARK_HOOK)
    quiet = await start_busy(remote_tmux, "quiet", "far", log, MARK_HOOK)
    for pane_id in (busy, quiet):
        await wait_for_screen(remote_tmux, pane_id, lambda s: "? for shortcuts" in s,
                              message="busy agent ready on the host")
    counting = CountingControl(ssh_host.runner("gpu", socket_path=remote_socket(remote_tmux)),
                               retry_after=1.0)
    router = HostRouter(tmux, {"gpu": TmuxService(counting)}, deadline=5.0,
                        first_deadline=20.0, stale_after=30.0)
    specs = [AgentSpec(name=name, tool="codex", target=f"gpu:{pane_id}", host="gpu")
             for name, pane_id in (("busy", busy), ("quiet", quiet))]
    fleet = Fleet(router, specs, settings=FleetSettings())
    loop = Loop(fleet, selected="")
    try:
        await type_prompt(remote_tmux, busy, "[work 60] keep at it")
        await loop.run_until(lambda: loop.states.get("busy") is State.WORKING
                             and loop.states.get("quiet") is State.IDLE
                             and loop.watched == 2, 30, "the host's agents settled")
        before = collections.Counter(counting.captures)
        await loop.run_for(5.0)
    finally:
        fleet.close()
        await router.aclose()
    assert counting.captures[quiet] - before[quiet] == 0
    assert counting.captures[busy] - before[busy] <= 4, counting.captures


async def test_output_that_scrolls_off_between_reads_still_reaches_the_guardrails(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    """A working agent off screen is read every few seconds, not every frame: a forbidden
    command it prints and scrolls off at once (60 rows of output after it, in the normal
    screen as Claude Code draws) is still found, in the scrollback the next read takes."""
    pane = await tmux.start([sys.executable, str(PROGRAMS / "inline_agent.py"), "--spill", "60"],
                            session="inline", width=100, height=30)
    await wait_for_screen(tmux, pane.pane_id, lambda s: "Pondering" in s, message="spinning")
    _, _, others, _ = await fleet_of(tmux, tmp_path, 1)
    counting = CountingControl(tmux.runner)
    service = TmuxService(counting)
    fleet = Fleet(service, [AgentSpec(name="inline", tool="claude", target=pane.pane_id),
                            AgentSpec(name="agent00", tool="codex", target=others["agent00"])],
                  settings=FleetSettings())
    loop = Loop(fleet, selected="agent00")

    def alerts() -> list[str]:
        view = fleet.snapshot.get("inline") if fleet.snapshot else None
        return list(view.status.alerts) if view is not None else []

    try:
        await loop.run_until(lambda: loop.states.get("inline") is State.WORKING
                             and loop.watched == 2, 20, "the inline agent read working")
        before = counting.captures[pane.pane_id]
        await type_prompt(tmux, pane.pane_id, "kubectl apply -f k8s/")
        await loop.run_until(lambda: any("kubectl apply" in a for a in alerts()), 8,
                             "the guardrail alert on the scrolled-off command")
        reads = counting.captures[pane.pane_id] - before
    finally:
        fleet.close()
        await service.aclose()
    assert reads <= 3, f"read {reads} times: it should be read on meaning, not every frame"


async def test_a_full_screen_agent_without_hooks_is_read_every_second_while_it_works(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    """What scrolls off an alternate screen keeps no history, and no hook judges its commands
    first: the guardrails' only look is the screen, so it is read every UNCOVERED_SECONDS
    (not every frame, not every SAFETY_SECONDS)."""
    log = tmp_path / "prompts.jsonl"
    pane_id = await start_busy(tmux, "bare", "bare", log)  # no --hook
    await wait_for_screen(tmux, pane_id, lambda s: "? for shortcuts" in s, message="ready")
    counting = CountingControl(tmux.runner)
    service = TmuxService(counting)
    fleet = Fleet(service, [AgentSpec(name="bare", tool="codex", target=pane_id)],
                  settings=FleetSettings(), hooks=HookLog(tmp_path / "data"))
    loop = Loop(fleet, selected="")
    try:
        await type_prompt(tmux, pane_id, "[work 60] keep at it")
        await loop.run_until(lambda: loop.states.get("bare") is State.WORKING
                             and loop.watched == 1, 20, "bare working")
        before = counting.captures[pane_id]
        await loop.run_for(6.0)
    finally:
        fleet.close()
        await service.aclose()
    reads = counting.captures[pane_id] - before
    assert 4 <= reads <= 8, reads


async def test_an_idle_fleet_ticks_calmly_and_news_still_wakes_it_at_once(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    """Ten silent idle agents: about one tick a second, not four. An agent that starts
    working and then finishes wakes the loop: working seen within the screen's latency of its
    prompt, idle within its debounce and that latency of its turn's end."""
    counting, service, panes, log = await fleet_of(tmux, tmp_path, 10)
    fleet = Fleet(service, [AgentSpec(name=n, tool="codex", target=p) for n, p in panes.items()],
                  settings=FleetSettings(), hooks=HookLog(tmp_path / "data"))
    fleet.listen_for_hooks()
    loop = PacedLoop(fleet, selected="")
    try:
        await loop.run_until(lambda: all(loop.states.get(n) is State.IDLE for n in panes)
                             and loop.watched == 10, 30, "the fleet settled")
        await loop.run_for(2.5)  # the settling's news is past
        ticks = loop.ticks
        await loop.run_for(5.0)
        calm = loop.ticks - ticks
        await type_prompt(tmux, panes["agent03"], "[work 2] a short one")
        await loop.run_until(lambda: loop.states.get("agent03") is State.IDLE
                             and loop.first("agent03", State.WORKING, 0) is not None, 10,
                             "agent03's turn")
    finally:
        fleet.close()
        await service.aclose()
    assert calm <= 7, f"{calm} ticks in 5 s with nothing happening"
    asked = submitted_at(log, "agent03")
    working = loop.first("agent03", State.WORKING, asked)
    assert working is not None and working - asked <= SCREEN_LATENCY + AGENT_LATE, working - asked
    idle = loop.first("agent03", State.IDLE, asked + 2.0)
    assert idle is not None
    assert idle - (asked + 2.0) <= IDLE_DEBOUNCE + SCREEN_LATENCY + AGENT_LATE, idle - asked
