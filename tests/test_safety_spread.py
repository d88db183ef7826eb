"""Safety reads of hook-led panes that keep writing spread over time (`core/fleet/reading.py`):
a fleet started together (`orchestra up`, the app's first tick) has every pane read at once,
and fifty working panes then came due in one tick every ten seconds, a stall of the app that
keys waited behind. Each pane is read once per window of its own phase instead."""

from __future__ import annotations

import collections
from dataclasses import replace

from orchestra_tui.agents.tracker import AgentTracker
from orchestra_tui.core.fleet.reading import HOOK_LED_SAFETY_SECONDS, why_read
from orchestra_tui.core.fleet.state import Slot
from orchestra_tui.models import AgentSpec, Detection, PaneInfo, State
from orchestra_tui.services.tmux.activity import NOT_WATCHED

START = 1_800_000_000.3


def working_hook_led(index: int) -> Slot:
    pane = PaneInfo(f"%{index}", 100 + index, f"w{index}", 0, 0, "claude", "/tmp", "", False,
                    int(START), 120, 40, hook_mark="UserPromptSubmit 1")
    slot = Slot(spec=AgentSpec(f"w{index}"), tracker=AgentTracker(), pane=pane)
    slot.detection = Detection(tool="claude", state=State.WORKING)
    slot.captured_activity, slot.captured_at = int(START), START  # all read at once
    return slot


def test_a_fleet_read_at_once_comes_due_for_safety_spread_over_the_interval():
    slots = [working_hook_led(index) for index in range(50)]
    reads_per_tick: list[int] = []
    reads = collections.Counter[str]()
    now = START
    for _ in range(30):  # a calm tick a second, every pane writing throughout
        now += 1.0
        due = []
        for slot in slots:
            assert slot.pane is not None
            slot.pane = replace(slot.pane, activity=int(now))
            if why_read(slot, NOT_WATCHED, (), None, now) == "safety":
                due.append(slot)
        for slot in due:
            slot.captured_at, slot.captured_activity = now, int(now)
            reads[slot.spec.name] += 1
        reads_per_tick.append(len(due))
    assert max(reads_per_tick) <= 12, reads_per_tick  # not 50 in one tick
    assert sum(1 for count in reads_per_tick if count) >= 8  # over most of the window
    # and still each pane once per interval: 30 s of ticks, three reads each
    assert set(reads.values()) == {int(30 // HOOK_LED_SAFETY_SECONDS)}, reads
