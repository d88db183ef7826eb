"""Hook events and the screen fused into one state: a fresh hook event decides, the screen
decides what hooks cannot tell, and a disagreement past the grace goes to the screen, said in
the reason and the journal.

The pane is a real simulated agent in real tmux; the events are written to the pane's hook log
with `append_event`, byte for byte what the hook program writes.
"""

from __future__ import annotations

import time

import pytest

from orchestra_tui.core.fleet.fleet import Fleet, FleetSettings
from orchestra_tui.core.fleet.fusion import GRACE_SECONDS
from orchestra_tui.models import AgentSpec, State
from orchestra_tui.services.hooks.log import HookLog, append_event
from orchestra_tui.services.store.journal import Journal
from orchestra_tui.services.store.queues import QueueStore
from tests.helpers import async_wait_until
from tests.tmux_fixtures import start_fake_agent

pytestmark = pytest.mark.slow


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


async def _fleet(tmux, tmp_path, clock: Clock):
    pane = await start_fake_agent(tmux, "claude", tmp_path / "agent.jsonl")
    data = tmp_path / "data"
    store = QueueStore(data)
    store.load()
    fleet = Fleet(tmux, [AgentSpec(name="api", tool="claude", target=pane.pane_id)],
                  store=store, journal=Journal(data / "journal.jsonl"),
                  settings=FleetSettings(idle_debounce=0.2), hooks=HookLog(data), clock=clock)
    return fleet, pane, data


def _event(data, pane, socket: str, event: str, at: float, detail: str = "") -> None:
    append_event(data, pane.pane_id, {"at": at, "event": event, "tool": "claude",
                                      "pane": pane.pane_id, "detail": detail, "tmux": socket})


async def test_a_fresh_hook_event_decides_and_a_stale_disagreement_goes_to_the_screen(
        tmux, tmp_path):
    clock = Clock()
    fleet, pane, data = await _fleet(tmux, tmp_path, clock)
    socket = await tmux.server_socket()
    snapshot = await fleet.refresh()
    assert snapshot.get("api").status.source == "screen"

    _event(data, pane, socket, "PermissionRequest", clock(), detail="Bash")
    status = (await fleet.refresh()).get("api").status
    # The screen shows the idle composer; the hook has just said a dialog opened.
    assert (status.state, status.source) == (State.APPROVAL, "hook")
    assert status.reason == "hook: PermissionRequest (Bash)"

    clock.offset = GRACE_SECONDS + 5  # nothing on screen ever showed that dialog
    status = (await fleet.refresh()).get("api").status
    for seconds in (1, 2, 3):  # one episode, however long it lasts (its age grows)
        clock.offset = GRACE_SECONDS + 5 + seconds
        await fleet.refresh()
    assert (status.state, status.source) == (State.IDLE, "screen")
    assert "hook said approval" in status.reason
    await fleet.wait_for_sends()
    await _drain(fleet)
    disagreements = fleet.journal.read(events=("disagreement",))
    assert [(e["hook"], e["screen"]) for e in disagreements] == [("approval", "idle")]

    _event(data, pane, socket, "Stop", clock())
    status = (await fleet.refresh()).get("api").status
    assert (status.state, status.source) == (State.IDLE, "hook")


async def test_events_from_another_tmux_server_are_not_this_panes(tmux, tmp_path):
    clock = Clock()
    fleet, pane, data = await _fleet(tmux, tmp_path, clock)
    await fleet.refresh()
    _event(data, pane, "/tmp/tmux-0/some-other-server", "PermissionRequest", clock(), "Bash")
    status = (await fleet.refresh()).get("api").status
    assert (status.state, status.source) == (State.IDLE, "screen")


async def test_the_screen_alone_knows_an_agent_has_exited(tmux, tmp_path):
    clock = Clock()
    fleet, pane, data = await _fleet(tmux, tmp_path, clock)
    socket = await tmux.server_socket()
    await tmux.set_remain_on_exit(pane.pane_id)  # the pane stays, dead, as the hook says work
    await fleet.refresh()
    await tmux.send_text(pane.pane_id, "/exit")
    said = clock()
    _event(data, pane, socket, "UserPromptSubmit", said)

    async def dead() -> bool:
        return (await fleet.refresh()).get("api").status.state is State.EXITED

    await async_wait_until(dead, message="the dead pane read as exited")
    status = fleet.snapshot.get("api").status
    assert (status.source, status.pane_id) == ("screen", pane.pane_id)
    # Read while the hook's word "working" was still fresh: the screen outranked it at once.
    assert clock() - said < GRACE_SECONDS


async def _drain(fleet: Fleet) -> None:
    await fleet.settle()


async def test_hook_events_are_kept_in_the_order_they_happened(tmux, tmp_path):
    """Hook programs run unwaited, side by side: one started later can write its line first.
    The events `why` lists are in time order, across ticks too (found living in the product:
    Stop, UserPromptSubmit, Stop, UserPromptSubmit, Stop was listed as Stop, UPS, UPS, Stop,
    Stop)."""
    clock = Clock()
    fleet, pane, data = await _fleet(tmux, tmp_path, clock)
    socket = await tmux.server_socket()
    start = clock()
    await fleet.refresh()
    for offset, event in ((1, "Stop"), (3, "Stop"), (2, "UserPromptSubmit")):
        _event(data, pane, socket, event, start + offset)
    await fleet.refresh()
    _event(data, pane, socket, "Stop", start + 5)
    _event(data, pane, socket, "UserPromptSubmit", start + 4)
    snapshot = await fleet.refresh()
    events = snapshot.get("api").evidence.hook_events
    assert [e.event for e in events] == ["Stop", "UserPromptSubmit", "Stop",
                                         "UserPromptSubmit", "Stop"]
    assert snapshot.get("api").status.state is State.IDLE  # the latest in time: Stop
    fleet.close()
