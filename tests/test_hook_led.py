"""Hook-led panes (issue 21): an agent whose hooks report, off screen, gets no watching client
on its session (a client attached to a busy session costs the tmux server work on every frame,
paused or not). Its events and its window's activity lead its reads: a working one is read at
the safety interval, its turn's end and dialogs come as hook events, and a stop no hook reports
(the person interrupted it in its own terminal) is seen from its activity going quiet. The pane
on screen is watched and followed frame by frame, and its client goes some time after it
leaves the screen.

Real simulated agents (`programs/busy_agent.py`: a redraw every 100 ms while working, hook
events as Claude Code fires them) each in a session of its own, as `orchestra new` starts
them, on a real tmux server; the loop paces itself as the app's does.
"""

from __future__ import annotations

import asyncio
import collections
import pathlib
import time

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.fleet.pace import CALM_SECONDS
from orchestra_tui.core.fleet.reading import HOOK_LED_SAFETY_SECONDS, HUSH_SECONDS
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.hooks.log import HookLog
from orchestra_tui.services.tmux import activity
from orchestra_tui.services.tmux.service import TmuxService
from tests.test_activity_reads import (
    AGENT_LATE,
    IDLE_DEBOUNCE,
    CountingControl,
    PacedLoop,
    hook_command,
    start_busy,
    submitted_at,
    type_prompt,
)
from tests.tmux_fixtures import wait_for_screen

pytestmark = pytest.mark.slow

HOOK_LATENCY = 0.5  # a hook event's state, seen after the event (the hook program starts)


async def watched_sessions(tmux: TmuxService) -> set[str]:
    """Sessions with a watching client attached (`pause-after`: the command client has none)."""
    lines = (await tmux.run("list-clients", "-F", "#{client_flags}\t#{session_name}")).stdout
    return {line.split("\t")[1] for line in lines.splitlines()
            if "pause-after" in line.split("\t")[0]}


async def until_watched(tmux: TmuxService, loop: PacedLoop, sessions: set[str],
                        timeout: float = 5.0) -> None:
    """Tick on until exactly `sessions` have a watching client (a closed one takes a moment
    to leave the server)."""
    deadline = time.monotonic() + timeout
    while (seen := await watched_sessions(tmux)) != sessions:
        assert time.monotonic() < deadline, f"watched: {seen}, wanted {sessions}"
        await loop.run_for(0.25)


async def seconds_to_idle_after_escape(tmux: TmuxService, loop: PacedLoop, pane_id: str,
                                       name: str, timeout: float) -> float:
    """Press Escape in the agent's own pane (an interrupt no hook reports) and tick on until
    the loop reads it idle: how long after the key that was."""
    await tmux.run("send-keys", "-t", pane_id, "Escape")
    interrupted = time.time()
    await loop.run_until(lambda: loop.states.get(name) is State.IDLE, timeout,
                         f"{name} idle after its interrupt")
    idle = loop.first(name, State.IDLE, interrupted)
    assert idle is not None
    return idle - interrupted


async def own_sessions(tmux: TmuxService, tmp_path: pathlib.Path, count: int,
                       calm: bool = False
                       ) -> tuple[CountingControl, TmuxService, dict[str, str], pathlib.Path]:
    log = tmp_path / "prompts.jsonl"
    panes = {f"agent{i:02d}": await start_busy(tmux, f"agent{i:02d}", f"agent{i:02d}", log,
                                                hook_command(tmp_path / "data"), calm)
             for i in range(count)}
    for pane_id in panes.values():
        await wait_for_screen(tmux, pane_id, lambda s: "? for shortcuts" in s,
                              message="busy agent ready")
    counting = CountingControl(tmux.runner)
    return counting, TmuxService(counting), panes, log


async def test_hook_led_panes_are_read_on_events_and_quiet_and_followed_when_shown(
        tmux: TmuxService, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activity, "LINGER_SECONDS", 1.0)
    counting, service, panes, log = await own_sessions(tmux, tmp_path, 6)
    fleet = Fleet(service, [AgentSpec(name=n, tool="codex", target=p) for n, p in panes.items()],
                  settings=FleetSettings(), hooks=HookLog(tmp_path / "data"))
    fleet.listen_for_hooks()
    loop = PacedLoop(fleet, selected="agent00")
    steady = ["agent01", "agent02", "agent03"]
    try:
        await loop.run_until(lambda: all(loop.states.get(n) is State.IDLE for n in panes),
                             30, "the fleet settled")
        for name in [*steady, "agent04"]:
            await type_prompt(tmux, panes[name], "[work 60] keep at it")
        await loop.run_until(lambda: all(loop.states.get(n) is State.WORKING
                                         for n in [*steady, "agent04"]), 10, "all working")
        # Once their hooks have reported, only the shown agent's session keeps a client.
        await loop.run_until(lambda: loop.watched == 2, 10, "hook-led sessions let go")
        await until_watched(tmux, loop, {"agent00", "agent05"})  # agent05: no hook yet
        await type_prompt(tmux, panes["agent05"], "[work 3] [approve] then stop")
        before = collections.Counter(counting.captures)
        await loop.run_for(12.0)
        reads = {n: counting.captures[panes[n]] - before[panes[n]] for n in steady}
        # Working on: a safety read, no more (12 s / HOOK_LED_SAFETY_SECONDS).
        most = 12.0 // HOOK_LED_SAFETY_SECONDS + 1
        assert all(1 <= read <= most for read in reads.values()), reads
        assert counting.captures[panes["agent00"]] == before[panes["agent00"]]  # idle: never
        asked = submitted_at(log, "agent05") + 1.5  # `[approve]` halfway through its turn
        approval = loop.first("agent05", State.APPROVAL, asked)
        assert approval is not None and approval - asked <= HOOK_LATENCY + AGENT_LATE + 0.5
        await until_watched(tmux, loop, {"agent00"})
        await loop.run_for(2.5)  # agent05's news is past
        ticks = loop.ticks
        await loop.run_for(5.0)
        assert loop.ticks - ticks <= 7, f"{loop.ticks - ticks} ticks in 5 s: hook-led kept brisk"

        # agent04 is interrupted in its own terminal: no hook says so, its activity does.
        took = await seconds_to_idle_after_escape(tmux, loop, panes["agent04"], "agent04", 10)
        assert took <= HUSH_SECONDS + CALM_SECONDS + IDLE_DEBOUNCE + 0.5, took

        # On screen: watched and read as it draws; a while after it leaves, let go again.
        loop.selected = "agent02"
        await until_watched(tmux, loop, {"agent00", "agent02"})
        before = collections.Counter(counting.captures)
        ticks = loop.ticks
        await loop.run_for(3.0)
        shown_reads = counting.captures[panes["agent02"]] - before[panes["agent02"]]
        assert shown_reads >= (loop.ticks - ticks) // 2, (shown_reads, loop.ticks - ticks)
        loop.selected = "agent00"
        await loop.run_for(activity.LINGER_SECONDS)
        await until_watched(tmux, loop, {"agent00"})
    finally:
        fleet.close()
        await service.aclose()


async def test_looking_at_another_agent_wakes_a_calm_loop_at_once(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    """A hook-led agent's screen may be seconds old when the person selects it: the app tells
    the fleet (`look_now`), and the loop's calm wait ends then, not at its timeout."""
    fleet = Fleet(tmux, [], settings=FleetSettings(), hooks=HookLog(tmp_path / "data"))
    fleet.listen_for_hooks()
    try:
        await fleet.refresh(visible=set())
        await fleet.refresh(visible=set())
        waiting = asyncio.ensure_future(fleet.wait_for_news(30.0))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # calm: it would sleep on
        fleet.look_now()
        await asyncio.wait_for(waiting, 5.0)  # not the 30 s it was given
        assert fleet.pace.calm()  # a look is no news: the loop is not kept brisk for it
    finally:
        fleet.close()
