"""Hook-led agents that draw once a second (`core/fleet/reading.py`, `learn_hush`): tmux's
`window_activity` has whole seconds, so a pane writing once a second looks `HUSH_SECONDS`
quiet in about a third of the ticks, and each such look was a read: 22 of 25 working agents
read every second in a 50-agent fleet, where the safety interval asks for 2.5. A quiet read
the pane wrote after, its screen still working, was a pause between frames: the pane's hush
grows, and a stop no hook reports is still seen, later by at most `HUSH_MOST`.
"""

from __future__ import annotations

import asyncio
import collections
import pathlib
import time
import types
from dataclasses import replace

import pytest

from orchestra_tui.agents.tracker import AgentTracker
from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.fleet.pace import CALM_SECONDS, DEAF_CALM_SECONDS, TickPace
from orchestra_tui.core.fleet.reading import (
    HOOK_LED_SAFETY_SECONDS,
    HUSH_MOST,
    learn_hush,
    why_read,
)
from orchestra_tui.core.fleet.state import Slot
from orchestra_tui.core.fleet.tick import FleetTick
from orchestra_tui.models import AgentSpec, Detection, PaneInfo, State
from orchestra_tui.services.hooks.log import HookLog
from orchestra_tui.services.tmux.activity import NOT_WATCHED
from orchestra_tui.services.tmux.service import TmuxService
from tests.test_activity_reads import IDLE_DEBOUNCE, PacedLoop, type_prompt
from tests.test_hook_led import own_sessions, seconds_to_idle_after_escape

START = 1_800_000_000.0


def hook_led_writer(phase: float) -> Slot:
    """A working hook-led agent read at START, that writes at `phase` past every second."""
    pane = PaneInfo("%1", 101, "w", 0, 0, "claude", "/tmp", "", False, int(START), 120, 40,
                    hook_mark="UserPromptSubmit 1")
    slot = Slot(spec=AgentSpec("w"), tracker=AgentTracker(), pane=pane)
    slot.detection = Detection(tool="claude", state=State.WORKING)
    slot.captured_activity, slot.captured_at = int(START), START
    return slot


def tick_once(slot: Slot, now: float, last_write: float, screen: State) -> str | None:
    """What one tick does with the slot: weigh, maybe read (the screen then says `screen`)."""
    assert slot.pane is not None
    slot.pane = replace(slot.pane, activity=int(last_write))
    learn_hush(slot)
    why = why_read(slot, NOT_WATCHED, (), None, now)
    if why is not None:
        FleetTick.captured(slot, NOT_WATCHED, None, now, why)
        slot.detection = Detection(tool="claude", state=screen)
    return why


@pytest.mark.parametrize("tick_phase", [0.0, 0.35, 0.7])
@pytest.mark.parametrize("write_phase", [0.05, 0.3, 0.55, 0.8, 0.95])
def test_an_agent_drawing_once_a_second_is_read_quiet_once_not_every_tick(
        write_phase: float, tick_phase: float) -> None:
    slot = hook_led_writer(write_phase)
    reasons = collections.Counter[str]()
    now = START + tick_phase
    for _ in range(60):  # a minute of calm ticks, drifting as the app's do
        now += 1.01
        last_write = now - ((now - write_phase) % 1.0)
        reasons[tick_once(slot, now, last_write, State.WORKING) or "none"] += 1
    assert reasons["quiet"] <= 1, reasons
    assert reasons["safety"] <= 60 // HOOK_LED_SAFETY_SECONDS + 1, reasons

    # Then it stops (interrupted in its own terminal: no hook says so): read quiet after
    # its last write within its grown hush and one tick.
    stopped = now - ((now - write_phase) % 1.0)
    seen = None
    while seen is None and now < stopped + 10:
        now += 1.01
        if tick_once(slot, now, stopped, State.IDLE) == "quiet":
            seen = now
    assert seen is not None and seen - stopped <= HUSH_MOST + 1.01, (seen, stopped)


def test_a_quiet_read_that_saw_the_turn_end_leaves_the_hush_as_it_was() -> None:
    slot = hook_led_writer(0.9)
    now = START + 0.5
    last_write = START - 0.1
    while tick_once(slot, now, last_write, State.IDLE) != "quiet":
        now += 1.0
    tick_once(slot, now + 1.0, last_write, State.IDLE)  # nothing written since
    # A new turn: it writes, is read working again; the stop before was real, not a pause.
    assert tick_once(slot, now + 2.0, now + 1.9, State.WORKING) == "wrote"
    assert slot.false_quiets == 0
    assert slot.quiet_read is None


async def at_phase(fraction: float) -> None:
    """Until the wall clock is `fraction` past a whole second (tmux's activity counts whole
    seconds: where writes and ticks fall in theirs decides what looks quiet)."""
    await asyncio.sleep((fraction - time.time() % 1.0) % 1.0)


class PhasedLoop(PacedLoop):
    """The app's calm loop, its ticks a second apart at a phase chosen (the app's fall where
    its start and its news put them)."""

    phase = 0.5

    async def rest(self, started: float) -> None:
        await at_phase(self.phase)


@pytest.mark.slow
async def test_calm_hook_led_agents_are_read_at_the_safety_interval_and_their_stop_seen(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    """Real tmux: four agents drawing once a second (the simulated agent's calm mode), each
    in its own session with its hooks, 20 s of calm ticks. Two of them write late in their
    second and the loop ticks earlier in it: a pause between their frames looks quiet on
    every tick (as it does for some agents of any fleet, wherever its ticks fall)."""
    counting, service, panes, _ = await own_sessions(tmux, tmp_path, 5, calm=True)
    fleet = Fleet(service, [AgentSpec(name=n, tool="codex", target=p) for n, p in panes.items()],
                  settings=FleetSettings(), hooks=HookLog(tmp_path / "data"))
    fleet.listen_for_hooks()
    shown = "agent00"
    writers = {"agent01": 0.8, "agent02": 0.85, "agent03": 0.1, "agent04": 0.5}
    loop = PhasedLoop(fleet, selected=shown)
    try:
        await loop.run_until(lambda: all(loop.states.get(n) is State.IDLE for n in panes),
                             30, "the fleet settled")
        for name, phase in writers.items():
            await at_phase(phase)  # its turn starts here: it redraws at this phase
            await type_prompt(tmux, panes[name], "[work 90] keep at it")
        await loop.run_until(lambda: all(loop.states.get(n) is State.WORKING
                                         for n in writers) and loop.watched == 1,
                             10, "all working, hook-led")
        before = collections.Counter(counting.captures)
        await loop.run_for(20.0)
        reads = {n: counting.captures[panes[n]] - before[panes[n]] for n in writers}
        # Two safety reads in 20 s, one quiet read before its hush grew, one of margin.
        assert all(read <= 20 // HOOK_LED_SAFETY_SECONDS + 2 for read in reads.values()), reads

        took = await seconds_to_idle_after_escape(tmux, loop, panes["agent02"], "agent02", 15)
        # Its last write was up to a second before the interrupt.
        assert took <= HUSH_MOST + CALM_SECONDS + IDLE_DEBOUNCE + 0.5, took
    finally:
        fleet.close()
        await service.aclose()


@pytest.mark.slow
async def test_a_calm_loop_ticks_every_two_seconds_unless_another_orchestra_hears_the_hooks(
        tmux: TmuxService, tmp_path: pathlib.Path) -> None:
    """Hook reports wake the loop that listens on the data dir, so its calm tick can be slow;
    a second orchestra on the same data dir hears none (one listener a dir) and its calm tick
    stays at a second: its hook-led agents' news come only with its ticks."""
    counting, service, panes, _ = await own_sessions(tmux, tmp_path, 2, calm=True)
    specs = [AgentSpec(name=n, tool="codex", target=p) for n, p in panes.items()]
    hearing = Fleet(service, specs, settings=FleetSettings(), hooks=HookLog(tmp_path / "data"))
    deaf = Fleet(service, specs, settings=FleetSettings(), hooks=HookLog(tmp_path / "data"))
    assert hearing.listen_for_hooks() and not deaf.listen_for_hooks()
    loops = [PacedLoop(fleet, selected="agent00") for fleet in (hearing, deaf)]
    try:
        for loop in loops:
            await loop.run_until(lambda seen=loop: all(seen.states.get(n) is State.IDLE
                                                       for n in panes), 30, "the fleet settled")
        await asyncio.gather(*(loop.run_for(2.5) for loop in loops))  # news past: calm
        ticks = [loop.ticks for loop in loops]
        await asyncio.gather(*(loop.run_for(8.0) for loop in loops))
        heard_ticks, deaf_ticks = (loop.ticks - before for loop, before in zip(loops, ticks))
        assert heard_ticks <= 8.0 / CALM_SECONDS + 1, heard_ticks
        assert deaf_ticks >= 8.0 / DEAF_CALM_SECONDS - 1, deaf_ticks
    finally:
        for fleet in (hearing, deaf):
            fleet.close()
        await service.aclose()


def test_a_hook_led_agent_on_another_host_keeps_the_calm_tick_at_a_second() -> None:
    """A host's agent reports through a pane mark (its hooks cannot reach the nudge socket
    here), read with the pane list at a tick: while one is hook-led the calm tick stays at
    `DEAF_CALM_SECONDS`, as its news would otherwise wait up to two seconds."""
    local = hook_led_writer(0.5)
    remote = hook_led_writer(0.5)
    assert remote.pane is not None
    remote.spec = AgentSpec("gpu-w", host="gpu")
    remote.pane = replace(remote.pane, pane_id="gpu:%1", host="gpu")
    context = types.SimpleNamespace(slots={"w": local})
    pace = TickPace(context)  # type: ignore[arg-type]  # its slots are all it reads here
    pace.calm_seconds = CALM_SECONDS  # hooks heard here
    assert pace.calm_interval() == CALM_SECONDS
    context.slots["gpu-w"] = remote
    assert pace.calm_interval() == DEAF_CALM_SECONDS
